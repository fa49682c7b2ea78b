import zlib from 'node:zlib';
import { DecodeError } from '../decode-error.ts';
import { type CompressionCodec, codecName } from './batch-format.ts';
import { lz4Compress, lz4Decompress } from './lz4-codec.ts';
import { snappyCompress, snappyDecompress } from './snappy-codec.ts';

/**
 * Record compression by codec id: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd.
 *
 * gzip and zstd use node:zlib (zstd needs Node >= 22.15 / 23.8; feature-detected), snappy and
 * lz4 the N-API packages (see snappy-codec.ts and lz4-codec.ts for the Kafka framings). All are
 * synchronous: a batch is at most a few MiB, and one call is cheaper than a thread hop.
 *
 * Decompression is capped: output above `maxOutput` bytes is a DecodeError (BAD_LENGTH), found
 * before or while decompressing, never after allocating it all, so a small "zip bomb" batch
 * cannot exhaust memory. Undecodable input is CORRUPT_COMPRESSED_DATA; an unknown codec or one
 * this runtime lacks is UNSUPPORTED_COMPRESSION.
 */

/** A sane default cap for decompressed record data (callers pass their own). */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

export interface CompressOptions {
  /** gzip 1-9 (default 6, as Kafka's); zstd 1-22 (default 3, as Kafka's). Ignored by snappy and lz4. */
  level?: number;
  /** snappy: write the xerial/snappy-java stream instead of one raw block. */
  xerialSnappy?: boolean;
  /** lz4: write the pre-0.10 Kafka header checksum (for legacy magic-0 messages only). */
  lz4BrokenHeaderChecksum?: boolean;
}

const hasZstd = typeof zlib.zstdCompressSync === 'function' && typeof zlib.zstdDecompressSync === 'function';

/** Whether `codec` can be used in this runtime (zstd needs a recent Node). */
export function isCodecAvailable(codec: number): boolean {
  if (codec === 4) return hasZstd;
  return codec >= 0 && codec <= 3;
}

function noZstd(): DecodeError {
  return new DecodeError(
    'UNSUPPORTED_COMPRESSION',
    `zstd needs Node.js >= 22.15 (zlib.zstdCompressSync); this is Node.js ${process.versions.node}`,
  );
}

function unknownCodec(codec: number): DecodeError {
  return new DecodeError('UNSUPPORTED_COMPRESSION', `unsupported compression: ${codecName(codec)}`);
}

export function compress(codec: CompressionCodec | number, input: Buffer, options: CompressOptions = {}): Buffer {
  switch (codec) {
    case 0:
      return input;
    case 1:
      return zlib.gzipSync(input, { level: options.level ?? 6 });
    case 2:
      return snappyCompress(input, options.xerialSnappy === true);
    case 3:
      return lz4Compress(input, options.lz4BrokenHeaderChecksum === true);
    case 4:
      if (!hasZstd) throw noZstd();
      return zlib.zstdCompressSync(input, {
        params: { [zlib.constants.ZSTD_c_compressionLevel]: options.level ?? 3 },
      });
    default:
      throw unknownCodec(codec);
  }
}

export function decompress(codec: CompressionCodec | number, input: Buffer, maxOutput: number): Buffer {
  switch (codec) {
    case 0:
      if (input.length > maxOutput) throw tooLarge('uncompressed', maxOutput);
      return input;
    case 1:
      return zlibDecompress('gzip', input, maxOutput);
    case 2:
      return snappyDecompress(input, maxOutput);
    case 3:
      return lz4Decompress(input, maxOutput);
    case 4:
      if (!hasZstd) throw noZstd();
      return zlibDecompress('zstd', input, maxOutput);
    default:
      throw unknownCodec(codec);
  }
}

function tooLarge(what: string, maxOutput: number): DecodeError {
  return new DecodeError('BAD_LENGTH', `${what} data decompresses to over the limit of ${maxOutput} bytes`);
}

function zlibDecompress(kind: 'gzip' | 'zstd', input: Buffer, maxOutput: number): Buffer {
  if (input.length === 0) throw new DecodeError('CORRUPT_COMPRESSED_DATA', `${kind} data is empty`);
  // maxOutputLength must be at least 1.
  const options = { maxOutputLength: Math.max(1, Math.min(maxOutput, 0x7fffffff)) };
  let out: Buffer;
  try {
    out = kind === 'gzip' ? zlib.gunzipSync(input, options) : zlib.zstdDecompressSync(input, options);
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(kind, maxOutput);
    throw new DecodeError('CORRUPT_COMPRESSED_DATA', `${kind} data does not decompress: ${(err as Error).message}`);
  }
  if (out.length > maxOutput) throw tooLarge(kind, maxOutput);
  return out;
}
