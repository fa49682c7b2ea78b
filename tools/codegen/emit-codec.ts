import { defaultExpr, fixedSize, notDefaultExpr, tsElementType, tsType } from './field-exprs.ts';
import {
  type FieldModel,
  isRequired,
  isTsNullable,
  type MessageModel,
  type Primitive,
  type StructModel,
  structVersions,
} from './model.ts';
import { isReserved, quote } from './names.ts';
import { contains } from './spec.ts';

/**
 * Emits the straight-line codec functions of one message: per struct and per version
 * `read<S>V<n>(r)`, `sizeOf<S>V<n>(m)` and `write<S>V<n>(w, m)`, then the per-message
 * dispatchers `decode<M>`, `sizeOf<M>`, `write<M>` and `encode<M>`.
 *
 * Versions whose code comes out identical share one set of functions, named after the lowest
 * of them; the message's own functions get exported aliases for every version.
 *
 * Checks that only encoding can fail (null in a version where the field is not nullable, a
 * non-default value in a field the version does not have and that is not ignorable) live in
 * `sizeOf`, which every encoder calls before allocating.
 */

/** Stands for the version list in error messages until versions sharing code are grouped. */
const VERSION_MARK = '$VERSIONS$';

interface FieldAt {
  f: FieldModel;
  idx: number;
  present: boolean;
  tagged: boolean;
  compact: boolean;
  nullable: boolean;
  required: boolean;
  tsNullable: boolean;
}

interface Bodies {
  read: string[];
  size: string[];
  write: string[];
}

function readPrim(t: Primitive, compact: boolean, nullable: boolean): string {
  switch (t) {
    case 'string':
      return compact
        ? nullable
          ? 'r.compactNullableString()'
          : 'r.compactString()'
        : nullable
          ? 'r.nullableString()'
          : 'r.string()';
    case 'bytes':
    case 'records':
      return compact
        ? nullable
          ? 'r.compactNullableBytes()'
          : 'r.compactBytes()'
        : nullable
          ? 'r.nullableBytes()'
          : 'r.bytes()';
    default:
      return `r.${t}()`;
  }
}

function primMethod(t: Primitive, compact: boolean, nullable: boolean): string {
  const base = t === 'records' ? 'bytes' : t;
  if (base !== 'string' && base !== 'bytes') return base;
  const cap = base === 'string' ? 'String' : 'Bytes';
  if (compact) return nullable ? `compactNullable${cap}` : `compact${cap}`;
  return nullable ? `nullable${cap}` : base;
}

function writePrim(t: Primitive, compact: boolean, nullable: boolean, e: string): string {
  if (t === 'records') {
    // Sized as bytes, written by the Writer's records methods: a gather Writer (Fetch responses)
    // passes the record set on as a chunk of its own instead of copying it.
    const m = compact
      ? nullable
        ? 'compactNullableRecords'
        : 'compactRecords'
      : nullable
        ? 'nullableRecords'
        : 'records';
    return `w.${m}(${e});`;
  }
  return `w.${primMethod(t, compact, nullable)}(${e});`;
}

function sizePrim(t: Primitive, compact: boolean, nullable: boolean, e: string): string {
  const m = primMethod(t, compact, nullable);
  return `sizeOf${m.charAt(0).toUpperCase()}${m.slice(1)}(${e})`;
}

/** Smallest encoding of a variable-size primitive (its length prefix). */
function minPrim(t: Primitive, compact: boolean): number {
  const fixed = fixedSize(t);
  if (fixed !== null) return fixed;
  if (compact) return 1;
  return t === 'string' ? 2 : 4;
}

function localName(prop: string): string {
  return isReserved(prop) || ['r', 'w', 'm', 's'].includes(prop) || prop.startsWith('_') ? `${prop}_` : prop;
}

/** Formats sorted versions compactly: [0,1,2,5] → "0-2, 5". */
export function versionList(vs: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < vs.length; ) {
    let j = i;
    while (j + 1 < vs.length && vs[j + 1] === vs[j]! + 1) j++;
    parts.push(i === j ? `${vs[i]}` : `${vs[i]}-${vs[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

export class CodecEmitter {
  private readonly msg: MessageModel;
  /** Canonical (lowest equivalent) version per struct and version. */
  private readonly canon = new Map<StructModel, Map<number, number>>();
  private readonly out: string[] = [];

  constructor(msg: MessageModel) {
    this.msg = msg;
  }

  emit(): string {
    for (const s of this.msg.structs) this.emitStruct(s);
    this.emitDispatchers();
    return this.out.join('\n\n');
  }

  private fn(kind: 'read' | 'sizeOf' | 'write', s: StructModel, v: number): string {
    const c = this.canon.get(s)?.get(v);
    if (c === undefined) throw new Error(`${s.name} has no code for version ${v}`);
    return `${kind}${s.name}V${c}`;
  }

  private flexible(v: number): boolean {
    return contains(this.msg.flexible, v);
  }

  private fieldsAt(s: StructModel, v: number): FieldAt[] {
    const flexible = this.flexible(v);
    return s.fields.map((f, idx) => {
      const present = contains(f.versions, v);
      return {
        f,
        idx,
        present,
        tagged: present && flexible && contains(f.tagged, v),
        compact: flexible && (f.compact === null || contains(f.compact, v)),
        nullable: contains(f.nullable, v),
        required: isRequired(f, s),
        tsNullable: isTsNullable(f),
      };
    });
  }

  /** Smallest encoding of one struct at a version (array counts are bounded with it). */
  private minStructSize(s: StructModel, v: number): number {
    let n = this.flexible(v) ? 1 : 0;
    for (const fa of this.fieldsAt(s, v)) {
      if (!fa.present || fa.tagged) continue;
      if (fa.f.array) n += fa.compact ? 1 : 4;
      else if (fa.f.type === 'struct') n += fa.nullable ? 1 : this.minStructSize(fa.f.struct!, v);
      else n += minPrim(fa.f.type, fa.compact);
    }
    return n;
  }

  private minElementSize(fa: FieldAt, v: number): number {
    const n = fa.f.type === 'struct' ? this.minStructSize(fa.f.struct!, v) : minPrim(fa.f.type, fa.compact);
    return Math.max(1, n);
  }

  /** Expression for the value to encode; optional fields fall back to their default. */
  private valueExpr(fa: FieldAt): string {
    const p = `m.${fa.f.prop}`;
    let e = p;
    if (!fa.required) {
      const def = defaultExpr(fa.f);
      e = fa.tsNullable && def !== 'null' ? `(${p} === undefined ? ${def} : ${p})` : `(${p} ?? ${def})`;
    }
    return fa.tsNullable && !fa.nullable ? `${e}!` : e;
  }

  /** A tagged field is written only when set to something other than its default. */
  private taggedCondition(fa: FieldAt, val: string): string {
    return `${val} !== undefined && ${notDefaultExpr(fa.f, val)}`;
  }

  /** `val` with a non-null assertion where the type allows null but this version does not (sizeOf checks it). */
  private nonNull(fa: FieldAt, val: string): string {
    return fa.tsNullable && !fa.nullable ? `${val}!` : val;
  }

  // ---- read ------------------------------------------------------------------------------

  private readElement(fa: FieldAt, v: number): string {
    return fa.f.type === 'struct' ? `${this.fn('read', fa.f.struct!, v)}(r)` : readPrim(fa.f.type, fa.compact, false);
  }

  /** Statements reading the field into `target` (declared const, or assigned when `assign`). */
  private readStmts(fa: FieldAt, v: number, target: string, assign: boolean): string[] {
    const f = fa.f;
    const decl = assign ? '' : 'const ';
    if (!f.array) {
      if (f.type === 'struct') {
        const read = `${this.fn('read', f.struct!, v)}(r)`;
        return [`${decl}${target} = ${fa.nullable ? `r.int8() < 0 ? null : ${read}` : read};`];
      }
      return [`${decl}${target} = ${readPrim(f.type, fa.compact, fa.nullable)};`];
    }
    const min = this.minElementSize(fa, v);
    const elemType = tsElementType(f);
    const elem = this.readElement(fa, v);
    const arr = assign ? `_a${fa.idx}` : target;
    const lines: string[] = [];
    if (fa.nullable) {
      const len = fa.compact ? `r.compactArrayLength(${min})` : `r.arrayLength(${min})`;
      lines.push(`const _n${fa.idx} = ${len};`);
      lines.push(`const ${arr}: ${elemType}[] | null = _n${fa.idx} < 0 ? null : [];`);
      lines.push(`if (${arr} !== null) for (let _i = 0; _i < _n${fa.idx}; _i++) ${arr}.push(${elem});`);
    } else {
      const len = fa.compact ? `r.nonNullCompactArrayLength(${min})` : `r.nonNullArrayLength(${min})`;
      lines.push(`const ${arr}: ${elemType}[] = [];`);
      lines.push(`for (let _i = 0, _n = ${len}; _i < _n; _i++) ${arr}.push(${elem});`);
    }
    if (assign) lines.push(`${target} = ${arr};`);
    return lines;
  }

  private readBody(s: StructModel, v: number): string[] {
    const fields = this.fieldsAt(s, v);
    const lines: string[] = [];
    for (const fa of fields) {
      if (fa.present && !fa.tagged) lines.push(...this.readStmts(fa, v, localName(fa.f.prop), false));
    }
    if (this.flexible(v)) {
      const tagged = fields.filter((fa) => fa.tagged).sort((a, b) => a.f.tag! - b.f.tag!);
      if (tagged.length === 0) {
        lines.push('r.skipTaggedFields();');
      } else {
        for (const fa of tagged) lines.push(`let ${localName(fa.f.prop)}: ${tsType(fa.f)} = ${defaultExpr(fa.f)};`);
        lines.push('for (let _t = r.uvarint(); _t > 0 && r.error === null; _t--) {');
        lines.push('  const _tag = r.uvarint();');
        lines.push('  const _size = r.uvarint();');
        lines.push('  const _end = r.pos + _size;');
        lines.push('  switch (_tag) {');
        for (const fa of tagged) {
          lines.push(`    case ${fa.f.tag}: {`);
          for (const l of this.readStmts(fa, v, localName(fa.f.prop), true)) lines.push(`      ${l}`);
          lines.push('      break;');
          lines.push('    }');
        }
        lines.push('    default:');
        lines.push('      r.skip(_size);');
        lines.push('      continue;');
        lines.push('  }');
        lines.push(
          // biome-ignore lint/suspicious/noTemplateCurlyInString: generated source text with its own template literal
          "  if (r.pos !== _end) r.fail('BAD_LENGTH', `tagged field ${_tag} does not fill its ${_size} bytes`);",
        );
        lines.push('}');
      }
    }
    if (s.fields.length === 0) {
      lines.push('return {};');
    } else {
      lines.push('return {');
      for (const fa of fields) {
        const p = fa.f.prop;
        if (!fa.present) lines.push(`  ${p}: ${defaultExpr(fa.f)},`);
        else if (localName(p) === p) lines.push(`  ${p},`);
        else lines.push(`  ${p}: ${localName(p)},`);
      }
      lines.push('};');
    }
    return lines;
  }

  // ---- size ------------------------------------------------------------------------------

  /** Size of the field's value `e` (a simple expression): a constant part plus statements adding to `acc`. */
  private sizeParts(fa: FieldAt, v: number, e: string, acc: string): { fixed: number; stmts: string[] } {
    const f = fa.f;
    if (!f.array) {
      if (f.type === 'struct') {
        const size = `${this.fn('sizeOf', f.struct!, v)}(${e})`;
        if (fa.nullable) return { fixed: 1, stmts: [`if (${e} !== null) ${acc} += ${size};`] };
        return { fixed: 0, stmts: [`${acc} += ${size};`] };
      }
      const fixed = fixedSize(f.type);
      if (fixed !== null) return { fixed, stmts: [] };
      return { fixed: 0, stmts: [`${acc} += ${sizePrim(f.type, fa.compact, fa.nullable, e)};`] };
    }
    const inner: string[] = [];
    inner.push(fa.compact ? `${acc} += sizeOfUvarint(${e}.length + 1);` : `${acc} += 4;`);
    if (f.type === 'struct') {
      inner.push(`for (const _e of ${e}) ${acc} += ${this.fn('sizeOf', f.struct!, v)}(_e);`);
    } else {
      const fixed = fixedSize(f.type);
      if (fixed !== null) inner.push(`${acc} += ${e}.length * ${fixed};`);
      else inner.push(`for (const _e of ${e}) ${acc} += ${sizePrim(f.type, fa.compact, false, '_e')};`);
    }
    if (!fa.nullable) {
      if (!fa.compact) {
        inner.shift();
        return { fixed: 4, stmts: inner };
      }
      return { fixed: 0, stmts: inner };
    }
    return {
      fixed: 0,
      stmts: [`if (${e} === null) ${acc} += ${fa.compact ? 1 : 4};`, 'else {', ...inner.map((l) => `  ${l}`), '}'],
    };
  }

  /** True if the value is used more than once by the emitted code, so it is bound to a local. */
  private needsLocal(fa: FieldAt): boolean {
    return fa.f.array || (fa.f.type === 'struct' && fa.nullable) || !fa.required;
  }

  private sizeBody(s: StructModel, v: number): string[] {
    const fields = this.fieldsAt(s, v);
    const checks: string[] = [];
    const stmts: string[] = [];
    let fixed = 0;
    for (const fa of fields) {
      const p = `m.${fa.f.prop}`;
      if (!fa.present) {
        if (!fa.f.ignorable) {
          checks.push(
            `if (${p} !== undefined && ${notDefaultExpr(fa.f, p)}) throw new EncodeError('FIELD_NOT_IN_VERSION', ${quote(
              `${s.name}.${fa.f.prop} is set but version ${VERSION_MARK} does not have it`,
            )});`,
          );
        }
        continue;
      }
      if (fa.tsNullable && !fa.nullable) {
        checks.push(
          `if (${p} === null) throw new EncodeError('NULL_NOT_ALLOWED', ${quote(
            `${s.name}.${fa.f.prop} cannot be null in version ${VERSION_MARK}`,
          )});`,
        );
      }
    }
    for (const fa of fields) {
      if (!fa.present || fa.tagged) continue;
      const e = this.valueExpr(fa);
      if (this.needsLocal(fa)) {
        const parts = this.sizeParts(fa, v, `_v${fa.idx}`, '_s');
        fixed += parts.fixed;
        if (parts.stmts.length > 0) stmts.push(`const _v${fa.idx} = ${e};`, ...parts.stmts);
        continue;
      }
      const parts = this.sizeParts(fa, v, e, '_s');
      fixed += parts.fixed;
      stmts.push(...parts.stmts);
    }
    if (this.flexible(v)) {
      const tagged = fields.filter((fa) => fa.tagged).sort((a, b) => a.f.tag! - b.f.tag!);
      if (tagged.length === 0) {
        fixed += 1;
      } else {
        stmts.push('let _tc = 0;');
        for (const fa of tagged) {
          const val = `_v${fa.idx}`;
          stmts.push(`const ${val} = m.${fa.f.prop};`);
          stmts.push(`if (${this.taggedCondition(fa, val)}) {`);
          const parts = this.sizeParts(fa, v, this.nonNull(fa, val), '_z');
          stmts.push(`  ${parts.stmts.length > 0 ? 'let' : 'const'} _z = ${parts.fixed};`);
          for (const l of parts.stmts) stmts.push(`  ${l}`);
          stmts.push(`  _s += ${this.tagHeaderSize(fa.f.tag!)} + sizeOfUvarint(_z) + _z;`);
          stmts.push('  _tc++;');
          stmts.push('}');
        }
        stmts.push('_s += sizeOfUvarint(_tc);');
      }
    }
    if (stmts.length === 0) return [...checks, `return ${fixed};`];
    return [...checks, `let _s = ${fixed};`, ...stmts, 'return _s;'];
  }

  private tagHeaderSize(tag: number): number {
    return tag < 0x80 ? 1 : tag < 0x4000 ? 2 : tag < 0x200000 ? 3 : tag < 0x10000000 ? 4 : 5;
  }

  // ---- write -----------------------------------------------------------------------------

  /** Statements writing the value `e` (a simple expression). */
  private writeStmts(fa: FieldAt, v: number, e: string): string[] {
    const f = fa.f;
    if (!f.array) {
      if (f.type === 'struct') {
        const write = `${this.fn('write', f.struct!, v)}(w, ${e});`;
        if (fa.nullable) return [`if (${e} === null) w.int8(-1);`, 'else {', '  w.int8(1);', `  ${write}`, '}'];
        return [write];
      }
      return [writePrim(f.type, fa.compact, fa.nullable, e)];
    }
    const count = fa.compact ? `w.compactArrayLength(${e}.length);` : `w.arrayLength(${e}.length);`;
    const each =
      f.type === 'struct'
        ? `for (const _e of ${e}) ${this.fn('write', f.struct!, v)}(w, _e);`
        : `for (const _e of ${e}) ${writePrim(f.type, fa.compact, false, '_e')}`;
    if (!fa.nullable) return [count, each];
    return [
      `if (${e} === null) ${fa.compact ? 'w.compactArrayLength(-1);' : 'w.arrayLength(-1);'}`,
      'else {',
      `  ${count}`,
      `  ${each}`,
      '}',
    ];
  }

  private writeBody(s: StructModel, v: number): string[] {
    const fields = this.fieldsAt(s, v);
    const lines: string[] = [];
    for (const fa of fields) {
      if (!fa.present || fa.tagged) continue;
      if (this.needsLocal(fa)) {
        lines.push(`const _v${fa.idx} = ${this.valueExpr(fa)};`);
        lines.push(...this.writeStmts(fa, v, `_v${fa.idx}`));
      } else {
        lines.push(...this.writeStmts(fa, v, this.valueExpr(fa)));
      }
    }
    if (this.flexible(v)) {
      const tagged = fields.filter((fa) => fa.tagged).sort((a, b) => a.f.tag! - b.f.tag!);
      if (tagged.length === 0) {
        lines.push('w.emptyTaggedFields();');
      } else {
        for (const fa of tagged) {
          lines.push(`const _v${fa.idx} = m.${fa.f.prop};`);
          lines.push(`const _c${fa.idx} = ${this.taggedCondition(fa, `_v${fa.idx}`)};`);
        }
        const count = tagged.map((fa) => `(_c${fa.idx} ? 1 : 0)`).join(' + ');
        lines.push(`w.uvarint(${tagged.length === 1 ? count.slice(1, -1) : count});`);
        for (const fa of tagged) {
          const val = this.nonNull(fa, `_v${fa.idx}`);
          lines.push(`if (_c${fa.idx}) {`);
          lines.push(`  w.uvarint(${fa.f.tag});`);
          const parts = this.sizeParts(fa, v, val, '_z');
          if (parts.stmts.length === 0) {
            lines.push(`  w.uvarint(${parts.fixed});`);
          } else {
            lines.push(`  let _z = ${parts.fixed};`);
            for (const l of parts.stmts) lines.push(`  ${l}`);
            lines.push('  w.uvarint(_z);');
          }
          for (const l of this.writeStmts(fa, v, val)) lines.push(`  ${l}`);
          lines.push('}');
        }
      }
    }
    return lines;
  }

  // ---- grouping and output ---------------------------------------------------------------

  private emitStruct(s: StructModel): void {
    const groups = new Map<string, { versions: number[]; bodies: Bodies }>();
    const canon = new Map<number, number>();
    for (const v of structVersions(s)) {
      const bodies: Bodies = { read: this.readBody(s, v), size: this.sizeBody(s, v), write: this.writeBody(s, v) };
      const key = [...bodies.read, '\0', ...bodies.size, '\0', ...bodies.write].join('\n');
      const group = groups.get(key);
      if (group) {
        group.versions.push(v);
        canon.set(v, group.versions[0]!);
      } else {
        groups.set(key, { versions: [v], bodies });
        canon.set(v, v);
      }
    }
    this.canon.set(s, canon);
    const label = s.name;
    for (const { versions, bodies } of groups.values()) {
      const v = versions[0]!;
      const list = versionList(versions);
      const fix = (lines: string[]) => lines.map((l) => `  ${l.split(VERSION_MARK).join(list)}`).join('\n');
      const read = fix(bodies.read);
      const size = fix(bodies.size);
      const write = fix(bodies.write);
      const uses = (body: string, p: string) => new RegExp(`\\b${p}[.,)]`).test(body);
      const doc = `/** ${label}, version${versions.length > 1 ? 's' : ''} ${list}. */`;
      this.out.push(
        `${doc}\nexport function read${label}V${v}(${uses(read, 'r') ? 'r' : '_r'}: Reader): ${label} {\n${read}\n}`,
        `export function sizeOf${label}V${v}(${uses(size, 'm') ? 'm' : '_m'}: ${label}): number {\n${size}\n}`,
        `export function write${label}V${v}(${uses(write, 'w') ? 'w' : '_w'}: Writer, ${
          uses(write, 'm') ? 'm' : '_m'
        }: ${label}): void {\n${write}\n}`,
      );
    }
  }

  private emitDispatchers(): void {
    const root = this.msg.root;
    const name = root.name;
    const versions = structVersions(root);
    const aliases: string[] = [];
    for (const v of versions) {
      const c = this.canon.get(root)!.get(v)!;
      if (c === v) continue;
      aliases.push(
        `export const read${name}V${v} = read${name}V${c};`,
        `export const sizeOf${name}V${v} = sizeOf${name}V${c};`,
        `export const write${name}V${v} = write${name}V${c};`,
      );
    }
    if (aliases.length > 0) this.out.push(aliases.join('\n'));
    const range = `${this.msg.valid.min}-${this.msg.valid.max}`;
    const cases = (call: (c: number) => string) => {
      const byCanon = new Map<number, number[]>();
      for (const v of versions) {
        const c = this.canon.get(root)!.get(v)!;
        byCanon.set(c, [...(byCanon.get(c) ?? []), v]);
      }
      const lines: string[] = [];
      for (const [c, vs] of byCanon) {
        for (const v of vs) lines.push(`    case ${v}:`);
        lines.push(`      return ${call(c)};`);
      }
      return lines.join('\n');
    };
    const unsupported = (cls: string) =>
      `    default:\n      throw new ${cls}('UNSUPPORTED_VERSION', \`${name} version \${version} is outside ${range}\`);`;
    this.out.push(
      `/** Decodes a ${name} body of the given version. Check \`r.error\` (or call \`r.check()\`) afterwards. */\n` +
        `export function decode${name}(r: Reader, version: number): ${name} {\n  switch (version) {\n${cases(
          (c) => `read${name}V${c}(r)`,
        )}\n${unsupported('DecodeError')}\n  }\n}`,
      `export function sizeOf${name}(m: ${name}, version: number): number {\n  switch (version) {\n${cases(
        (c) => `sizeOf${name}V${c}(m)`,
      )}\n${unsupported('EncodeError')}\n  }\n}`,
      `export function write${name}(w: Writer, m: ${name}, version: number): void {\n  switch (version) {\n${cases(
        (c) => `write${name}V${c}(w, m)`,
      )}\n${unsupported('EncodeError')}\n  }\n}`,
      `/** Encodes a ${name} body into a buffer of exactly its size. */\n` +
        `export function encode${name}(m: ${name}, version: number): Buffer {\n` +
        `  const w = new Writer(sizeOf${name}(m, version));\n  write${name}(w, m, version);\n  return w.finish();\n}`,
    );
  }
}
