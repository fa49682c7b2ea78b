/**
 * What the group coordinator needs of `__consumer_offsets`: append to a partition it leads with
 * acks=all, and read a partition back when it takes the partition over. The coordinator may not
 * import the replication module (layers: coordinator → storage, metadata, protocol, common), so
 * it declares this interface and the broker's composition root implements it with the
 * ReplicaManager (broker/offsets-topic-adapter.ts) — tests implement it in memory.
 */

/** How an append ended. Error codes are Kafka's (0 = none), as a Produce would report them. */
export interface AppendOutcome {
  errorCode: number;
  /** Offset of the batch's first record; -1 on error. */
  baseOffset: number;
  errorMessage?: string;
}

/** Where a hosted partition's log starts and ends. */
export interface LogBounds {
  logStartOffset: number;
  logEndOffset: number;
}

export interface OffsetsTopicLog {
  /**
   * Appends one RecordBatch v2 to `__consumer_offsets-<partition>` as its leader, with acks=all:
   * resolves once the batch is below the high watermark (committed) or failed —
   * NOT_LEADER_OR_FOLLOWER when this broker no longer leads it, REQUEST_TIMED_OUT when the ISR
   * did not acknowledge it within `timeoutMs`, NOT_ENOUGH_REPLICAS, MESSAGE_TOO_LARGE, ...
   * Never rejects.
   */
  append(partition: number, batch: Buffer, timeoutMs: number): Promise<AppendOutcome>;

  /** The partition's log bounds; null when this broker does not host it. */
  bounds(partition: number): LogBounds | null;

  /**
   * Whole stored batches from `offset` up to the log end offset, at most `maxBytes` of them but
   * always the first one whole. Rejects when the partition is gone or `offset` is out of range.
   */
  read(partition: number, offset: number, maxBytes: number): Promise<Buffer>;
}
