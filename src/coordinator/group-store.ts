import type { Logger } from '../common/logger.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import type { RecordInput } from '../protocol/records/record-types.ts';
import type { ClassicGroup } from './classic-group.ts';
import {
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  type OffsetCommitValue,
} from './group-records.ts';
import type { FetchedOffset, OffsetCommitEntry, TopicPartitionRef } from './group-types.ts';
import type { ShardWriter } from './shard-writer.ts';

/**
 * How a group's state reaches `__consumer_offsets` and comes back (Kafka's GroupMetadataManager,
 * store and read parts): group metadata records after each rebalance, offset commit records, and
 * tombstones for deleted or expired offsets and groups — each appended through the shard's
 * writer with acks=all, and reported only once committed. The in-memory state changes when the
 * write is committed (offsets) or is the caller's to change (group metadata), never before.
 */
export class GroupStore {
  private readonly logger: Logger;
  private readonly offsetMetadataMaxBytes: number;

  constructor(opts: { logger: Logger; offsetMetadataMaxBytes: number }) {
    this.logger = opts.logger;
    this.offsetMetadataMaxBytes = opts.offsetMetadataMaxBytes;
  }

  /** Writes the group's metadata record; resolves with the error a JoinGroup/SyncGroup answers. */
  async storeGroup(writer: ShardWriter, group: ClassicGroup, assignment: ReadonlyMap<string, Buffer>): Promise<number> {
    let value: Buffer;
    try {
      value = encodeGroupMetadataValue(group.toRecord(assignment));
    } catch (e) {
      this.logger.error(`group ${group.groupId}: cannot encode its metadata: ${(e as Error).message}`);
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    }
    const generation = group.generationId;
    const out = await writer.write([{ key: encodeGroupMetadataKey(group.groupId), value }]);
    if (out.errorCode !== ErrorCode.NONE) {
      this.logger.warn(
        `group ${group.groupId} generation ${generation}: writing its metadata failed with error ${out.errorCode}`,
      );
    }
    return groupWriteError(out.errorCode);
  }

  /**
   * Writes the commits (already validated against the group) and applies them once committed.
   * Per entry, in order: OFFSET_METADATA_TOO_LARGE for metadata above offset.metadata.max.bytes
   * (the others are still written), else the outcome of the write.
   */
  async storeOffsets(
    writer: ShardWriter,
    group: ClassicGroup,
    entries: readonly OffsetCommitEntry[],
  ): Promise<number[]> {
    const values: (OffsetCommitValue | null)[] = entries.map((e) =>
      this.metadataFits(e.metadata)
        ? {
            offset: e.offset,
            leaderEpoch: e.leaderEpoch,
            metadata: e.metadata ?? '',
            commitTimestamp: e.commitTimestamp,
            expireTimestamp: e.expireTimestamp,
          }
        : null,
    );
    const records: RecordInput[] = [];
    for (let i = 0; i < entries.length; i++) {
      const v = values[i];
      if (v == null) continue;
      const e = entries[i]!;
      records.push({
        key: encodeOffsetCommitKey(group.groupId, e.topic, e.partition),
        value: encodeOffsetCommitValue(v),
      });
      group.offsets.stage(e.topic, e.partition, v);
    }
    if (records.length === 0) return entries.map(() => ErrorCode.OFFSET_METADATA_TOO_LARGE);
    const out = await writer.write(records);
    const error = offsetWriteError(out.errorCode);
    let recordOffset = out.firstOffset;
    for (let i = 0; i < entries.length; i++) {
      const v = values[i];
      if (v == null) continue;
      const e = entries[i]!;
      if (group.is('Dead')) continue;
      if (error === ErrorCode.NONE) group.offsets.onWritten(e.topic, e.partition, v, recordOffset++);
      else group.offsets.onFailed(e.topic, e.partition, v);
    }
    return values.map((v) => (v === null ? ErrorCode.OFFSET_METADATA_TOO_LARGE : error));
  }

  /** Kafka compares String.length(), UTF-16 units: so does JavaScript's length. */
  private metadataFits(metadata: string | null): boolean {
    return metadata === null || metadata.length <= this.offsetMetadataMaxBytes;
  }

  /**
   * Tombstones for removed offsets and, with `groupTombstone`, for the group's metadata. Resolves
   * with the write's error code (NONE when there was nothing to write).
   */
  async writeTombstones(
    writer: ShardWriter,
    groupId: string,
    offsets: readonly TopicPartitionRef[],
    groupTombstone: boolean,
  ): Promise<number> {
    const records: RecordInput[] = offsets.map((o) => ({
      key: encodeOffsetCommitKey(groupId, o.topic, o.partition),
      value: null,
    }));
    if (groupTombstone) records.push({ key: encodeGroupMetadataKey(groupId), value: null });
    if (records.length === 0) return ErrorCode.NONE;
    const out = await writer.write(records);
    if (out.errorCode !== ErrorCode.NONE) {
      this.logger.warn(`group ${groupId}: writing ${records.length} tombstones failed with error ${out.errorCode}`);
    }
    return out.errorCode;
  }

  /**
   * OffsetFetch for one group (Kafka's getOffsets): every requested partition, or with
   * `partitions` null every committed one; -1 and '' for a partition without an offset;
   * UNSTABLE_OFFSET_COMMIT for one with a commit in flight when `requireStable`.
   */
  fetchOffsets(
    group: ClassicGroup | undefined,
    requireStable: boolean,
    partitions: readonly TopicPartitionRef[] | null,
  ): FetchedOffset[] {
    const none = (topic: string, partition: number, errorCode: number = ErrorCode.NONE): FetchedOffset => ({
      topic,
      partition,
      offset: -1,
      leaderEpoch: -1,
      metadata: '',
      errorCode,
    });
    if (group === undefined || group.is('Dead')) return (partitions ?? []).map((p) => none(p.topic, p.partition));
    if (partitions === null) {
      return [...group.offsets.entries()].map(({ topic, partition, value }) => ({
        topic,
        partition,
        offset: value.offset,
        leaderEpoch: value.leaderEpoch,
        metadata: value.metadata,
        errorCode: ErrorCode.NONE,
      }));
    }
    return partitions.map(({ topic, partition }) => {
      if (requireStable && group.offsets.hasPending(topic, partition)) {
        return none(topic, partition, ErrorCode.UNSTABLE_OFFSET_COMMIT);
      }
      const o = group.offsets.get(topic, partition);
      if (o === undefined) return none(topic, partition);
      return { topic, partition, offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: 0 };
    });
  }
}

/** A failed group metadata write as JoinGroup/SyncGroup report it (Kafka's storeGroup mapping). */
export function groupWriteError(code: number): number {
  if (code === ErrorCode.REQUEST_TIMED_OUT) return ErrorCode.REBALANCE_IN_PROGRESS;
  return coordinatorWriteError(code, ErrorCode.UNKNOWN_SERVER_ERROR);
}

/** A failed offset commit write as OffsetCommit reports it (Kafka's maybeConvertOffsetCommitError). */
export function offsetWriteError(code: number): number {
  return coordinatorWriteError(code, ErrorCode.INVALID_COMMIT_OFFSET_SIZE);
}

/** The mapping both share; a write too large to append becomes `tooLarge`. */
function coordinatorWriteError(code: number, tooLarge: number): number {
  switch (code) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return tooLarge;
    default:
      return code;
  }
}
