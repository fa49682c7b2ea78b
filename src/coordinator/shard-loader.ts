import type { Logger } from '../common/logger.ts';
import { BatchCursor } from '../protocol/records/batch-cursor.ts';
import { ATTR_CONTROL, ATTR_TRANSACTIONAL, ATTRIBUTES_OFFSET, MAGIC_V2 } from '../protocol/records/batch-format.ts';
import { forEachRecord } from '../protocol/records/record-decoder.ts';
import { RecordView } from '../protocol/records/record-view.ts';
import { ClassicGroup } from './classic-group.ts';
import { GroupOffsets } from './group-offsets.ts';
import {
  decodeGroupMetadataValue,
  decodeOffsetCommitValue,
  decodeRecordKey,
  type GroupMetadataValue,
} from './group-records.ts';
import type { OffsetsTopicLog } from './offsets-topic-log.ts';

/** What loading a partition found. */
export interface LoadedShard {
  /** Every group with group metadata or committed offsets, as of the log end. */
  groups: ClassicGroup[];
  /** Records read (tombstones included) and how many were skipped as undecodable. */
  records: number;
  skipped: number;
  bytes: number;
  /** The log end offset the load read up to. */
  endOffset: number;
}

export interface LoadOptions {
  /** Bytes per read (offsets.load.buffer.size). */
  readBytes: number;
  /** Polled between reads: stop (and resolve null) once it returns true — the shard was unloaded. */
  cancelled: () => boolean;
  logger: Logger;
  /** Wall clock, for the state timestamp of groups that have offsets but no metadata record. */
  now: number;
}

/**
 * Reads a `__consumer_offsets` partition from its log start to its log end, batch by batch, and
 * rebuilds the groups it holds (Kafka's doLoadGroupsAndOffsets): for every key the last record
 * wins and a tombstone deletes; offsets are attached to their group; a group with offsets and no
 * metadata record is a simple (Empty) group. A record that does not decode is logged and skipped
 * rather than failing the whole partition. Control batches and transactional offset commits are
 * skipped: Samsa has no transactions yet.
 *
 * Resolves null when cancelled. Rejects when the log cannot be read (the partition moved away).
 */
export async function loadShard(
  log: OffsetsTopicLog,
  partition: number,
  opts: LoadOptions,
): Promise<LoadedShard | null> {
  const bounds = log.bounds(partition);
  if (bounds === null) throw new Error(`__consumer_offsets-${partition} is not hosted here`);
  const metadata = new Map<string, GroupMetadataValue | null>();
  const offsets = new Map<string, GroupOffsets>();
  const view = new RecordView();
  let records = 0;
  let skipped = 0;
  let bytes = 0;
  let warned = 0;
  const visit = (v: RecordView): void => {
    records++;
    try {
      const keyBytes = v.key();
      if (keyBytes === null) throw new Error('record without a key');
      const key = decodeRecordKey(keyBytes);
      if (key.kind === 'offset') {
        let groupOffsets = offsets.get(key.group);
        if (groupOffsets === undefined) {
          groupOffsets = new GroupOffsets();
          offsets.set(key.group, groupOffsets);
        }
        const value = v.value();
        if (value === null) groupOffsets.remove([{ topic: key.topic, partition: key.partition }]);
        else groupOffsets.put(key.topic, key.partition, { ...decodeOffsetCommitValue(value), recordOffset: v.offset });
      } else if (key.kind === 'group') {
        const value = v.value();
        metadata.set(key.group, value === null ? null : decodeGroupMetadataValue(value));
      } else {
        skipped++;
      }
    } catch (e) {
      skipped++;
      if (warned++ < 10) {
        opts.logger.warn(
          `__consumer_offsets-${partition}: skipping the record at offset ${v.offset}: ${(e as Error).message}`,
        );
      }
    }
  };

  let offset = bounds.logStartOffset;
  const end = bounds.logEndOffset;
  while (offset < end) {
    if (opts.cancelled()) return null;
    const buf = await log.read(partition, offset, opts.readBytes);
    if (buf.length === 0) break;
    bytes += buf.length;
    const cursor = new BatchCursor(buf);
    let progressed = false;
    while (cursor.next()) {
      progressed = true;
      const next = cursor.lastOffset + 1;
      if (cursor.baseOffset >= end) break;
      if (cursor.magic === MAGIC_V2) {
        const attributes = buf.readInt16BE(cursor.position + ATTRIBUTES_OFFSET);
        if ((attributes & (ATTR_CONTROL | ATTR_TRANSACTIONAL)) === 0) {
          try {
            forEachRecord(cursor.bytes(), visit, { view });
          } catch (e) {
            skipped++;
            opts.logger.warn(
              `__consumer_offsets-${partition}: skipping the batch at offset ${cursor.baseOffset}: ${(e as Error).message}`,
            );
          }
        }
      }
      offset = next;
    }
    if (!progressed) break;
  }
  if (opts.cancelled()) return null;

  const groups: ClassicGroup[] = [];
  for (const [groupId, value] of metadata) {
    if (value !== null) {
      groups.push(ClassicGroup.fromRecord(groupId, value, offsets.get(groupId)));
      offsets.delete(groupId);
    }
  }
  for (const [groupId, groupOffsets] of offsets) {
    if (groupOffsets.size > 0) groups.push(new ClassicGroup(groupId, 'Empty', opts.now, groupOffsets));
  }
  if (warned > 10) opts.logger.warn(`__consumer_offsets-${partition}: ${warned} records skipped in all`);
  return { groups, records, skipped, bytes, endOffset: end };
}
