import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reading Kafka's JSON message specs: the raw shapes, comment stripping and version ranges.
 * The grammar is described in the specs folder's README.md.
 */

export interface RawField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string | number | boolean;
  ignorable?: boolean;
  flexibleVersions?: string;
  about?: string;
  fields?: RawField[];
}

export interface RawStruct {
  name: string;
  versions: string;
  fields: RawField[];
}

export interface RawSpec {
  apiKey?: number;
  type: 'request' | 'response' | 'data' | 'header';
  name: string;
  validVersions: string;
  flexibleVersions: string;
  fields: RawField[];
  commonStructs?: RawStruct[];
}

/** An inclusive version range; `min > max` is the empty range ("none"). */
export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

/** The highest version an open-ended range ("3+") can reach. */
export const MAX_VERSION = 0x7fff;
export const NO_VERSIONS: VersionRange = { min: 0, max: -1 };

export function parseVersions(text: string): VersionRange {
  const s = text.trim();
  if (s === 'none') return NO_VERSIONS;
  let m = /^(\d+)\+$/.exec(s);
  if (m) return { min: Number(m[1]), max: MAX_VERSION };
  m = /^(\d+)-(\d+)$/.exec(s);
  if (m) return { min: Number(m[1]), max: Number(m[2]) };
  m = /^(\d+)$/.exec(s);
  if (m) return { min: Number(m[1]), max: Number(m[1]) };
  throw new Error(`bad version range "${text}"`);
}

export function contains(range: VersionRange, v: number): boolean {
  return v >= range.min && v <= range.max;
}

export function intersect(a: VersionRange, b: VersionRange): VersionRange {
  const min = Math.max(a.min, b.min);
  const max = Math.min(a.max, b.max);
  return min > max ? NO_VERSIONS : { min, max };
}

export function isEmpty(r: VersionRange): boolean {
  return r.min > r.max;
}

/** True if `outer` includes every version of `inner`. */
export function covers(outer: VersionRange, inner: VersionRange): boolean {
  return isEmpty(inner) || (outer.min <= inner.min && outer.max >= inner.max);
}

/**
 * Removes `//` comments (to the end of the line) outside string literals, so the rest is JSON.
 * Quotes inside strings may be escaped; `//` inside a string (a URL in an "about") is kept.
 */
export function stripComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else {
      out += c;
    }
  }
  return out;
}

export function readSpec(specsDir: string, name: string): RawSpec {
  const file = join(specsDir, `${name}.json`);
  const spec = JSON.parse(stripComments(readFileSync(file, 'utf8'))) as RawSpec;
  if (spec.name !== name) throw new Error(`${file}: expected name ${name}, found ${spec.name}`);
  return spec;
}
