/**
 * A produce with acks=all waiting in the purgatory until every partition it wrote to has its
 * high watermark past the records (all ISR members have them), or until its timeout.
 *
 * Watched under the topic-partition keys of the partitions still waiting; the ReplicaManager
 * checks those keys whenever a partition's HW advances or its leadership changes.
 */
import { DelayedOperation } from '../common/delayed-operation.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import { errorCodeOf, ReplicationError } from './errors.ts';
import type { Partition } from './partition.ts';
import type { ProducePartitionResult } from './types.ts';

/** One partition of the produce: its answer so far and what it waits for. */
export interface ProducePartitionStatus {
  readonly result: ProducePartitionResult;
  /** The offset after the appended records: the HW must reach it. */
  readonly requiredOffset: number;
  acksPending: boolean;
}

/** What a DelayedProduce asks of the ReplicaManager. */
export interface ProduceWaitContext {
  partitionFor(topic: string, partition: number): Partition | undefined;
  minInsyncReplicas(topic: string): number;
}

export class DelayedProduce extends DelayedOperation {
  private readonly statuses: readonly ProducePartitionStatus[];
  private readonly ctx: ProduceWaitContext;
  private readonly respond: () => void;

  /** `statuses` hold only partitions whose local append succeeded; `respond` is called once. */
  constructor(
    timeoutMs: number,
    statuses: readonly ProducePartitionStatus[],
    ctx: ProduceWaitContext,
    respond: () => void,
  ) {
    super(timeoutMs);
    this.statuses = statuses;
    this.ctx = ctx;
    this.respond = respond;
  }

  /**
   * Completes once no partition is still waiting. A waiting partition settles when:
   * - it is no longer on this broker → UNKNOWN_TOPIC_OR_PARTITION;
   * - this broker no longer leads it → NOT_LEADER_OR_FOLLOWER;
   * - its HW reached the required offset → NONE, or NOT_ENOUGH_REPLICAS_AFTER_APPEND when the
   *   ISR meanwhile shrank below min.insync.replicas (the records are written, not replicated
   *   enough).
   * Otherwise it keeps waiting; at the timeout onComplete() answers REQUEST_TIMED_OUT for it.
   */
  tryComplete(): boolean {
    let waiting = false;
    for (const s of this.statuses) {
      if (!s.acksPending) continue;
      const r = s.result;
      const p = this.ctx.partitionFor(r.topic, r.partition);
      if (p === undefined) {
        this.settle(s, new ReplicationError('UNKNOWN_TOPIC_OR_PARTITION', `${r.topic}-${r.partition} is gone`));
        continue;
      }
      const check = p.checkEnoughReplicasReachOffset(s.requiredOffset, this.ctx.minInsyncReplicas(r.topic));
      if (check.error !== null) {
        this.settle(s, new ReplicationError(check.error, `${p.name}: ${check.error} while waiting for acks`));
      } else if (check.done) {
        s.acksPending = false;
      } else {
        waiting = true;
      }
    }
    return waiting ? false : this.forceComplete();
  }

  onComplete(): void {
    for (const s of this.statuses) {
      if (!s.acksPending) continue;
      s.acksPending = false;
      s.result.errorCode = ErrorCode.REQUEST_TIMED_OUT;
      s.result.errorMessage = `the ISR did not acknowledge offset ${s.requiredOffset - 1} within ${this.delayMs} ms`;
    }
    this.respond();
  }

  private settle(s: ProducePartitionStatus, e: ReplicationError): void {
    s.acksPending = false;
    s.result.errorCode = errorCodeOf(e);
    s.result.errorMessage = e.message;
  }
}
