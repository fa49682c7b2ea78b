import type { ApiModel } from './emit-api-table.ts';
import type { FieldModel, MessageModel } from './model.ts';
import { quote } from './names.ts';
import { isEmpty, type VersionRange } from './spec.ts';

/**
 * Emits `schema.ts`: a compact, machine-readable description of every generated message, so tests
 * can build random valid messages for any version and fuzzers can enumerate the decoders.
 * Version ranges are [min, max] pairs clipped to the message's valid versions.
 */

const PRELUDE = `/** Element type of a field; arrays set \`array\`. */
export type FieldType =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'string'
  | 'bytes'
  | 'records'
  | 'uuid'
  | 'struct';

export type VersionRange = readonly [min: number, max: number];

export interface FieldSchema {
  /** Property name in the TypeScript interfaces. */
  readonly name: string;
  readonly type: FieldType;
  readonly array?: true;
  /** Versions the field is present in. */
  readonly versions: VersionRange;
  /** Versions in which it may be null. */
  readonly nullable?: VersionRange;
  readonly tag?: number;
  /** Versions in which it is a tagged field. */
  readonly tagged?: VersionRange;
  /** The spec's custom default, when it has one (otherwise 0 / '' / false / empty / zero UUID; records null). */
  readonly default?: number | boolean | string | null;
  readonly ignorable?: true;
  /** Fields of the struct (for type 'struct'). */
  readonly fields?: readonly FieldSchema[];
}

export interface MessageSchema {
  readonly name: string;
  readonly versions: VersionRange;
  /** Flexible versions, or null when there are none. */
  readonly flexible: VersionRange | null;
  readonly fields: readonly FieldSchema[];
}

export interface ApiSchema {
  readonly apiKey: number;
  readonly name: string;
  readonly request: MessageSchema;
  readonly response: MessageSchema;
}
`;

function range(r: VersionRange): string {
  return `[${r.min}, ${r.max}]`;
}

function field(f: FieldModel, indent: string): string {
  const parts = [`name: ${quote(f.prop)}`, `type: '${f.type}'`];
  if (f.array) parts.push('array: true');
  parts.push(`versions: ${range(f.versions)}`);
  if (!isEmpty(f.nullable)) parts.push(`nullable: ${range(f.nullable)}`);
  if (f.tag !== null) parts.push(`tag: ${f.tag}`, `tagged: ${range(f.tagged)}`);
  if (f.specDefault !== undefined) {
    parts.push(`default: ${typeof f.specDefault === 'string' ? quote(f.specDefault) : String(f.specDefault)}`);
  }
  if (f.ignorable) parts.push('ignorable: true');
  if (f.compact !== null) throw new Error(`${f.prop}: field-level flexibleVersions are not described in schema.ts`);
  if (!f.struct) return `${indent}{ ${parts.join(', ')} },`;
  const inner = f.struct.fields.map((c) => field(c, `${indent}  `)).join('\n');
  return `${indent}{ ${parts.join(', ')}, fields: [\n${inner}\n${indent}] },`;
}

function message(m: MessageModel, indent: string): string {
  const fields = m.root.fields.map((f) => field(f, `${indent}  `)).join('\n');
  const flexible = isEmpty(m.flexible) ? 'null' : range({ min: m.flexible.min, max: m.valid.max });
  const head = `name: '${m.name}', versions: ${range(m.valid)}, flexible: ${flexible}`;
  return fields === '' ? `{ ${head}, fields: [] }` : `{ ${head}, fields: [\n${fields}\n${indent}] }`;
}

export function emitSchema(apis: ApiModel[], data: MessageModel[], header: string): string {
  const out: string[] = [header, '', PRELUDE];
  out.push('export const apiSchemas: readonly ApiSchema[] = [');
  for (const api of [...apis].sort((a, b) => a.apiKey - b.apiKey)) {
    out.push('  {');
    out.push(`    apiKey: ${api.apiKey},`);
    out.push(`    name: '${api.name}',`);
    out.push(`    request: ${message(api.request, '    ')},`);
    out.push(`    response: ${message(api.response, '    ')},`);
    out.push('  },');
  }
  out.push('];');
  out.push('');
  out.push('/** Standalone data specs (no API key, no header). */');
  out.push('export const dataSchemas: readonly MessageSchema[] = [');
  for (const d of data) out.push(`  ${message(d, '  ')},`);
  out.push('];');
  out.push('');
  return out.join('\n');
}
