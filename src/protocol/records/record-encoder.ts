import {
  ATTR_COMPRESSION_MASK,
  ATTR_CONTROL,
  ATTR_DELETE_HORIZON,
  ATTR_TIMESTAMP_TYPE,
  ATTR_TRANSACTIONAL,
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH_OFFSET,
  type CompressionCodec,
  CRC_OFFSET,
  CRC_START,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAGIC_V2,
  MAX_TIMESTAMP_OFFSET,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  NO_TIMESTAMP,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_COUNT_OFFSET,
  type TimestampType,
} from './batch-format.ts';
import { type CompressOptions, compress } from './compression.ts';
import { crc32c } from './crc32c.ts';
import { writeInt64 } from './int64.ts';
import type { RecordInput } from './record-types.ts';
import { sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from './varint.ts';

/** Everything that goes into a RecordBatch v2. Only `records` is required. */
export interface RecordBatchInput {
  baseOffset?: number;
  /** Default -1 (the leader stamps it on append). */
  partitionLeaderEpoch?: number;
  /** Codec id 0-4; default 0 (none). */
  compression?: CompressionCodec;
  compressOptions?: CompressOptions;
  /** Default create time. */
  timestampType?: TimestampType;
  isTransactional?: boolean;
  isControl?: boolean;
  /** Attribute bit 6: baseTimestamp is the compaction delete horizon. */
  hasDeleteHorizon?: boolean;
  /** Default -1 / -1 / -1 (not idempotent). */
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  /** Default: the first record's timestamp, or -1 when no record has one. */
  baseTimestamp?: number;
  /** Default: the largest record timestamp (pass the append time for LogAppendTime). */
  maxTimestamp?: number;
  /** Default: the largest offsetDelta (0 for no records). */
  lastOffsetDelta?: number;
  records: readonly RecordInput[];
}

// Per-record body sizes and header-key byte lengths, computed in the sizing pass and reused by
// the writing pass. Grown on demand, never shrunk; the encoder calls no user code, so sharing
// them across calls is safe.
let bodySizes = new Int32Array(1024);
let headerKeySizes = new Int32Array(256);

function ensureScratch(records: number, headers: number): void {
  if (bodySizes.length < records) bodySizes = new Int32Array(Math.max(records, bodySizes.length * 2));
  if (headerKeySizes.length < headers) headerKeySizes = new Int32Array(Math.max(headers, headerKeySizes.length * 2));
}

/**
 * Encodes a RecordBatch v2. Sizes are computed first; an uncompressed batch is written into one
 * buffer allocated at its exact size; a compressed one writes its records into one buffer,
 * compresses that, then allocates the batch. The CRC is computed last.
 */
export function encodeRecordBatch(input: RecordBatchInput): Buffer {
  const records = input.records;
  const count = records.length;
  let headerTotal = 0;
  for (let i = 0; i < count; i++) {
    const h = records[i]!.headers;
    if (h != null) headerTotal += h.length;
  }
  ensureScratch(count, headerTotal);
  const sizes = bodySizes;
  const keySizes = headerKeySizes;

  let baseTimestamp = input.baseTimestamp;
  if (baseTimestamp === undefined) {
    baseTimestamp = NO_TIMESTAMP;
    for (let i = 0; i < count; i++) {
      const t = records[i]!.timestamp;
      if (t !== undefined) {
        baseTimestamp = t;
        break;
      }
    }
  }
  let maxTimestamp = NO_TIMESTAMP;
  let maxOffsetDelta = 0;

  // Sizing pass.
  let recordsSize = 0;
  let h = 0;
  for (let i = 0; i < count; i++) {
    const r = records[i]!;
    const timestamp = r.timestamp ?? baseTimestamp;
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    const offsetDelta = r.offsetDelta ?? i;
    if (offsetDelta > maxOffsetDelta) maxOffsetDelta = offsetDelta;
    let size = 1 + sizeOfVarlong(timestamp - baseTimestamp) + sizeOfVarint(offsetDelta);
    const key = r.key;
    size += key == null ? 1 : sizeOfVarint(key.length) + key.length;
    const value = r.value;
    size += value == null ? 1 : sizeOfVarint(value.length) + value.length;
    const headers = r.headers;
    if (headers == null || headers.length === 0) {
      size += 1;
    } else {
      size += sizeOfVarint(headers.length);
      for (let j = 0; j < headers.length; j++) {
        const header = headers[j]!;
        const keySize = utf8Length(header.key);
        keySizes[h++] = keySize;
        size += sizeOfVarint(keySize) + keySize;
        const hv = header.value;
        size += hv == null ? 1 : sizeOfVarint(hv.length) + hv.length;
      }
    }
    sizes[i] = size;
    recordsSize += sizeOfVarint(size) + size;
  }
  if (input.maxTimestamp !== undefined) maxTimestamp = input.maxTimestamp;
  const lastOffsetDelta = input.lastOffsetDelta ?? maxOffsetDelta;

  const codec = input.compression ?? 0;
  let batch: Buffer;
  if (codec === 0) {
    batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + recordsSize);
    writeRecords(batch, BATCH_HEADER_SIZE, records, baseTimestamp);
  } else {
    const raw = Buffer.allocUnsafe(recordsSize);
    writeRecords(raw, 0, records, baseTimestamp);
    const blob = compress(codec, raw, input.compressOptions);
    batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + blob.length);
    batch.set(blob, BATCH_HEADER_SIZE);
  }

  let attributes = codec & ATTR_COMPRESSION_MASK;
  if (input.timestampType === 1) attributes |= ATTR_TIMESTAMP_TYPE;
  if (input.isTransactional) attributes |= ATTR_TRANSACTIONAL;
  if (input.isControl) attributes |= ATTR_CONTROL;
  if (input.hasDeleteHorizon) attributes |= ATTR_DELETE_HORIZON;

  writeInt64(batch, BASE_OFFSET_OFFSET, input.baseOffset ?? 0);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
  batch.writeInt32BE(input.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH, PARTITION_LEADER_EPOCH_OFFSET);
  batch[MAGIC_OFFSET] = MAGIC_V2;
  batch.writeInt16BE(attributes, ATTRIBUTES_OFFSET);
  batch.writeInt32BE(lastOffsetDelta, LAST_OFFSET_DELTA_OFFSET);
  writeInt64(batch, BASE_TIMESTAMP_OFFSET, baseTimestamp);
  writeInt64(batch, MAX_TIMESTAMP_OFFSET, maxTimestamp);
  writeInt64(batch, PRODUCER_ID_OFFSET, input.producerId ?? NO_PRODUCER_ID);
  batch.writeInt16BE(input.producerEpoch ?? NO_PRODUCER_EPOCH, PRODUCER_EPOCH_OFFSET);
  batch.writeInt32BE(input.baseSequence ?? NO_SEQUENCE, BASE_SEQUENCE_OFFSET);
  batch.writeInt32BE(count, RECORD_COUNT_OFFSET);
  batch.writeUInt32BE(crc32c(batch, CRC_START, batch.length), CRC_OFFSET);
  return batch;
}

/** Writing pass: uses the sizes the sizing pass left in the scratch arrays. */
function writeRecords(buf: Buffer, start: number, records: readonly RecordInput[], baseTimestamp: number): void {
  const sizes = bodySizes;
  const keySizes = headerKeySizes;
  let pos = start;
  let h = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    pos = writeVarint(buf, pos, sizes[i]!);
    buf[pos++] = 0; // record attributes: unused
    pos = writeVarlong(buf, pos, (r.timestamp ?? baseTimestamp) - baseTimestamp);
    pos = writeVarint(buf, pos, r.offsetDelta ?? i);
    pos = writeBytes(buf, pos, r.key);
    pos = writeBytes(buf, pos, r.value);
    const headers = r.headers;
    if (headers == null || headers.length === 0) {
      buf[pos++] = 0;
    } else {
      pos = writeVarint(buf, pos, headers.length);
      for (let j = 0; j < headers.length; j++) {
        const header = headers[j]!;
        const keySize = keySizes[h++]!;
        pos = writeVarint(buf, pos, keySize);
        pos = writeUtf8(buf, pos, header.key, keySize);
        pos = writeBytes(buf, pos, header.value);
      }
    }
  }
  if (pos !== buf.length) throw new Error(`record encoder wrote ${pos} bytes into a buffer of ${buf.length}`);
}

/** UTF-8 byte length; short ASCII strings (the usual header key) are counted in JS. */
function utf8Length(s: string): number {
  const n = s.length;
  if (n > 24) return Buffer.byteLength(s, 'utf8');
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) > 0x7f) return Buffer.byteLength(s, 'utf8');
  return n;
}

function writeUtf8(buf: Buffer, pos: number, s: string, byteLength: number): number {
  if (byteLength === s.length && byteLength <= 24) {
    for (let i = 0; i < byteLength; i++) buf[pos + i] = s.charCodeAt(i);
  } else {
    buf.write(s, pos, byteLength, 'utf8');
  }
  return pos + byteLength;
}

function writeBytes(buf: Buffer, pos: number, v: Uint8Array | null | undefined): number {
  if (v == null) {
    buf[pos] = 1; // zigzag(-1)
    return pos + 1;
  }
  const n = v.length;
  pos = writeVarint(buf, pos, n);
  if (n < 64) {
    for (let i = 0; i < n; i++) buf[pos + i] = v[i]!;
  } else {
    buf.set(v, pos);
  }
  return pos + n;
}
