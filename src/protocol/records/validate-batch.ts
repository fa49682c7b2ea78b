import { DecodeError } from '../decode-error.ts';
import {
  BATCH_HEADER_SIZE,
  BATCH_LENGTH_OFFSET,
  CRC_OFFSET,
  CRC_START,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAGIC_V2,
  MIN_BATCH_LENGTH,
  MIN_RECORD_SIZE,
} from './batch-format.ts';
import { type BatchHeader, readBatchHeader } from './batch-header.ts';
import { crc32c } from './crc32c.ts';

/** Highest codec id we know (zstd). */
const MAX_CODEC = 4;

/**
 * Checks the RecordBatch v2 at `buf[offset]` without decoding its records, and returns its
 * header. This is what the broker runs on every produced batch before appending it as is.
 *
 * Checks, in order (each failure is a DecodeError):
 * - the magic byte is readable (TRUNCATED) and is 2 (BAD_MAGIC);
 * - the 61-byte header is there (TRUNCATED) and batchLength >= 49 (BAD_LENGTH);
 * - the whole batch is there (TRUNCATED);
 * - CRC-32C of attributes..end matches (CRC_MISMATCH);
 * - the codec is one of 0-4 (UNSUPPORTED_COMPRESSION);
 * - int64 fields are safe integers (UNSAFE_INTEGER);
 * - recordCount >= 0, lastOffsetDelta >= 0, recordCount <= lastOffsetDelta + 1 (distinct offset
 *   deltas in [0, lastOffsetDelta]); uncompressed, recordCount * 7 fits in the record bytes;
 *   compressed with records, the blob is not empty (BAD_RECORD).
 *
 * Records themselves (and so the compressed payload) are not looked at; decodeRecords and
 * forEachRecord check them.
 *
 * With `checkCrc` false every check but the CRC runs; the caller must then run checkBatchCrc
 * before trusting the bytes (the log does so just before writing them, see LogTaskQueue).
 */
export function validateBatch(buf: Buffer, offset = 0, checkCrc = true): BatchHeader {
  const available = buf.length - offset;
  if (offset < 0 || available < MAGIC_OFFSET + 1) {
    throw new DecodeError('TRUNCATED', `record batch needs at least ${BATCH_HEADER_SIZE} bytes, have ${available}`);
  }
  const magic = buf.readInt8(offset + MAGIC_OFFSET);
  if (magic !== MAGIC_V2) {
    throw new DecodeError('BAD_MAGIC', `record batch at byte ${offset} has magic ${magic}, expected 2`);
  }
  if (available < BATCH_HEADER_SIZE) {
    throw new DecodeError('TRUNCATED', `record batch needs at least ${BATCH_HEADER_SIZE} bytes, have ${available}`);
  }
  const batchLength = buf.readInt32BE(offset + BATCH_LENGTH_OFFSET);
  if (batchLength < MIN_BATCH_LENGTH) {
    throw new DecodeError('BAD_LENGTH', `record batch length ${batchLength} is below the minimum ${MIN_BATCH_LENGTH}`);
  }
  const end = offset + LOG_OVERHEAD + batchLength;
  if (end > buf.length) {
    throw new DecodeError(
      'TRUNCATED',
      `record batch of ${batchLength + LOG_OVERHEAD} bytes but only ${available} bytes are available`,
    );
  }
  if (checkCrc) checkBatchCrc(buf, offset, end);
  const header = readBatchHeader(buf, offset);
  if (header.compression > MAX_CODEC) {
    throw new DecodeError('UNSUPPORTED_COMPRESSION', `record batch uses unknown codec ${header.compression}`);
  }
  const { recordCount, lastOffsetDelta } = header;
  const recordBytes = batchLength - MIN_BATCH_LENGTH;
  if (recordCount < 0) throw new DecodeError('BAD_RECORD', `record batch has a negative record count ${recordCount}`);
  if (lastOffsetDelta < 0) {
    throw new DecodeError('BAD_RECORD', `record batch has a negative lastOffsetDelta ${lastOffsetDelta}`);
  }
  if (recordCount > lastOffsetDelta + 1) {
    throw new DecodeError(
      'BAD_RECORD',
      `record batch claims ${recordCount} records within offset deltas 0..${lastOffsetDelta}`,
    );
  }
  if (header.compression === 0) {
    if (recordCount * MIN_RECORD_SIZE > recordBytes) {
      throw new DecodeError('BAD_RECORD', `record batch claims ${recordCount} records in ${recordBytes} bytes`);
    }
  } else if (recordCount > 0 && recordBytes === 0) {
    throw new DecodeError('BAD_RECORD', `compressed record batch claims ${recordCount} records but has no data`);
  }
  return header;
}

/**
 * Checks the CRC-32C of the batch at `buf[offset, end)`, whose header validateBatch has checked
 * (so `end` is its real end). Throws CRC_MISMATCH.
 */
export function checkBatchCrc(buf: Buffer, offset: number, end: number): void {
  const stored = buf.readUInt32BE(offset + CRC_OFFSET);
  const computed = crc32c(buf, offset + CRC_START, end);
  if (stored !== computed) {
    throw new DecodeError(
      'CRC_MISMATCH',
      `record batch at byte ${offset}: stored CRC-32C ${hex(stored)} but the bytes give ${hex(computed)}`,
    );
  }
}

function hex(v: number): string {
  return `0x${v.toString(16).padStart(8, '0')}`;
}
