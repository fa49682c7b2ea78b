import { DecodeError, type DecodeErrorCode } from '../decode-error.ts';

const EMPTY = Buffer.alloc(0);
const TWO_POW_32 = 0x1_0000_0000;
// ignoreBOM: a string that starts with U+FEFF keeps it (the default would strip it).
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads Kafka protocol primitives from a Buffer.
 *
 * The error is sticky: the first failure (a read past the end, a bad length, a bad varint) is
 * recorded in `error`, the position jumps to the end, and every later read returns a zero value
 * without throwing. Decoders read a whole message and check `error` once at the end. Lengths and
 * counts are checked against the bytes that remain before anything is allocated, so no untrusted
 * length ever sizes an allocation, and loops over counts are bounded by the input size.
 *
 * Byte and string fields are views (`subarray`) of the input, never copies.
 */
export class Reader {
  readonly buf: Buffer;
  pos: number;
  readonly end: number;
  error: DecodeError | null = null;

  constructor(buf: Buffer, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Records the first error and stops further reading. */
  fail(code: DecodeErrorCode, message: string): void {
    if (this.error === null) this.error = new DecodeError(code, `${message} at byte ${this.pos}`);
    this.pos = this.end;
  }

  /** Throws the sticky error, if any. */
  check(): void {
    if (this.error !== null) throw this.error;
  }

  private need(n: number): boolean {
    if (this.end - this.pos >= n) return true;
    this.fail('TRUNCATED', `need ${n} bytes, have ${this.end - this.pos}`);
    return false;
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  int8(): number {
    if (!this.need(1)) return 0;
    return this.buf.readInt8(this.pos++);
  }

  uint8(): number {
    if (!this.need(1)) return 0;
    return this.buf[this.pos++]!;
  }

  int16(): number {
    if (!this.need(2)) return 0;
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  uint16(): number {
    if (!this.need(2)) return 0;
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    if (!this.need(4)) return 0;
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    if (!this.need(4)) return 0;
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** int64 as a JS number; values outside the safe integer range are an error. */
  int64(): number {
    if (!this.need(8)) return 0;
    const hi = this.buf.readInt32BE(this.pos);
    const lo = this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    // Safe integers are |v| < 2^53, i.e. hi in [-2^21, 2^21 - 1] (with hi = -2^21 only if lo != 0).
    if (hi > 0x1fffff || hi < -0x200000 || (hi === -0x200000 && lo === 0)) {
      this.pos -= 8;
      this.fail('UNSAFE_INTEGER', 'int64 outside the safe integer range');
      return 0;
    }
    return hi * TWO_POW_32 + lo;
  }

  /** int64 as a bigint, for the rare field that may use the whole range. */
  int64Big(): bigint {
    if (!this.need(8)) return 0n;
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  float64(): number {
    if (!this.need(8)) return 0;
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Unsigned LEB128 varint, at most 5 bytes (32 bits). */
  uvarint(): number {
    const buf = this.buf;
    let pos = this.pos;
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= this.end) {
        this.fail('TRUNCATED', 'varint runs past the end');
        return 0;
      }
      const b = buf[pos++]!;
      if (shift === 28 && b > 0x0f) {
        this.fail('BAD_VARINT', 'unsigned varint wider than 32 bits');
        return 0;
      }
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) {
        this.pos = pos;
        return result;
      }
    }
    this.fail('BAD_VARINT', 'unsigned varint longer than 5 bytes');
    return 0;
  }

  /** Zigzag varint (signed 32-bit), as in record fields. */
  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** Zigzag varlong (signed 64-bit) as a JS number; outside the safe range is an error. */
  varlong(): number {
    const buf = this.buf;
    let pos = this.pos;
    let result = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (pos >= this.end) {
        this.fail('TRUNCATED', 'varlong runs past the end');
        return 0;
      }
      const b = buf[pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) {
        if (result > Number.MAX_SAFE_INTEGER) {
          this.fail('UNSAFE_INTEGER', 'varlong outside the safe integer range');
          return 0;
        }
        this.pos = pos;
        return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      }
    }
    this.fail('BAD_VARINT', 'varlong longer than 10 bytes');
    return 0;
  }

  /** A 16-byte UUID, returned in Kafka's printable form (URL-safe base64, no padding). */
  uuid(): string {
    if (!this.need(16)) return ZERO_UUID;
    const s = this.buf.toString('base64url', this.pos, this.pos + 16);
    this.pos += 16;
    return s;
  }

  /** Raw bytes of a known length, as a view. */
  raw(n: number): Buffer {
    if (!this.need(n)) return EMPTY;
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  private utf8(n: number): string {
    if (!this.need(n)) return '';
    const start = this.pos;
    this.pos += n;
    // ASCII is by far the common case and latin1 decoding of it is exact and fast.
    const buf = this.buf;
    let ascii = true;
    for (let i = start; i < start + n; i++) {
      if (buf[i]! > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) return buf.toString('latin1', start, start + n);
    try {
      return utf8Decoder.decode(buf.subarray(start, start + n));
    } catch {
      this.pos = start;
      this.fail('BAD_UTF8', 'string is not valid UTF-8');
      return '';
    }
  }

  private checkedLength(n: number, what: string): boolean {
    if (n > this.end - this.pos) {
      this.fail('BAD_LENGTH', `${what} length ${n} exceeds the ${this.end - this.pos} bytes left`);
      return false;
    }
    return true;
  }

  /** int16-length string; -1 is an error here. */
  string(): string {
    const n = this.int16();
    if (n < 0) {
      if (this.error === null) this.fail('NULL_NOT_ALLOWED', 'null string');
      return '';
    }
    return this.checkedLength(n, 'string') ? this.utf8(n) : '';
  }

  nullableString(): string | null {
    const n = this.int16();
    if (n === -1) return null;
    if (n < 0) {
      this.fail('BAD_LENGTH', `string length ${n}`);
      return '';
    }
    return this.checkedLength(n, 'string') ? this.utf8(n) : '';
  }

  /** uvarint (length + 1) string; 0 (null) is an error here. */
  compactString(): string {
    const n = this.uvarint() - 1;
    if (n < 0) {
      if (this.error === null) this.fail('NULL_NOT_ALLOWED', 'null compact string');
      return '';
    }
    return this.checkedLength(n, 'compact string') ? this.utf8(n) : '';
  }

  compactNullableString(): string | null {
    const n = this.uvarint() - 1;
    if (n === -1) return this.error === null ? null : '';
    return this.checkedLength(n, 'compact string') ? this.utf8(n) : '';
  }

  /** int32-length bytes, as a view; -1 is an error here. */
  bytes(): Buffer {
    const n = this.int32();
    if (n < 0) {
      if (this.error === null) this.fail('NULL_NOT_ALLOWED', 'null bytes');
      return EMPTY;
    }
    return this.checkedLength(n, 'bytes') ? this.raw(n) : EMPTY;
  }

  nullableBytes(): Buffer | null {
    const n = this.int32();
    if (n === -1) return null;
    if (n < 0) {
      this.fail('BAD_LENGTH', `bytes length ${n}`);
      return EMPTY;
    }
    return this.checkedLength(n, 'bytes') ? this.raw(n) : EMPTY;
  }

  compactBytes(): Buffer {
    const n = this.uvarint() - 1;
    if (n < 0) {
      if (this.error === null) this.fail('NULL_NOT_ALLOWED', 'null compact bytes');
      return EMPTY;
    }
    return this.checkedLength(n, 'compact bytes') ? this.raw(n) : EMPTY;
  }

  compactNullableBytes(): Buffer | null {
    const n = this.uvarint() - 1;
    if (n === -1) return this.error === null ? null : EMPTY;
    return this.checkedLength(n, 'compact bytes') ? this.raw(n) : EMPTY;
  }

  /**
   * int32 array count. -1 means null (returned as -1); other negatives are errors. The count is
   * bounded by the bytes left divided by the smallest encoding of one element, so a loop over it
   * can never outrun the input.
   */
  arrayLength(minElementBytes = 1): number {
    const n = this.int32();
    if (n === -1) return -1;
    return this.checkCount(n, minElementBytes);
  }

  /** uvarint (count + 1) array count. Returns -1 for null. */
  compactArrayLength(minElementBytes = 1): number {
    const n = this.uvarint() - 1;
    if (n === -1) return this.error === null ? -1 : 0;
    return this.checkCount(n, minElementBytes);
  }

  /** int32 array count where null is not allowed: -1 is a NULL_NOT_ALLOWED error (read as 0). */
  nonNullArrayLength(minElementBytes = 1): number {
    const n = this.arrayLength(minElementBytes);
    if (n !== -1) return n;
    this.fail('NULL_NOT_ALLOWED', 'null array');
    return 0;
  }

  /** uvarint (count + 1) array count where null is not allowed: 0 is a NULL_NOT_ALLOWED error (read as 0). */
  nonNullCompactArrayLength(minElementBytes = 1): number {
    const n = this.compactArrayLength(minElementBytes);
    if (n !== -1) return n;
    this.fail('NULL_NOT_ALLOWED', 'null compact array');
    return 0;
  }

  private checkCount(n: number, minElementBytes: number): number {
    if (n < 0) {
      this.fail('BAD_LENGTH', `array count ${n}`);
      return 0;
    }
    if (n * minElementBytes > this.end - this.pos) {
      this.fail('BAD_LENGTH', `array count ${n} cannot fit in the ${this.end - this.pos} bytes left`);
      return 0;
    }
    return n;
  }

  /** Skips one tagged-fields section (count, then tag/size/bytes per field). */
  skipTaggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count && this.error === null; i++) {
      this.uvarint();
      this.skip(this.uvarint());
    }
  }

  skip(n: number): void {
    if (this.need(n)) this.pos += n;
  }
}

export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** A shared empty buffer (zero length, so sharing it is safe). */
export const EMPTY_BYTES: Buffer = EMPTY;
