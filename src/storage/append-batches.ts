/**
 * What the log does to the bytes of one append, apart from writing them: header checks when it
 * is queued (`analyzeAppend`), CRC checks just before it is written (`checkAppendCrcs`), and
 * offsets, leader epoch and LogAppendTime stamped in place (`stampAppend`). Pure functions of the
 * append's buffer; the Log decides when each runs.
 */
import { BatchCursor } from '../protocol/records/batch-cursor.ts';
import {
  BATCH_LENGTH_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAX_TIMESTAMP_OFFSET,
  RECORD_COUNT_OFFSET,
} from '../protocol/records/batch-format.ts';
import { setBaseOffset, setMaxTimestampAndType, setPartitionLeaderEpoch } from '../protocol/records/batch-patch.ts';
import { readSafeInt64 } from '../protocol/records/int64.ts';
import { checkBatchCrc, validateBatch } from '../protocol/records/validate-batch.ts';
import { StorageError } from './errors.ts';
import type { QueuedAppend } from './log-task-queue.ts';

/** What analyzeAppend learns from the headers of an append's batches. */
export interface AppendSummary {
  /** Offsets the batches span (sum of lastOffsetDelta + 1). */
  offsetCount: number;
  recordCount: number;
  maxTimestamp: number;
  /** A follower's append: the first batch's base offset and the last batch's last offset; else -1. */
  firstBaseOffset: number;
  lastOffset: number;
}

/** An append waiting in the log's queue. */
export interface PendingAppend extends QueuedAppend, AppendSummary {
  readonly records: Buffer;
  readonly follower: boolean;
  readonly leaderEpoch: number | undefined;
  /** CRCs still to check before the bytes are written (see checkAppendCrcs). */
  readonly crcPending: boolean;
}

/**
 * Header validation of every batch before anything is queued (nothing when `validated`: the
 * caller checked whole v2 batches, sizes and CRCs). The CRCs are checked later, by
 * checkAppendCrcs, just before the bytes are written.
 */
export function analyzeAppend(
  records: Buffer,
  follower: boolean,
  validated: boolean,
  maxMessageBytes: number,
): AppendSummary {
  let pos = 0;
  let offsetCount = 0;
  let recordCount = 0;
  let maxTimestamp = -1;
  let firstBaseOffset = -1;
  let lastOffset = -1;
  if (validated) {
    while (pos < records.length) {
      offsetCount += records.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET) + 1;
      recordCount += records.readInt32BE(pos + RECORD_COUNT_OFFSET);
      const ts = readSafeInt64(records, pos + MAX_TIMESTAMP_OFFSET, 'maxTimestamp');
      if (ts > maxTimestamp) maxTimestamp = ts;
      pos += records.readInt32BE(pos + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
    }
    return { offsetCount, recordCount, maxTimestamp, firstBaseOffset, lastOffset };
  }
  while (pos < records.length) {
    let h: ReturnType<typeof validateBatch>;
    try {
      h = validateBatch(records, pos, false);
    } catch (e) {
      throw corrupt(pos, e);
    }
    if (h.sizeInBytes > maxMessageBytes) {
      throw new StorageError(
        'BATCH_TOO_LARGE',
        `a batch of ${h.sizeInBytes} bytes is larger than max.message.bytes=${maxMessageBytes}`,
      );
    }
    if (follower) {
      if (h.baseOffset <= lastOffset) {
        throw new StorageError('INVALID_OFFSET', `batch offsets go backwards: ${h.baseOffset} after ${lastOffset}`);
      }
      if (firstBaseOffset < 0) firstBaseOffset = h.baseOffset;
      lastOffset = h.lastOffset;
    }
    offsetCount += h.lastOffsetDelta + 1;
    recordCount += h.recordCount;
    if (h.maxTimestamp > maxTimestamp) maxTimestamp = h.maxTimestamp;
    pos += h.sizeInBytes;
  }
  return { offsetCount, recordCount, maxTimestamp, firstBaseOffset, lastOffset };
}

/**
 * Checks the CRCs of an append's batches; the log's queue calls it while the previous group is
 * being written, so the check overlaps that write and leaves the bytes in the CPU cache for this one.
 */
export function checkAppendCrcs(a: PendingAppend): void {
  if (!a.crcPending) return;
  const records = a.records;
  let pos = 0;
  while (pos < records.length) {
    const end = pos + records.readInt32BE(pos + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
    try {
      checkBatchCrc(records, pos, end);
    } catch (e) {
      throw corrupt(pos, e);
    }
    pos = end;
  }
}

/** Assigns offsets from `first`, stamps the leader epoch and LogAppendTime (if ≥ 0), in place. */
export function stampAppend(a: PendingAppend, first: number, appendTime: number): void {
  const cursor = new BatchCursor(a.records);
  let next = first;
  while (cursor.next()) {
    const delta = cursor.lastOffset - cursor.baseOffset;
    setBaseOffset(a.records, cursor.position, next);
    if (a.leaderEpoch !== undefined) setPartitionLeaderEpoch(a.records, cursor.position, a.leaderEpoch);
    if (appendTime >= 0) setMaxTimestampAndType(a.records, cursor.position, appendTime, 1);
    next += delta + 1;
  }
}

function corrupt(pos: number, e: unknown): StorageError {
  return new StorageError('CORRUPT_BATCH', `batch at byte ${pos} of the append: ${(e as Error).message}`, {
    cause: e,
  });
}
