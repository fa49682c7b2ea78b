/**
 * Reading what producer state needs from batch headers, without decoding records: the produce
 * path (`scanProduced`, before an append) and the replay path (`applyLoggedBatches`, batches read
 * back from the log or copied from a leader). One BatchCursor per buffer, nothing per record.
 */
import { DecodeError } from '../protocol/decode-error.ts';
import { BatchCursor } from '../protocol/records/batch-cursor.ts';
import {
  ATTR_CONTROL,
  ATTR_TRANSACTIONAL,
  ATTRIBUTES_OFFSET,
  BASE_SEQUENCE_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  MAGIC_V2,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
} from '../protocol/records/batch-format.ts';
import { readSafeInt64 } from '../protocol/records/int64.ts';
import { StorageError } from '../storage/errors.ts';
import { ReplicationError } from './errors.ts';
import type { LeaderEpochCache } from './leader-epoch-cache.ts';
import { lastSequenceOf, type ProducerBatch, type ProducerStateManager } from './producer-state.ts';

/**
 * Walks a produced buffer: rejects what a client may not send (control batches, an idempotent
 * batch without a sequence) and what the log would refuse only after producer state was
 * reserved (a cut-off batch, a batch over `maxBatchBytes`), and returns the idempotent batches
 * with their offsets relative to the append's first offset — or null when there are none (the
 * common non-idempotent case allocates nothing). CRCs are left to the log.
 */
export function scanProduced(records: Buffer, maxBatchBytes: number): ProducerBatch[] | null {
  const c = new BatchCursor(records);
  let out: ProducerBatch[] | null = null;
  let offsetDelta = 0;
  while (c.next()) {
    if (c.magic !== MAGIC_V2) {
      throw new DecodeError('BAD_MAGIC', `produced batch at byte ${c.position} has magic ${c.magic}, expected 2`);
    }
    if (c.size > maxBatchBytes) {
      throw new StorageError(
        'BATCH_TOO_LARGE',
        `a batch of ${c.size} bytes is larger than max.message.bytes=${maxBatchBytes}`,
      );
    }
    const pos = c.position;
    const attributes = records.readInt16BE(pos + ATTRIBUTES_OFFSET);
    if ((attributes & ATTR_CONTROL) !== 0) {
      throw new ReplicationError('INVALID_RECORD', 'clients may not produce control batches');
    }
    const lastOffsetDelta = records.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET);
    if (lastOffsetDelta < 0) throw new DecodeError('BAD_RECORD', `negative lastOffsetDelta at byte ${pos}`);
    if (records.readInt32BE(pos + PRODUCER_ID_OFFSET) >= 0) {
      const producerId = readSafeInt64(records, pos + PRODUCER_ID_OFFSET, 'producerId');
      const firstSeq = records.readInt32BE(pos + BASE_SEQUENCE_OFFSET);
      if (firstSeq < 0) {
        throw new ReplicationError('INVALID_RECORD', `producer ${producerId} sent a batch without a sequence number`);
      }
      (out ??= []).push({
        producerId,
        producerEpoch: records.readInt16BE(pos + PRODUCER_EPOCH_OFFSET),
        firstSeq,
        lastSeq: lastSequenceOf(firstSeq, lastOffsetDelta),
        offsetDelta,
        lastOffsetDelta,
        maxTimestamp: readSafeInt64(records, pos + MAX_TIMESTAMP_OFFSET, 'maxTimestamp'),
        isTransactional: (attributes & ATTR_TRANSACTIONAL) !== 0,
      });
    }
    offsetDelta += lastOffsetDelta + 1;
  }
  if (c.truncated) {
    throw new DecodeError('TRUNCATED', `produced records end inside a batch at byte ${c.position}`);
  }
  return out;
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
