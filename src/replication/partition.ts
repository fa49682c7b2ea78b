/**
 * One topic-partition hosted on this broker: its Log plus what replication adds on top — the
 * role (leader or follower), leader epoch, replicas and ISR, the high watermark (HW), the leader
 * epoch cache and the idempotent-producer state.
 *
 * States (role), with what each accepts:
 *
 *   NONE ──makeLeader──▶ LEADER ◀──makeLeader / makeFollower──▶ FOLLOWER
 *     │                    │                                        │
 *     └────────────────────┴──────────── close() ──────────────────┴──▶ CLOSED
 *
 * - NONE: opened (log, epochs, producer state loaded) but not told its role yet; every client
 *   call fails with NOT_LEADER_OR_FOLLOWER.
 * - LEADER: client appends (stamped with the leader epoch), consumer and follower fetches,
 *   ListOffsets, DeleteRecords. Tracks each follower's log end offset (LEO) from its fetches and
 *   moves the HW to the smallest LEO in the ISR (with ISR = [self], HW = LEO after each append).
 * - FOLLOWER: only appendRecordsAsFollower (the replica fetcher of the replication issue) and
 *   updateFollowerHighWatermark; clients get NOT_LEADER_OR_FOLLOWER.
 * - CLOSED: broker shutdown or partition deletion; every call fails with NOT_LEADER_OR_FOLLOWER.
 * A leadership change must not lower the leader epoch (STALE_LEADER_EPOCH); a new epoch is
 * recorded in the epoch cache at the current LEO.
 *
 * Offsets: log start ≤ HW ≤ LEO; last stable offset (LSO) = min(HW, first offset of the oldest
 * open transaction) = HW until transactions exist. Consumers read below the HW (read_committed:
 * below the LSO); followers read up to the LEO.
 *
 * Changes other requests wait for are reported to the PartitionListener (the ReplicaManager),
 * which wakes the purgatories: HW advanced (acks=all produces, consumer fetches), LEO advanced
 * (follower fetches).
 */
import type { Clock } from '../common/clock.ts';
import type { Logger } from '../common/logger.ts';
import { BatchCursor } from '../protocol/records/batch-cursor.ts';
import { StorageError } from '../storage/errors.ts';
import type { FileIO } from '../storage/file-io.ts';
import type { AppendResult, Log } from '../storage/log.ts';
import { ProducerSnapshotFiles } from '../storage/producer-state-snapshot.ts';
import { ReplicationError, type ReplicationErrorCode } from './errors.ts';
import { type EpochEndOffset, LeaderEpochCache } from './leader-epoch-cache.ts';
import {
  EARLIEST_LOCAL_TIMESTAMP,
  EARLIEST_TIMESTAMP,
  type FetchIsolation,
  LATEST_TIERED_TIMESTAMP,
  LATEST_TIMESTAMP,
  type LeaderAndIsr,
  type LeaderAppendResult,
  MAX_TIMESTAMP,
  type PartitionReadOptions,
  type PartitionReadResult,
  partitionKey,
  type TimestampOffset,
} from './partition-types.ts';
import { applyLoggedBatches, validateProduced } from './producer-batches.ts';
import { ProducerStateManager, type Reservation } from './producer-state.ts';
import { ProducerStateStore } from './producer-state-store.ts';
import { ReplicaSet } from './replica-set.ts';

export * from './partition-types.ts';

export interface PartitionListener {
  /** The HW moved up (or more bytes became visible below it). */
  onHighWatermarkAdvanced(p: Partition): void;
  /** The LEO moved up without the HW moving. */
  onLogEndOffsetAdvanced(p: Partition): void;
}

export interface PartitionOptions {
  log: Log;
  brokerId: number;
  clock: Clock;
  logger: Logger;
  io: FileIO;
  producerIdExpirationMs: number;
  listener?: PartitionListener;
  /** A HW known from before (a future replication-offset-checkpoint); the log start offset otherwise. */
  initialHighWatermark?: number;
}

type Role = 'none' | 'leader' | 'follower' | 'closed';

const NO_LISTENER: PartitionListener = { onHighWatermarkAdvanced() {}, onLogEndOffsetAdvanced() {} };
const EMPTY: Buffer = Buffer.alloc(0);

export class Partition {
  readonly topic: string;
  readonly partition: number;
  /** `topic-partition`: the partitions map key and the purgatory watch key. */
  readonly key: string;
  readonly log: Log;
  readonly brokerId: number;
  readonly epochCache: LeaderEpochCache;
  readonly producerState: ProducerStateManager;
  private readonly store: ProducerStateStore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private listener: PartitionListener;
  private role: Role = 'none';
  private leader = -1;
  private epoch = -1;
  private readonly replicaSet: ReplicaSet;
  private appending = 0;
  private idleWaiters: (() => void)[] = [];
  private knownActiveBase: number;
  // Bytes appended since open, and (end offset, bytes) marks not yet below the HW: DelayedFetch
  // counts newly visible bytes with these instead of translating offsets into file positions.
  private leoBytes = 0;
  private hwBytes = 0;
  private readonly marks: number[] = [];

  private constructor(opts: PartitionOptions) {
    const log = opts.log;
    this.topic = log.topic;
    this.partition = log.partition;
    this.key = partitionKey(log.topic, log.partition);
    this.log = log;
    this.brokerId = opts.brokerId;
    this.replicaSet = new ReplicaSet(opts.brokerId);
    this.clock = opts.clock;
    this.logger = opts.logger;
    this.listener = opts.listener ?? NO_LISTENER;
    this.epochCache = LeaderEpochCache.load(opts.io, log.dir, opts.logger);
    this.producerState = new ProducerStateManager(log.name, opts.producerIdExpirationMs);
    log.activeProducerLastOffsets = () => this.producerState.lastDataOffsets();
    this.store = new ProducerStateStore({
      files: new ProducerSnapshotFiles(opts.io, log.dir),
      state: this.producerState,
      epochs: this.epochCache,
      log,
      clock: opts.clock,
      logger: opts.logger,
    });
    this.knownActiveBase = log.activeSegment.baseOffset;
    log.updateHighWatermark(opts.initialHighWatermark ?? log.logStartOffset);
  }

  /** Loads the epoch cache and producer state of an open log (replaying its tail if needed). */
  static async open(opts: PartitionOptions): Promise<Partition> {
    const p = new Partition(opts);
    p.epochCache.truncateFromEnd(opts.log.logEndOffset);
    p.epochCache.truncateFromStart(opts.log.logStartOffset);
    await p.store.load();
    return p;
  }

  get name(): string {
    return this.key;
  }
  get isLeader(): boolean {
    return this.role === 'leader';
  }
  get isFollower(): boolean {
    return this.role === 'follower';
  }
  get isClosed(): boolean {
    return this.role === 'closed';
  }
  get isOffline(): boolean {
    return this.log.isOffline;
  }
  get leaderId(): number {
    return this.leader;
  }
  get leaderEpoch(): number {
    return this.epoch;
  }
  get replicas(): readonly number[] {
    return this.replicaSet.replicas;
  }
  get isr(): readonly number[] {
    return this.replicaSet.isr;
  }
  get highWatermark(): number {
    return this.log.highWatermark;
  }
  get logEndOffset(): number {
    return this.log.logEndOffset;
  }
  get logStartOffset(): number {
    return this.log.logStartOffset;
  }
  get lastStableOffset(): number {
    const hw = this.log.highWatermark;
    const unstable = this.producerState.firstUnstableOffset();
    return unstable === null ? hw : Math.min(hw, unstable);
  }

  setListener(listener: PartitionListener): void {
    this.listener = listener;
  }

  // ---- Leadership -------------------------------------------------------------------------------

  /** Becomes (or stays) leader. Returns false when nothing changed (same epoch, same ISR). */
  makeLeader(s: LeaderAndIsr): boolean {
    this.checkEpochNotStale(s.leaderEpoch);
    const newEpoch = this.role !== 'leader' || s.leaderEpoch !== this.epoch;
    const changed = newEpoch || !this.replicaSet.sameIsr(s.isr);
    this.role = 'leader';
    this.leader = this.brokerId;
    this.epoch = s.leaderEpoch;
    this.replicaSet.reset(s.replicas, s.isr, newEpoch);
    if (newEpoch) {
      this.epochCache.assign(s.leaderEpoch, this.log.logEndOffset);
      this.logger.info(
        `${this.name}: leader at epoch ${s.leaderEpoch}, ISR [${s.isr.join(',')}], LEO ${this.logEndOffset}`,
      );
    }
    if (this.maybeIncrementLeaderHighWatermark()) this.listener.onHighWatermarkAdvanced(this);
    return changed;
  }

  /** Becomes (or stays) a follower of `s.leader`. Returns false when nothing changed. */
  makeFollower(s: LeaderAndIsr): boolean {
    this.checkEpochNotStale(s.leaderEpoch);
    const changed = this.role !== 'follower' || s.leaderEpoch !== this.epoch || s.leader !== this.leader;
    this.role = 'follower';
    this.leader = s.leader;
    this.epoch = s.leaderEpoch;
    this.replicaSet.reset(s.replicas, s.isr, true);
    this.replicaSet.clearFollowers();
    if (changed) this.logger.info(`${this.name}: follower of broker ${s.leader} at epoch ${s.leaderEpoch}`);
    return changed;
  }

  private checkEpochNotStale(epoch: number): void {
    if (this.role === 'closed') throw this.notLeader();
    if (epoch < this.epoch) {
      throw new ReplicationError(
        'STALE_LEADER_EPOCH',
        `${this.name}: leader epoch ${epoch} is older than the current ${this.epoch}`,
      );
    }
  }

  // ---- Appends ----------------------------------------------------------------------------------

  /**
   * Appends a produced buffer of whole batches as the leader. The batches are validated first
   * (validateProduced: base offset, size, CRC, counts), then idempotent batches are checked
   * against the producer state; a retry of one of a producer's last 5 batches returns its
   * original offsets and writes nothing (and, as Kafka, that batch's timestamp as the append time). The check and the queueing of the append happen in the
   * same tick, so racing retries are serialized by the log's queue order (see producer-state.ts).
   */
  async appendRecordsToLeader(
    records: Buffer,
    requiredAcks: number,
    minInsyncReplicas: number,
  ): Promise<LeaderAppendResult> {
    const config = this.log.config;
    const batches = validateProduced(
      records,
      config.maxMessageBytes,
      config.cleanupPolicy === 'delete' ? null : this.name,
    );
    for (;;) {
      if (this.role !== 'leader') throw this.notLeader();
      if (requiredAcks === -1 && this.replicaSet.isrSize < minInsyncReplicas) {
        throw new ReplicationError(
          'NOT_ENOUGH_REPLICAS',
          `${this.name}: ISR [${this.isr.join(',')}] is smaller than min.insync.replicas=${minInsyncReplicas}`,
        );
      }
      if (batches === null) return this.write(records, null);
      const r = this.producerState.prepare(batches);
      if (r.kind === 'append') return this.write(records, r.reservation);
      if (r.kind === 'reject') throw r.error;
      if (r.kind === 'duplicate') {
        return {
          firstOffset: r.batch.firstOffset,
          lastOffset: r.batch.lastOffset,
          logAppendTime: r.batch.timestamp,
          logStartOffset: this.log.logStartOffset,
          recordCount: 0,
          duplicate: true,
        };
      }
      // The same batch is in the log's queue right now: wait for it, then look again.
      await r.until;
    }
  }

  private write(records: Buffer, reservation: Reservation | null): Promise<LeaderAppendResult> {
    this.appending++;
    return this.log.append(records, { leaderEpoch: this.epoch, validated: true }).then(
      (res) => {
        if (reservation !== null) this.producerState.complete(reservation, res.firstOffset, res.logAppendTime);
        this.afterAppend(res, records.length);
        this.appendDone();
        return { ...res, duplicate: false };
      },
      (e: unknown) => {
        if (reservation !== null) this.producerState.abort(reservation);
        this.appendDone();
        throw e;
      },
    );
  }

  /**
   * Appends batches copied from the leader (they carry their offsets and epochs). Hook for the
   * replica fetcher: producer state and the epoch cache follow the batch headers.
   */
  async appendRecordsAsFollower(fetched: Buffer): Promise<AppendResult> {
    if (this.role !== 'follower') throw this.notLeader();
    // A fetch answer may end with part of a batch: keep the whole ones.
    const records = fetched.subarray(0, wholeBatchesLength(fetched));
    this.appending++;
    try {
      const res = await this.log.appendAsFollower(records);
      applyLoggedBatches(records, res.firstOffset, this.producerState, this.epochCache);
      this.afterAppend(res, records.length);
      return res;
    } finally {
      this.appendDone();
    }
  }

  /** A follower learns the leader's HW from its fetch responses. */
  updateFollowerHighWatermark(leaderHighWatermark: number): void {
    if (this.role !== 'follower') return;
    const hw = Math.min(leaderHighWatermark, this.log.logEndOffset);
    if (hw > this.log.highWatermark) {
      this.log.updateHighWatermark(hw);
      this.advanceHighWatermarkBytes();
      this.listener.onHighWatermarkAdvanced(this);
    }
  }

  private afterAppend(res: AppendResult, bytes: number): void {
    if (res.lastOffset >= 0) this.producerState.updateMapEndOffset(res.lastOffset + 1);
    this.leoBytes += bytes;
    this.marks.push(res.lastOffset + 1, this.leoBytes);
    const hwMoved = this.role === 'leader' && this.maybeIncrementLeaderHighWatermark();
    const bytesMoved = this.advanceHighWatermarkBytes();
    const base = this.log.activeSegment.baseOffset;
    if (base !== this.knownActiveBase) {
      // The log rolled a segment: snapshot the producer state so a restart replays less.
      this.knownActiveBase = base;
      void this.store.snapshot();
    }
    if (hwMoved || bytesMoved) this.listener.onHighWatermarkAdvanced(this);
    else this.listener.onLogEndOffsetAdvanced(this);
  }

  private appendDone(): void {
    if (--this.appending === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** HW = the smallest LEO in the ISR (our own included); it only moves up. */
  private maybeIncrementLeaderHighWatermark(): boolean {
    const hw = this.replicaSet.highWatermarkBound(this.log.logEndOffset);
    if (hw <= this.log.highWatermark) return false;
    this.log.updateHighWatermark(hw);
    return true;
  }

  /** Moves the marks now below the HW into hwBytes; true if any did. */
  private advanceHighWatermarkBytes(): boolean {
    const hw = this.log.highWatermark;
    const m = this.marks;
    let i = 0;
    while (i < m.length && m[i]! <= hw) i += 2;
    if (i === 0) return false;
    this.hwBytes = m[i - 1]!;
    m.splice(0, i);
    return true;
  }

  /**
   * Acks=all: has every ISR member got everything below `requiredOffset`? `done` with no error
   * once the HW passed it (NOT_ENOUGH_REPLICAS_AFTER_APPEND if the ISR is now below the minimum);
   * an error when we stopped leading.
   */
  checkEnoughReplicasReachOffset(
    requiredOffset: number,
    minInsyncReplicas: number,
  ): { done: boolean; error: ReplicationErrorCode | null } {
    if (this.role !== 'leader') return { done: true, error: 'NOT_LEADER_OR_FOLLOWER' };
    if (this.log.highWatermark < requiredOffset) return { done: false, error: null };
    if (this.replicaSet.isrSize < minInsyncReplicas) return { done: true, error: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND' };
    return { done: true, error: null };
  }

  // ---- Reads ------------------------------------------------------------------------------------

  /** Throws what a read or lookup must fail with: closed, offline, fenced epoch, not leader. */
  checkReadable(currentLeaderEpoch: number | undefined, requireLeader: boolean): void {
    if (this.role === 'closed') throw this.notLeader();
    if (this.log.isOffline) throw new StorageError('LOG_OFFLINE', `${this.name} is offline`);
    if (currentLeaderEpoch !== undefined && currentLeaderEpoch >= 0 && currentLeaderEpoch !== this.epoch) {
      throw currentLeaderEpoch < this.epoch
        ? new ReplicationError('FENCED_LEADER_EPOCH', `${this.name}: epoch ${currentLeaderEpoch} < ours ${this.epoch}`)
        : new ReplicationError(
            'UNKNOWN_LEADER_EPOCH',
            `${this.name}: epoch ${currentLeaderEpoch} > ours ${this.epoch}`,
          );
    }
    if (requireLeader && this.role !== 'leader') throw this.notLeader();
  }

  /** The offset a read with this isolation stops before. */
  limitOffset(isolation: FetchIsolation): number {
    if (isolation === 'logEnd') return this.log.logEndOffset;
    return isolation === 'highWatermark' ? this.log.highWatermark : this.lastStableOffset;
  }

  /** Bytes appended since open that a read with this isolation may see (DelayedFetch's counter). */
  visibleBytes(isolation: FetchIsolation): number {
    return isolation === 'logEnd' ? this.leoBytes : this.hwBytes;
  }

  /** Base offset of the segment holding `offset` (DelayedFetch completes reads of older segments). */
  segmentBaseOffsetOf(offset: number): number {
    const segs = this.log.segments;
    let lo = 0;
    let hi = segs.length - 1;
    let found = segs[0]?.baseOffset ?? 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const base = segs[mid]!.baseOffset;
      if (base <= offset) {
        found = base;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /**
   * Reads stored batches from `fetchOffset`, below the isolation's limit: `maxBytes` of them,
   * which may end inside a batch (as Kafka's Fetch does; the first batch comes whole when
   * `minOneBatch`). The offsets returned are those captured before the read. A follower's fetch
   * also records its LEO.
   */
  async fetchRecords(o: PartitionReadOptions): Promise<PartitionReadResult> {
    this.checkReadable(o.currentLeaderEpoch, o.requireLeader);
    const highWatermark = this.log.highWatermark;
    const lastStableOffset = this.lastStableOffset;
    const logStartOffset = this.log.logStartOffset;
    const logEndOffset = this.log.logEndOffset;
    if (o.fetchOffset < logStartOffset || o.fetchOffset > logEndOffset) {
      throw new ReplicationError(
        'OFFSET_OUT_OF_RANGE',
        `${this.name}: fetch offset ${o.fetchOffset} is outside [${logStartOffset}, ${logEndOffset}]`,
      );
    }
    const limit =
      o.isolation === 'logEnd' ? logEndOffset : o.isolation === 'highWatermark' ? highWatermark : lastStableOffset;
    let records = EMPTY;
    if (o.fetchOffset < limit && (o.maxBytes > 0 || o.minOneBatch)) {
      // Cut at exactly maxBytes, as Kafka answers: a partial batch may end the bytes.
      records = (await this.log.read(o.fetchOffset, o.maxBytes, limit, o.minOneBatch, false)).records;
    }
    if (o.replicaId >= 0) this.updateFollowerFetchState(o.replicaId, o.fetchOffset, o.followerLogStartOffset ?? -1);
    return { records, highWatermark, lastStableOffset, logStartOffset, logEndOffset };
  }

  /**
   * A follower fetched from `fetchOffset`: everything below it is on the follower. Moves the HW
   * when the follower is in the ISR. (ISR expansion and shrinking arrive with replication; they
   * start from lastCaughtUpTimeMs here.)
   */
  updateFollowerFetchState(replicaId: number, fetchOffset: number, logStartOffset: number): boolean {
    if (this.role !== 'leader') throw this.notLeader();
    if (!this.replicaSet.recordFetch(replicaId, fetchOffset, logStartOffset, this.log.logEndOffset, this.clock.now())) {
      throw new ReplicationError('NOT_LEADER_OR_FOLLOWER', `${this.name}: broker ${replicaId} is not a replica`);
    }
    const moved = this.maybeIncrementLeaderHighWatermark();
    if (moved) {
      this.advanceHighWatermarkBytes();
      this.listener.onHighWatermarkAdvanced(this);
    }
    return moved;
  }

  /** A follower's LEO as last reported by its fetches (-1 before its first fetch). */
  followerLogEndOffset(replicaId: number): number {
    return this.replicaSet.follower(replicaId)?.logEndOffset ?? -1;
  }

  /**
   * ListOffsets: earliest, latest (the isolation's limit), max timestamp, or the first offset
   * with a timestamp ≥ `timestamp` — only below the isolation's limit; null when none.
   * OFFSET_NOT_AVAILABLE while a new leader's HW is still below the start of its epoch.
   */
  fetchOffsetForTimestamp(
    timestamp: number,
    isolation: FetchIsolation,
    currentLeaderEpoch: number | undefined,
    requireLeader: boolean,
  ): TimestampOffset | null {
    this.checkReadable(currentLeaderEpoch, requireLeader);
    const lastFetchable = this.limitOffset(isolation);
    const epochStart = this.role === 'leader' ? this.epochCache.startOffsetOf(this.epoch) : -1;
    const lagging = isolation !== 'logEnd' && epochStart > this.log.highWatermark;
    const notAvailable = (): ReplicationError =>
      new ReplicationError('OFFSET_NOT_AVAILABLE', `${this.name}: the HW has not reached epoch ${this.epoch}'s start`);
    switch (timestamp) {
      case LATEST_TIMESTAMP:
        if (lagging) throw notAvailable();
        return { timestamp: -1, offset: lastFetchable, leaderEpoch: this.epoch };
      case EARLIEST_TIMESTAMP:
      case EARLIEST_LOCAL_TIMESTAMP: {
        const offset = this.log.logStartOffset;
        return { timestamp: -1, offset, leaderEpoch: this.epochCache.epochForOffset(offset) };
      }
      case LATEST_TIERED_TIMESTAMP:
        return null;
    }
    let found = this.log.fetchOffset(timestamp === MAX_TIMESTAMP ? 'maxTimestamp' : { timestamp });
    if (timestamp === MAX_TIMESTAMP && found !== null && found.timestamp >= 0) {
      // The segment knows the batch with the max timestamp; Kafka answers its first record that has it.
      found = this.log.fetchOffset({ timestamp: found.timestamp }) ?? found;
    }
    if (found === null || found.offset < 0 || found.offset >= lastFetchable) {
      if (lagging) throw notAvailable();
      return null;
    }
    return {
      timestamp: found.timestamp,
      offset: found.offset,
      leaderEpoch: this.epochCache.epochForOffset(found.offset),
    };
  }

  /**
   * ListOffsets v0 (see Log.legacyOffsetsBefore). A consumer is never told of an offset above the
   * HW: those are replaced by the HW.
   */
  legacyOffsetsForTimestamp(
    timestamp: number,
    maxNumOffsets: number,
    fromConsumer: boolean,
    requireLeader: boolean,
  ): number[] {
    this.checkReadable(undefined, requireLeader);
    const offsets = this.log.legacyOffsetsBefore(timestamp, maxNumOffsets);
    if (!fromConsumer) return offsets;
    const hw = this.log.highWatermark;
    if (offsets.length === 0 || offsets[0]! <= hw) return offsets;
    const below = offsets.findIndex((o) => o <= hw);
    return [hw, ...(below < 0 ? [] : offsets.slice(below))];
  }

  /** OffsetForLeaderEpoch: the end offset of `leaderEpoch` (or the largest epoch below it). */
  lastOffsetForLeaderEpoch(
    currentLeaderEpoch: number | undefined,
    leaderEpoch: number,
    requireLeader: boolean,
  ): EpochEndOffset {
    this.checkReadable(currentLeaderEpoch, requireLeader);
    return this.epochCache.endOffsetFor(leaderEpoch, this.log.logEndOffset);
  }

  /**
   * DeleteRecords on the leader: moves the log start offset to `offset` (-1: to the HW). Beyond
   * the HW, or negative, is OFFSET_OUT_OF_RANGE; compact-only topics refuse (POLICY_VIOLATION).
   * Returns the new log start offset (the low watermark while there are no followers).
   */
  async deleteRecordsOnLeader(offset: number): Promise<number> {
    this.checkReadable(undefined, true);
    if (this.log.config.cleanupPolicy === 'compact') {
      throw new ReplicationError('POLICY_VIOLATION', `records of compacted ${this.name} cannot be deleted`);
    }
    const hw = this.log.highWatermark;
    const target = offset === -1 ? hw : offset;
    if (target < 0 || target > hw) {
      throw new ReplicationError(
        'OFFSET_OUT_OF_RANGE',
        `${this.name}: cannot delete before ${target}; the HW is ${hw}`,
      );
    }
    const start = await this.log.deleteRecordsBefore(target);
    this.epochCache.truncateFromStart(start);
    return start;
  }

  /** Drops producers idle for producer.id.expiration.ms; returns how many. */
  removeExpiredProducers(now: number): number {
    return this.producerState.removeExpired(now);
  }

  // ---- Lifecycle --------------------------------------------------------------------------------

  /**
   * Clean close: refuses new calls, waits for appends in flight, then writes the producer state
   * snapshot at the LEO and waits for the epoch checkpoint. The log itself stays open (the
   * LogManager closes it).
   */
  async close(): Promise<void> {
    this.role = 'closed';
    if (this.appending > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (!this.log.isOffline) await this.store.snapshot();
    await this.store.flushed();
    await this.epochCache.flushed();
  }

  /** For deletion: refuses new calls and waits for pending appends and metadata writes. */
  async stop(): Promise<void> {
    this.role = 'closed';
    if (this.appending > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await this.store.flushed();
    await this.epochCache.flushed();
  }

  /** Writes a producer state snapshot now (tests; the broker does it at roll and at close). */
  snapshotProducerState(): Promise<void> {
    return this.store.snapshot();
  }

  private notLeader(): ReplicationError {
    const why =
      this.role === 'closed'
        ? 'is closed'
        : this.role === 'none'
          ? 'has no leader yet'
          : `is led by broker ${this.leader}`;
    return new ReplicationError('NOT_LEADER_OR_FOLLOWER', `${this.name} ${why} (this is broker ${this.brokerId})`);
  }
}

/** Bytes of the whole log entries at the start of `records` (a fetch answer may end inside one). */
function wholeBatchesLength(records: Buffer): number {
  const c = new BatchCursor(records);
  let end = 0;
  while (c.next()) end = c.position + c.size;
  return end;
}
