/**
 * The log of one topic-partition: an ordered list of segments in `<log.dir>/<topic>-<partition>/`
 * that only grows at its tail (the active segment) and loses whole segments at its head.
 *
 * Offsets, lowest to highest:
 *   log start offset ≤ recovery point ≤ log end offset (LEO)   and   high watermark ≤ LEO
 * - log start offset: the first readable offset (moved by retention and DeleteRecords);
 * - recovery point: everything below it is fsynced; recovery after a crash starts there;
 * - LEO: the offset the next appended record gets; only completed writes count.
 *
 * Concurrency: every change (append, roll, truncate, segment deletion, compaction swap) goes
 * through one LogTaskQueue, so they never interleave; consecutive appends share one write, and
 * up to three such writes are in flight, completing in order (the LEO moves as each completes;
 * offsets are assigned past the writes in flight). Anything but an append, including a roll,
 * waits until no write is in flight.
 * Pieces elsewhere: append-batches.ts (header and CRC checks, stamping offsets), log-loader.ts
 * (open and recovery), log-retention.ts (what retention deletes), log-offset-lookups.ts
 * (ListOffsets), tail-writer.ts (the writes in flight).
 * Reads and flushes run beside the queue. A read is bounded by the segment sizes at the moment it
 * starts, which count only completed writes, and it holds its segment (retain/release) until its
 * bytes are in memory, so neither an append nor a deletion changes what it sees.
 *
 * Lifecycle: `Log.open` (load + recovery) → serving → `close()` (waits for queued work, writes
 * indexes, closes files) or `delete()`. After an I/O failure that could not be undone the log is
 * offline: every call fails with LOG_OFFLINE until it is reopened.
 */

import { type Clock, systemClock, type Timer } from '../common/clock.ts';
import { analyzeAppend, checkAppendCrcs, type PendingAppend, stampAppend } from './append-batches.ts';
import type { LogConfig } from './config.ts';
import { StorageError } from './errors.ts';
import { type FileIO, nodeFileIO } from './file-io.ts';
import { loadLog } from './log-loader.ts';
import {
  legacyOffsetsBefore,
  maxTimestampAndOffset,
  offsetForTimestamp,
  type TimestampAndOffset,
} from './log-offset-lookups.ts';
import { planRetention } from './log-retention.ts';
import { DELETED_SUFFIX, type LogSegment, LogSegment as Segment, type SegmentEnv } from './log-segment.ts';
import { LogTaskQueue } from './log-task-queue.ts';
import { type StorageLogger, stderrLogger } from './logger.ts';

export interface LogOptions {
  dir: string;
  topic: string;
  partition: number;
  config: LogConfig;
  clock?: Clock;
  io?: FileIO;
  logger?: StorageLogger;
  /** From the recovery-point checkpoint; 0 when unknown (everything is recovered). */
  recoveryPoint?: number;
  /** From the log-start-offset checkpoint. */
  logStartOffset?: number;
  /** The log dir had the clean-shutdown marker: skip recovery. */
  hadCleanShutdown?: boolean;
}

export interface AppendResult {
  firstOffset: number;
  lastOffset: number;
  /** The broker time stamped on the batches with LogAppendTime, else -1. */
  logAppendTime: number;
  logStartOffset: number;
  /** Records appended (sum of the batches' record counts). */
  recordCount: number;
}

export interface ReadResult {
  /** Whole batches as stored; empty when there is nothing to return. */
  records: Buffer;
  logStartOffset: number;
  logEndOffset: number;
}

export type { TimestampAndOffset } from './log-offset-lookups.ts';

/** What ListOffsets asks for. */
export type OffsetSpec = 'earliest' | 'latest' | 'maxTimestamp' | { timestamp: number };

export class Log {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  private _config: LogConfig;
  private readonly clock: Clock;
  private readonly io: FileIO;
  private readonly logger: StorageLogger;
  private readonly env: SegmentEnv;
  private readonly queue: LogTaskQueue;
  private segs: LogSegment[];
  private _logEndOffset: number;
  private _logStartOffset: number;
  private _recoveryPoint: number;
  private _highWatermark: number | null = null;
  private lastFlushTime: number;
  /** Bumped by every truncation, so a flush that raced one does not move the recovery point. */
  private truncations = 0;
  private offline: StorageError | null = null;
  private closed = false;
  private readonly pendingDeletes = new Map<LogSegment, Timer>();
  private readonly rollJitterMs: number;
  /** The recovery point may not pass this offset: where a read found damage (see needsRecovery). */
  private recoveryCap = Number.POSITIVE_INFINITY;
  /**
   * Active producer id → offset of its last data batch, from whoever tracks producers (the
   * replication layer sets it). The cleaner keeps those batches, emptied if need be, so the
   * producers' sequence state survives compaction.
   */
  activeProducerLastOffsets: (() => ReadonlyMap<number, number>) | null = null;
  /** The offset the next issued append gets while writes are in flight (the LEO counts only completed ones). */
  private nextOffset = 0;
  /** Set while runAppends is issuing writes, so the next group's runAppends issues after it. */
  private issuing: Promise<void> | null = null;

  private constructor(opts: LogOptions) {
    this.topic = opts.topic;
    this.partition = opts.partition;
    this.dir = opts.dir;
    this._config = opts.config;
    this.clock = opts.clock ?? systemClock;
    this.io = opts.io ?? nodeFileIO;
    this.logger = opts.logger ?? stderrLogger;
    this.env = {
      io: this.io,
      clock: this.clock,
      dir: opts.dir,
      config: this._config,
      logger: this.logger,
      onCorruptBatch: (base) => this.corruptionFound(base),
    };
    const loaded = loadLog(this.env, {
      recoveryPoint: opts.recoveryPoint ?? 0,
      logStartOffset: opts.logStartOffset ?? 0,
      hadCleanShutdown: opts.hadCleanShutdown ?? false,
      maxBatchBytes: Math.max(opts.config.maxMessageBytes, opts.config.segmentBytes),
    });
    this.segs = loaded.segments;
    this._logEndOffset = loaded.logEndOffset;
    this._logStartOffset = loaded.logStartOffset;
    this._recoveryPoint = loaded.recoveryPoint;
    this.lastFlushTime = this.clock.monotonic();
    this.rollJitterMs = opts.config.segmentJitterMs > 0 ? Math.floor(Math.random() * opts.config.segmentJitterMs) : 0;
    this.queue = new LogTaskQueue(
      `${opts.topic}-${opts.partition}`,
      (g) => this.runAppends(g as PendingAppend[]),
      (a) => checkAppendCrcs(a as PendingAppend),
    );
  }

  /** Opens (and if needed recovers) the log in `opts.dir`, which must exist. */
  static open(opts: LogOptions): Log {
    return new Log(opts);
  }

  get config(): LogConfig {
    return this._config;
  }
  get logEndOffset(): number {
    return this._logEndOffset;
  }
  get logStartOffset(): number {
    return this._logStartOffset;
  }
  get recoveryPoint(): number {
    return this._recoveryPoint;
  }
  /** The high watermark set by replication; the LEO while nobody sets one. */
  get highWatermark(): number {
    return this._highWatermark ?? this._logEndOffset;
  }
  get segments(): readonly LogSegment[] {
    return this.segs;
  }
  get activeSegment(): LogSegment {
    return this.segs[this.segs.length - 1]!;
  }
  /** Bytes in all segments. */
  get size(): number {
    let n = 0;
    for (const s of this.segs) n += s.size;
    return n;
  }
  get isOffline(): boolean {
    return this.offline !== null;
  }
  /**
   * A read found a batch damaged on disk: the recovery point stays below it, and the next start
   * must run recovery (the log manager leaves out the clean-shutdown marker).
   */
  get needsRecovery(): boolean {
    return this.recoveryCap !== Number.POSITIVE_INFINITY;
  }

  private corruptionFound(segmentBaseOffset: number): void {
    this.recoveryCap = Math.min(this.recoveryCap, segmentBaseOffset);
    if (this._recoveryPoint > this.recoveryCap) this._recoveryPoint = Math.max(this.recoveryCap, this._logStartOffset);
  }

  updateConfig(config: LogConfig): void {
    this._config = config;
    this.env.config = config;
  }

  updateHighWatermark(hw: number): void {
    this._highWatermark = Math.min(Math.max(hw, this._logStartOffset), this._logEndOffset);
  }

  // ---- Appending --------------------------------------------------------------------------------

  /**
   * Appends `records` (one or more whole RecordBatch v2, as received) as the leader: validates
   * each batch header and CRC (unless `validated`: the caller ran validateBatch on every batch
   * and checked it against max.message.bytes already), assigns offsets from the LEO by rewriting base offsets in place (the buffer is
   * modified), stamps `leaderEpoch` if given, and writes them.
   */
  append(records: Buffer, opts: { leaderEpoch?: number; validated?: boolean } = {}): Promise<AppendResult> {
    return this.enqueue(records, false, opts.leaderEpoch, opts.validated === true);
  }

  /** Appends batches that already carry their offsets (a follower copying its leader). */
  appendAsFollower(records: Buffer): Promise<AppendResult> {
    return this.enqueue(records, true, undefined, false);
  }

  private enqueue(
    records: Buffer,
    follower: boolean,
    leaderEpoch: number | undefined,
    validated: boolean,
  ): Promise<AppendResult> {
    try {
      this.checkUsable();
      const a = analyzeAppend(records, follower, validated, this._config.maxMessageBytes);
      if (a.recordCount === 0 && records.length === 0) {
        return Promise.resolve({
          firstOffset: -1,
          lastOffset: -1,
          logAppendTime: -1,
          logStartOffset: this._logStartOffset,
          recordCount: 0,
        });
      }
      return new Promise<AppendResult>((resolve, reject) => {
        this.queue.pushAppend({
          ...a,
          crcPending: !validated,
          records,
          follower,
          leaderEpoch,
          bytes: records.length,
          resolve: resolve as (v: unknown) => void,
          reject,
        } as PendingAppend);
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Runs in the queue: writes a group of appends, splitting it where the log must roll. The queue
   * may call it again before the previous group's writes completed (see LogTaskQueue): its writes
   * are issued after the previous group's, with offsets following theirs, and complete after them.
   * It issues its first write before its first await when it can, so the write starts before the
   * queue goes on to check the next group's CRCs. Failures are rejected at once; successes are
   * settled by the returned function.
   */
  private async runAppends(group: PendingAppend[]): Promise<() => void> {
    while (this.issuing !== null) await this.issuing;
    const writes: Promise<void>[] = [];
    const done: (() => void)[] = [];
    const rest = this.issueAppends(group, 0, writes, done);
    if (rest !== null) {
      this.issuing = rest;
      try {
        await rest;
      } finally {
        this.issuing = null;
      }
    }
    await Promise.all(writes);
    return () => {
      for (const f of done) f();
    };
  }

  /**
   * Assigns offsets to the appends of `group` from `from` on and starts their writes (pushed on
   * `writes`). Returns null when every write was started, or a promise (never rejecting) of the
   * same when it had to wait for writes in flight first (before a roll, or after a failed write).
   */
  private issueAppends(
    group: PendingAppend[],
    from: number,
    writes: Promise<void>[],
    done: (() => void)[],
  ): Promise<void> | null {
    let i = from;
    let rolled = false;
    const waitThen = (seg: LogSegment): Promise<void> =>
      seg.writesDone().then(() => this.issueAppends(group, i, writes, done) ?? undefined);
    while (i < group.length) {
      if (this.offline !== null || this.closed) {
        for (const a of group.slice(i)) a.reject(this.offline ?? new StorageError('LOG_CLOSED', `${this.name} closed`));
        return null;
      }
      const seg = this.activeSegment;
      // After a failed write, wait until the file is cut back (and the LEO is the truth again).
      if (seg.writeFailing) return waitThen(seg);
      const bufs: Buffer[] = [];
      const batch: PendingAppend[] = [];
      const firsts: number[] = [];
      let bytes = 0;
      let next = seg.writing ? this.nextOffset : this._logEndOffset;
      const now = this.clock.now();
      const appendTime = this._config.messageTimestampType === 'LogAppendTime' ? now : -1;
      let mustRoll = false;
      for (; i < group.length; i++) {
        const a = group[i]!;
        if (a.follower && a.firstBaseOffset < next) {
          a.reject(
            new StorageError('INVALID_OFFSET', `follower append at ${a.firstBaseOffset} is below the log end ${next}`),
          );
          continue;
        }
        const first = a.follower ? a.firstBaseOffset : next;
        const last = a.follower ? a.lastOffset : next + a.offsetCount - 1;
        const maxTs = appendTime >= 0 ? appendTime : a.maxTimestamp;
        // A chunk that starts right after a roll writes its first append into the new segment.
        if (!(rolled && batch.length === 0) && this.shouldRoll(bytes + a.bytes, maxTs, last, now)) {
          mustRoll = true;
          break;
        }
        if (!a.follower) stampAppend(a, next, appendTime);
        bufs.push(a.records);
        batch.push(a);
        firsts.push(first);
        bytes += a.bytes;
        next = last + 1;
      }
      rolled = false;
      if (batch.length > 0) {
        this.nextOffset = next;
        writes.push(this.writeChunk(seg, bufs, bytes, batch, firsts, next, appendTime, done));
      }
      if (!mustRoll) continue;
      // The segment rolls only once every write to it has completed (its indexes are final).
      if (seg.writing) return waitThen(seg);
      const a = group[i]!;
      try {
        this.rollAt(a.follower ? a.firstBaseOffset : this._logEndOffset);
      } catch (e) {
        for (const r of group.slice(i)) r.reject(e);
        return null;
      }
      rolled = true;
    }
    return null;
  }

  /** Writes one chunk of a group into `seg`; settles (never rejects) once it is written or refused. */
  private async writeChunk(
    seg: LogSegment,
    bufs: Buffer[],
    bytes: number,
    batch: PendingAppend[],
    firsts: number[],
    end: number,
    appendTime: number,
    done: (() => void)[],
  ): Promise<void> {
    try {
      await seg.append(bufs, bytes, () => {
        this._logEndOffset = end;
      });
      if (this._logEndOffset - this._recoveryPoint >= this._config.flushMessages) await this.flush();
    } catch (e) {
      if (e instanceof StorageError && e.code === 'LOG_OFFLINE') this.goOffline(e);
      for (const a of batch) a.reject(e);
      return;
    }
    const logStartOffset = this._logStartOffset;
    done.push(() => {
      for (let k = 0; k < batch.length; k++) {
        const a = batch[k]!;
        a.resolve({
          firstOffset: firsts[k]!,
          lastOffset: a.follower ? a.lastOffset : firsts[k]! + a.offsetCount - 1,
          logAppendTime: appendTime,
          logStartOffset,
          recordCount: a.recordCount,
        } satisfies AppendResult);
      }
    });
  }

  /** Kafka's roll conditions for the active segment, given `incoming` more bytes. */
  private shouldRoll(incoming: number, maxTimestamp: number, lastOffset: number, now: number): boolean {
    const seg = this.activeSegment;
    const size = seg.endPosition;
    if (size === 0) return !seg.canHoldOffset(lastOffset) && lastOffset >= seg.baseOffset;
    const c = this._config;
    return (
      size > c.segmentBytes - incoming ||
      size + incoming > 0x7fffffff ||
      seg.timeWaitedForRoll(now, maxTimestamp) > c.segmentMs - this.rollJitterMs ||
      seg.offsetIndex.isFull() ||
      seg.timeIndex.isFull() ||
      !seg.canHoldOffset(lastOffset)
    );
  }

  /** Makes a new active segment at `baseOffset` (in the queue). */
  private rollAt(baseOffset: number): void {
    const old = this.activeSegment;
    if (old.size === 0) {
      if (old.baseOffset === baseOffset) return;
      // An empty active segment at another offset (a follower jumping ahead): replace it.
      this.segs.pop();
      old.deleteFiles();
      old.close();
    } else {
      old.onBecomeInactive();
    }
    this.segs.push(Segment.create(this.env, baseOffset));
    this.logger.info(`${this.name}: rolled a new segment at offset ${baseOffset}`);
    // Kafka flushes the finished segment in the background: the recovery point then covers it.
    if (old.size > 0) {
      this.flush(baseOffset).catch((e: unknown) => {
        this.logger.error(`${this.name}: flushing after roll failed: ${(e as Error).message}`);
      });
    }
  }

  /** Rolls a new segment at the LEO now (tests, and the cleaner making the tail cleanable). */
  roll(): Promise<void> {
    return this.queue.pushOp(() => {
      this.checkUsable();
      this.rollAt(this._logEndOffset);
    });
  }

  // ---- Flushing ---------------------------------------------------------------------------------

  /**
   * fsyncs every segment that may hold data between the recovery point and `upTo` (default the
   * LEO), then moves the recovery point there. Runs beside appends.
   */
  async flush(upTo = this._logEndOffset): Promise<void> {
    this.checkUsable();
    const target = Math.min(upTo, this._logEndOffset);
    this.lastFlushTime = this.clock.monotonic();
    if (target <= this._recoveryPoint) return;
    const gen = this.truncations;
    const from = this._recoveryPoint;
    const toFlush = this.segs.filter((s, i) => {
      const next = this.segs[i + 1];
      return (next === undefined || next.baseOffset > from) && s.baseOffset < target;
    });
    try {
      await Promise.all(toFlush.map((s) => (s.isClosed ? undefined : s.flush())));
    } catch (e) {
      const err = new StorageError('LOG_OFFLINE', `${this.name}: fsync failed: ${(e as Error).message}`, { cause: e });
      this.goOffline(err);
      throw err;
    }
    const durable = Math.min(target, this.recoveryCap);
    if (gen === this.truncations && durable > this._recoveryPoint) this._recoveryPoint = durable;
  }

  /** Milliseconds since the last flush, for the flush.ms scheduler. */
  timeSinceLastFlush(): number {
    return this.clock.monotonic() - this.lastFlushTime;
  }

  // ---- Reading ----------------------------------------------------------------------------------

  /**
   * The stored bytes of whole batches from the batch holding `offset`: up to `maxBytes`, but at
   * least one batch when `minOneBatch` even if larger, and only batches that end below
   * `maxOffset` (the high watermark for consumers). From one segment, as Kafka does. With
   * `wholeBatches` false, the bytes are cut at exactly `maxBytes` even inside a batch, as Kafka's
   * Fetch answers are (see LogSegment.read).
   */
  async read(
    offset: number,
    maxBytes: number,
    maxOffset?: number,
    minOneBatch = true,
    wholeBatches = true,
  ): Promise<ReadResult> {
    this.checkUsable();
    const leo = this._logEndOffset;
    const result = (records: Buffer): ReadResult => ({
      records,
      logStartOffset: this._logStartOffset,
      logEndOffset: leo,
    });
    if (offset < this._logStartOffset || offset > leo) {
      throw new StorageError(
        'OFFSET_OUT_OF_RANGE',
        `${this.name}: offset ${offset} is outside [${this._logStartOffset}, ${leo}]`,
      );
    }
    const limit = maxOffset === undefined ? leo : Math.min(maxOffset, leo);
    if (offset >= limit) return result(EMPTY);
    let i = this.segmentIndexFor(offset);
    for (; i < this.segs.length; i++) {
      const seg = this.segs[i]!;
      if (seg.baseOffset >= limit) break;
      const next = this.segs[i + 1];
      let maxPosition = seg.size;
      if (limit < leo && (next === undefined || limit < next.baseOffset)) {
        maxPosition = seg.findBatch(limit)?.position ?? seg.size;
      }
      const first = seg.findBatch(offset, maxPosition);
      if (first !== null) return result(await seg.read(first, maxBytes, maxPosition, minOneBatch, wholeBatches));
    }
    return result(EMPTY);
  }

  /** Index of the segment that holds `offset` (the last one with base offset ≤ offset). */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segs.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segs[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /**
   * ListOffsets: earliest (log start), latest (LEO), the max timestamp and where it is, or the
   * first record with timestamp ≥ t at or above the log start; null when no record is that recent.
   */
  fetchOffset(spec: OffsetSpec): TimestampAndOffset | null {
    this.checkUsable();
    if (spec === 'earliest') return { timestamp: -1, offset: this._logStartOffset };
    if (spec === 'latest') return { timestamp: -1, offset: this._logEndOffset };
    if (spec === 'maxTimestamp') return maxTimestampAndOffset(this.segs);
    return offsetForTimestamp(this.segs, spec.timestamp, this._logStartOffset);
  }

  /** ListOffsets v0's answer (see legacyOffsetsBefore in log-offset-lookups.ts). */
  legacyOffsetsBefore(timestamp: number, maxNumOffsets: number): number[] {
    this.checkUsable();
    return legacyOffsetsBefore(this.segs, this._logStartOffset, this._logEndOffset, this.clock.now(), {
      timestamp,
      maxNumOffsets,
    });
  }

  // ---- Retention, truncation --------------------------------------------------------------------

  /** Deletes the segments retention selects (see log-retention.ts); returns how many. */
  deleteOldSegments(): Promise<number> {
    return this.queue.pushOp(() => {
      this.checkUsable();
      const c = this._config;
      const plan = planRetention(this.segs, {
        now: this.clock.now(),
        retentionMs: c.retentionMs,
        retentionBytes: c.retentionBytes,
        deletePolicy: c.cleanupPolicy !== 'compact',
        logStartOffset: this._logStartOffset,
        logEndOffset: this._logEndOffset,
        highWatermark: this.highWatermark,
      });
      if (plan.count === 0) return 0;
      if (plan.count === this.segs.length) this.rollAt(this._logEndOffset);
      const doomed = this.segs.splice(0, plan.count);
      doomed.forEach((s, k) => {
        this.logger.info(`${this.name}: deleting segment ${s.baseOffset} (${s.size} bytes): ${plan.reasons[k]}`);
      });
      this.scheduleDeletion(doomed);
      this._logStartOffset = Math.max(this._logStartOffset, this.segs[0]!.baseOffset);
      if (this._recoveryPoint < this._logStartOffset) this._recoveryPoint = this._logStartOffset;
      return plan.count;
    });
  }

  /**
   * DeleteRecords: moves the log start offset up to `offset` (at most the high watermark).
   * Whole segments below it go at the next retention run. Returns the new log start offset.
   */
  deleteRecordsBefore(offset: number): Promise<number> {
    return this.queue.pushOp(() => {
      this.checkUsable();
      if (offset > this.highWatermark) {
        throw new StorageError(
          'OFFSET_OUT_OF_RANGE',
          `${this.name}: cannot delete records before ${offset}, above the high watermark ${this.highWatermark}`,
        );
      }
      if (offset > this._logStartOffset) this._logStartOffset = offset;
      if (this._recoveryPoint < this._logStartOffset) this._recoveryPoint = this._logStartOffset;
      return this._logStartOffset;
    });
  }

  /**
   * Removes everything at and above `offset` (whole batches: a batch holding `offset` goes
   * entirely); the LEO becomes `offset`. No-op when `offset` ≥ LEO.
   */
  truncateTo(offset: number): Promise<void> {
    return this.queue.pushOp(() => {
      this.checkUsable();
      if (offset < 0) throw new StorageError('INVALID_OFFSET', `cannot truncate to ${offset}`);
      if (offset >= this._logEndOffset) return;
      if (offset < this._logStartOffset) {
        this.truncateFully(offset);
        return;
      }
      this.truncations++;
      const keep = this.segs.filter((s) => s.baseOffset < offset || s === this.segs[0]);
      const gone = this.segs.slice(keep.length);
      this.segs = keep;
      for (const s of gone) {
        s.deleteFiles();
        s.close();
      }
      const removed = this.activeSegment.truncateTo(offset);
      this.logger.info(`${this.name}: truncated to ${offset} (${gone.length} segments and ${removed} bytes removed)`);
      this._logEndOffset = offset;
      this._recoveryPoint = Math.min(this._recoveryPoint, offset);
      if (this._highWatermark !== null) this._highWatermark = Math.min(this._highWatermark, offset);
    });
  }

  /** Empties the log and starts it again at `offset` (a follower too far behind its leader). */
  truncateFullyAndStartAt(offset: number): Promise<void> {
    return this.queue.pushOp(() => {
      this.checkUsable();
      this.truncateFully(offset);
    });
  }

  private truncateFully(offset: number): void {
    this.truncations++;
    for (const s of this.segs.splice(0)) {
      s.deleteFiles();
      s.close();
    }
    this.segs.push(Segment.create(this.env, offset));
    this._logEndOffset = this._logStartOffset = this._recoveryPoint = offset;
    if (this._highWatermark !== null) this._highWatermark = offset;
    this.logger.info(`${this.name}: truncated fully, starting at ${offset}`);
  }

  /**
   * Replaces `old` (consecutive, inactive segments still in the log) with `replacement`, whose
   * files carry `.swap` (for the cleaner). Crash-safe order: old → `.deleted`, swap → final name;
   * the loader completes a swap that a crash interrupted. Resolves false if the log changed
   * under the cleaner (a truncation or deletion removed one of `old`).
   */
  replaceSegments(old: readonly LogSegment[], replacement: LogSegment, swapSuffix: string): Promise<boolean> {
    return this.queue.pushOp(() => {
      this.checkUsable();
      const start = this.segs.indexOf(old[0]!);
      const ok = start >= 0 && old.every((s, k) => this.segs[start + k] === s) && start + old.length < this.segs.length;
      if (!ok) return false;
      for (const s of old) s.changeSuffix('', DELETED_SUFFIX);
      replacement.changeSuffix(swapSuffix, '');
      this.segs.splice(start, old.length, replacement);
      this.scheduleDeletion(old, true);
      return true;
    });
  }

  /** Renames to `.deleted` (unless done) and removes the files after file.delete.delay.ms. */
  private scheduleDeletion(doomed: readonly LogSegment[], renamed = false): void {
    for (const s of doomed) {
      if (!renamed) s.changeSuffix('', DELETED_SUFFIX);
      const timer = this.clock.schedule(this._config.fileDeleteDelayMs, () => {
        this.pendingDeletes.delete(s);
        this.finalDelete(s);
      });
      this.pendingDeletes.set(s, timer);
    }
  }

  private finalDelete(s: LogSegment): void {
    try {
      s.deleteFiles();
    } catch (e) {
      this.logger.warn(`${this.name}: could not delete ${s.path}: ${(e as Error).message}`);
    }
    s.close();
  }

  // ---- Lifecycle --------------------------------------------------------------------------------

  /** Waits for queued changes, writes the indexes, closes every file. Does not fsync. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue.close();
    this.closed = true;
    for (const [s, t] of this.pendingDeletes) {
      t.cancel();
      this.finalDelete(s);
    }
    this.pendingDeletes.clear();
    const active = this.segs.at(-1);
    if (active !== undefined && active.size > 0) active.onBecomeInactive();
    for (const s of this.segs) s.close();
  }

  /** Closes the log and removes its directory. */
  async delete(): Promise<void> {
    await this.close();
    this.io.rmdirRecursiveSync(this.dir);
  }

  get name(): string {
    return `${this.topic}-${this.partition}`;
  }

  private checkUsable(): void {
    if (this.offline !== null) throw this.offline;
    if (this.closed) throw new StorageError('LOG_CLOSED', `log ${this.name} is closed`);
  }

  private goOffline(e: StorageError): void {
    if (this.offline !== null) return;
    this.offline = e.code === 'LOG_OFFLINE' ? e : new StorageError('LOG_OFFLINE', e.message, { cause: e });
    this.logger.error(`${this.name} is offline: ${e.message}`);
  }
}

const EMPTY = Buffer.alloc(0);
