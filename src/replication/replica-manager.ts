/**
 * The broker's partitions and the requests waiting on them. Handlers call it for Produce, Fetch,
 * ListOffsets, DeleteRecords, OffsetForLeaderEpoch and DescribeLogDirs; the controller (or,
 * single-node, the broker at startup and CreateTopics) tells it which partitions it leads or
 * follows.
 *
 * - Partitions are opened through the LogManager (which owns the logs) on the first leadership
 *   change that names them and live until deletePartition() or shutdown().
 * - acks=all produces park a DelayedProduce and fetches short of minBytes a DelayedFetch in the
 *   two purgatories, watched under the partition keys (`topic-partition`); as each partition's
 *   PartitionListener this class wakes them when a HW or LEO advances or a leader changes.
 *   Single-node, acks=all completes at once — through the same purgatory.
 * - Replication plugs in through `followerHooks` (start/stop fetching from a leader) and the
 *   Partition methods for followers; nothing here assumes a single broker.
 *
 * Lifecycle: new → startup() (producer expiration timer) → serving → shutdown(): refuses new
 * work, expires waiting requests (they are answered), closes every partition cleanly (producer
 * state snapshots at the LEO). The LogManager is shut down afterwards by its owner.
 */
import { type Clock, systemClock, type Timer } from '../common/clock.ts';
import type { CoarseTimers } from '../common/coarse-timers.ts';
import { type Logger, silentLogger } from '../common/logger.ts';
import { Purgatory } from '../common/purgatory.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import type { LogConfig } from '../storage/config.ts';
import { type FileIO, nodeFileIO } from '../storage/file-io.ts';
import type { LogManager } from '../storage/log-manager.ts';
import { DelayedFetch, type FetchPartitionStatus } from './delayed-fetch.ts';
import { DelayedProduce, type ProducePartitionStatus } from './delayed-produce.ts';
import { errorCodeOf, errorMessageOf, ReplicationError } from './errors.ts';
import { type FetchIsolation, Partition, type PartitionListener, partitionKey } from './partition.ts';
import { DEBUGGING_REPLICA_ID, INTERNAL_TOPICS, ReplicaLookups } from './replica-lookups.ts';
import type {
  AppendRecordsRequest,
  DeleteRecordsPartitionRequest,
  DeleteRecordsPartitionResult,
  FetchMessagesRequest,
  FetchPartitionRequest,
  FetchPartitionResult,
  LegacyListOffsetsPartitionResult,
  ListOffsetsPartitionResult,
  ListOffsetsRequest,
  LogDirDescription,
  OffsetForLeaderEpochPartitionRequest,
  OffsetForLeaderEpochPartitionResult,
  PartitionStateChange,
  PartitionStateResult,
  ProduceEntry,
  ProducePartitionResult,
} from './types.ts';

/** Where the replica fetcher (replication issue) attaches; no-ops single-node. */
export interface FollowerHooks {
  startFetching(p: Partition, leaderId: number): void;
  stopFetching(p: Partition): void;
}

export interface ReplicaManagerOptions {
  brokerId: number;
  logManager: LogManager;
  /** Shared coarse timers for the purgatories (the Broker's). */
  timers: CoarseTimers;
  clock?: Clock;
  logger?: Logger;
  io?: FileIO;
  /** [min.insync.replicas] of a topic (its override, else the broker's); 1 when absent. */
  minInsyncReplicas?: (topic: string) => number;
  /** [producer.id.expiration.ms] default one day. */
  producerIdExpirationMs?: number;
  /** [producer.id.expiration.check.interval.ms] default ten minutes. */
  producerIdExpirationCheckIntervalMs?: number;
  followerHooks?: FollowerHooks;
}

const NO_HOOKS: FollowerHooks = { startFetching() {}, stopFetching() {} };

/**
 * Append errors answered without the partition's log start offset (-1), as Kafka answers them:
 * the partition is not ours, or the batch's framing or size is wrong. Every other append error
 * (a record, sequence or epoch refused; too few replicas) carries the log start offset.
 */
const NO_LOG_START_ON_ERROR: ReadonlySet<number> = new Set([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.MESSAGE_TOO_LARGE,
  ErrorCode.RECORD_LIST_TOO_LARGE,
  ErrorCode.CORRUPT_MESSAGE,
  ErrorCode.KAFKA_STORAGE_ERROR,
]);
const EMPTY: Buffer = Buffer.alloc(0);

interface LocalAppend {
  result: ProducePartitionResult;
  /** LEO after the append (the HW must reach it for acks=all); -1 when it failed. */
  requiredOffset: number;
}

interface LocalRead {
  results: FetchPartitionResult[];
  statuses: FetchPartitionStatus[];
  bytes: number;
  anyError: boolean;
}

export class ReplicaManager implements PartitionListener {
  readonly brokerId: number;
  readonly logManager: LogManager;
  readonly producePurgatory: Purgatory<DelayedProduce>;
  readonly fetchPurgatory: Purgatory<DelayedFetch>;
  /** ListOffsets, OffsetForLeaderEpoch, DeleteRecords, DescribeLogDirs. */
  readonly lookups: ReplicaLookups;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly io: FileIO;
  private readonly minIsr: (topic: string) => number;
  private readonly producerIdExpirationMs: number;
  private readonly expirationCheckMs: number;
  private readonly hooks: FollowerHooks;
  private readonly partitions = new Map<string, Partition>();
  private readonly opening = new Map<string, Promise<Partition>>();
  private expirationTimer: Timer | null = null;
  private stopping = false;

  constructor(opts: ReplicaManagerOptions) {
    this.brokerId = opts.brokerId;
    this.logManager = opts.logManager;
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? silentLogger;
    this.io = opts.io ?? nodeFileIO;
    this.minIsr = opts.minInsyncReplicas ?? (() => 1);
    this.producerIdExpirationMs = opts.producerIdExpirationMs ?? 86_400_000;
    this.expirationCheckMs = opts.producerIdExpirationCheckIntervalMs ?? 600_000;
    this.hooks = opts.followerHooks ?? NO_HOOKS;
    this.producePurgatory = new Purgatory<DelayedProduce>('produce', opts.timers, this.logger);
    this.fetchPurgatory = new Purgatory<DelayedFetch>('fetch', opts.timers, this.logger);
    this.lookups = new ReplicaLookups(this, this.logManager);
  }

  /** Starts the periodic expiration of idle producer ids. */
  startup(): void {
    const arm = (): void => {
      this.expirationTimer = this.clock.schedule(this.expirationCheckMs, () => {
        this.removeExpiredProducers();
        if (!this.stopping) arm();
      });
    };
    if (this.expirationTimer === null && Number.isFinite(this.expirationCheckMs)) arm();
  }

  // ---- Partitions -------------------------------------------------------------------------------

  /** The hosted partition, whatever its role; undefined when not hosted (or still opening). */
  partitionFor(topic: string, partition: number): Partition | undefined {
    return this.partitions.get(partitionKey(topic, partition));
  }

  allPartitions(): IterableIterator<Partition> {
    return this.partitions.values();
  }

  minInsyncReplicas(topic: string): number {
    return this.minIsr(topic);
  }

  /**
   * Applies leadership decisions: opens (and creates the log of) partitions it has not seen,
   * then makes each leader or follower. Waiting requests on a partition whose leadership changed
   * are re-checked (they complete with an error if we stopped leading). Single-node:
   * `{ leader: brokerId, leaderEpoch, isr: [brokerId], replicas: [brokerId] }`.
   */
  async becomeLeaderOrFollower(
    changes: readonly PartitionStateChange[],
    configOf?: (topic: string) => LogConfig,
  ): Promise<PartitionStateResult[]> {
    return Promise.all(
      changes.map(async (c): Promise<PartitionStateResult> => {
        try {
          const p = await this.openPartition(c.topic, c.partition, configOf?.(c.topic));
          const leading = c.leader === this.brokerId;
          const wasFollowing = p.isFollower;
          const changed = leading ? p.makeLeader(c) : p.makeFollower(c);
          if (changed) {
            if (leading && wasFollowing) this.hooks.stopFetching(p);
            if (!leading) this.hooks.startFetching(p, c.leader);
            this.wake(p.key);
          }
          return { topic: c.topic, partition: c.partition, errorCode: ErrorCode.NONE };
        } catch (e) {
          this.logger.warn(`leadership change for ${c.topic}-${c.partition} failed: ${errorMessageOf(e)}`);
          return { topic: c.topic, partition: c.partition, errorCode: errorCodeOf(e), errorMessage: errorMessageOf(e) };
        }
      }),
    );
  }

  private openPartition(topic: string, partition: number, config?: LogConfig): Promise<Partition> {
    if (this.stopping) return Promise.reject(new ReplicationError('NOT_LEADER_OR_FOLLOWER', 'the broker is stopping'));
    const key = partitionKey(topic, partition);
    const existing = this.partitions.get(key);
    if (existing !== undefined) return Promise.resolve(existing);
    let pending = this.opening.get(key);
    if (pending === undefined) {
      pending = (async () => {
        const log = this.logManager.getOrCreateLog(topic, partition, config);
        const p = await Partition.open({
          log,
          brokerId: this.brokerId,
          clock: this.clock,
          logger: this.logger,
          io: this.io,
          producerIdExpirationMs: this.producerIdExpirationMs,
          listener: this,
        });
        this.partitions.set(key, p);
        return p;
      })().finally(() => this.opening.delete(key));
      this.opening.set(key, pending);
    }
    return pending;
  }

  /**
   * Stops hosting a partition and deletes its log (DeleteTopics, or a reassignment away).
   * Requests waiting on it complete (UNKNOWN_TOPIC_OR_PARTITION). No error if it is not hosted.
   */
  async deletePartition(topic: string, partition: number): Promise<void> {
    const key = partitionKey(topic, partition);
    await this.opening.get(key)?.catch(() => undefined);
    const p = this.partitions.get(key);
    if (p !== undefined) {
      this.partitions.delete(key);
      this.hooks.stopFetching(p);
      this.wake(key);
      await p.stop();
    }
    if (this.logManager.getLog(topic, partition) !== undefined) await this.logManager.deleteLog(topic, partition);
  }

  // ---- PartitionListener ------------------------------------------------------------------------

  onHighWatermarkAdvanced(p: Partition): void {
    this.producePurgatory.checkAndComplete(p.key);
    this.fetchPurgatory.checkAndComplete(p.key);
  }

  onLogEndOffsetAdvanced(p: Partition): void {
    this.fetchPurgatory.checkAndComplete(p.key);
  }

  private wake(key: string): void {
    this.producePurgatory.checkAndComplete(key);
    this.fetchPurgatory.checkAndComplete(key);
  }

  // ---- Produce ----------------------------------------------------------------------------------

  /**
   * Appends each entry to its partition's leader log. acks 0 and 1 answer after the local
   * append; acks=-1 parks a DelayedProduce until every written partition's HW passes its records
   * (REQUEST_TIMED_OUT after timeoutMs). Results come in the order of `entries`.
   */
  async appendRecords(req: AppendRecordsRequest): Promise<ProducePartitionResult[]> {
    const acks = req.requiredAcks;
    if (acks !== 0 && acks !== 1 && acks !== -1) {
      return req.entries.map((e) => failedAppend(e, ErrorCode.INVALID_REQUIRED_ACKS, `acks=${acks} is not -1, 0 or 1`));
    }
    const local = await Promise.all(req.entries.map((e) => this.appendToLocalLog(e, req)));
    const results = local.map((l) => l.result);
    if (acks !== -1) return results;
    const statuses: ProducePartitionStatus[] = [];
    const keys: string[] = [];
    for (const l of local) {
      if (l.result.errorCode !== ErrorCode.NONE) continue;
      statuses.push({ result: l.result, requiredOffset: l.requiredOffset, acksPending: true });
      keys.push(partitionKey(l.result.topic, l.result.partition));
    }
    if (statuses.length === 0) return results;
    return new Promise<ProducePartitionResult[]>((resolve) => {
      const op = new DelayedProduce(req.timeoutMs, statuses, this, () => resolve(results));
      this.producePurgatory.tryCompleteElseWatch(op, keys);
    });
  }

  private async appendToLocalLog(e: ProduceEntry, req: AppendRecordsRequest): Promise<LocalAppend> {
    if (INTERNAL_TOPICS.has(e.topic) && !req.internalTopicsAllowed) {
      return {
        result: failedAppend(e, ErrorCode.INVALID_TOPIC_EXCEPTION, `cannot append to internal topic ${e.topic}`),
        requiredOffset: -1,
      };
    }
    if (e.records === null || e.records.length === 0) {
      return {
        result: failedAppend(
          e,
          ErrorCode.INVALID_RECORD,
          'a produce request must hold at least one batch per partition',
        ),
        requiredOffset: -1,
      };
    }
    const p = this.partitions.get(partitionKey(e.topic, e.partition));
    if (p === undefined || this.stopping) {
      const code = this.stopping ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      return { result: failedAppend(e, code, `${e.topic}-${e.partition} is not hosted here`), requiredOffset: -1 };
    }
    try {
      const r = await p.appendRecordsToLeader(e.records, req.requiredAcks, this.minIsr(e.topic));
      return {
        result: {
          topic: e.topic,
          partition: e.partition,
          errorCode: ErrorCode.NONE,
          baseOffset: r.firstOffset,
          logAppendTime: r.logAppendTime,
          logStartOffset: r.logStartOffset,
        },
        requiredOffset: r.lastOffset + 1,
      };
    } catch (err) {
      const code = errorCodeOf(err);
      const result = failedAppend(e, code, errorMessageOf(err));
      if (!NO_LOG_START_ON_ERROR.has(code)) result.logStartOffset = p.logStartOffset;
      if (err instanceof ReplicationError && err.recordErrors.length > 0) {
        result.recordErrors = err.recordErrors.map((r) => ({ batchIndex: r.batchIndex, message: r.message }));
      }
      return { result, requiredOffset: -1 };
    }
  }

  // ---- Fetch ------------------------------------------------------------------------------------

  /**
   * Reads each partition (consumers below the HW, or the LSO for read_committed; followers up to
   * the LEO, recording their fetch offsets). Answers at once when maxWaitMs ≤ 0, minBytes are
   * there, or any partition failed; otherwise parks a DelayedFetch until minBytes arrive or
   * maxWaitMs passes, and then reads again. Results come in the order of `partitions`.
   */
  async fetchMessages(req: FetchMessagesRequest): Promise<FetchPartitionResult[]> {
    const isolation = isolationOf(req.replicaId, req.isolationLevel);
    const requireLeader = req.replicaId !== DEBUGGING_REPLICA_ID;
    const first = await this.readFromLocalLog(req, isolation, requireLeader);
    if (req.maxWaitMs <= 0 || req.partitions.length === 0 || first.bytes >= req.minBytes || first.anyError) {
      return first.results;
    }
    return new Promise<FetchPartitionResult[]>((resolve) => {
      const op = new DelayedFetch(req.maxWaitMs, {
        statuses: first.statuses,
        minBytes: req.minBytes,
        isolation,
        requireLeader,
        ctx: this,
        respond: () => {
          this.readFromLocalLog(req, isolation, requireLeader).then(
            (r) => resolve(r.results),
            (e: unknown) => resolve(req.partitions.map((pr) => failedFetch(pr, errorCodeOf(e), errorMessageOf(e)))),
          );
        },
      });
      this.fetchPurgatory.tryCompleteElseWatch(
        op,
        first.statuses.map((s) => s.partition.key),
      );
    });
  }

  /**
   * One pass over the fetch's partitions, in order, with the KIP-74 byte budget: each partition
   * reads at most min(partitionMaxBytes, what is left of maxBytes); the first batch of the first
   * partition that returns data comes whole even if larger; after that nothing exceeds the budget.
   */
  private async readFromLocalLog(
    req: FetchMessagesRequest,
    isolation: FetchIsolation,
    requireLeader: boolean,
  ): Promise<LocalRead> {
    const results: FetchPartitionResult[] = [];
    const statuses: FetchPartitionStatus[] = [];
    let budget = req.maxBytes;
    let minOneBatch = true;
    let bytes = 0;
    let anyError = false;
    for (const pr of req.partitions) {
      const p = this.partitions.get(partitionKey(pr.topic, pr.partition));
      if (p === undefined) {
        results.push(
          failedFetch(pr, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${pr.topic}-${pr.partition} is not hosted here`),
        );
        anyError = true;
        continue;
      }
      const counterAtRead = p.visibleBytes(isolation);
      try {
        const r = await p.fetchRecords({
          fetchOffset: pr.fetchOffset,
          maxBytes: Math.max(0, Math.min(pr.partitionMaxBytes, budget)),
          minOneBatch,
          isolation,
          currentLeaderEpoch: pr.currentLeaderEpoch,
          requireLeader,
          replicaId: req.replicaId,
          followerLogStartOffset: pr.logStartOffset,
        });
        const n = r.records.length;
        if (n > 0) minOneBatch = false;
        budget = Math.max(0, budget - n);
        bytes += n;
        statuses.push({ request: pr, partition: p, bytesRead: n, counterAtRead });
        results.push({
          topic: pr.topic,
          partition: pr.partition,
          errorCode: ErrorCode.NONE,
          highWatermark: r.highWatermark,
          lastStableOffset: r.lastStableOffset,
          logStartOffset: r.logStartOffset,
          records: r.records,
          abortedTransactions: isolation === 'txnCommitted' ? [] : null,
        });
      } catch (e) {
        results.push(failedFetch(pr, errorCodeOf(e), errorMessageOf(e)));
        anyError = true;
      }
    }
    return { results, statuses, bytes, anyError };
  }

  // ---- Lookups and admin (replica-lookups.ts) ----------------------------------------------------

  listOffsets(req: ListOffsetsRequest): ListOffsetsPartitionResult[] {
    return this.lookups.listOffsets(req);
  }

  legacyListOffsets(req: ListOffsetsRequest): LegacyListOffsetsPartitionResult[] {
    return this.lookups.legacyListOffsets(req);
  }

  offsetForLeaderEpoch(
    replicaId: number,
    partitions: readonly OffsetForLeaderEpochPartitionRequest[],
  ): OffsetForLeaderEpochPartitionResult[] {
    return this.lookups.offsetForLeaderEpoch(replicaId, partitions);
  }

  deleteRecords(
    partitions: readonly DeleteRecordsPartitionRequest[],
    allowInternalTopics = false,
  ): Promise<DeleteRecordsPartitionResult[]> {
    return this.lookups.deleteRecords(partitions, allowInternalTopics);
  }

  describeLogDirs(topics: readonly { topic: string; partitions: readonly number[] }[] | null): LogDirDescription[] {
    return this.lookups.describeLogDirs(topics);
  }

  // ---- Housekeeping -----------------------------------------------------------------------------

  /** Drops idle producer ids from every partition; returns how many. */
  removeExpiredProducers(): number {
    const now = this.clock.now();
    let n = 0;
    for (const p of this.partitions.values()) n += p.removeExpiredProducers(now);
    if (n > 0) this.logger.info(`expired ${n} idle producer ids`);
    return n;
  }

  /**
   * Clean stop: refuses new work, answers every waiting request (produces still waiting time
   * out, fetches return what is there), then closes each partition (snapshots at the LEO).
   */
  /**
   * For shutdown: every parked request is answered now (a fetch with what is there, a produce
   * waiting for acks with what it has) and no new one parks, so closing connections does not
   * wait out their max wait. The partitions stay open for requests already running.
   */
  releaseWaitingRequests(): void {
    this.producePurgatory.close();
    this.fetchPurgatory.close();
  }

  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.expirationTimer?.cancel();
    this.expirationTimer = null;
    await Promise.allSettled([...this.opening.values()]);
    this.producePurgatory.close();
    this.fetchPurgatory.close();
    await Promise.all(
      [...this.partitions.values()].map((p) =>
        p.close().catch((e: unknown) => this.logger.error(`closing ${p.name} failed: ${errorMessageOf(e)}`)),
      ),
    );
  }
}

function isolationOf(replicaId: number, isolationLevel: number): FetchIsolation {
  if (replicaId >= 0) return 'logEnd';
  return isolationLevel === 1 ? 'txnCommitted' : 'highWatermark';
}

function failedAppend(e: ProduceEntry, errorCode: number, message: string): ProducePartitionResult {
  return {
    topic: e.topic,
    partition: e.partition,
    errorCode,
    baseOffset: -1,
    logAppendTime: -1,
    logStartOffset: -1,
    errorMessage: message,
  };
}

function failedFetch(pr: FetchPartitionRequest, errorCode: number, message: string): FetchPartitionResult {
  return {
    topic: pr.topic,
    partition: pr.partition,
    errorCode,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    records: EMPTY,
    abortedTransactions: null,
    errorMessage: message,
  };
}
