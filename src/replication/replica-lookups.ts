/**
 * The ReplicaManager's per-partition questions and admin operations that never wait in a
 * purgatory: ListOffsets, OffsetForLeaderEpoch, DeleteRecords and DescribeLogDirs. Reached as
 * `replicaManager.lookups`.
 *
 * Who may ask: consumers (replica id -1) only the leader; followers (≥ 0) the leader, with no
 * isolation (up to the LEO); debug clients (-2) any replica.
 */
import { ErrorCode } from '../protocol/error-codes.ts';
import { diskSpace } from '../storage/disk-space.ts';
import type { LogManager } from '../storage/log-manager.ts';
import { errorCodeOf, errorMessageOf, ReplicationError } from './errors.ts';
import type { FetchIsolation, Partition } from './partition.ts';
import type {
  DeleteRecordsPartitionRequest,
  DeleteRecordsPartitionResult,
  LegacyListOffsetsPartitionResult,
  ListOffsetsPartitionResult,
  ListOffsetsRequest,
  LogDirDescription,
  LogDirPartition,
  OffsetForLeaderEpochPartitionRequest,
  OffsetForLeaderEpochPartitionResult,
} from './types.ts';

/** Replica id of a debug client: may read from any replica, not only the leader. */
export const DEBUGGING_REPLICA_ID = -2;
/** Topics clients may not produce to nor delete records from (Kafka's internal topics). */
export const INTERNAL_TOPICS: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state']);

export interface PartitionLookup {
  partitionFor(topic: string, partition: number): Partition | undefined;
}

export class ReplicaLookups {
  private readonly partitions: PartitionLookup;
  private readonly logManager: LogManager;

  constructor(partitions: PartitionLookup, logManager: LogManager) {
    this.partitions = partitions;
    this.logManager = logManager;
  }

  /**
   * ListOffsets: earliest (-2, and -4), latest (-1: the HW, the LSO for read_committed, the LEO
   * for followers), max timestamp (-3), or the first offset at or after a timestamp. Not found:
   * timestamp and offset -1.
   */
  listOffsets(req: ListOffsetsRequest): ListOffsetsPartitionResult[] {
    const isolation: FetchIsolation =
      req.replicaId >= 0 ? 'logEnd' : req.isolationLevel === 1 ? 'txnCommitted' : 'highWatermark';
    const requireLeader = req.replicaId !== DEBUGGING_REPLICA_ID;
    return req.partitions.map((pr) => {
      const base = { topic: pr.topic, partition: pr.partition };
      try {
        const found = this.get(pr.topic, pr.partition).fetchOffsetForTimestamp(
          pr.timestamp,
          isolation,
          pr.currentLeaderEpoch,
          requireLeader,
        );
        return found === null
          ? { ...base, errorCode: ErrorCode.NONE, timestamp: -1, offset: -1, leaderEpoch: -1 }
          : { ...base, errorCode: ErrorCode.NONE, ...found };
      } catch (e) {
        return { ...base, errorCode: errorCodeOf(e), timestamp: -1, offset: -1, leaderEpoch: -1 };
      }
    });
  }

  /**
   * ListOffsets v0: per partition, up to maxNumOffsets offsets "before" the timestamp, Kafka's
   * legacy way (Partition.legacyOffsetsForTimestamp).
   */
  legacyListOffsets(req: ListOffsetsRequest): LegacyListOffsetsPartitionResult[] {
    const fromConsumer = req.replicaId === -1;
    const requireLeader = req.replicaId !== DEBUGGING_REPLICA_ID;
    return req.partitions.map((pr) => {
      const base = { topic: pr.topic, partition: pr.partition };
      try {
        const p = this.get(pr.topic, pr.partition);
        const offsets = p.legacyOffsetsForTimestamp(pr.timestamp, pr.maxNumOffsets ?? 1, fromConsumer, requireLeader);
        return { ...base, errorCode: ErrorCode.NONE, offsets };
      } catch (e) {
        return { ...base, errorCode: errorCodeOf(e), offsets: [] };
      }
    });
  }

  /** OffsetForLeaderEpoch from each partition's leader epoch cache. */
  offsetForLeaderEpoch(
    replicaId: number,
    partitions: readonly OffsetForLeaderEpochPartitionRequest[],
  ): OffsetForLeaderEpochPartitionResult[] {
    const requireLeader = replicaId !== DEBUGGING_REPLICA_ID;
    return partitions.map((pr) => {
      const base = { topic: pr.topic, partition: pr.partition };
      try {
        const r = this.get(pr.topic, pr.partition).lastOffsetForLeaderEpoch(
          pr.currentLeaderEpoch,
          pr.leaderEpoch,
          requireLeader,
        );
        return { ...base, errorCode: ErrorCode.NONE, leaderEpoch: r.epoch, endOffset: r.endOffset };
      } catch (e) {
        return { ...base, errorCode: errorCodeOf(e), leaderEpoch: -1, endOffset: -1 };
      }
    });
  }

  /**
   * DeleteRecords on the leaders: moves each log start offset (see
   * Partition.deleteRecordsOnLeader). With followers, the low watermark will be the smallest log
   * start offset of the replicas and the answer will wait for them in a purgatory; single-node
   * it is the leader's at once.
   */
  async deleteRecords(
    partitions: readonly DeleteRecordsPartitionRequest[],
    allowInternalTopics = false,
  ): Promise<DeleteRecordsPartitionResult[]> {
    return Promise.all(
      partitions.map(async (pr): Promise<DeleteRecordsPartitionResult> => {
        const base = { topic: pr.topic, partition: pr.partition };
        try {
          if (INTERNAL_TOPICS.has(pr.topic) && !allowInternalTopics) {
            throw new ReplicationError('INVALID_TOPIC', `cannot delete records of internal topic ${pr.topic}`);
          }
          const lowWatermark = await this.get(pr.topic, pr.partition).deleteRecordsOnLeader(pr.offset);
          return { ...base, errorCode: ErrorCode.NONE, lowWatermark };
        } catch (e) {
          return { ...base, errorCode: errorCodeOf(e), lowWatermark: -1, errorMessage: errorMessageOf(e) };
        }
      }),
    );
  }

  /**
   * DescribeLogDirs: every log dir with the size of each partition in it (all logs the
   * LogManager holds, hosted or not). `topics` null means all; a dir with an offline log is
   * reported as KAFKA_STORAGE_ERROR.
   */
  describeLogDirs(topics: readonly { topic: string; partitions: readonly number[] }[] | null): LogDirDescription[] {
    const wanted = topics === null ? null : new Map(topics.map((t) => [t.topic, new Set(t.partitions)]));
    return this.logManager.config.logDirs.map((dir) => {
      const byTopic = new Map<string, LogDirPartition[]>();
      let offline = false;
      for (const log of this.logManager.allLogs()) {
        if (log.dir !== `${dir}/${log.name}`) continue;
        if (log.isOffline) offline = true;
        if (wanted !== null && !wanted.get(log.topic)?.has(log.partition)) continue;
        let list = byTopic.get(log.topic);
        if (list === undefined) byTopic.set(log.topic, (list = []));
        list.push({ partition: log.partition, size: log.size, offsetLag: 0, isFuture: false });
      }
      const space = diskSpace(dir);
      return {
        logDir: dir,
        errorCode: offline ? ErrorCode.KAFKA_STORAGE_ERROR : ErrorCode.NONE,
        totalBytes: space?.totalBytes ?? -1,
        usableBytes: space?.usableBytes ?? -1,
        topics: [...byTopic].map(([topic, partitions]) => ({
          topic,
          partitions: partitions.sort((a, b) => a.partition - b.partition),
        })),
      };
    });
  }

  private get(topic: string, partition: number): Partition {
    const p = this.partitions.partitionFor(topic, partition);
    if (p === undefined) {
      throw new ReplicationError('UNKNOWN_TOPIC_OR_PARTITION', `${topic}-${partition} is not hosted here`);
    }
    return p;
  }
}
