/**
 * What the ReplicaManager takes and gives back: plain objects, one per topic-partition, in the
 * order of the request. Error codes are Kafka's (0 = none), ready for the handlers' responses.
 */

/** Produce: the records of one topic-partition, whole RecordBatch v2 bytes as received. */
export interface ProduceEntry {
  topic: string;
  partition: number;
  records: Buffer | null;
}

export interface AppendRecordsRequest {
  timeoutMs: number;
  /** 0, 1 or -1 (all); anything else is INVALID_REQUIRED_ACKS for every partition. */
  requiredAcks: number;
  /** False for client produces: internal topics (`__consumer_offsets`, ...) are refused. */
  internalTopicsAllowed: boolean;
  entries: readonly ProduceEntry[];
}

export interface ProducePartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
  /** Offset of the first appended record; -1 on error. */
  baseOffset: number;
  /** Broker time stamped on the batches for LogAppendTime topics; -1 otherwise and on error. */
  logAppendTime: number;
  logStartOffset: number;
  recordErrors?: { batchIndex: number; message: string | null }[];
  errorMessage?: string;
}

export interface FetchPartitionRequest {
  topic: string;
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
  /** The leader epoch the client believes current (-1 or absent: do not check). */
  currentLeaderEpoch?: number;
  /** Followers only: their log start offset. */
  logStartOffset?: number;
}

export interface FetchMessagesRequest {
  /** -1 for consumers; a broker id for followers; -2 for debug consumers (may read from any replica). */
  replicaId: number;
  maxWaitMs: number;
  minBytes: number;
  /** Across all partitions; the first batch of the first non-empty partition comes whole (KIP-74). */
  maxBytes: number;
  /** 0 = read_uncommitted (up to the HW), 1 = read_committed (up to the LSO). */
  isolationLevel: number;
  partitions: readonly FetchPartitionRequest[];
}

export interface FetchPartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  /**
   * Batches exactly as stored, never decoded; the last may be cut at the byte limit (as Kafka
   * answers; clients drop it). Empty when there is nothing (or on error).
   */
  records: Buffer;
  /**
   * Aborted transactions in the returned range, for read_committed fetches: always [] until
   * transactions exist. null for read_uncommitted, followers and errors, as Kafka sends it.
   */
  abortedTransactions: { producerId: number; firstOffset: number }[] | null;
  errorMessage?: string;
}

export interface ListOffsetsPartitionRequest {
  topic: string;
  partition: number;
  /** A timestamp, or -1 latest, -2 earliest, -3 max timestamp, -4 earliest local, -5 latest tiered. */
  timestamp: number;
  currentLeaderEpoch?: number;
  /** v0 only: how many offsets to answer with. */
  maxNumOffsets?: number;
}

export interface ListOffsetsRequest {
  /** -1 consumers, -2 debug (any replica), ≥ 0 followers (no isolation: up to the LEO). */
  replicaId: number;
  isolationLevel: number;
  partitions: readonly ListOffsetsPartitionRequest[];
}

/** ListOffsets v0: the offsets found, newest first (at most the request's maxNumOffsets). */
export interface LegacyListOffsetsPartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
  offsets: number[];
}

export interface ListOffsetsPartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
  /** -1 when not found. */
  timestamp: number;
  offset: number;
  leaderEpoch: number;
}

export interface DeleteRecordsPartitionRequest {
  topic: string;
  partition: number;
  /** Delete everything before this offset; -1 means up to the HW. */
  offset: number;
}

export interface DeleteRecordsPartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
  /** The new log start offset; -1 on error. */
  lowWatermark: number;
  errorMessage?: string;
}

export interface OffsetForLeaderEpochPartitionRequest {
  topic: string;
  partition: number;
  leaderEpoch: number;
  currentLeaderEpoch?: number;
}

export interface OffsetForLeaderEpochPartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
  /** -1 when unknown. */
  leaderEpoch: number;
  endOffset: number;
}

export interface LogDirPartition {
  partition: number;
  size: number;
  offsetLag: number;
  isFuture: boolean;
}

export interface LogDirDescription {
  logDir: string;
  errorCode: number;
  totalBytes: number;
  usableBytes: number;
  topics: { topic: string; partitions: LogDirPartition[] }[];
}

/** A partition's leadership as the controller (or, single-node, the broker itself) decides it. */
export interface PartitionStateChange {
  topic: string;
  partition: number;
  leader: number;
  leaderEpoch: number;
  isr: readonly number[];
  replicas: readonly number[];
}

export interface PartitionStateResult {
  topic: string;
  partition: number;
  errorCode: number;
  errorMessage?: string;
}
