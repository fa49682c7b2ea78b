/**
 * Which leader epoch wrote which offsets of a partition: a list of (epoch, start offset), both
 * strictly increasing, persisted as `leader-epoch-checkpoint` (storage/leader-epoch-checkpoint.ts).
 * OffsetForLeaderEpoch answers from it, ListOffsets reports epochs with it, and followers will
 * use it to truncate to the point where they diverge from a new leader.
 *
 * Lifecycle: `load` (from the file; empty if none) → assign / truncate as the partition changes;
 * every change is written through, one write at a time in change order (`flushed()` waits for
 * the last one). Invariant: entries are sorted by epoch and by start offset, with no two equal.
 */
import type { Logger } from '../common/logger.ts';
import type { FileIO } from '../storage/file-io.ts';
import { type EpochEntry, LeaderEpochCheckpointFile } from '../storage/leader-epoch-checkpoint.ts';

/** No epoch (Kafka's UNDEFINED_EPOCH) and no offset (UNDEFINED_EPOCH_OFFSET). */
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

export interface EpochEndOffset {
  epoch: number;
  endOffset: number;
}

export class LeaderEpochCache {
  private entries_: EpochEntry[];
  private readonly file: LeaderEpochCheckpointFile | null;
  private readonly logger: Logger;
  private writing: Promise<void> = Promise.resolve();

  private constructor(entries: EpochEntry[], file: LeaderEpochCheckpointFile | null, logger: Logger) {
    this.entries_ = entries;
    this.file = file;
    this.logger = logger;
  }

  /** Reads `<dir>/leader-epoch-checkpoint`; a damaged file is reported and the cache starts empty. */
  static load(io: FileIO, partitionDir: string, logger: Logger): LeaderEpochCache {
    const file = new LeaderEpochCheckpointFile(io, partitionDir);
    let entries: EpochEntry[] = [];
    try {
      entries = file.read();
    } catch (e) {
      logger.warn(`${(e as Error).message}; rebuilding the leader epochs from the log`);
    }
    return new LeaderEpochCache(entries, file, logger);
  }

  /** A cache that is not persisted (tests). */
  static inMemory(entries: EpochEntry[], logger: Logger): LeaderEpochCache {
    return new LeaderEpochCache(entries, null, logger);
  }

  get entries(): readonly EpochEntry[] {
    return this.entries_;
  }

  get latestEpoch(): number {
    return this.entries_.at(-1)?.epoch ?? UNDEFINED_EPOCH;
  }

  /** Start offset of `epoch`, or -1 if the cache has no entry for exactly that epoch. */
  startOffsetOf(epoch: number): number {
    for (const e of this.entries_) if (e.epoch === epoch) return e.startOffset;
    return UNDEFINED_EPOCH_OFFSET;
  }

  /**
   * Records that `epoch` starts at `startOffset`. A no-op when it is already the latest entry at
   * that offset or earlier; otherwise entries that would no longer be monotonic (an epoch ≥
   * `epoch`, or a start offset ≥ `startOffset`) are dropped first, as Kafka does.
   */
  assign(epoch: number, startOffset: number): boolean {
    const last = this.entries_.at(-1);
    if (last !== undefined && last.epoch === epoch && last.startOffset <= startOffset) return false;
    if (last !== undefined && epoch < last.epoch) {
      this.logger.warn(`leader epoch ${epoch} at ${startOffset} replaces the newer epoch ${last.epoch}`);
    }
    this.entries_ = this.entries_.filter((e) => e.epoch < epoch && e.startOffset < startOffset);
    this.entries_.push({ epoch, startOffset });
    this.persist();
    return true;
  }

  /** The epoch that wrote `offset` (the last entry starting at or below it), or -1. */
  epochForOffset(offset: number): number {
    let found = UNDEFINED_EPOCH;
    for (const e of this.entries_) {
      if (e.startOffset > offset) break;
      found = e.epoch;
    }
    return found;
  }

  /**
   * OffsetForLeaderEpoch: the largest epoch ≤ `requested` that we know and the offset where the
   * epoch after it starts (the log end offset for the latest epoch). Unknown (-1, -1) for an
   * undefined request or an epoch above every one we know; (requested, first start offset) for
   * an epoch below every one we know.
   */
  endOffsetFor(requested: number, logEndOffset: number): EpochEndOffset {
    const undefinedAnswer = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (requested === UNDEFINED_EPOCH || this.entries_.length === 0) return undefinedAnswer;
    if (requested === this.latestEpoch) return { epoch: requested, endOffset: logEndOffset };
    const higher = this.entries_.findIndex((e) => e.epoch > requested);
    if (higher < 0) return undefinedAnswer;
    const floor = higher - 1;
    const higherStart = this.entries_[higher]!.startOffset;
    return floor < 0
      ? { epoch: requested, endOffset: higherStart }
      : { epoch: this.entries_[floor]!.epoch, endOffset: higherStart };
  }

  /** Drops the entries starting at or after `endOffset` (the log was truncated to it). */
  truncateFromEnd(endOffset: number): void {
    const kept = this.entries_.filter((e) => e.startOffset < endOffset);
    if (kept.length === this.entries_.length) return;
    this.entries_ = kept;
    this.persist();
  }

  /**
   * The log now starts at `startOffset`: entries wholly below it go, and the one holding it is
   * moved up to start there.
   */
  truncateFromStart(startOffset: number): void {
    let holder = -1;
    for (let i = 0; i < this.entries_.length; i++) if (this.entries_[i]!.startOffset <= startOffset) holder = i;
    if (holder < 0) return;
    const h = this.entries_[holder]!;
    if (holder === 0 && h.startOffset === startOffset) return;
    this.entries_ = [{ epoch: h.epoch, startOffset }, ...this.entries_.slice(holder + 1)];
    this.persist();
  }

  /** Resolves once every change so far is on disk. */
  flushed(): Promise<void> {
    return this.writing;
  }

  private persist(): void {
    const file = this.file;
    if (file === null) return;
    const snapshot = this.entries_.slice();
    this.writing = this.writing
      .then(() => file.write(snapshot))
      .catch((e: unknown) => this.logger.error(`${(e as Error).message}`));
  }
}
