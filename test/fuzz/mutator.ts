/**
 * Deterministic byte mutations for fuzzing decoders: a seeded PRNG and the mutation strategies
 * that find the classic decoder bugs — truncation, bit flips, lying lengths (huge, negative and
 * off-by-one int32s and varints), inserted and spliced bytes, pure noise.
 */

/** mulberry32: small, fast, good enough to spread mutations; seeded so failures reproduce. */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

const LYING_INT32S = [0x7fffffff, -1, -2, 0x80000000 | 0, 0x00ffffff, 0x10000, 1, 0];

export type Strategy = 'noise' | 'truncate' | 'flip' | 'lie32' | 'lie16' | 'varint' | 'insert' | 'splice' | 'zero';
export const STRATEGIES: readonly Strategy[] = [
  'noise',
  'truncate',
  'flip',
  'lie32',
  'lie16',
  'varint',
  'insert',
  'splice',
  'zero',
];

/**
 * Returns a mutated copy of `seed` (never modifies it). `keepPrefix` bytes at the front are left
 * alone by the in-place strategies (e.g. 4 to keep an API key and version valid), so the
 * mutations reach the body decoders rather than stopping at the header check.
 */
export function mutate(rng: Prng, seed: Buffer, other: Buffer, strategy: Strategy, keepPrefix = 0): Buffer {
  const pos = (len: number): number => keepPrefix + rng.int(Math.max(1, len - keepPrefix));
  switch (strategy) {
    case 'noise': {
      const body = rng.bytes(rng.int(200));
      return Buffer.concat([seed.subarray(0, keepPrefix), body]);
    }
    case 'truncate':
      return Buffer.from(seed.subarray(0, rng.int(seed.length)));
    case 'flip': {
      const b = Buffer.from(seed);
      for (let i = 1 + rng.int(4); i > 0 && b.length > keepPrefix; i--) b[pos(b.length)]! ^= 1 << rng.int(8);
      return b;
    }
    case 'lie32': {
      const b = Buffer.from(seed);
      if (b.length >= keepPrefix + 4)
        b.writeInt32BE(rng.pick(LYING_INT32S), keepPrefix + rng.int(b.length - keepPrefix - 3));
      return b;
    }
    case 'lie16': {
      const b = Buffer.from(seed);
      if (b.length >= keepPrefix + 2)
        b.writeInt16BE(rng.pick([0x7fff, -1, -2, -32768, 1]), keepPrefix + rng.int(b.length - keepPrefix - 1));
      return b;
    }
    case 'varint': {
      // Continuation bits everywhere make unsigned varints run long or huge.
      const b = Buffer.from(seed);
      const at = pos(b.length);
      for (let i = 0; i < 1 + rng.int(6) && at + i < b.length; i++) b[at + i] = rng.pick([0xff, 0x80, 0xfe]);
      return b;
    }
    case 'insert': {
      const at = pos(seed.length);
      return Buffer.concat([seed.subarray(0, at), rng.bytes(1 + rng.int(8)), seed.subarray(at)]);
    }
    case 'splice': {
      const at = pos(seed.length);
      return Buffer.concat([seed.subarray(0, at), other.subarray(rng.int(other.length + 1))]);
    }
    case 'zero': {
      const b = Buffer.from(seed);
      const at = pos(b.length);
      b.fill(0, at, Math.min(b.length, at + 1 + rng.int(16)));
      return b;
    }
  }
}
