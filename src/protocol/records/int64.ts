import { DecodeError } from '../decode-error.ts';

const TWO_POW_32 = 0x1_0000_0000;

/**
 * Reads a big-endian int64 at `pos` as a JS number. Offsets, timestamps and producer ids are
 * numbers on hot paths; a value outside the safe integer range is a DecodeError.
 */
export function readSafeInt64(buf: Buffer, pos: number, what: string): number {
  const hi = buf.readInt32BE(pos);
  const lo = buf.readUInt32BE(pos + 4);
  // |v| < 2^53 means hi in [-2^21, 2^21 - 1], with hi = -2^21 only when lo != 0.
  if (hi > 0x1fffff || hi < -0x200000 || (hi === -0x200000 && lo === 0)) {
    throw new DecodeError('UNSAFE_INTEGER', `${what} at byte ${pos} is outside the safe integer range`);
  }
  return hi * TWO_POW_32 + lo;
}

/** Writes a safe JS integer as a big-endian int64 at `pos`. */
export function writeInt64(buf: Buffer, pos: number, v: number): void {
  if (!Number.isSafeInteger(v)) throw new RangeError(`int64 value ${v} is not a safe integer`);
  const lo = v >>> 0;
  const hi = (v - lo) / TWO_POW_32;
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(lo, pos + 4);
}
