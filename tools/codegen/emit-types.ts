import { defaultExpr, isDefaultExpr, tsType } from './field-exprs.ts';
import { type FieldModel, isRequired, type MessageModel, type StructModel } from './model.ts';
import { intersect, isEmpty, type VersionRange } from './spec.ts';

/**
 * Emits, per struct: the TypeScript interface, `default<Struct>()` (every field at its default) and
 * `isDefault<Struct>(s)` (used for tagged and version-absent struct fields).
 */

export function rangeText(r: VersionRange): string {
  if (isEmpty(r)) return 'none';
  return r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`;
}

function fieldDoc(f: FieldModel): string {
  const notes = [`versions ${rangeText(f.versions)}`];
  if (!isEmpty(f.nullable)) notes.push(`nullable ${rangeText(f.nullable)}`);
  if (f.tag !== null) notes.push(`tag ${f.tag} in ${rangeText(f.tagged)}`);
  if (f.specDefault !== undefined) notes.push(`default ${JSON.stringify(f.specDefault)}`);
  if (f.ignorable) notes.push('ignorable');
  const about = f.about.trim().replace(/\*\//g, '* /').replace(/\s+/g, ' ');
  const sentence = about === '' || about.endsWith('.') ? about : `${about}.`;
  return `/** ${sentence}${sentence === '' ? '' : ' '}(${notes.join(', ')}) */`;
}

export function emitInterface(msg: MessageModel, s: StructModel): string {
  const lines: string[] = [];
  if (s === msg.root) {
    lines.push(
      `/** ${msg.name}, versions ${rangeText(msg.valid)} (flexible ${rangeText(intersect(msg.flexible, msg.valid))}). */`,
    );
  }
  lines.push(`export interface ${s.name} {`);
  for (const f of s.fields) {
    lines.push(`  ${fieldDoc(f)}`);
    lines.push(`  ${f.prop}${isRequired(f, s) ? '' : '?'}: ${tsType(f)};`);
  }
  lines.push('}');
  return lines.join('\n');
}

export function emitDefaultFunctions(s: StructModel): string {
  const lines: string[] = [];
  lines.push(`export function default${s.name}(): ${s.name} {`);
  if (s.fields.length === 0) {
    lines.push('  return {};');
  } else {
    lines.push('  return {');
    for (const f of s.fields) lines.push(`    ${f.prop}: ${defaultExpr(f)},`);
    lines.push('  };');
  }
  lines.push('}');
  lines.push('');
  const param = s.fields.length === 0 ? '_s' : 's';
  lines.push(`export function isDefault${s.name}(${param}: ${s.name}): boolean {`);
  if (s.fields.length === 0) {
    lines.push('  return true;');
  } else {
    const terms = s.fields.map((f) => {
      const test = isDefaultExpr(f, `s.${f.prop}`);
      return isRequired(f, s) ? test : `(s.${f.prop} === undefined || ${test})`;
    });
    lines.push(`  return (\n    ${terms.join(' &&\n    ')}\n  );`);
  }
  lines.push('}');
  return lines.join('\n');
}
