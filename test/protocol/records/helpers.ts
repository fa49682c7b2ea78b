import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { DecodeError } from '../../../src/protocol/decode-error.ts';
import type { RecordHeader, RecordInput } from '../../../src/protocol/records/record-types.ts';

export const require = createRequire(import.meta.url);

/** Runs `fn`; passes if it returns or throws a DecodeError, fails on any other exception. */
export function onlyDecodeError(fn: () => unknown): DecodeError | null {
  try {
    fn();
    return null;
  } catch (err) {
    if (err instanceof DecodeError) return err;
    assert.fail(`expected only DecodeError, got ${(err as Error)?.stack ?? String(err)}`);
  }
}

/** Asserts `fn` throws a DecodeError with `code`. */
export function throwsCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof DecodeError, `not a DecodeError: ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return true;
  });
}

export const bytesArb = fc.uint8Array({ maxLength: 48 }).map((a) => Buffer.from(a));
export const nullableBytesArb = fc.option(bytesArb, { nil: null, freq: 4 });
export const headerArb: fc.Arbitrary<RecordHeader> = fc.record({
  key: fc.string({ unit: 'grapheme', maxLength: 8 }),
  value: nullableBytesArb,
});

/** Timestamps within ±2^51 so deltas stay safe integers; exercises long varlongs. */
export const timestampArb = fc.oneof(
  fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
  fc.integer({ min: -(2 ** 51), max: 2 ** 51 }),
  fc.constant(-1),
);

export const recordArb: fc.Arbitrary<RecordInput & { timestamp: number }> = fc.record({
  key: nullableBytesArb,
  value: nullableBytesArb,
  headers: fc.array(headerArb, { maxLength: 3 }),
  timestamp: timestampArb,
});

/** Plain comparable form of a record's key/value/headers. */
export function hexOrNull(b: Uint8Array | null | undefined): string | null {
  return b == null ? null : Buffer.from(b).toString('hex');
}

export function normalizeHeaders(hs: readonly RecordHeader[] | null | undefined): [string, string | null][] {
  return (hs ?? []).map((h) => [h.key, hexOrNull(h.value)]);
}

/** 1 KiB..64 KiB of compressible, log-like text. */
export function logText(lines: number, seed = 1): Buffer {
  let s = seed >>> 0;
  const rand = (n: number) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s % n;
  };
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    out.push(`{"ts":${1_764_000_000_000 + i},"level":"info","user":"u${rand(1000)}","path":"/a/${rand(50)}"}`);
  }
  return Buffer.from(out.join('\n'));
}
