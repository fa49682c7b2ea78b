import fc from 'fast-check';
import type { FieldSchema, MessageSchema, VersionRange } from '../../../src/protocol/messages/generated/schema.ts';
import { ZERO_UUID } from '../../../src/protocol/primitives/reader.ts';

/**
 * Random valid messages for any version of any generated message, driven by schema.ts, and the
 * values a decoder must return for them (every field the version lacks at its default).
 */

export type Message = Record<string, unknown>;

/** Replaces the arbitrary of a field, by dotted property path (e.g. 'topics.partitions.errorCode'). */
export type Overrides = (field: FieldSchema, path: string, version: number) => fc.Arbitrary<unknown> | undefined;

export function inRange(r: VersionRange | undefined, v: number): boolean {
  return r !== undefined && v >= r[0] && v <= r[1];
}

const INT64 = fc.oneof(
  fc.integer({ min: -2, max: 2 }),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.maxSafeInteger(),
);

function primitive(f: FieldSchema): fc.Arbitrary<unknown> {
  switch (f.type) {
    case 'bool':
      return fc.boolean();
    case 'int8':
      return fc.integer({ min: -128, max: 127 });
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'uint16':
      return fc.integer({ min: 0, max: 65535 });
    case 'int32':
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'uint32':
      return fc.integer({ min: 0, max: 2 ** 32 - 1 });
    case 'int64':
      return INT64;
    case 'float64':
      return fc.double();
    case 'string':
      // Full Unicode (no lone surrogates, which UTF-8 cannot carry).
      return fc.string({ unit: 'binary', maxLength: 10 });
    case 'bytes':
    case 'records':
      return fc.uint8Array({ maxLength: 12 }).map((a) => Buffer.from(a));
    case 'uuid':
      return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a).toString('base64url'));
    case 'struct':
      throw new Error('not a primitive');
  }
}

function fieldArb(f: FieldSchema, v: number, path: string, overrides?: Overrides): fc.Arbitrary<unknown> {
  const custom = overrides?.(f, path, v);
  if (custom) return custom;
  const elem = f.type === 'struct' ? structArb(f.fields ?? [], v, path, overrides) : primitive(f);
  const value = f.array ? fc.array(elem, { maxLength: 3 }) : elem;
  return inRange(f.nullable, v) ? fc.option(value, { nil: null, freq: 4 }) : value;
}

function structArb(
  fields: readonly FieldSchema[],
  v: number,
  path: string,
  overrides?: Overrides,
): fc.Arbitrary<Message> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of fields) {
    if (inRange(f.versions, v)) model[f.name] = fieldArb(f, v, path === '' ? f.name : `${path}.${f.name}`, overrides);
  }
  return fc.record(model) as fc.Arbitrary<Message>;
}

/** A message of `version` holding only the fields that version has. */
export function arbMessage(schema: MessageSchema, version: number, overrides?: Overrides): fc.Arbitrary<Message> {
  return structArb(schema.fields, version, '', overrides);
}

/** The default a decoder fills in for a field its version lacks. */
export function defaultOf(f: FieldSchema): unknown {
  if (f.default !== undefined) return f.default;
  if (f.array) return [];
  switch (f.type) {
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'bytes':
      return Buffer.alloc(0);
    case 'records':
      return null;
    case 'uuid':
      return ZERO_UUID;
    case 'struct':
      return defaultStruct(f.fields ?? []);
    default:
      return 0;
  }
}

function defaultStruct(fields: readonly FieldSchema[]): Message {
  const out: Message = {};
  for (const f of fields) out[f.name] = defaultOf(f);
  return out;
}

/** What decoding `m` (written at `version`) must give: its values plus defaults for the rest. */
export function withDefaults(fields: readonly FieldSchema[], version: number, m: Message): Message {
  const out: Message = {};
  for (const f of fields) {
    if (!inRange(f.versions, version) || !(f.name in m)) {
      out[f.name] = defaultOf(f);
      continue;
    }
    const value = m[f.name];
    if (f.type !== 'struct' || value === null) out[f.name] = value;
    else if (f.array) out[f.name] = (value as Message[]).map((e) => withDefaults(f.fields ?? [], version, e));
    else out[f.name] = withDefaults(f.fields ?? [], version, value as Message);
  }
  return out;
}
