/**
 * Java's .properties text format (java.util.Properties.load), which Kafka's server.properties
 * uses, plus the `key=value` form of `--override`.
 *
 * - Natural lines end at \n, \r or \r\n. Leading spaces, tabs and form feeds are skipped.
 * - A line whose first non-blank character is `#` or `!` is a comment; blank lines are skipped.
 *   A comment never continues onto the next line.
 * - A line ending in an odd number of backslashes continues on the next line; the backslash, the
 *   line break and the next line's leading blanks are dropped (a backslash at the end of the text
 *   is dropped too).
 * - The key runs to the first unescaped `=`, `:` or blank. Blanks around the separator are
 *   skipped, and so is one `=` or `:` after blanks (`key value`, `key = value`, `key:value`).
 *   The value is the rest of the line, trailing blanks included (Kafka trims when it parses).
 * - Escapes in keys and values: \t \n \r \f, \uXXXX, and a backslash before any other character
 *   stands for that character (`\=`, `\:`, `\ `, `\#`, `\\`).
 * - A key given twice keeps its last value.
 *
 * Unlike Properties.load(InputStream), which reads ISO-8859-1, the text is whatever the caller
 * decoded (the CLI reads UTF-8, which agrees with ISO-8859-1 on ASCII files).
 */
import { ConfigError } from '../../common/config-def.ts';

const BLANK = new Set([' ', '\t', '\f']);

function skipBlanks(s: string, from: number): number {
  let i = from;
  while (i < s.length && BLANK.has(s[i]!)) i++;
  return i;
}

function endsWithOddBackslashes(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

/** Resolves the escapes of a key or value. */
function resolveEscapes(s: string, lineNo: number): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = s[++i];
    if (next === undefined) break;
    if (next === 'u') {
      const hex = s.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        throw new ConfigError('BAD_FORMAT', `line ${lineNo}: malformed \\uxxxx escape '\\u${hex}'`);
      }
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 4;
    } else {
      out += next === 't' ? '\t' : next === 'n' ? '\n' : next === 'r' ? '\r' : next === 'f' ? '\f' : next;
    }
  }
  return out;
}

/** Splits one logical line into its key and value, as Properties.load does. */
function splitKeyValue(line: string, lineNo: number): [string, string] {
  let keyEnd = 0;
  let valueStart = line.length;
  let hasSeparator = false;
  let escaped = false;
  while (keyEnd < line.length) {
    const c = line[keyEnd]!;
    if (!escaped && (c === '=' || c === ':')) {
      valueStart = keyEnd + 1;
      hasSeparator = true;
      break;
    }
    if (!escaped && BLANK.has(c)) {
      valueStart = keyEnd + 1;
      break;
    }
    escaped = c === '\\' ? !escaped : false;
    keyEnd++;
  }
  valueStart = skipBlanks(line, valueStart);
  if (!hasSeparator && (line[valueStart] === '=' || line[valueStart] === ':')) {
    valueStart = skipBlanks(line, valueStart + 1);
  }
  return [resolveEscapes(line.slice(0, keyEnd), lineNo), resolveEscapes(line.slice(valueStart), lineNo)];
}

/** One property and the line it starts on (for messages). */
export interface PropertyEntry {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

/** Every key=value of a .properties text in order, duplicates included. */
export function parsePropertyEntries(text: string): PropertyEntry[] {
  const lines = text.split(/\r\n|\r|\n/);
  const entries: PropertyEntry[] = [];
  let i = 0;
  while (i < lines.length) {
    const lineNo = i + 1;
    let logical = lines[i++]!;
    logical = logical.slice(skipBlanks(logical, 0));
    if (logical === '' || logical[0] === '#' || logical[0] === '!') continue;
    while (endsWithOddBackslashes(logical)) {
      logical = logical.slice(0, -1);
      if (i >= lines.length) break;
      const next = lines[i++]!;
      logical += next.slice(skipBlanks(next, 0));
    }
    const [key, value] = splitKeyValue(logical, lineNo);
    entries.push({ key, value, line: lineNo });
  }
  return entries;
}

/** A .properties text as a map (insertion order; a repeated key keeps its last value). */
export function parseProperties(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const e of parsePropertyEntries(text)) {
    map.delete(e.key);
    map.set(e.key, e.value);
  }
  return map;
}

/** `key=value` from `--override key=value` (the value may contain `=`); throws BAD_FORMAT otherwise. */
export function parseOverride(arg: string): [string, string] {
  const eq = arg.indexOf('=');
  const key = eq < 0 ? '' : arg.slice(0, eq).trim();
  if (key === '') {
    throw new ConfigError('BAD_FORMAT', `Invalid override '${arg}': expected key=value`);
  }
  return [key, arg.slice(eq + 1)];
}
