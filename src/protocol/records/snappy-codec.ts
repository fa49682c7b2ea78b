import { DecodeError } from '../decode-error.ts';
import { snappyCodec } from './native-codecs.ts';

/**
 * Snappy for Kafka: two framings exist on the wire.
 * - A single raw snappy block (librdkafka, @platformatic/kafka, kafkajs-snappy).
 * - The xerial / snappy-java stream (Java client, kafka-python):
 *
 *     offset  size  field
 *          0     8  magic 0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00
 *          8     4  version int32 (1)
 *         12     4  minimum compatible version int32 (1)
 *         16     …  chunks: [length int32 BE][raw snappy block of that length], repeated
 *
 * Readers tell them apart by the magic. A raw block starts with its uncompressed length as an
 * unsigned varint, which is checked against the output limit before anything is decompressed.
 */

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;
const XERIAL_VERSION = 1;
const XERIAL_MIN_COMPATIBLE_VERSION = 1;
/** snappy-java's default block size, which Kafka's Java producer uses. */
export const XERIAL_BLOCK_SIZE = 32 * 1024;

function binding() {
  const b = snappyCodec();
  if (!b.ok) throw new DecodeError('UNSUPPORTED_COMPRESSION', `snappy is not available: ${b.reason}`);
  return b.mod;
}

export function isXerialFramed(buf: Uint8Array): boolean {
  if (buf.length < XERIAL_HEADER_SIZE) return false;
  for (let i = 0; i < XERIAL_MAGIC.length; i++) if (buf[i] !== XERIAL_MAGIC[i]) return false;
  return true;
}

/** Compresses to one raw snappy block, or to the xerial stream when `xerial` is true. */
export function snappyCompress(input: Buffer, xerial = false): Buffer {
  const snappy = binding();
  if (!xerial) return snappy.compress(input);
  const blocks: Buffer[] = [];
  let total = XERIAL_HEADER_SIZE;
  for (let pos = 0; pos < input.length; pos += XERIAL_BLOCK_SIZE) {
    const block = snappy.compress(input.subarray(pos, pos + XERIAL_BLOCK_SIZE));
    blocks.push(block);
    total += 4 + block.length;
  }
  const out = Buffer.allocUnsafe(total);
  XERIAL_MAGIC.copy(out, 0);
  out.writeInt32BE(XERIAL_VERSION, 8);
  out.writeInt32BE(XERIAL_MIN_COMPATIBLE_VERSION, 12);
  let pos = XERIAL_HEADER_SIZE;
  for (const block of blocks) {
    out.writeInt32BE(block.length, pos);
    block.copy(out, pos + 4);
    pos += 4 + block.length;
  }
  return out;
}

/** The uncompressed length a raw snappy block declares (its leading uvarint, at most 32 bits). */
function rawLength(buf: Uint8Array, start: number, end: number): number {
  let result = 0;
  for (let shift = 0, pos = start; shift < 35 && pos < end; shift += 7) {
    const b = buf[pos++]!;
    result += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return result <= 0xffffffff ? result : -1;
  }
  return -1;
}

function uncompressBlock(block: Buffer, maxOutput: number): Buffer {
  const declared = rawLength(block, 0, block.length);
  if (declared < 0) throw new DecodeError('CORRUPT_COMPRESSED_DATA', 'snappy block has a bad length preamble');
  if (declared > maxOutput) {
    throw new DecodeError(
      'BAD_LENGTH',
      `snappy data decompresses to ${declared} bytes, over the limit of ${maxOutput}`,
    );
  }
  const snappy = binding();
  let out: Buffer;
  try {
    out = snappy.uncompress(block, declared);
  } catch (err) {
    throw new DecodeError('CORRUPT_COMPRESSED_DATA', `snappy block does not decompress: ${(err as Error).message}`);
  }
  if (out.length !== declared) {
    throw new DecodeError('CORRUPT_COMPRESSED_DATA', `snappy block gave ${out.length} bytes, declared ${declared}`);
  }
  return out;
}

/** Decompresses a raw block or a xerial stream; output above `maxOutput` bytes is refused. */
export function snappyDecompress(input: Buffer, maxOutput: number): Buffer {
  if (!isXerialFramed(input)) return uncompressBlock(input, maxOutput);
  // First pass: bounds and declared sizes, so nothing is decompressed past the limit.
  let total = 0;
  let count = 0;
  for (let pos = XERIAL_HEADER_SIZE; pos < input.length; count++) {
    if (input.length - pos < 4) throw new DecodeError('CORRUPT_COMPRESSED_DATA', 'xerial snappy chunk length is cut');
    const length = input.readInt32BE(pos);
    if (length < 0 || length > input.length - pos - 4) {
      throw new DecodeError('CORRUPT_COMPRESSED_DATA', `xerial snappy chunk length ${length} overruns the data`);
    }
    const declared = rawLength(input, pos + 4, pos + 4 + length);
    if (declared < 0) throw new DecodeError('CORRUPT_COMPRESSED_DATA', 'snappy block has a bad length preamble');
    total += declared;
    if (total > maxOutput) {
      throw new DecodeError('BAD_LENGTH', `snappy data decompresses to over the limit of ${maxOutput} bytes`);
    }
    pos += 4 + length;
  }
  if (count === 1) return uncompressBlock(input.subarray(XERIAL_HEADER_SIZE + 4), maxOutput);
  const out = Buffer.allocUnsafe(total);
  let written = 0;
  for (let pos = XERIAL_HEADER_SIZE; pos < input.length; ) {
    const length = input.readInt32BE(pos);
    const chunk = uncompressBlock(input.subarray(pos + 4, pos + 4 + length), maxOutput);
    chunk.copy(out, written);
    written += chunk.length;
    pos += 4 + length;
  }
  return out;
}
