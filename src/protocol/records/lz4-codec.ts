import { DecodeError } from '../decode-error.ts';
import { lz4Binding } from './native-codecs.ts';
import { xxhash32 } from './xxhash32.ts';

/**
 * LZ4 for Kafka: the LZ4 *frame* format (not raw blocks). We read and write the frame here and
 * hand each block to lz4-napi's block functions (lz4_flex), which are several times faster than
 * its frame functions (see native-codecs.ts).
 *
 *   offset  size  field
 *        0     4  magic 0x184D2204 (little-endian: 04 22 4D 18)
 *        4     1  FLG: version (bits 6-7, = 01) · block independence (5) · block checksum (4)
 *                      · content size (3) · content checksum (2) · reserved (1) · dict id (0)
 *        5     1  BD: block max size id (bits 4-6): 4 = 64 KiB, 5 = 256 KiB, 6 = 1 MiB, 7 = 4 MiB
 *        6   0/8  content size, uint64 LE, if FLG bit 3
 *        …   0/4  dictionary id, if FLG bit 0
 *        …     1  HC: (xxHash32(FLG .. end of descriptor) >> 8) & 0xFF
 *        …     …  blocks: [size uint32 LE (bit 31 = stored uncompressed)][data][xxh32 if FLG bit 4]
 *        …     4  end mark 0x00000000
 *        …   0/4  content checksum, if FLG bit 2
 *
 * We write 64 KiB independent blocks without checksums (what Kafka's Java producer writes).
 * We read any block size, linked or independent blocks, and skip the optional xxHash checksums:
 * the batch's CRC-32C already covers these bytes.
 *
 * Kafka before 0.10 computed HC over the magic bytes too (KAFKA-3160); magic-0 messages still
 * carry that checksum. The reader accepts either; `brokenHeaderChecksum` writes the old one, as
 * the Java client does for magic 0.
 *
 * Output is capped: each block is decoded into a buffer sized min(block max, bytes left under
 * the limit), and lz4_flex refuses to write past it.
 */

const MAGIC = 0x184d2204;
const BLOCK_MAX_SIZES = [0, 0, 0, 0, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024];
const BLOCK_SIZE = 64 * 1024;
/** FLG: version 01, independent blocks. BD: 64 KiB blocks. */
const FLG = 0x60;
const BD = 0x40;
const UNCOMPRESSED_BIT = 0x80000000;
/** Linked blocks may refer back this far into earlier output. */
const WINDOW = 64 * 1024;

function binding() {
  const b = lz4Binding();
  if (!b.ok) throw new DecodeError('UNSUPPORTED_COMPRESSION', `lz4 is not available: ${b.reason}`);
  return b.mod;
}

function corrupt(message: string): DecodeError {
  return new DecodeError('CORRUPT_COMPRESSED_DATA', `lz4 frame: ${message}`);
}

function headerChecksum(buf: Uint8Array, from: number, descriptorEnd: number): number {
  return (xxhash32(buf, from, descriptorEnd) >>> 8) & 0xff;
}

/** Compresses into one LZ4 frame: 64 KiB independent blocks, no checksums. */
export function lz4Compress(input: Buffer, brokenHeaderChecksum = false): Buffer {
  const lz4 = binding();
  const blocks: Buffer[] = [];
  const stored: boolean[] = [];
  let total = 7 + 4;
  for (let pos = 0; pos < input.length; pos += BLOCK_SIZE) {
    const raw = input.subarray(pos, pos + BLOCK_SIZE);
    const packed = lz4.compressSync(raw).subarray(4); // drop lz4_flex's size prefix
    // Incompressible data is stored as is, flagged by the block size's top bit.
    const keepRaw = packed.length >= raw.length;
    blocks.push(keepRaw ? raw : packed);
    stored.push(keepRaw);
    total += 4 + (keepRaw ? raw : packed).length;
  }
  const out = Buffer.allocUnsafe(total);
  out.writeUInt32LE(MAGIC, 0);
  out[4] = FLG;
  out[5] = BD;
  out[6] = headerChecksum(out, brokenHeaderChecksum ? 0 : 4, 6);
  let pos = 7;
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i]!;
    out.writeUInt32LE(stored[i] ? (block.length | UNCOMPRESSED_BIT) >>> 0 : block.length, pos);
    block.copy(out, pos + 4);
    pos += 4 + block.length;
  }
  out.writeUInt32LE(0, pos);
  return out;
}

let scratch = Buffer.allocUnsafe(4 + BLOCK_SIZE);

/** Decompresses one LZ4 frame; output above `maxOutput` bytes is refused before it is produced. */
export function lz4Decompress(input: Buffer, maxOutput: number): Buffer {
  if (input.length < 7) throw corrupt(`${input.length} bytes is too short for a frame`);
  if (input.readUInt32LE(0) !== MAGIC) throw corrupt(`bad magic 0x${input.readUInt32LE(0).toString(16)}`);
  const flg = input[4]!;
  const bd = input[5]!;
  if (flg >> 6 !== 1) throw corrupt(`unsupported version ${flg >> 6}`);
  if (flg & 0x02 || bd & 0x8f) throw corrupt('reserved bits are set');
  const blockMax = BLOCK_MAX_SIZES[(bd >> 4) & 7]!;
  if (blockMax === 0) throw corrupt(`bad block max size id ${(bd >> 4) & 7}`);
  const hcPosition = 6 + (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0);
  if (input.length <= hcPosition) throw corrupt('frame descriptor is cut');
  const hc = input[hcPosition]!;
  if (hc !== headerChecksum(input, 4, hcPosition) && hc !== headerChecksum(input, 0, hcPosition)) {
    throw corrupt('header checksum mismatch');
  }
  const linked = (flg & 0x20) === 0;
  const blockChecksum = flg & 0x10 ? 4 : 0;
  const lz4 = binding();

  const chunks: Buffer[] = [];
  let produced = 0;
  let pos = hcPosition + 1;
  for (;;) {
    if (input.length - pos < 4) throw corrupt('block size is cut (no end mark)');
    const word = input.readUInt32LE(pos);
    pos += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    if (size > blockMax) throw corrupt(`block of ${size} bytes exceeds the block max size ${blockMax}`);
    if (input.length - pos < size + blockChecksum) throw corrupt('block data is cut');
    const room = maxOutput - produced;
    let chunk: Buffer;
    if (word & UNCOMPRESSED_BIT) {
      if (size > room) throw tooLarge(maxOutput);
      chunk = input.subarray(pos, pos + size);
    } else {
      const capacity = Math.min(blockMax, room);
      chunk = decodeBlock(lz4, input, pos, size, capacity, blockMax, linked ? dictionary(chunks) : null, maxOutput);
    }
    if (chunk.length > 0) chunks.push(chunk);
    produced += chunk.length;
    pos += size + blockChecksum;
  }
  if (flg & 0x04) pos += 4; // content checksum
  if (pos !== input.length) throw corrupt(pos > input.length ? 'content checksum is cut' : 'bytes after the frame');
  if (chunks.length === 1) return chunks[0]!;
  return Buffer.concat(chunks, produced);
}

function tooLarge(maxOutput: number): DecodeError {
  return new DecodeError('BAD_LENGTH', `lz4 data decompresses to over the limit of ${maxOutput} bytes`);
}

function decodeBlock(
  lz4: ReturnType<typeof binding>,
  input: Buffer,
  pos: number,
  size: number,
  capacity: number,
  blockMax: number,
  dict: Buffer | null,
  maxOutput: number,
): Buffer {
  if (scratch.length < 4 + size) scratch = Buffer.allocUnsafe(4 + Math.max(size, scratch.length * 2));
  input.copy(scratch, 4, pos, pos + size);
  const prefixed = scratch.subarray(0, 4 + size);
  try {
    scratch.writeUInt32LE(capacity, 0);
    return lz4.uncompressSync(prefixed, dict);
  } catch (err) {
    if (capacity < blockMax) {
      // Over the limit, or corrupt? Decoding again with the full block size tells them apart.
      let fits = false;
      try {
        scratch.writeUInt32LE(blockMax, 0);
        lz4.uncompressSync(prefixed, dict);
        fits = true;
      } catch {}
      if (fits) throw tooLarge(maxOutput);
    }
    throw corrupt(`block does not decompress: ${(err as Error).message}`);
  }
}

/** The last (up to) 64 KiB of output, for linked blocks. */
function dictionary(chunks: Buffer[]): Buffer | null {
  if (chunks.length === 0) return null;
  const last = chunks[chunks.length - 1]!;
  if (last.length >= WINDOW || chunks.length === 1) return last.length > WINDOW ? last.subarray(-WINDOW) : last;
  const parts: Buffer[] = [];
  let need = WINDOW;
  for (let i = chunks.length - 1; i >= 0 && need > 0; i--) {
    const c = chunks[i]!;
    parts.unshift(c.length > need ? c.subarray(c.length - need) : c);
    need -= Math.min(need, c.length);
  }
  return Buffer.concat(parts);
}
