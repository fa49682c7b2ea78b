/**
 * Test messages for the interop suites: deterministic, varied lengths (empty values included),
 * ASCII and multi-byte UTF-8. They never contain '\n', '\t' or '|', so they survive line-based
 * tools (kcat -P/-f) unchanged, and keys never contain ':' (kcat's key delimiter here).
 */

export interface TestMessage {
  key: Buffer;
  value: Buffer;
}

const ASCII = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?-_=+*/()[]{}<>#$%&@~^\'"`';
const UTF8 = ['é', 'ü', 'ß', '€', 'λ', 'Ж', '漢', '字', '🙂'];

/** A small deterministic PRNG (xorshift32), so a failure reproduces. */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

/** `count` messages with unique keys `<prefix>-<i>` and values of 0..maxValueChars characters. */
export function makeMessages(count: number, prefix: string, seed = 1, maxValueChars = 200): TestMessage[] {
  const rand = prng(seed);
  const out: TestMessage[] = [];
  for (let i = 0; i < count; i++) {
    // Every 97th value is empty (empty, not null).
    const len = i % 97 === 0 ? 0 : 1 + Math.floor(rand() * maxValueChars);
    let v = '';
    while (v.length < len) {
      v += rand() < 0.1 ? UTF8[Math.floor(rand() * UTF8.length)] : ASCII[Math.floor(rand() * ASCII.length)];
    }
    out.push({ key: Buffer.from(`${prefix}-${String(i).padStart(5, '0')}`), value: Buffer.from(v) });
  }
  return out;
}
