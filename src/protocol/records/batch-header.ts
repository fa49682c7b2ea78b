import { DecodeError } from '../decode-error.ts';
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
  CRC_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAGIC_V2,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_COUNT_OFFSET,
  type TimestampType,
} from './batch-format.ts';
import { readSafeInt64 } from './int64.ts';

/** The decoded 61-byte header of a RecordBatch v2, plus the flags unpacked from attributes. */
export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
  /** Codec id from attribute bits 0-2 (0-4 are known; 5-7 are rejected by validateBatch). */
  compression: number;
  timestampType: TimestampType;
  isTransactional: boolean;
  isControl: boolean;
  hasDeleteHorizon: boolean;
  /** Whole batch size in bytes: batchLength + 12. */
  sizeInBytes: number;
  /** baseOffset + lastOffsetDelta. */
  lastOffset: number;
}

/**
 * Decodes the header of the batch at `buf[offset]`, without looking at the records or the CRC.
 * Throws DecodeError: TRUNCATED when fewer than 61 bytes remain (or 17, to see the magic),
 * BAD_MAGIC unless magic is 2, UNSAFE_INTEGER for an int64 outside the safe range.
 */
export function readBatchHeader(buf: Buffer, offset = 0): BatchHeader {
  const available = buf.length - offset;
  if (offset < 0 || available < MAGIC_OFFSET + 1) {
    throw new DecodeError('TRUNCATED', `record batch header needs ${BATCH_HEADER_SIZE} bytes, have ${available}`);
  }
  const magic = buf.readInt8(offset + MAGIC_OFFSET);
  if (magic !== MAGIC_V2) {
    throw new DecodeError('BAD_MAGIC', `record batch at byte ${offset} has magic ${magic}, expected 2`);
  }
  if (available < BATCH_HEADER_SIZE) {
    throw new DecodeError('TRUNCATED', `record batch header needs ${BATCH_HEADER_SIZE} bytes, have ${available}`);
  }
  const batchLength = buf.readInt32BE(offset + BATCH_LENGTH_OFFSET);
  const attributes = buf.readInt16BE(offset + ATTRIBUTES_OFFSET);
  const baseOffset = readSafeInt64(buf, offset + BASE_OFFSET_OFFSET, 'baseOffset');
  const lastOffsetDelta = buf.readInt32BE(offset + LAST_OFFSET_DELTA_OFFSET);
  return {
    baseOffset,
    batchLength,
    partitionLeaderEpoch: buf.readInt32BE(offset + PARTITION_LEADER_EPOCH_OFFSET),
    magic,
    crc: buf.readUInt32BE(offset + CRC_OFFSET),
    attributes,
    lastOffsetDelta,
    baseTimestamp: readSafeInt64(buf, offset + BASE_TIMESTAMP_OFFSET, 'baseTimestamp'),
    maxTimestamp: readSafeInt64(buf, offset + MAX_TIMESTAMP_OFFSET, 'maxTimestamp'),
    producerId: readSafeInt64(buf, offset + PRODUCER_ID_OFFSET, 'producerId'),
    producerEpoch: buf.readInt16BE(offset + PRODUCER_EPOCH_OFFSET),
    baseSequence: buf.readInt32BE(offset + BASE_SEQUENCE_OFFSET),
    recordCount: buf.readInt32BE(offset + RECORD_COUNT_OFFSET),
    compression: attributes & ATTR_COMPRESSION_MASK,
    timestampType: (attributes & ATTR_TIMESTAMP_TYPE) !== 0 ? 1 : 0,
    isTransactional: (attributes & ATTR_TRANSACTIONAL) !== 0,
    isControl: (attributes & ATTR_CONTROL) !== 0,
    hasDeleteHorizon: (attributes & ATTR_DELETE_HORIZON) !== 0,
    sizeInBytes: batchLength + LOG_OVERHEAD,
    lastOffset: baseOffset + lastOffsetDelta,
  };
}
