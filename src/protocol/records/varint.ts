import { DecodeError } from '../decode-error.ts';

/**
 * Zigzag varint / varlong codecs for record fields, written for the record hot loops: plain
 * functions over (buf, pos, end) instead of a reader object. A read returns the value and leaves
 * the position after it in `varintEnd` — callers copy it into their local position right away
 * (no user code runs in between, so nested decoders cannot disturb it). Reads never pass `end`;
 * a value that runs past it is TRUNCATED, an over-long one BAD_VARINT, a varlong outside the
 * safe integer range UNSAFE_INTEGER.
 */

/** Position after the last value read. */
export let varintEnd = 0;

/** Zigzag varint (signed 32-bit). */
export function readVarint(buf: Uint8Array, pos: number, end: number): number {
  if (pos < end) {
    const b = buf[pos]!;
    if (b < 0x80) {
      varintEnd = pos + 1;
      return (b >>> 1) ^ -(b & 1);
    }
  }
  return readVarintSlow(buf, pos, end);
}

function readVarintSlow(buf: Uint8Array, pos: number, end: number): number {
  let u = 0;
  for (let shift = 0; shift <= 28; shift += 7) {
    if (pos >= end) throw new DecodeError('TRUNCATED', `varint runs past the end at byte ${pos}`);
    const b = buf[pos++]!;
    if (shift === 28) {
      if (b > 0x0f) throw new DecodeError('BAD_VARINT', `varint wider than 32 bits at byte ${pos - 1}`);
      u |= b << 28;
      break;
    }
    u |= (b & 0x7f) << shift;
    if (b < 0x80) break;
  }
  varintEnd = pos;
  return (u >>> 1) ^ -(u & 1);
}

/** Zigzag varlong (signed 64-bit) as a safe JS integer. */
export function readVarlong(buf: Uint8Array, pos: number, end: number): number {
  if (pos < end) {
    const b = buf[pos]!;
    if (b < 0x80) {
      varintEnd = pos + 1;
      return (b >>> 1) ^ -(b & 1);
    }
  }
  return readVarlongSlow(buf, pos, end);
}

function readVarlongSlow(buf: Uint8Array, pos: number, end: number): number {
  // Low 28 bits in an int, the rest in a double (at most 36 more bits: exact).
  let lo = 0;
  let hi = 0;
  let shift = 0;
  for (;;) {
    if (pos >= end) throw new DecodeError('TRUNCATED', `varlong runs past the end at byte ${pos}`);
    if (shift > 63) throw new DecodeError('BAD_VARINT', `varlong longer than 10 bytes at byte ${pos}`);
    const b = buf[pos++]!;
    if (shift < 28) lo |= (b & 0x7f) << shift;
    else hi += (b & 0x7f) * 2 ** (shift - 28);
    shift += 7;
    if (b < 0x80) break;
  }
  varintEnd = pos;
  // u = hi * 2^28 + lo; value = u / 2 if even, -(u + 1) / 2 if odd.
  const magnitude = hi * 0x8000000 + (lo >>> 1);
  const v = lo & 1 ? -magnitude - 1 : magnitude;
  if (!Number.isSafeInteger(v)) {
    throw new DecodeError('UNSAFE_INTEGER', `varlong outside the safe integer range at byte ${pos}`);
  }
  return v;
}

// Sizes are the protocol Writer's (one implementation of the zigzag sizing).
export { sizeOfVarint, sizeOfVarlong } from '../primitives/writer.ts';

/** Writes a zigzag varint (signed 32-bit) at `pos`; returns the position after it. */
export function writeVarint(buf: Uint8Array, pos: number, v: number): number {
  let u = ((v << 1) ^ (v >> 31)) >>> 0;
  while (u >= 0x80) {
    buf[pos++] = (u & 0x7f) | 0x80;
    u >>>= 7;
  }
  buf[pos++] = u;
  return pos;
}

/** Writes a zigzag varlong of a safe integer at `pos`; returns the position after it. */
export function writeVarlong(buf: Uint8Array, pos: number, v: number): number {
  if (v >= -0x40000000 && v < 0x40000000) return writeVarint(buf, pos, v);
  let u = v >= 0 ? v * 2 : -v * 2 - 1;
  while (u >= 0x80) {
    buf[pos++] = (u % 128) | 0x80;
    u = Math.floor(u / 128);
  }
  buf[pos++] = u;
  return pos;
}
