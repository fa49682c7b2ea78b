/**
 * RecordBatch v2 (magic 2): the on-disk and on-wire layout, as constants.
 *
 * A batch is a 61-byte header followed by the records. All integers are big-endian.
 *
 *   offset  size  field
 *        0     8  baseOffset             int64   offset of the first record (the broker assigns it)
 *        8     4  batchLength            int32   bytes after this field, i.e. total size - 12
 *       12     4  partitionLeaderEpoch   int32   stamped by the leader on append
 *       16     1  magic                  int8    2 (0 and 1 are the legacy message formats)
 *       17     4  crc                    uint32  CRC-32C of bytes [21, end of batch)
 *       21     2  attributes             int16   see ATTR_* below
 *       23     4  lastOffsetDelta        int32   offset of the last record minus baseOffset
 *       27     8  baseTimestamp          int64   timestamp of the first record (or the delete horizon)
 *       35     8  maxTimestamp           int64   largest record timestamp (or the log append time)
 *       43     8  producerId             int64   -1 when not idempotent
 *       51     2  producerEpoch          int16   -1 when not idempotent
 *       53     4  baseSequence           int32   -1 when not idempotent
 *       57     4  recordCount            int32   number of records that follow
 *       61     …  records                        uncompressed, or one compressed blob of them
 *
 * The CRC starts at attributes, so baseOffset, batchLength and partitionLeaderEpoch can be
 * patched in place without recomputing it; changing attributes or maxTimestamp needs a new CRC.
 *
 * Each record (all varints zigzag-encoded, protobuf style):
 *   length varint (bytes after this field) · attributes int8 (unused, 0) · timestampDelta varlong
 *   · offsetDelta varint · keyLength varint (-1 = null) · key · valueLength varint (-1 = null)
 *   · value · headerCount varint · per header: keyLength varint, key (UTF-8), valueLength
 *   varint (-1 = null), value.
 *
 * The first 17 bytes (offset int64, length int32, then a 4-byte field and the magic at 16) are
 * shared with legacy message sets, so a log can be walked without knowing its format.
 */

export const BASE_OFFSET_OFFSET = 0;
export const BATCH_LENGTH_OFFSET = 8;
export const PARTITION_LEADER_EPOCH_OFFSET = 12;
export const MAGIC_OFFSET = 16;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
export const LAST_OFFSET_DELTA_OFFSET = 23;
export const BASE_TIMESTAMP_OFFSET = 27;
export const MAX_TIMESTAMP_OFFSET = 35;
export const PRODUCER_ID_OFFSET = 43;
export const PRODUCER_EPOCH_OFFSET = 51;
export const BASE_SEQUENCE_OFFSET = 53;
export const RECORD_COUNT_OFFSET = 57;
export const RECORDS_OFFSET = 61;

/** Size of the batch header; also the size of an empty batch. */
export const BATCH_HEADER_SIZE = 61;
/** Bytes before batchLength's count starts: baseOffset + batchLength. */
export const LOG_OVERHEAD = 12;
/** The smallest legal batchLength (an empty batch). */
export const MIN_BATCH_LENGTH = BATCH_HEADER_SIZE - LOG_OVERHEAD;
/** The CRC covers from here to the end of the batch. */
export const CRC_START = ATTRIBUTES_OFFSET;

export const MAGIC_V0 = 0;
export const MAGIC_V1 = 1;
export const MAGIC_V2 = 2;

/**
 * The smallest encoding of one record: length, attributes, timestampDelta, offsetDelta,
 * keyLength, valueLength and headerCount, one byte each. Bounds record counts by bytes.
 */
export const MIN_RECORD_SIZE = 7;

// Attribute bits.
export const ATTR_COMPRESSION_MASK = 0x07;
export const ATTR_TIMESTAMP_TYPE = 0x08;
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;
export const ATTR_DELETE_HORIZON = 0x40;

/** Compression codec ids, as in the attribute bits. */
export const Compression = {
  none: 0,
  gzip: 1,
  snappy: 2,
  lz4: 3,
  zstd: 4,
} as const;
export type CompressionCodec = (typeof Compression)[keyof typeof Compression];

/** Timestamp types, as in attribute bit 3. */
export const TimestampType = {
  createTime: 0,
  logAppendTime: 1,
} as const;
export type TimestampType = (typeof TimestampType)[keyof typeof TimestampType];

/** Kafka's "no timestamp" (RecordBatch.NO_TIMESTAMP). */
export const NO_TIMESTAMP = -1;
/** Producer id, epoch and sequence of a batch from a producer that is not idempotent. */
export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
/** Partition leader epoch before the leader stamps it. */
export const NO_PARTITION_LEADER_EPOCH = -1;

export function codecName(codec: number): string {
  switch (codec) {
    case 0:
      return 'none';
    case 1:
      return 'gzip';
    case 2:
      return 'snappy';
    case 3:
      return 'lz4';
    case 4:
      return 'zstd';
    default:
      return `unknown codec ${codec}`;
  }
}
