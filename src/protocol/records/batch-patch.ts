import { DecodeError } from '../decode-error.ts';
import {
  ATTR_TIMESTAMP_TYPE,
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH_OFFSET,
  CRC_OFFSET,
  CRC_START,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAGIC_V2,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  type TimestampType,
} from './batch-format.ts';
import { crc32c } from './crc32c.ts';
import { writeInt64 } from './int64.ts';

/**
 * In-place changes the broker makes to a batch it appends. baseOffset and partitionLeaderEpoch
 * lie outside the CRC, so patching them costs two writes; the timestamp type and maxTimestamp
 * are inside it, so setMaxTimestampAndType recomputes the CRC. Each expects a batch that
 * validateBatch accepted (it re-checks only magic and bounds).
 */

function checkBatch(buf: Buffer, offset: number, needWhole: boolean): number {
  if (offset < 0 || buf.length - offset < BATCH_HEADER_SIZE) {
    throw new DecodeError('TRUNCATED', `no record batch header at byte ${offset}`);
  }
  const magic = buf.readInt8(offset + MAGIC_OFFSET);
  if (magic !== MAGIC_V2) throw new DecodeError('BAD_MAGIC', `record batch at byte ${offset} has magic ${magic}`);
  const end = offset + LOG_OVERHEAD + buf.readInt32BE(offset + BATCH_LENGTH_OFFSET);
  if (needWhole && (end > buf.length || end < offset + BATCH_HEADER_SIZE)) {
    throw new DecodeError('TRUNCATED', `record batch at byte ${offset} does not fit in the buffer`);
  }
  return end;
}

/** Sets the batch's baseOffset (the offset of its first record). The CRC stays valid. */
export function setBaseOffset(buf: Buffer, offset: number, baseOffset: number): void {
  checkBatch(buf, offset, false);
  writeInt64(buf, offset + BASE_OFFSET_OFFSET, baseOffset);
}

/** Sets the batch's partitionLeaderEpoch. The CRC stays valid. */
export function setPartitionLeaderEpoch(buf: Buffer, offset: number, epoch: number): void {
  checkBatch(buf, offset, false);
  buf.writeInt32BE(epoch, offset + PARTITION_LEADER_EPOCH_OFFSET);
}

/**
 * Sets maxTimestamp and the timestamp-type bit (LogAppendTime: the broker stamps its clock),
 * then recomputes the CRC. Does nothing if both already hold those values, as Kafka does.
 */
export function setMaxTimestampAndType(
  buf: Buffer,
  offset: number,
  maxTimestamp: number,
  timestampType: TimestampType,
): void {
  const end = checkBatch(buf, offset, true);
  const attributes = buf.readInt16BE(offset + ATTRIBUTES_OFFSET);
  const newAttributes = timestampType === 1 ? attributes | ATTR_TIMESTAMP_TYPE : attributes & ~ATTR_TIMESTAMP_TYPE;
  const hi = buf.readInt32BE(offset + MAX_TIMESTAMP_OFFSET);
  const lo = buf.readUInt32BE(offset + MAX_TIMESTAMP_OFFSET + 4);
  if (newAttributes === attributes && hi * 0x1_0000_0000 + lo === maxTimestamp) return;
  buf.writeInt16BE(newAttributes, offset + ATTRIBUTES_OFFSET);
  writeInt64(buf, offset + MAX_TIMESTAMP_OFFSET, maxTimestamp);
  buf.writeUInt32BE(crc32c(buf, offset + CRC_START, end), offset + CRC_OFFSET);
}
