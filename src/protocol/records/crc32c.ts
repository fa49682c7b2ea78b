import { createRequire } from 'node:module';

/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of record batches v2.
 *
 * Two implementations: a pure-JS slicing-by-8 one that is always there, and @node-rs/crc32's
 * native one (SSE4.2 / ARMv8 CRC instructions) when the package loads. `crc32c` picks per size:
 * the native call has a fixed cost (N-API crossing, and a `subarray` when a range is asked for),
 * so small inputs stay in JS.
 *
 * Figures that set NATIVE_MIN_BYTES (bench/crc32c.bench.ts, Node 24.21, 2-vCPU VM, median of 7;
 * "native" is on a range of a larger buffer, so it includes the subarray that costs):
 *   100 B:   JS 1.5 GB/s, native 0.9 GB/s
 *   128 B:   JS 1.3 GB/s, native 1.2 GB/s
 *   192 B:   JS 1.3 GB/s, native 1.6 GB/s
 *   1 KiB:   JS 1.3 GB/s, native 4.3 GB/s
 *   16 KiB:  JS 1.3 GB/s, native 7.5 GB/s
 *   1 MiB:   JS 1.3 GB/s, native 8.5 GB/s
 * The crossover is between 128 and 192 bytes; we switch at 160.
 */

const POLY = 0x82f63b78;

function makeTables(): Int32Array[] {
  const tables: Int32Array[] = [];
  for (let t = 0; t < 8; t++) tables.push(new Int32Array(256));
  const t0 = tables[0]!;
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t0[i] = c;
  }
  for (let i = 0; i < 256; i++) {
    for (let t = 1; t < 8; t++) {
      const prev = tables[t - 1]![i]!;
      tables[t]![i] = (prev >>> 8) ^ t0[prev & 0xff]!;
    }
  }
  return tables;
}

const [T0, T1, T2, T3, T4, T5, T6, T7] = makeTables() as [
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
];

/**
 * Pure-JS CRC-32C of `buf[start, end)`, slicing-by-8. `seed` is a previous result to continue
 * from (0 for a fresh checksum).
 */
export function crc32cJs(buf: Uint8Array, start = 0, end = buf.length, seed = 0): number {
  let crc = ~seed;
  let i = start;
  const end8 = start + ((end - start) & ~7);
  while (i < end8) {
    const a = crc ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    crc =
      T7[a & 0xff]! ^
      T6[(a >>> 8) & 0xff]! ^
      T5[(a >>> 16) & 0xff]! ^
      T4[a >>> 24]! ^
      T3[buf[i + 4]!]! ^
      T2[buf[i + 5]!]! ^
      T1[buf[i + 6]!]! ^
      T0[buf[i + 7]!]!;
    i += 8;
  }
  while (i < end) crc = T0[(crc ^ buf[i++]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

type NativeCrc = (input: Uint8Array, initialState?: number) => number;

function loadNative(): NativeCrc | null {
  try {
    const mod = createRequire(import.meta.url)('@node-rs/crc32') as { crc32c?: NativeCrc };
    const fn = mod.crc32c;
    // A broken binding must not silently corrupt checksums: check a known vector once.
    if (typeof fn !== 'function' || fn(Buffer.from('123456789')) >>> 0 !== 0xe3069283) return null;
    return fn;
  } catch {
    return null;
  }
}

/** The native implementation, or null when @node-rs/crc32 could not be loaded. */
export const crc32cNative: NativeCrc | null = loadNative();

/** Inputs at least this long go to the native implementation (see the figures above). */
export const NATIVE_MIN_BYTES = 160;

/** CRC-32C of `buf[start, end)`: native for large ranges when available, JS otherwise. */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  if (end - start >= NATIVE_MIN_BYTES && crc32cNative !== null) {
    const view = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
    return crc32cNative(view) >>> 0;
  }
  return crc32cJs(buf, start, end);
}
