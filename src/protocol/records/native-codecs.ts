import { createRequire } from 'node:module';

/**
 * Lazy loaders for the codec packages (runtime dependencies). A package that fails to load (no
 * prebuilt binary for the platform) makes only its codec unavailable, or falls back; the reason
 * is kept for the error message.
 *
 * Snappy: hysnappy (C snappy compiled to WebAssembly, so no per-platform binary). On 1 MiB of log-like JSON (bench/compression.bench.ts) hysnappy compresses at
 * ~640 MB/s and decompresses at ~2.4 GB/s; the N-API `snappy` package manages ~250 / ~390 MB/s
 * (it stays a devDependency, as an independent implementation the tests cross-check against).
 * LZ4: lz4-napi's block functions (size-prefixed lz4_flex blocks); we do the frame format
 * ourselves (lz4-codec.ts) because its frame functions run at ~310 / ~390 MB/s against
 * ~1.1 / ~4.2 GB/s for its block functions.
 */

export interface SnappyCodec {
  compress(input: Uint8Array): Buffer;
  /** Decompresses one raw block whose declared length (preamble) is `outputLength`. */
  uncompress(input: Uint8Array, outputLength: number): Buffer;
  /** Which package is in use. */
  name: string;
}

export interface Lz4Binding {
  /** One block, prefixed with its uncompressed size as uint32 LE. */
  compressSync(data: Buffer): Buffer;
  /** Input prefixed with an output capacity (uint32 LE); fails if the output would not fit. */
  uncompressSync(data: Uint8Array, dict?: Uint8Array | null): Buffer;
}

const require = createRequire(import.meta.url);

type Loaded<T> = { ok: true; mod: T } | { ok: false; reason: string };

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function asBuffer(u8: Uint8Array): Buffer {
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

function loadSnappy(): Loaded<SnappyCodec> {
  try {
    const hy = require('hysnappy') as {
      snappyCompressor(): (input: Uint8Array) => Uint8Array;
      snappyUncompressor(): (input: Uint8Array, outputLength: number) => Uint8Array;
    };
    // Both return copies (slices) of the WebAssembly memory, so results stay valid after later calls.
    const c = hy.snappyCompressor();
    const u = hy.snappyUncompressor();
    return {
      ok: true,
      mod: {
        name: 'hysnappy',
        compress: (input) => asBuffer(c(input)),
        uncompress: (input, outputLength) => asBuffer(u(input, outputLength)),
      },
    };
  } catch (err) {
    return { ok: false, reason: reason(err) };
  }
}

function loadLz4(): Loaded<Lz4Binding> {
  try {
    return { ok: true, mod: require('lz4-napi') as Lz4Binding };
  } catch (err) {
    return { ok: false, reason: reason(err) };
  }
}

let snappy: Loaded<SnappyCodec> | null = null;
let lz4: Loaded<Lz4Binding> | null = null;

export function snappyCodec(): Loaded<SnappyCodec> {
  snappy ??= loadSnappy();
  return snappy;
}

export function lz4Binding(): Loaded<Lz4Binding> {
  lz4 ??= loadLz4();
  return lz4;
}
