import { DecodeError } from '../decode-error.ts';
import type { RecordHeader } from './record-types.ts';
import { readVarint, varintEnd } from './varint.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A window onto one record inside a (decompressed) records buffer, filled in by forEachRecord
 * (and the legacy message-set visitor) and reused for every record, so walking a batch
 * allocates nothing per record. Positions are absolute indexes into `buf`; a length of -1
 * means null. The fields are valid only during the visitor call: copy what you keep.
 *
 * The accessor methods allocate (a view, a string, an array) and are there for convenience.
 */
export class RecordView {
  /** The bytes the positions below point into: the batch itself, or its decompressed records. */
  buf: Buffer = Buffer.alloc(0);
  /** Absolute offset (baseOffset + offsetDelta). */
  offset = 0;
  offsetDelta = 0;
  /** Record timestamp (the batch's maxTimestamp when the batch uses LogAppendTime). */
  timestamp = 0;
  /** Record attributes byte (unused by Kafka, kept as read). */
  attributes = 0;
  keyStart = 0;
  keyLength = -1;
  valueStart = 0;
  valueLength = -1;
  /** Where the first header's key length starts. */
  headersStart = 0;
  headerCount = 0;
  /** The record's bytes in `buf`, from its length varint to its end. */
  recordStart = 0;
  recordEnd = 0;

  /** The key as a view of `buf`, or null. */
  key(): Buffer | null {
    return this.keyLength < 0 ? null : this.buf.subarray(this.keyStart, this.keyStart + this.keyLength);
  }

  /** The value as a view of `buf`, or null. */
  value(): Buffer | null {
    return this.valueLength < 0 ? null : this.buf.subarray(this.valueStart, this.valueStart + this.valueLength);
  }

  /** The headers, keys decoded as UTF-8 (BAD_UTF8 if they are not), values as views of `buf`. */
  headers(): RecordHeader[] {
    return readHeaders(this.buf, this.headersStart, this.headerCount, this.recordEnd);
  }
}

/** Strict UTF-8 of `buf[start, end)`; ASCII (the usual header key) takes a faster path. */
export function decodeUtf8(buf: Buffer, start: number, end: number): string {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (buf[i]! > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    if (end - start > 24) return buf.toString('latin1', start, end);
    // Short keys: building the string is cheaper than a call into Buffer#toString.
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]!);
    return s;
  }
  try {
    return utf8.decode(buf.subarray(start, end));
  } catch {
    throw new DecodeError('BAD_UTF8', `record header key at byte ${start} is not valid UTF-8`);
  }
}

/**
 * Decodes `count` headers from `buf[pos, end)`. The record walk has already checked their
 * structure; this re-reads them to build objects.
 */
export function readHeaders(buf: Buffer, pos: number, count: number, end: number): RecordHeader[] {
  const headers: RecordHeader[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const keyLength = readVarint(buf, pos, end);
    pos = varintEnd;
    const key = decodeUtf8(buf, pos, pos + keyLength);
    pos += keyLength;
    const valueLength = readVarint(buf, pos, end);
    pos = varintEnd;
    let value: Buffer | null = null;
    if (valueLength >= 0) {
      value = buf.subarray(pos, pos + valueLength);
      pos += valueLength;
    }
    headers[i] = { key, value };
  }
  return headers;
}
