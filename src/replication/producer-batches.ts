/**
 * Reading what producer state needs from batch headers, without decoding records: the produce
 * path (`validateProduced`, before an append) and the replay path (`applyLoggedBatches`, batches read
 * back from the log or copied from a leader). One BatchCursor per buffer, nothing per record.
 */
import { DecodeError } from '../protocol/decode-error.ts';
import { BatchCursor } from '../protocol/records/batch-cursor.ts';
import {
  ATTR_CONTROL,
  ATTRIBUTES_OFFSET,
  BASE_SEQUENCE_OFFSET,
  MAGIC_V2,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
} from '../protocol/records/batch-format.ts';
import type { BatchHeader } from '../protocol/records/batch-header.ts';
import { readSafeInt64 } from '../protocol/records/int64.ts';
import { forEachRecord } from '../protocol/records/record-decoder.ts';
import { validateBatch } from '../protocol/records/validate-batch.ts';
import { StorageError } from '../storage/errors.ts';
import { type RecordError, ReplicationError } from './errors.ts';
import type { LeaderEpochCache } from './leader-epoch-cache.ts';
import { lastSequenceOf, type ProducerBatch, type ProducerStateManager } from './producer-state.ts';

/**
 * Validates the batches of a leader append as Kafka's log does for client appends, and returns
 * the idempotent ones with their offsets relative to the append's first offset — or null when
 * there are none (the common non-idempotent case allocates nothing). Records are never decoded.
 *
 * Per batch, in Kafka's order (the first failure throws; the Kafka error code it becomes):
 * - magic other than 2, or bytes that do not end on a whole batch: DecodeError (CORRUPT_MESSAGE);
 * - a base offset other than 0 (clients leave offsets to the broker): INVALID_RECORD;
 * - larger than `maxBatchBytes` (max.message.bytes): BATCH_TOO_LARGE (MESSAGE_TOO_LARGE);
 * - header and CRC-32C (validateBatch): DecodeError (CORRUPT_MESSAGE);
 * - a codec id above 4: UNSUPPORTED_CODEC (UNKNOWN_SERVER_ERROR, what Kafka answers);
 * - counts that contradict each other, or no records: INVALID_RECORD;
 * - a control batch, or a producer id without a base sequence: INVALID_RECORD;
 * - for a compacted topic (`compacted`: the partition's name), records without a key:
 *   INVALID_RECORD with one record error each. Only then are records looked at (decompressed if
 *   need be): compaction needs keys, and such topics are not the produce hot path.
 * The CRC is checked here once; the log appends the buffer without checking it again.
 */
export function validateProduced(
  records: Buffer,
  maxBatchBytes: number,
  compacted: string | null = null,
): ProducerBatch[] | null {
  const c = new BatchCursor(records);
  let out: ProducerBatch[] | null = null;
  let offsetDelta = 0;
  while (c.next()) {
    const pos = c.position;
    if (c.magic !== MAGIC_V2) {
      throw new DecodeError('BAD_MAGIC', `produced batch at byte ${pos} has magic ${c.magic}, expected 2`);
    }
    if (c.baseOffset !== 0) {
      throw new ReplicationError('INVALID_RECORD', `a produced batch must have base offset 0, not ${c.baseOffset}`);
    }
    if (c.size > maxBatchBytes) {
      throw new StorageError(
        'BATCH_TOO_LARGE',
        `a batch of ${c.size} bytes is larger than max.message.bytes=${maxBatchBytes}`,
      );
    }
    const h = validateProducedHeader(records, pos);
    if (h.recordCount <= 0 || h.recordCount !== h.lastOffsetDelta + 1) {
      throw new ReplicationError(
        'INVALID_RECORD',
        `a produced batch must hold lastOffsetDelta + 1 = ${h.lastOffsetDelta + 1} records, it says ${h.recordCount}`,
      );
    }
    if (h.isControl) throw new ReplicationError('INVALID_RECORD', 'clients may not produce control batches');
    if (h.producerId >= 0 && h.baseSequence < 0) {
      throw new ReplicationError('INVALID_RECORD', `producer ${h.producerId} sent a batch without a sequence number`);
    }
    if (compacted !== null) checkKeys(c.bytes(), compacted);
    if (h.producerId >= 0) {
      (out ??= []).push({
        producerId: h.producerId,
        producerEpoch: h.producerEpoch,
        firstSeq: h.baseSequence,
        lastSeq: lastSequenceOf(h.baseSequence, h.lastOffsetDelta),
        offsetDelta,
        lastOffsetDelta: h.lastOffsetDelta,
        maxTimestamp: h.maxTimestamp,
        isTransactional: h.isTransactional,
      });
    }
    offsetDelta += h.lastOffsetDelta + 1;
  }
  if (c.truncated) {
    throw new DecodeError('TRUNCATED', `produced records end inside a batch at byte ${c.position}`);
  }
  return out;
}

/** Refuses the records of `batch` that have no key (a compacted topic's rule), as Kafka words it. */
function checkKeys(batch: Buffer, partitionName: string): void {
  const errors: RecordError[] = [];
  let index = 0;
  try {
    forEachRecord(batch, (r) => {
      if (r.keyLength < 0) {
        errors.push({
          batchIndex: index,
          message: `Compacted topic cannot accept message without key in topic partition ${partitionName}`,
        });
      }
      index++;
    });
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    throw new ReplicationError('INVALID_RECORD', `a record of a batch for ${partitionName}: ${e.message}`, {
      cause: e,
    });
  }
  if (errors.length > 0) {
    throw new ReplicationError(
      'INVALID_RECORD',
      `${errors.length} record(s) refused; the first: ${errors[0]!.message} (record ${errors[0]!.batchIndex})`,
      { recordErrors: errors },
    );
  }
}

/** validateBatch, with its verdicts on a sound batch's header fields turned into Kafka's. */
function validateProducedHeader(records: Buffer, pos: number): BatchHeader {
  try {
    return validateBatch(records, pos);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    if (e.code === 'BAD_RECORD') throw new ReplicationError('INVALID_RECORD', e.message, { cause: e });
    if (e.code === 'UNSUPPORTED_COMPRESSION') throw new ReplicationError('UNSUPPORTED_CODEC', e.message, { cause: e });
    throw e;
  }
}

/**
 * Applies batches that already carry their offsets (read from the log, or copied from the
 * leader) to the producer state and the leader epoch cache: a batch whose leader epoch is newer
 * than the cache's latest starts that epoch. Batches ending below `from` are skipped. Returns
 * the offset after the last batch seen, or `from` when there was none.
 */
export function applyLoggedBatches(
  records: Buffer,
  from: number,
  state: ProducerStateManager,
  epochs: LeaderEpochCache | null,
): number {
  const c = new BatchCursor(records);
  let next = from;
  while (c.next()) {
    if (c.lastOffset < from) continue;
    next = c.lastOffset + 1;
    if (c.magic !== MAGIC_V2) continue;
    const pos = c.position;
    if (epochs !== null) {
      const epoch = records.readInt32BE(pos + PARTITION_LEADER_EPOCH_OFFSET);
      if (epoch >= 0 && epoch > epochs.latestEpoch) epochs.assign(epoch, c.baseOffset);
    }
    if (records.readInt32BE(pos + PRODUCER_ID_OFFSET) < 0) continue;
    const attributes = records.readInt16BE(pos + ATTRIBUTES_OFFSET);
    const firstSeq = records.readInt32BE(pos + BASE_SEQUENCE_OFFSET);
    state.applyLogged({
      producerId: readSafeInt64(records, pos + PRODUCER_ID_OFFSET, 'producerId'),
      producerEpoch: records.readInt16BE(pos + PRODUCER_EPOCH_OFFSET),
      firstSeq,
      lastSeq: lastSequenceOf(firstSeq, c.lastOffset - c.baseOffset),
      firstOffset: c.baseOffset,
      lastOffset: c.lastOffset,
      timestamp: readSafeInt64(records, pos + MAX_TIMESTAMP_OFFSET, 'maxTimestamp'),
      isControl: (attributes & ATTR_CONTROL) !== 0,
    });
  }
  return next;
}
