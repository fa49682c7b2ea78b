import { DecodeError } from '../decode-error.ts';
import { type CompressionCodec, MAGIC_V0, MAGIC_V1, NO_TIMESTAMP, TimestampType } from './batch-format.ts';
import { type CompressOptions, compress, DEFAULT_MAX_DECOMPRESSED_BYTES, decompress } from './compression.ts';
import { crc32 } from './crc32.ts';
import { readSafeInt64, writeInt64 } from './int64.ts';
import type { DecodedRecord, RecordHeader } from './record-types.ts';
import { RecordView } from './record-view.ts';

/**
 * Legacy message sets (magic 0 and 1, Kafka before 0.11), decoded into the same RecordView /
 * DecodedRecord shapes as RecordBatch v2 so old data can be served by converting.
 *
 * A message set is entries back to back, with no count:
 *
 *   offset  size  field
 *        0     8  offset       int64
 *        8     4  messageSize  int32   bytes of the message that follows
 *       12     4  crc          uint32  CRC-32 (IEEE, not C) of bytes [16, end of message)
 *       16     1  magic        int8    0 or 1
 *       17     1  attributes   int8    bits 0-2 codec (0 none, 1 gzip, 2 snappy, 3 lz4);
 *                                      bit 3 timestamp type (v1 only)
 *       18     8  timestamp    int64   v1 only
 *     18/26    4  keyLength    int32   -1 = null
 *        …     …  key
 *        …     4  valueLength  int32   -1 = null
 *        …     …  value
 *
 * Compression wraps a whole inner message set (uncompressed messages of the same magic) in the
 * value of one outer "wrapper" message with a null key. v0: inner messages carry absolute
 * offsets. v1: inner offsets are relative (0, 1, …) and the wrapper's offset is the absolute
 * offset of the last inner message. With a v1 LogAppendTime wrapper, every inner message takes
 * the wrapper's timestamp.
 */

const MESSAGE_OVERHEAD_V0 = 14; // crc, magic, attributes, key length, value length
const MESSAGE_OVERHEAD_V1 = 22; // + timestamp
const ENTRY_OVERHEAD = 12; // offset + messageSize
const MAGIC_POS = 16;
const NO_HEADERS: readonly RecordHeader[] = Object.freeze([]);

export interface LegacyDecodeOptions {
  /** Cap on the decompressed bytes of one wrapper message (default 64 MiB). */
  maxDecompressedBytes?: number;
  /** A view to fill instead of a new one (forEachLegacyRecord). */
  view?: RecordView;
}

/** One message as parsed, before wrapper handling. */
interface Message {
  offset: number;
  magic: number;
  attributes: number;
  timestamp: number;
  keyStart: number;
  keyLength: number;
  valueStart: number;
  valueLength: number;
  end: number;
}

/** Parses and checks the entry at `buf[pos]`, which must end by `end`. */
function parseMessage(buf: Buffer, pos: number, end: number, m: Message): void {
  if (end - pos < ENTRY_OVERHEAD) {
    throw new DecodeError('TRUNCATED', `message set entry at byte ${pos} is cut (${end - pos} bytes)`);
  }
  const size = buf.readInt32BE(pos + 8);
  if (size < MESSAGE_OVERHEAD_V0) throw new DecodeError('BAD_LENGTH', `message at byte ${pos} has size ${size}`);
  const msgEnd = pos + ENTRY_OVERHEAD + size;
  if (msgEnd > end) {
    throw new DecodeError('TRUNCATED', `message at byte ${pos} needs ${size + ENTRY_OVERHEAD} bytes, has ${end - pos}`);
  }
  const magic = buf.readInt8(pos + MAGIC_POS);
  if (magic !== MAGIC_V0 && magic !== MAGIC_V1) {
    throw new DecodeError('BAD_MAGIC', `message at byte ${pos} has magic ${magic}, expected 0 or 1`);
  }
  if (magic === MAGIC_V1 && size < MESSAGE_OVERHEAD_V1) {
    throw new DecodeError('BAD_LENGTH', `v1 message at byte ${pos} has size ${size}`);
  }
  const stored = buf.readUInt32BE(pos + 12);
  const computed = crc32(buf, pos + MAGIC_POS, msgEnd);
  if (stored !== computed) {
    throw new DecodeError('CRC_MISMATCH', `message at byte ${pos}: stored CRC-32 ${stored}, computed ${computed}`);
  }
  m.offset = readSafeInt64(buf, pos, 'message offset');
  m.magic = magic;
  m.attributes = buf[pos + 17]!;
  let p = pos + 18;
  if (magic === MAGIC_V1) {
    m.timestamp = readSafeInt64(buf, p, 'message timestamp');
    p += 8;
  } else {
    m.timestamp = NO_TIMESTAMP;
  }
  const keyLength = buf.readInt32BE(p);
  p += 4;
  if (keyLength < -1 || keyLength > msgEnd - p - 4) {
    throw new DecodeError('BAD_LENGTH', `message key length ${keyLength} at byte ${p - 4}`);
  }
  m.keyStart = p;
  m.keyLength = keyLength;
  if (keyLength > 0) p += keyLength;
  const valueLength = buf.readInt32BE(p);
  p += 4;
  if (valueLength < -1 || valueLength > msgEnd - p) {
    throw new DecodeError('BAD_LENGTH', `message value length ${valueLength} at byte ${p - 4}`);
  }
  m.valueStart = p;
  m.valueLength = valueLength;
  if (valueLength > 0) p += valueLength;
  if (p !== msgEnd)
    throw new DecodeError('BAD_RECORD', `message at byte ${pos} has ${msgEnd - p} bytes after its value`);
  m.end = msgEnd;
}

function newMessage(): Message {
  return {
    offset: 0,
    magic: 0,
    attributes: 0,
    timestamp: 0,
    keyStart: 0,
    keyLength: -1,
    valueStart: 0,
    valueLength: -1,
    end: 0,
  };
}

function fill(view: RecordView, buf: Buffer, m: Message, offset: number, timestamp: number): void {
  view.buf = buf;
  view.offset = offset;
  view.offsetDelta = 0;
  view.timestamp = timestamp;
  view.attributes = m.attributes;
  view.keyStart = m.keyStart;
  view.keyLength = m.keyLength;
  view.valueStart = m.valueStart;
  view.valueLength = m.valueLength;
  view.headersStart = m.end;
  view.headerCount = 0;
  view.recordStart = m.keyStart;
  view.recordEnd = m.end;
}

/**
 * Calls `visitor` for every record of the message set `buf[start, end)`, unwrapping compressed
 * wrappers. The view is reused (and its `buf` changes to a wrapper's decompressed bytes while
 * its records are visited). Legacy records have no headers. Throws DecodeError on bad input,
 * including a truncated last entry (cut Fetch data at the edge with BatchCursor first).
 */
export function forEachLegacyRecord(
  buf: Buffer,
  visitor: (view: RecordView) => void,
  options?: LegacyDecodeOptions,
  start = 0,
  end = buf.length,
): void {
  const view = options?.view ?? new RecordView();
  const limit = options?.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  const m = newMessage();
  const inner = newMessage();
  let pos = start;
  while (pos < end) {
    parseMessage(buf, pos, end, m);
    pos = m.end;
    const codec = m.attributes & 0x07;
    if (codec === 0) {
      fill(view, buf, m, m.offset, m.timestamp);
      visitor(view);
      continue;
    }
    if (codec > 3) throw new DecodeError('UNSUPPORTED_COMPRESSION', `codec ${codec} in a magic ${m.magic} message`);
    if (m.valueLength < 0) throw new DecodeError('BAD_RECORD', 'compressed wrapper message has a null value');
    const wrapperOffset = m.offset;
    const wrapperMagic = m.magic;
    const logAppendTime = wrapperMagic === MAGIC_V1 && (m.attributes & 0x08) !== 0;
    const wrapperTimestamp = m.timestamp;
    const set = decompress(codec, buf.subarray(m.valueStart, m.valueStart + m.valueLength), limit);
    // v1: absolute = wrapperOffset - lastRelative + relative, so find the last inner offset first.
    let delta = 0;
    if (wrapperMagic === MAGIC_V1) {
      let last = -1;
      for (let p = 0; p < set.length; p = inner.end) {
        parseInner(set, p, inner, wrapperMagic);
        last = inner.offset;
      }
      if (last < 0) throw new DecodeError('BAD_RECORD', 'compressed wrapper message holds no messages');
      delta = wrapperOffset - last;
    } else if (set.length === 0) {
      throw new DecodeError('BAD_RECORD', 'compressed wrapper message holds no messages');
    }
    for (let p = 0; p < set.length; p = inner.end) {
      parseInner(set, p, inner, wrapperMagic);
      fill(view, set, inner, inner.offset + delta, logAppendTime ? wrapperTimestamp : inner.timestamp);
      visitor(view);
    }
  }
}

function parseInner(set: Buffer, pos: number, m: Message, wrapperMagic: number): void {
  parseMessage(set, pos, set.length, m);
  if (m.magic !== wrapperMagic) {
    throw new DecodeError('BAD_RECORD', `inner message magic ${m.magic} differs from its wrapper's ${wrapperMagic}`);
  }
  if ((m.attributes & 0x07) !== 0) throw new DecodeError('BAD_RECORD', 'inner message is itself compressed');
}

/** Decodes every record of a legacy message set into objects (key/value are views). */
export function decodeMessageSet(buf: Buffer, options?: LegacyDecodeOptions): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  forEachLegacyRecord(
    buf,
    (v) => {
      out.push({
        offset: v.offset,
        timestamp: v.timestamp,
        key: v.key(),
        value: v.value(),
        headers: NO_HEADERS,
      });
    },
    options,
  );
  return out;
}

export interface LegacyMessageInput {
  key?: Uint8Array | null;
  value?: Uint8Array | null;
  /** v1 only; default -1. */
  timestamp?: number;
  /** Absolute offset; default baseOffset + index. */
  offset?: number;
}

export interface MessageSetInput {
  magic: 0 | 1;
  /** 0 none, 1 gzip, 2 snappy (xerial, as the Java client wrote), 3 lz4 (magic 0: old header checksum). */
  compression?: CompressionCodec;
  compressOptions?: CompressOptions;
  baseOffset?: number;
  /** v1 wrapper timestamp type; with LogAppendTime, pass the append time as `wrapperTimestamp`. */
  timestampType?: TimestampType;
  /** v1 wrapper timestamp; default the largest inner timestamp. */
  wrapperTimestamp?: number;
  messages: readonly LegacyMessageInput[];
}

function messageSize(magic: number, key: Uint8Array | null | undefined, value: Uint8Array | null | undefined): number {
  return (magic === MAGIC_V1 ? MESSAGE_OVERHEAD_V1 : MESSAGE_OVERHEAD_V0) + (key?.length ?? 0) + (value?.length ?? 0);
}

function writeMessage(
  buf: Buffer,
  pos: number,
  offset: number,
  magic: number,
  attributes: number,
  timestamp: number,
  key: Uint8Array | null | undefined,
  value: Uint8Array | null | undefined,
): number {
  const size = messageSize(magic, key, value);
  writeInt64(buf, pos, offset);
  buf.writeInt32BE(size, pos + 8);
  buf[pos + MAGIC_POS] = magic;
  buf[pos + 17] = attributes;
  let p = pos + 18;
  if (magic === MAGIC_V1) {
    writeInt64(buf, p, timestamp);
    p += 8;
  }
  for (const field of [key, value]) {
    if (field == null) {
      buf.writeInt32BE(-1, p);
      p += 4;
    } else {
      buf.writeInt32BE(field.length, p);
      buf.set(field, p + 4);
      p += 4 + field.length;
    }
  }
  buf.writeUInt32BE(crc32(buf, pos + MAGIC_POS, p), pos + 12);
  return p;
}

function encodePlain(magic: number, messages: readonly LegacyMessageInput[], offsetOf: (i: number) => number): Buffer {
  let total = 0;
  for (const m of messages) total += ENTRY_OVERHEAD + messageSize(magic, m.key, m.value);
  const buf = Buffer.allocUnsafe(total);
  let pos = 0;
  messages.forEach((m, i) => {
    pos = writeMessage(buf, pos, offsetOf(i), magic, 0, m.timestamp ?? NO_TIMESTAMP, m.key, m.value);
  });
  return buf;
}

/** Encodes a legacy message set (for test vectors and, later, down-conversion). */
export function encodeMessageSet(input: MessageSetInput): Buffer {
  const { magic, messages } = input;
  const base = input.baseOffset ?? 0;
  const absolute = (i: number) => messages[i]!.offset ?? base + i;
  const codec = input.compression ?? 0;
  if (codec === 0) return encodePlain(magic, messages, absolute);
  if (messages.length === 0) throw new RangeError('a compressed message set needs at least one message');
  const innerSet = encodePlain(magic, messages, magic === MAGIC_V1 ? (i) => i : absolute);
  const options: CompressOptions = {
    xerialSnappy: true,
    lz4BrokenHeaderChecksum: magic === MAGIC_V0,
    ...input.compressOptions,
  };
  const value = compress(codec, innerSet, options);
  let timestamp = input.wrapperTimestamp ?? NO_TIMESTAMP;
  if (input.wrapperTimestamp === undefined) {
    for (const m of messages) if ((m.timestamp ?? NO_TIMESTAMP) > timestamp) timestamp = m.timestamp!;
  }
  const attributes = codec | (magic === MAGIC_V1 && input.timestampType === TimestampType.logAppendTime ? 0x08 : 0);
  const out = Buffer.allocUnsafe(ENTRY_OVERHEAD + messageSize(magic, null, value));
  writeMessage(out, 0, absolute(messages.length - 1), magic, attributes, timestamp, null, value);
  return out;
}
