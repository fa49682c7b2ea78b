import { camel } from './names.ts';
import {
  contains,
  covers,
  intersect,
  isEmpty,
  NO_VERSIONS,
  parseVersions,
  type RawField,
  type RawSpec,
  type RawStruct,
  type VersionRange,
} from './spec.ts';

/**
 * The resolved model the emitters work from: every field with its effective version ranges,
 * property name, element type and default, and every struct with the versions it can appear in.
 */

export type Primitive =
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
  | 'uuid';

const PRIMITIVES = new Set<string>([
  'bool',
  'int8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'float64',
  'string',
  'bytes',
  'records',
  'uuid',
]);

export type DefaultValue =
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'string'; value: string }
  | { kind: 'null' }
  | { kind: 'emptyBytes' }
  | { kind: 'zeroUuid' }
  | { kind: 'emptyArray' }
  | { kind: 'struct' };

export interface FieldModel {
  specName: string;
  prop: string;
  /** The element type: a primitive or 'struct'. */
  type: Primitive | 'struct';
  array: boolean;
  struct: StructModel | null;
  /** Versions the field is present in (already clipped to the message's valid versions). */
  versions: VersionRange;
  nullable: VersionRange;
  tagged: VersionRange;
  tag: number | null;
  /** Field-level flexibleVersions (only RequestHeader.ClientId uses it), or null to follow the message. */
  compact: VersionRange | null;
  ignorable: boolean;
  default: DefaultValue;
  /** The spec's own `default`, if it gave one (for schema.ts). */
  specDefault: number | boolean | string | null | undefined;
  about: string;
}

export interface StructModel {
  /** TypeScript type name: the message name, or message name + struct name. */
  name: string;
  specName: string;
  fields: FieldModel[];
  /** The smallest range holding every version in which the struct can appear. */
  versions: VersionRange;
}

export interface MessageModel {
  name: string;
  kind: 'request' | 'response' | 'data';
  apiKey: number | null;
  valid: VersionRange;
  flexible: VersionRange;
  root: StructModel;
  /** Every struct, root included, children before the structs that hold them. */
  structs: StructModel[];
}

function parseInteger(text: string, where: string): number {
  const s = text.trim();
  const negative = s.startsWith('-');
  const body = negative ? s.slice(1) : s;
  const value = /^0x[0-9a-f]+$/i.test(body) ? Number.parseInt(body.slice(2), 16) : Number(body);
  if (!Number.isInteger(value)) throw new Error(`${where}: bad integer default "${text}"`);
  return negative ? -value : value;
}

function parseDefault(raw: RawField, type: Primitive | 'struct', array: boolean, where: string): DefaultValue {
  const d = raw.default;
  if (array) {
    if (d === undefined || d === '') return { kind: 'emptyArray' };
    if (d === 'null') return { kind: 'null' };
    throw new Error(`${where}: arrays can only default to null`);
  }
  switch (type) {
    case 'bool':
      if (d === undefined) return { kind: 'bool', value: false };
      if (d === true || d === 'true') return { kind: 'bool', value: true };
      if (d === false || d === 'false') return { kind: 'bool', value: false };
      throw new Error(`${where}: bad bool default ${JSON.stringify(d)}`);
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32':
    case 'int64':
      return { kind: 'number', value: d === undefined ? 0 : parseInteger(String(d), where) };
    case 'float64':
      return { kind: 'number', value: d === undefined ? 0 : Number(d) };
    case 'string':
      if (d === undefined) return { kind: 'string', value: '' };
      if (d === 'null') return { kind: 'null' };
      return { kind: 'string', value: String(d) };
    case 'bytes':
      if (d === 'null') return { kind: 'null' };
      if (d === undefined || d === '') return { kind: 'emptyBytes' };
      throw new Error(`${where}: bytes can only default to null`);
    case 'records':
      return { kind: 'null' };
    case 'uuid':
      return { kind: 'zeroUuid' };
    case 'struct':
      if (d === 'null') return { kind: 'null' };
      return { kind: 'struct' };
  }
}

function specDefaultOf(raw: RawField, model: DefaultValue): number | boolean | string | null | undefined {
  if (raw.default === undefined) return undefined;
  switch (model.kind) {
    case 'number':
    case 'bool':
    case 'string':
      return model.value;
    case 'null':
      return null;
    default:
      return undefined;
  }
}

class MessageBuilder {
  private readonly spec: RawSpec;
  private readonly valid: VersionRange;
  private readonly structs = new Map<string, StructModel>();
  private readonly order: StructModel[] = [];

  constructor(spec: RawSpec) {
    this.spec = spec;
    this.valid = parseVersions(spec.validVersions);
  }

  build(): MessageModel {
    const spec = this.spec;
    const kind = spec.type;
    if (kind !== 'request' && kind !== 'response' && kind !== 'data') {
      throw new Error(`${spec.name}: unsupported spec type ${kind}`);
    }
    const root: StructModel = { name: spec.name, specName: spec.name, fields: [], versions: this.valid };
    root.fields = this.fields(spec.fields, root.name);
    this.order.push(root);
    this.markVersions(root, this.valid, new Set());
    return {
      name: spec.name,
      kind,
      apiKey: spec.apiKey ?? null,
      valid: this.valid,
      flexible: parseVersions(spec.flexibleVersions),
      root,
      structs: this.order,
    };
  }

  private fields(raws: RawField[], owner: string): FieldModel[] {
    const out = raws.map((raw) => this.field(raw, owner));
    const seen = new Set<string>();
    for (const f of out) {
      if (seen.has(f.prop)) throw new Error(`${owner}: duplicate field ${f.prop}`);
      seen.add(f.prop);
    }
    const tags = new Set<number>();
    for (const f of out) {
      if (f.tag === null) continue;
      if (tags.has(f.tag)) throw new Error(`${owner}: duplicate tag ${f.tag}`);
      tags.add(f.tag);
    }
    return out;
  }

  private field(raw: RawField, owner: string): FieldModel {
    const where = `${owner}.${raw.name}`;
    const array = raw.type.startsWith('[]');
    const elem = array ? raw.type.slice(2) : raw.type;
    const versions = intersect(parseVersions(raw.versions), this.valid);
    let type: Primitive | 'struct';
    let struct: StructModel | null = null;
    if (PRIMITIVES.has(elem)) {
      if (raw.fields) throw new Error(`${where}: primitive type with fields`);
      type = elem as Primitive;
      if (array && (type === 'records' || type === 'bytes')) throw new Error(`${where}: array of ${type}`);
    } else {
      type = 'struct';
      struct = this.struct(elem, raw.fields, where);
    }
    const tagged =
      raw.taggedVersions === undefined ? NO_VERSIONS : intersect(parseVersions(raw.taggedVersions), versions);
    if ((raw.tag === undefined) !== (raw.taggedVersions === undefined)) {
      throw new Error(`${where}: tag and taggedVersions must come together`);
    }
    const def = parseDefault(raw, type, array, where);
    return {
      specName: raw.name,
      prop: camel(raw.name),
      type,
      array,
      struct,
      versions,
      nullable:
        raw.nullableVersions === undefined ? NO_VERSIONS : intersect(parseVersions(raw.nullableVersions), versions),
      tagged,
      tag: raw.tag ?? null,
      compact: raw.flexibleVersions === undefined ? null : parseVersions(raw.flexibleVersions),
      ignorable: raw.ignorable === true,
      default: def,
      specDefault: specDefaultOf(raw, def),
      about: raw.about ?? '',
    };
  }

  /** Defines an inline struct, or resolves a reference to one of the spec's commonStructs. */
  private struct(specName: string, inline: RawField[] | undefined, where: string): StructModel {
    const existing = this.structs.get(specName);
    if (inline !== undefined) {
      if (existing) throw new Error(`${where}: struct ${specName} defined twice`);
      return this.define(specName, inline);
    }
    if (existing) return existing;
    const common: RawStruct | undefined = this.spec.commonStructs?.find((s) => s.name === specName);
    if (!common) throw new Error(`${where}: unknown struct type ${specName}`);
    return this.define(specName, common.fields);
  }

  private define(specName: string, raws: RawField[]): StructModel {
    const name = `${this.spec.name}${specName}`;
    const model: StructModel = { name, specName, fields: [], versions: NO_VERSIONS };
    this.structs.set(specName, model);
    model.fields = this.fields(raws, name);
    this.order.push(model);
    return model;
  }

  /** Widens each struct's versions to cover every place it is used. */
  private markVersions(struct: StructModel, range: VersionRange, path: Set<StructModel>): void {
    if (isEmpty(range)) return;
    if (path.has(struct)) throw new Error(`${struct.name}: recursive struct`);
    struct.versions = isEmpty(struct.versions)
      ? range
      : { min: Math.min(struct.versions.min, range.min), max: Math.max(struct.versions.max, range.max) };
    path.add(struct);
    for (const f of struct.fields) {
      if (f.struct) this.markVersions(f.struct, intersect(f.versions, range), path);
    }
    path.delete(struct);
  }
}

export function buildMessage(spec: RawSpec): MessageModel {
  return new MessageBuilder(spec).build();
}

/** Versions of the struct that the generator emits code for. */
export function structVersions(struct: StructModel): number[] {
  const out: number[] = [];
  for (let v = struct.versions.min; v <= struct.versions.max; v++) out.push(v);
  return out;
}

/** Required in the TypeScript interface: present whenever the struct is, and never tagged. */
export function isRequired(f: FieldModel, owner: StructModel): boolean {
  return covers(f.versions, owner.versions) && isEmpty(f.tagged);
}

/** May hold null in some version (or defaults to null). */
export function isTsNullable(f: FieldModel): boolean {
  return !isEmpty(f.nullable) || f.default.kind === 'null';
}

export function isPresent(f: FieldModel, v: number): boolean {
  return contains(f.versions, v);
}
