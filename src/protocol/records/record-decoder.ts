import { DecodeError } from '../decode-error.ts';
import {
  ATTR_COMPRESSION_MASK,
  ATTR_TIMESTAMP_TYPE,
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH_OFFSET,
  CRC_OFFSET,
  CRC_START,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAGIC_V2,
  MAX_TIMESTAMP_OFFSET,
  MIN_BATCH_LENGTH,
  MIN_RECORD_SIZE,
  RECORD_COUNT_OFFSET,
} from './batch-format.ts';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, decompress } from './compression.ts';
import { crc32c } from './crc32c.ts';
import { readSafeInt64 } from './int64.ts';
import type { DecodedRecord, RecordHeader } from './record-types.ts';
import { RecordView, readHeaders } from './record-view.ts';
import { readVarint, readVarlong, varintEnd } from './varint.ts';

export interface DecodeOptions {
  /** Cap on decompressed record bytes (default 64 MiB); more is a DecodeError (BAD_LENGTH). */
  maxDecompressedBytes?: number;
  /**
   * Check the CRC-32C before decoding (default false: the broker runs validateBatch on arrival,
   * and decoding is bounded either way; consumers that want Kafka's check.crcs pass true).
   */
  verifyCrc?: boolean;
}

export interface ForEachOptions extends DecodeOptions {
  /** A view to fill instead of a new one, for callers that want no allocation at all. */
  view?: RecordView;
}

const NO_HEADERS: readonly RecordHeader[] = Object.freeze([]);
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** The records of one batch, located (and decompressed if needed). */
interface RecordSpan {
  buf: Buffer;
  start: number;
  end: number;
  count: number;
  baseOffset: number;
  baseTimestamp: number;
  /** maxTimestamp when the batch uses LogAppendTime, else -1 with `logAppendTime` false. */
  logAppendTime: boolean;
  maxTimestamp: number;
}

/**
 * Checks the batch at the start of `batch` structurally (magic, lengths, codec; the CRC when
 * asked) and finds its records. Bytes after the batch are ignored.
 */
function openBatch(batch: Buffer, options: DecodeOptions | undefined): RecordSpan {
  if (batch.length <= MAGIC_OFFSET) {
    throw new DecodeError('TRUNCATED', `record batch needs at least ${BATCH_HEADER_SIZE} bytes, have ${batch.length}`);
  }
  const magic = batch.readInt8(MAGIC_OFFSET);
  if (magic !== MAGIC_V2) throw new DecodeError('BAD_MAGIC', `record batch has magic ${magic}, expected 2`);
  if (batch.length < BATCH_HEADER_SIZE) {
    throw new DecodeError('TRUNCATED', `record batch needs at least ${BATCH_HEADER_SIZE} bytes, have ${batch.length}`);
  }
  const batchLength = batch.readInt32BE(BATCH_LENGTH_OFFSET);
  if (batchLength < MIN_BATCH_LENGTH) {
    throw new DecodeError('BAD_LENGTH', `record batch length ${batchLength} is below the minimum ${MIN_BATCH_LENGTH}`);
  }
  const end = LOG_OVERHEAD + batchLength;
  if (end > batch.length) {
    throw new DecodeError('TRUNCATED', `record batch of ${end} bytes but only ${batch.length} are available`);
  }
  if (options?.verifyCrc === true && batch.readUInt32BE(CRC_OFFSET) !== crc32c(batch, CRC_START, end)) {
    throw new DecodeError('CRC_MISMATCH', 'record batch CRC-32C does not match its bytes');
  }
  const attributes = batch.readInt16BE(ATTRIBUTES_OFFSET);
  const codec = attributes & ATTR_COMPRESSION_MASK;
  const count = batch.readInt32BE(RECORD_COUNT_OFFSET);
  if (count < 0) throw new DecodeError('BAD_RECORD', `record batch has a negative record count ${count}`);
  const span: RecordSpan = {
    buf: batch,
    start: BATCH_HEADER_SIZE,
    end,
    count,
    baseOffset: readSafeInt64(batch, BASE_OFFSET_OFFSET, 'baseOffset'),
    baseTimestamp: readSafeInt64(batch, BASE_TIMESTAMP_OFFSET, 'baseTimestamp'),
    logAppendTime: (attributes & ATTR_TIMESTAMP_TYPE) !== 0,
    maxTimestamp: readSafeInt64(batch, MAX_TIMESTAMP_OFFSET, 'maxTimestamp'),
  };
  if (codec !== 0 && !(count === 0 && end === BATCH_HEADER_SIZE)) {
    const limit = options?.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
    const records = decompress(codec, batch.subarray(BATCH_HEADER_SIZE, end), limit);
    span.buf = records;
    span.start = 0;
    span.end = records.length;
  }
  if (count * MIN_RECORD_SIZE > span.end - span.start) {
    throw new DecodeError('BAD_RECORD', `record batch claims ${count} records in ${span.end - span.start} bytes`);
  }
  return span;
}

/**
 * Parses the record at `buf[pos]` (which must end by `end`) into `view`; returns the position
 * after it. Every length is checked against the bytes of its record.
 */
function parseRecord(span: RecordSpan, pos: number, view: RecordView): number {
  const buf = span.buf;
  const length = readVarint(buf, pos, span.end);
  const bodyStart = varintEnd;
  view.recordStart = pos;
  if (length < 0 || length > span.end - bodyStart) {
    throw new DecodeError(
      length < 0 ? 'BAD_RECORD' : 'TRUNCATED',
      `record at byte ${pos} has length ${length}, ${span.end - bodyStart} bytes remain`,
    );
  }
  const end = bodyStart + length;
  if (length === 0) throw new DecodeError('BAD_RECORD', `record at byte ${pos} is empty`);
  view.attributes = buf[bodyStart]!;
  const timestampDelta = readVarlong(buf, bodyStart + 1, end);
  const offsetDelta = readVarint(buf, varintEnd, end);
  pos = varintEnd;

  const keyLength = readVarint(buf, pos, end);
  pos = varintEnd;
  view.keyStart = pos;
  view.keyLength = keyLength;
  if (keyLength > 0) {
    if (keyLength > end - pos) throw lengthError('key', keyLength, pos, end);
    pos += keyLength;
  } else if (keyLength < -1) {
    throw new DecodeError('BAD_RECORD', `record key length ${keyLength} at byte ${pos}`);
  }

  const valueLength = readVarint(buf, pos, end);
  pos = varintEnd;
  view.valueStart = pos;
  view.valueLength = valueLength;
  if (valueLength > 0) {
    if (valueLength > end - pos) throw lengthError('value', valueLength, pos, end);
    pos += valueLength;
  } else if (valueLength < -1) {
    throw new DecodeError('BAD_RECORD', `record value length ${valueLength} at byte ${pos}`);
  }

  const headerCount = readVarint(buf, pos, end);
  pos = varintEnd;
  view.headersStart = pos;
  view.headerCount = headerCount;
  if (headerCount !== 0) pos = skipHeaders(buf, pos, end, headerCount);
  if (pos !== end) {
    throw new DecodeError('BAD_RECORD', `record at byte ${view.recordStart} has ${end - pos} bytes after its fields`);
  }
  view.recordEnd = end;

  view.offsetDelta = offsetDelta;
  const offset = span.baseOffset + offsetDelta;
  const timestamp = span.logAppendTime ? span.maxTimestamp : span.baseTimestamp + timestampDelta;
  if (offset > MAX_SAFE || timestamp > MAX_SAFE || timestamp < -MAX_SAFE) {
    throw new DecodeError('UNSAFE_INTEGER', `record at byte ${view.recordStart}: offset or timestamp is not safe`);
  }
  view.offset = offset;
  view.timestamp = timestamp;
  return end;
}

function skipHeaders(buf: Buffer, pos: number, end: number, count: number): number {
  // Each header takes at least 2 bytes (two lengths).
  if (count < 0 || count * 2 > end - pos) {
    throw new DecodeError('BAD_RECORD', `record header count ${count} at byte ${pos} does not fit its record`);
  }
  for (let i = 0; i < count; i++) {
    const keyLength = readVarint(buf, pos, end);
    pos = varintEnd;
    if (keyLength < 0) throw new DecodeError('BAD_RECORD', `record header key length ${keyLength} at byte ${pos}`);
    if (keyLength > end - pos) throw lengthError('header key', keyLength, pos, end);
    pos += keyLength;
    const valueLength = readVarint(buf, pos, end);
    pos = varintEnd;
    if (valueLength < -1) {
      throw new DecodeError('BAD_RECORD', `record header value length ${valueLength} at byte ${pos}`);
    }
    if (valueLength > 0) {
      if (valueLength > end - pos) throw lengthError('header value', valueLength, pos, end);
      pos += valueLength;
    }
  }
  return pos;
}

function lengthError(what: string, length: number, pos: number, end: number): DecodeError {
  return new DecodeError('BAD_LENGTH', `record ${what} length ${length} at byte ${pos} exceeds its ${end - pos} bytes`);
}

function checkEnd(span: RecordSpan, pos: number): void {
  if (pos !== span.end) {
    throw new DecodeError(
      'BAD_RECORD',
      `record batch has ${span.end - pos} bytes after its ${span.count} declared records`,
    );
  }
}

/**
 * Calls `visitor` for each record of the batch at the start of `batch`, with one RecordView
 * reused for every record (valid only during the call). Allocates nothing per record; a
 * compressed batch is decompressed once. Throws DecodeError on bad input — possibly after some
 * records were visited.
 */
export function forEachRecord(batch: Buffer, visitor: (view: RecordView) => void, options?: ForEachOptions): void {
  const span = openBatch(batch, options);
  const view = options?.view ?? new RecordView();
  view.buf = span.buf;
  let pos = span.start;
  for (let i = 0; i < span.count; i++) {
    pos = parseRecord(span, pos, view);
    visitor(view);
  }
  checkEnd(span, pos);
}

/**
 * Decodes every record of the batch at the start of `batch` into objects. Keys, values and
 * header values are views of the batch (or of its decompressed records), not copies. All
 * records are checked before any is returned.
 */
export function decodeRecords(batch: Buffer, options?: DecodeOptions): DecodedRecord[] {
  const span = openBatch(batch, options);
  const buf = span.buf;
  const view = new RecordView();
  view.buf = buf;
  const out: DecodedRecord[] = new Array(span.count);
  let pos = span.start;
  for (let i = 0; i < span.count; i++) {
    pos = parseRecord(span, pos, view);
    const keyLength = view.keyLength;
    const valueLength = view.valueLength;
    out[i] = {
      offset: view.offset,
      timestamp: view.timestamp,
      key: keyLength < 0 ? null : buf.subarray(view.keyStart, view.keyStart + keyLength),
      value: valueLength < 0 ? null : buf.subarray(view.valueStart, view.valueStart + valueLength),
      headers:
        view.headerCount === 0 ? NO_HEADERS : readHeaders(buf, view.headersStart, view.headerCount, view.recordEnd),
    };
  }
  checkEnd(span, pos);
  return out;
}
