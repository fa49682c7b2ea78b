const TWO_POW_32 = 0x1_0000_0000;

/**
 * Record sets of at least this many bytes are gathered (left out of the buffer, passed on as
 * chunks of their own); smaller ones are cheaper to copy than to write as a separate chunk.
 */
export const GATHER_MIN_BYTES = 4096;

/** True when a gather Writer passes a record set of `length` bytes on as a chunk of its own. */
export function isGathered(length: number): boolean {
  return length >= GATHER_MIN_BYTES;
}

/**
 * Writes Kafka protocol primitives into a Buffer allocated once at the exact size.
 *
 * Encoders compute the size first (with the `sizeOf*` helpers below), create a Writer of that
 * size, then write; `finish()` checks that the size was right. Byte fields are copied in place
 * from the caller's Buffers; nothing is concatenated.
 *
 * Gather mode (`Writer.gather`), for responses carrying record sets (Fetch): a `records` field
 * of at least GATHER_MIN_BYTES is written as its length prefix only and its Buffer is passed on
 * as it is. The Writer's buffer then holds every other byte and is sized without those record
 * sets; `finishChunks()` returns the pieces of the buffer interleaved with the record sets,
 * which concatenated are exactly what the single-buffer mode writes.
 */
export class Writer {
  readonly buf: Buffer;
  pos: number;
  /** Gather mode: the chunks so far, up to `cut` in `buf`; null in single-buffer mode. */
  private readonly chunks: Uint8Array[] | null = null;
  /** Gather mode: where the part of `buf` not yet in `chunks` starts. */
  private cut = 0;

  constructor(sizeOrBuffer: number | Buffer, start = 0, gather = false) {
    this.buf = typeof sizeOrBuffer === 'number' ? Buffer.allocUnsafe(sizeOrBuffer) : sizeOrBuffer;
    this.pos = start;
    if (gather) {
      this.chunks = [];
      this.cut = start;
    }
  }

  /**
   * A gather-mode Writer whose buffer holds `size` bytes: the encoding without the record sets
   * it gathers (those for which `isGathered(length)`).
   */
  static gather(size: number): Writer {
    return new Writer(size, 0, true);
  }

  /** Returns the written buffer; throws if the computed size and the bytes written disagree. */
  finish(): Buffer {
    if (this.chunks !== null) throw new Error('finish() on a gather Writer: use finishChunks()');
    if (this.pos !== this.buf.length) {
      throw new Error(`encoder wrote ${this.pos} bytes into a buffer sized ${this.buf.length}`);
    }
    return this.buf;
  }

  /**
   * Gather mode: the buffer's pieces interleaved with the gathered record sets, in order; throws
   * if the computed size and the bytes written disagree.
   */
  finishChunks(): Uint8Array[] {
    const chunks = this.chunks;
    if (chunks === null) throw new Error('finishChunks() on a single-buffer Writer: use finish()');
    if (this.pos !== this.buf.length) {
      throw new Error(`encoder wrote ${this.pos} bytes into a buffer sized ${this.buf.length} (record sets left out)`);
    }
    if (this.cut < this.pos) chunks.push(this.buf.subarray(this.cut, this.pos));
    this.cut = this.pos;
    return chunks;
  }

  bool(v: boolean): void {
    this.buf[this.pos++] = v ? 1 : 0;
  }

  int8(v: number): void {
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
  }

  uint8(v: number): void {
    this.buf[this.pos++] = v;
  }

  int16(v: number): void {
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
  }

  uint16(v: number): void {
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }

  int32(v: number): void {
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
  }

  uint32(v: number): void {
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
  }

  /** int64 from a safe JS integer. */
  int64(v: number): void {
    const lo = v >>> 0;
    const hi = (v - lo) / TWO_POW_32;
    this.buf.writeInt32BE(hi, this.pos);
    this.buf.writeUInt32BE(lo, this.pos + 4);
    this.pos += 8;
  }

  int64Big(v: bigint): void {
    this.buf.writeBigInt64BE(v, this.pos);
    this.pos += 8;
  }

  float64(v: number): void {
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  /** Unsigned varint of a non-negative integer below 2^32. */
  uvarint(v: number): void {
    const buf = this.buf;
    while (v >= 0x80) {
      buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    buf[this.pos++] = v;
  }

  /** Zigzag varint (signed 32-bit). */
  varint(v: number): void {
    this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  /** Zigzag varlong from a safe JS integer. */
  varlong(v: number): void {
    let u = v >= 0 ? v * 2 : -v * 2 - 1;
    const buf = this.buf;
    while (u >= 0x80) {
      buf[this.pos++] = (u % 128) | 0x80;
      u = Math.floor(u / 128);
    }
    buf[this.pos++] = u;
  }

  /** A UUID in Kafka's printable form (URL-safe base64 of 16 bytes). */
  uuid(v: string): void {
    const n = this.buf.write(v, this.pos, 16, 'base64url');
    if (n !== 16) throw new Error(`not a 16-byte UUID: ${v}`);
    this.pos += 16;
  }

  raw(v: Uint8Array): void {
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  private utf8(v: string, byteLength: number): void {
    this.buf.write(v, this.pos, byteLength, 'utf8');
    this.pos += byteLength;
  }

  string(v: string): void {
    const n = Buffer.byteLength(v, 'utf8');
    this.int16(n);
    this.utf8(v, n);
  }

  nullableString(v: string | null | undefined): void {
    if (v == null) this.int16(-1);
    else this.string(v);
  }

  compactString(v: string): void {
    const n = Buffer.byteLength(v, 'utf8');
    this.uvarint(n + 1);
    this.utf8(v, n);
  }

  compactNullableString(v: string | null | undefined): void {
    if (v == null) this.uvarint(0);
    else this.compactString(v);
  }

  bytes(v: Uint8Array): void {
    this.int32(v.length);
    this.raw(v);
  }

  nullableBytes(v: Uint8Array | null | undefined): void {
    if (v == null) this.int32(-1);
    else this.bytes(v);
  }

  compactBytes(v: Uint8Array): void {
    this.uvarint(v.length + 1);
    this.raw(v);
  }

  compactNullableBytes(v: Uint8Array | null | undefined): void {
    if (v == null) this.uvarint(0);
    else this.compactBytes(v);
  }

  /** A record set (type `records`): bytes, gathered as a chunk of its own in gather mode. */
  records(v: Uint8Array): void {
    this.int32(v.length);
    this.recordBytes(v);
  }

  nullableRecords(v: Uint8Array | null | undefined): void {
    if (v == null) this.int32(-1);
    else this.records(v);
  }

  compactRecords(v: Uint8Array): void {
    this.uvarint(v.length + 1);
    this.recordBytes(v);
  }

  compactNullableRecords(v: Uint8Array | null | undefined): void {
    if (v == null) this.uvarint(0);
    else this.compactRecords(v);
  }

  private recordBytes(v: Uint8Array): void {
    const chunks = this.chunks;
    if (chunks === null || !isGathered(v.length)) {
      this.raw(v);
      return;
    }
    if (this.cut < this.pos) chunks.push(this.buf.subarray(this.cut, this.pos));
    chunks.push(v);
    this.cut = this.pos;
  }

  arrayLength(n: number): void {
    this.int32(n);
  }

  /** Count + 1 as a uvarint; pass -1 for a null array. */
  compactArrayLength(n: number): void {
    this.uvarint(n + 1);
  }

  /** An empty tagged-fields section. */
  emptyTaggedFields(): void {
    this.buf[this.pos++] = 0;
  }
}

/** Bytes of an unsigned varint. */
export function sizeOfUvarint(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  return 5;
}

/** Bytes of a zigzag varint (signed 32-bit). */
export function sizeOfVarint(v: number): number {
  return sizeOfUvarint(((v << 1) ^ (v >> 31)) >>> 0);
}

/** Bytes of a zigzag varlong (safe JS integer). */
export function sizeOfVarlong(v: number): number {
  if (v >= -0x40000000 && v < 0x40000000) return sizeOfVarint(v);
  let u = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (u >= 0x80) {
    u = Math.floor(u / 128);
    n++;
  }
  return n;
}

export function sizeOfString(v: string): number {
  return 2 + Buffer.byteLength(v, 'utf8');
}

export function sizeOfNullableString(v: string | null | undefined): number {
  return v == null ? 2 : sizeOfString(v);
}

export function sizeOfCompactString(v: string): number {
  const n = Buffer.byteLength(v, 'utf8');
  return sizeOfUvarint(n + 1) + n;
}

export function sizeOfCompactNullableString(v: string | null | undefined): number {
  return v == null ? 1 : sizeOfCompactString(v);
}

export function sizeOfBytes(v: Uint8Array): number {
  return 4 + v.length;
}

export function sizeOfNullableBytes(v: Uint8Array | null | undefined): number {
  return v == null ? 4 : 4 + v.length;
}

export function sizeOfCompactBytes(v: Uint8Array): number {
  return sizeOfUvarint(v.length + 1) + v.length;
}

export function sizeOfCompactNullableBytes(v: Uint8Array | null | undefined): number {
  return v == null ? 1 : sizeOfCompactBytes(v);
}
