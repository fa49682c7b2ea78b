/**
 * Kafka-style configuration definitions and the rules that turn a property's text into a typed
 * value, shared by the broker's table (broker/config/) and the topic table
 * (storage/topic-config-defs.ts).
 *
 * The rules follow Kafka's ConfigDef: text is trimmed; integers are decimal with an optional sign
 * and must fit their Java type (short, int, long); doubles are decimal numbers; booleans are
 * `true`/`false` in any case; lists are comma-separated (spaces around commas ignored, an empty
 * text is an empty list); strings, classes and passwords are kept as written (trimmed). A value
 * that breaks a rule gives one message naming the key, the value and what is allowed:
 * `Invalid value 'abc' for configuration port: must be an integer between 0 and 65535`.
 *
 * Java's Long.MAX_VALUE ("never", "unlimited") does not fit a double exactly; it is held as 2^63
 * and written back as 9223372036854775807.
 */

export type ConfigType = 'boolean' | 'string' | 'short' | 'int' | 'long' | 'double' | 'list' | 'class' | 'password';

/** A parsed value. `null`: no value (the property has no default and was not set). */
export type ConfigValue = boolean | string | number | readonly string[] | null;

/** What a caller may supply for a property: text (from a file), or an already-typed value (from code). */
export type RawConfigValue = string | number | boolean | readonly string[];

/** One property: name, type, default, what is allowed, a doc line, and whether Samsa acts on it. */
export interface ConfigDefinition {
  readonly name: string;
  readonly type: ConfigType;
  /** Kafka's default (Samsa's where the doc line says it differs); null when there is none. */
  readonly default: ConfigValue;
  /** Numeric types: smallest allowed value. */
  readonly min?: number;
  /** Numeric types: largest allowed value. */
  readonly max?: number;
  /** Strings: the allowed values. Lists: the allowed items. */
  readonly oneOf?: readonly string[];
  /** Compare `oneOf` without case (Kafka's CaseInsensitiveValidString). */
  readonly ignoreCase?: boolean;
  /** A further rule on the parsed value; `allowed` must then say what it accepts. */
  readonly check?: (value: ConfigValue) => boolean;
  /** What is allowed, as the end of "Invalid value ... : <allowed>"; derived from the rules when absent. */
  readonly allowed?: string;
  /** One line for people (DescribeConfigs documentation, --help). */
  readonly doc: string;
  /** False: Kafka knows the property but Samsa ignores it (starting with it logs one warning line). */
  readonly used: boolean;
}

export type ConfigErrorCode =
  | 'INVALID_VALUE' // a value of the wrong type or outside what is allowed
  | 'UNKNOWN_CONFIG' // a name that is not defined (topic configs only; unknown broker keys are warnings)
  | 'CONFLICT' // values that are fine alone but not together (node.id vs broker.id, min > max)
  | 'BAD_FORMAT'; // text that is not a properties file or not key=value

/** A configuration that cannot be used. `message` is written for people and names the key. */
export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  /** The property at fault, when there is one. */
  readonly key: string | null;
  constructor(code: ConfigErrorCode, message: string, key: string | null = null) {
    super(message);
    this.name = 'ConfigError';
    this.code = code;
    this.key = key;
  }
}

/** Java's Long.MAX_VALUE as a double (2^63); written back as 9223372036854775807. */
export const LONG_MAX = 2 ** 63;
const LONG_MAX_TEXT = '9223372036854775807';
const LONG_MIN_TEXT = '-9223372036854775808';

const INT_RANGE: Readonly<Partial<Record<ConfigType, readonly [number, number]>>> = {
  short: [-32768, 32767],
  int: [-2147483648, 2147483647],
};

const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function isNumeric(type: ConfigType): boolean {
  return type === 'short' || type === 'int' || type === 'long' || type === 'double';
}

/** The end of an "Invalid value" message: what `def` accepts. */
export function describeAllowed(def: ConfigDefinition): string {
  if (def.allowed !== undefined) return def.allowed;
  switch (def.type) {
    case 'boolean':
      return 'must be true or false';
    case 'short':
    case 'int': {
      const [lo, hi] = INT_RANGE[def.type]!;
      return `must be an integer between ${def.min ?? lo} and ${def.max ?? hi}`;
    }
    case 'long':
    case 'double': {
      const what = def.type === 'long' ? 'an integer' : 'a number';
      if (def.min !== undefined && def.max !== undefined) return `must be ${what} between ${def.min} and ${def.max}`;
      if (def.min !== undefined) return `must be ${what} of at least ${def.min}`;
      if (def.max !== undefined) return `must be ${what} of at most ${def.max}`;
      return def.type === 'long' ? 'must be a 64-bit integer' : 'must be a number';
    }
    case 'list':
      return def.oneOf
        ? `must be a comma-separated list of: ${def.oneOf.join(', ')}`
        : 'must be a comma-separated list';
    default:
      return def.oneOf ? `must be one of: ${def.oneOf.join(', ')}` : 'must be a string';
  }
}

/** The message of a value `def` does not accept. */
export function invalidValueMessage(def: ConfigDefinition, raw: RawConfigValue | null): string {
  const shown = raw === null ? 'null' : Array.isArray(raw) ? raw.join(',') : String(raw);
  return `Invalid value '${shown}' for configuration ${def.name}: ${describeAllowed(def)}`;
}

/** Converts to the definition's type; undefined when the value is not of that type at all. */
function convert(def: ConfigDefinition, raw: RawConfigValue): ConfigValue | undefined {
  if (Array.isArray(raw)) {
    return def.type === 'list' ? raw.map((s) => String(s).trim()) : undefined;
  }
  if (typeof raw === 'boolean') return def.type === 'boolean' ? raw : undefined;
  if (typeof raw === 'number') {
    if (def.type === 'double') return Number.isNaN(raw) ? undefined : raw;
    if (def.type === 'long' && raw === Infinity) return LONG_MAX;
    if (def.type === 'short' || def.type === 'int' || def.type === 'long') {
      return Number.isInteger(raw) ? raw : undefined;
    }
    return def.type === 'list' ? [String(raw)] : String(raw);
  }
  const text = (raw as string).trim();
  switch (def.type) {
    case 'boolean': {
      const lower = text.toLowerCase();
      return lower === 'true' ? true : lower === 'false' ? false : undefined;
    }
    case 'short':
    case 'int':
    case 'long': {
      if (!INTEGER_TEXT.test(text)) return undefined;
      const big = BigInt(text);
      if (big > 2n ** 63n - 1n || big < -(2n ** 63n)) return undefined;
      return Number(big);
    }
    case 'double':
      return DECIMAL_TEXT.test(text) ? Number(text) : undefined;
    case 'list':
      return text === '' ? [] : text.split(/\s*,\s*/);
    default:
      return text;
  }
}

function withinRules(def: ConfigDefinition, value: ConfigValue): boolean {
  if (value === null) return true;
  if (isNumeric(def.type)) {
    const n = value as number;
    const typeRange = INT_RANGE[def.type];
    if (typeRange && (n < typeRange[0] || n > typeRange[1])) return false;
    if (def.min !== undefined && n < def.min) return false;
    if (def.max !== undefined && n > def.max) return false;
  }
  if (def.oneOf !== undefined) {
    const allowed = def.ignoreCase ? def.oneOf.map((s) => s.toLowerCase()) : def.oneOf;
    const norm = (s: string): string => (def.ignoreCase ? s.toLowerCase() : s);
    const items = def.type === 'list' ? (value as readonly string[]) : [value as string];
    if (!items.every((item) => allowed.includes(norm(item)))) return false;
  }
  return def.check === undefined || def.check(value);
}

/** Parses and checks one value; throws a ConfigError (INVALID_VALUE) naming key, value and what is allowed. */
export function parseConfigValue(def: ConfigDefinition, raw: RawConfigValue): ConfigValue {
  const value = convert(def, raw);
  if (value === undefined || !withinRules(def, value)) {
    throw new ConfigError('INVALID_VALUE', invalidValueMessage(def, raw), def.name);
  }
  return value;
}

/** Like parseConfigValue, but answers the message instead of throwing; null when the value is fine. */
export function checkConfigValue(def: ConfigDefinition, raw: RawConfigValue): string | null {
  const value = convert(def, raw);
  return value === undefined || !withinRules(def, value) ? invalidValueMessage(def, raw) : null;
}

/** Java's Double.toString for the values configs hold: 0.5, 1.0, 1.7976931348623157E308. */
function javaDouble(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : Number.isNaN(n) ? 'NaN' : '-Infinity';
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e7)) {
    const [mantissa, exp] = n.toExponential().split('e') as [string, string];
    const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
    return `${m}E${exp.startsWith('+') ? exp.slice(1) : exp}`;
  }
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

/** A value as Kafka writes it (ConfigDef.convertToString): lists joined by commas, longs exact at the ends. */
export function formatConfigValue(type: ConfigType, value: ConfigValue): string | null {
  if (value === null) return null;
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'number') {
    if (type === 'double') return javaDouble(value);
    if (value >= LONG_MAX) return LONG_MAX_TEXT;
    if (value <= -LONG_MAX) return LONG_MIN_TEXT;
    return String(value);
  }
  return String(value);
}

/** DescribeConfigs' configType ids (DescribeConfigsResponse.ConfigType). */
export const CONFIG_TYPE_ID: Readonly<Record<ConfigType, number>> = {
  boolean: 1,
  string: 2,
  int: 3,
  short: 4,
  long: 5,
  double: 6,
  list: 7,
  class: 8,
  password: 9,
};

/** Indexes a table by name; throws if a name appears twice (a table bug). */
export function indexDefinitions<D extends ConfigDefinition>(defs: readonly D[]): ReadonlyMap<string, D> {
  const map = new Map<string, D>();
  for (const d of defs) {
    if (map.has(d.name)) throw new Error(`configuration ${d.name} is defined twice`);
    map.set(d.name, d);
  }
  return map;
}
