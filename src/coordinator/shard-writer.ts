import type { Clock } from '../common/clock.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import type { CompressionCodec } from '../protocol/records/batch-format.ts';
import { encodeRecordBatch } from '../protocol/records/record-encoder.ts';
import type { RecordInput } from '../protocol/records/record-types.ts';
import type { OffsetsTopicLog } from './offsets-topic-log.ts';

/** How one write ended. */
export interface WriteOutcome {
  /** Kafka's error code of the append (0 = none). */
  errorCode: number;
  /** Offset of the write's first record in the partition; -1 on error. */
  firstOffset: number;
}

interface QueuedWrite {
  records: readonly RecordInput[];
  bytes: number;
  resolve: (o: WriteOutcome) => void;
}

/** Bytes of record framing beyond key and value (length, attributes, deltas, header count). */
const RECORD_OVERHEAD = 24;
/** Up to this many record bytes are coalesced into one batch (well below message.max.bytes). */
export const DEFAULT_MAX_COALESCED_BYTES = 512 * 1024;

/**
 * Writes a coordinator shard's records to its `__consumer_offsets` partition, one append at a
 * time, coalescing: while an append is in flight, later writes queue, and the next append carries
 * every queued write (up to `maxBatchBytes`) in one batch. So under load many commits share one
 * append and one replication round trip, and with a single writer nothing waits. Writes complete
 * in order; a batch is atomic, so every write in it gets the batch's outcome.
 *
 * Lifecycle: open → close() (the shard was unloaded): queued writes fail with NOT_COORDINATOR,
 * the append in flight completes with whatever the log says (NOT_LEADER_OR_FOLLOWER by then).
 */
export class ShardWriter {
  readonly partition: number;
  private readonly log: OffsetsTopicLog;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly maxBatchBytes: number;
  private readonly compression: CompressionCodec;
  private queue: QueuedWrite[] = [];
  private inFlight = false;
  private closed = false;

  constructor(opts: {
    log: OffsetsTopicLog;
    partition: number;
    clock: Clock;
    /** offsets.commit.timeout.ms: how long an append may wait for the ISR. */
    timeoutMs: number;
    maxBatchBytes?: number;
    /** offsets.topic.compression.codec (0 none, the default). */
    compression?: CompressionCodec;
  }) {
    this.log = opts.log;
    this.partition = opts.partition;
    this.clock = opts.clock;
    this.timeoutMs = opts.timeoutMs;
    this.maxBatchBytes = opts.maxBatchBytes ?? DEFAULT_MAX_COALESCED_BYTES;
    this.compression = opts.compression ?? 0;
  }

  /** Appends `records` (keys and values of coordinator records); resolves when committed or failed. */
  write(records: readonly RecordInput[]): Promise<WriteOutcome> {
    if (this.closed) return Promise.resolve({ errorCode: ErrorCode.NOT_COORDINATOR, firstOffset: -1 });
    let bytes = 0;
    for (const r of records) bytes += RECORD_OVERHEAD + (r.key?.length ?? 0) + (r.value?.length ?? 0);
    return new Promise((resolve) => {
      this.queue.push({ records, bytes, resolve });
      if (!this.inFlight) this.flush();
    });
  }

  /** Writes queued or in flight. */
  get pendingWrites(): number {
    return this.queue.length + (this.inFlight ? 1 : 0);
  }

  close(): void {
    this.closed = true;
    const queued = this.queue;
    this.queue = [];
    for (const w of queued) w.resolve({ errorCode: ErrorCode.NOT_COORDINATOR, firstOffset: -1 });
  }

  private flush(): void {
    if (this.queue.length === 0 || this.closed) return;
    let n = 0;
    let bytes = 0;
    while (n < this.queue.length && (n === 0 || bytes + this.queue[n]!.bytes <= this.maxBatchBytes)) {
      bytes += this.queue[n]!.bytes;
      n++;
    }
    const writes = this.queue.splice(0, n);
    const records: RecordInput[] = [];
    const starts: number[] = [];
    for (const w of writes) {
      starts.push(records.length);
      for (const r of w.records) records.push(r);
    }
    const now = this.clock.now();
    this.inFlight = true;
    let batch: Buffer;
    try {
      batch = encodeRecordBatch({ records, baseTimestamp: now, maxTimestamp: now, compression: this.compression });
    } catch {
      this.finish(writes, starts, ErrorCode.UNKNOWN_SERVER_ERROR, -1);
      return;
    }
    this.log.append(this.partition, batch, this.timeoutMs).then(
      (o) => this.finish(writes, starts, o.errorCode, o.baseOffset),
      () => this.finish(writes, starts, ErrorCode.UNKNOWN_SERVER_ERROR, -1),
    );
  }

  private finish(writes: QueuedWrite[], starts: number[], errorCode: number, baseOffset: number): void {
    this.inFlight = false;
    for (let i = 0; i < writes.length; i++) {
      writes[i]!.resolve({ errorCode, firstOffset: errorCode === ErrorCode.NONE ? baseOffset + starts[i]! : -1 });
    }
    this.flush();
  }
}
