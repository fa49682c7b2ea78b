/**
 * The vocabulary of Partition's API: read isolation, ListOffsets timestamps, what leadership
 * changes carry, and what reads and appends return.
 */
import type { AppendResult } from '../storage/log.ts';

/** How far a read may go: LEO (followers), HW (read_uncommitted), LSO (read_committed). */
export type FetchIsolation = 'logEnd' | 'highWatermark' | 'txnCommitted';

/** ListOffsets special timestamps. */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
export const MAX_TIMESTAMP = -3;
export const EARLIEST_LOCAL_TIMESTAMP = -4;
export const LATEST_TIERED_TIMESTAMP = -5;

export interface LeaderAndIsr {
  /** Broker id of the leader. */
  leader: number;
  leaderEpoch: number;
  isr: readonly number[];
  replicas: readonly number[];
}

export interface LeaderAppendResult extends AppendResult {
  /** True when the append was a retry of one of the producer's last batches: nothing was written. */
  duplicate: boolean;
}

export interface PartitionReadOptions {
  fetchOffset: number;
  maxBytes: number;
  /** Return the first batch whole even if larger than maxBytes (KIP-74). */
  minOneBatch: boolean;
  isolation: FetchIsolation;
  currentLeaderEpoch?: number;
  /** Fail with NOT_LEADER_OR_FOLLOWER unless we lead (false only for debug reads). */
  requireLeader: boolean;
  /** A follower's broker id (its fetch offset becomes its LEO), or -1. */
  replicaId: number;
  followerLogStartOffset?: number;
}

export interface PartitionReadResult {
  records: Buffer;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  logEndOffset: number;
}

export interface TimestampOffset {
  timestamp: number;
  offset: number;
  leaderEpoch: number;
}

/** The key of a topic-partition in the ReplicaManager and its purgatories. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}
