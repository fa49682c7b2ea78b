import { type FieldModel, isTsNullable, type Primitive } from './model.ts';
import { quote } from './names.ts';

/** TypeScript types, default values and default tests for fields, as source text. */

const TS_PRIMITIVE: Record<Primitive, string> = {
  bool: 'boolean',
  int8: 'number',
  int16: 'number',
  uint16: 'number',
  int32: 'number',
  uint32: 'number',
  int64: 'number',
  float64: 'number',
  string: 'string',
  bytes: 'Buffer',
  records: 'Buffer',
  uuid: 'string',
};

/** The element type (no array, no null). */
export function tsElementType(f: FieldModel): string {
  return f.type === 'struct' ? f.struct!.name : TS_PRIMITIVE[f.type];
}

/** The non-undefined type of the property. */
export function tsType(f: FieldModel): string {
  const base = f.array ? `${tsElementType(f)}[]` : tsElementType(f);
  return isTsNullable(f) ? `${base} | null` : base;
}

/** An expression for the field's default value (a fresh object where it is mutable). */
export function defaultExpr(f: FieldModel): string {
  const d = f.default;
  switch (d.kind) {
    case 'number':
      return Object.is(d.value, -0) ? '-0' : String(d.value);
    case 'bool':
      return String(d.value);
    case 'string':
      return quote(d.value);
    case 'null':
      return 'null';
    case 'emptyBytes':
      return 'EMPTY_BYTES';
    case 'zeroUuid':
      return 'ZERO_UUID';
    case 'emptyArray':
      return '[]';
    case 'struct':
      return `default${f.struct!.name}()`;
  }
}

/** An expression that is true when `e` (never undefined) is not the field's default. */
export function notDefaultExpr(f: FieldModel, e: string): string {
  const d = f.default;
  const nullable = isTsNullable(f);
  switch (d.kind) {
    case 'number':
    case 'bool':
    case 'string':
    case 'null':
      return `${e} !== ${defaultExpr(f)}`;
    case 'zeroUuid':
      return `${e} !== ZERO_UUID`;
    case 'emptyBytes':
    case 'emptyArray':
      return nullable ? `(${e} === null || ${e}.length !== 0)` : `${e}.length !== 0`;
    case 'struct':
      return nullable ? `(${e} === null || !isDefault${f.struct!.name}(${e}))` : `!isDefault${f.struct!.name}(${e})`;
  }
}

/** Fixed wire size of a primitive, or null if it varies. */
export function fixedSize(t: Primitive | 'struct'): number | null {
  switch (t) {
    case 'bool':
    case 'int8':
      return 1;
    case 'int16':
    case 'uint16':
      return 2;
    case 'int32':
    case 'uint32':
      return 4;
    case 'int64':
    case 'float64':
      return 8;
    case 'uuid':
      return 16;
    default:
      return null;
  }
}

/** An expression that is true when `e` (never undefined) is the field's default. */
export function isDefaultExpr(f: FieldModel, e: string): string {
  const d = f.default;
  const nullable = isTsNullable(f);
  switch (d.kind) {
    case 'number':
    case 'bool':
    case 'string':
    case 'null':
      return `${e} === ${defaultExpr(f)}`;
    case 'zeroUuid':
      return `${e} === ZERO_UUID`;
    case 'emptyBytes':
    case 'emptyArray':
      return nullable ? `(${e} !== null && ${e}.length === 0)` : `${e}.length === 0`;
    case 'struct':
      return nullable ? `(${e} !== null && isDefault${f.struct!.name}(${e}))` : `isDefault${f.struct!.name}(${e})`;
  }
}
