/**
 * A fetch waiting in the purgatory for enough bytes (minBytes) or until maxWaitMs, watched under
 * the keys of all its topic-partitions. Appends wake it: the ReplicaManager checks a partition's
 * key when its HW advances (consumers) or its LEO advances (followers), and on leadership changes
 * and deletions.
 *
 * Bytes are counted without touching the log: each partition remembers the bytes its first read
 * returned and the partition's visible-bytes counter at that moment (Partition.visibleBytes);
 * what became visible since is the counter's growth. On completion the whole fetch is read again
 * (the answer reflects the log at that moment, with the KIP-74 rules).
 */
import { DelayedOperation } from '../common/delayed-operation.ts';
import type { FetchIsolation, Partition } from './partition.ts';
import type { FetchPartitionRequest } from './types.ts';

/** One partition of a parked fetch. */
export interface FetchPartitionStatus {
  readonly request: FetchPartitionRequest;
  /** The Partition the first read used (a deleted and re-created partition is another object). */
  readonly partition: Partition;
  /** Bytes the first read returned for this partition. */
  readonly bytesRead: number;
  /** partition.visibleBytes(isolation) when the first read captured its offsets. */
  readonly counterAtRead: number;
}

export interface FetchWaitContext {
  partitionFor(topic: string, partition: number): Partition | undefined;
}

export class DelayedFetch extends DelayedOperation {
  private readonly statuses: readonly FetchPartitionStatus[];
  private readonly minBytes: number;
  private readonly isolation: FetchIsolation;
  private readonly requireLeader: boolean;
  private readonly ctx: FetchWaitContext;
  private readonly respond: () => void;

  constructor(
    maxWaitMs: number,
    opts: {
      statuses: readonly FetchPartitionStatus[];
      minBytes: number;
      isolation: FetchIsolation;
      requireLeader: boolean;
      ctx: FetchWaitContext;
      /** Called once, on completion by any path: reads the fetch again and answers. */
      respond: () => void;
    },
  ) {
    super(maxWaitMs);
    this.statuses = opts.statuses;
    this.minBytes = opts.minBytes;
    this.isolation = opts.isolation;
    this.requireLeader = opts.requireLeader;
    this.ctx = opts.ctx;
    this.respond = opts.respond;
  }

  /**
   * Completes when any of these holds (Kafka's cases, lettered as in DelayedFetch.scala):
   * - A: this broker no longer leads one of the partitions (when the fetch requires a leader);
   * - B: a partition is no longer on this broker, or was deleted and re-created;
   * - D: a partition's log went offline;
   * - E: a partition's leader epoch moved away from the one the fetch named (fenced);
   * - F: a read limit (HW, LSO or LEO) dropped below the fetch offset (the log was truncated), or
   *      the fetch offset lies in an older segment than the active one while data is visible
   *      after it (a roll happened, or the fetch lags: the first read stopped at a segment end);
   * - G: the bytes visible from the fetch offsets, each capped at its partitionMaxBytes, add up
   *      to minBytes.
   * Otherwise it waits; at maxWaitMs it completes with whatever is there. (Case C, fetching from
   * a follower replica, and H, a diverging epoch for followers, come with replication.)
   */
  tryComplete(): boolean {
    let bytes = 0;
    for (const s of this.statuses) {
      const req = s.request;
      const p = this.ctx.partitionFor(req.topic, req.partition);
      if (p === undefined || p !== s.partition || p.isClosed) return this.forceComplete(); // B
      if (p.isOffline) return this.forceComplete(); // D
      if (this.requireLeader && !p.isLeader) return this.forceComplete(); // A
      const epoch = req.currentLeaderEpoch;
      if (epoch !== undefined && epoch >= 0 && epoch !== p.leaderEpoch) return this.forceComplete(); // E
      const limit = p.limitOffset(this.isolation);
      if (limit < req.fetchOffset) return this.forceComplete(); // F, truncated
      if (req.fetchOffset < limit && req.fetchOffset < p.segmentBaseOffsetOf(limit)) return this.forceComplete(); // F, older segment
      const visible = s.bytesRead + p.visibleBytes(this.isolation) - s.counterAtRead;
      bytes += Math.min(visible, req.partitionMaxBytes);
    }
    return bytes >= this.minBytes ? this.forceComplete() : false; // G
  }

  onComplete(): void {
    this.respond();
  }
}
