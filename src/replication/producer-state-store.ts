/**
 * Makes a partition's producer state survive restarts: loads it at open (newest usable snapshot,
 * then a replay of the batch headers after it) and writes snapshots (storage/producer-state-snapshot.ts
 * has the file layout).
 *
 * Load, step by step:
 * 1. remove `.snapshot.tmp` leftovers and every snapshot above the log end offset (a crash lost
 *    the log tail it described);
 * 2. take the newest snapshot that decodes (a damaged one is reported and deleted; then the next
 *    older one is tried); none → empty state at the log start offset;
 * 3. read the log from max(snapshot offset, log start offset) to the log end offset in 1 MiB
 *    chunks and apply each batch header (producer id, epoch, sequences, offsets, timestamp; and
 *    its leader epoch to the epoch cache) — records are never decoded.
 *
 * Snapshots: `snapshot()` captures the committed state at its map end offset synchronously and
 * writes it after any earlier snapshot and after the epoch checkpoint writes queued before it,
 * so files land in the order they were taken. Afterwards old files are pruned: the newest
 * KEEP_SNAPSHOTS stay, except those below the log start offset (the newest always stays).
 */
import type { Clock } from '../common/clock.ts';
import type { Logger } from '../common/logger.ts';
import type { Log } from '../storage/log.ts';
import { encodeProducerSnapshot, type ProducerSnapshotFiles } from '../storage/producer-state-snapshot.ts';
import type { LeaderEpochCache } from './leader-epoch-cache.ts';
import { applyLoggedBatches } from './producer-batches.ts';
import type { ProducerStateManager } from './producer-state.ts';

const REPLAY_CHUNK_BYTES = 1024 * 1024;
/** Snapshots kept, so a truncation below the newest one can still start from an older one. */
export const KEEP_SNAPSHOTS = 3;

export interface LoadReport {
  /** Offset of the snapshot used, or null when the state was rebuilt from the log start. */
  snapshotOffset: number | null;
  /** Offset the replay started from. */
  replayedFrom: number;
}

export class ProducerStateStore {
  private readonly files: ProducerSnapshotFiles;
  private readonly state: ProducerStateManager;
  private readonly epochs: LeaderEpochCache;
  private readonly log: Log;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private writing: Promise<void> = Promise.resolve();
  private lastSnapshotOffset = -1;

  constructor(opts: {
    files: ProducerSnapshotFiles;
    state: ProducerStateManager;
    epochs: LeaderEpochCache;
    log: Log;
    clock: Clock;
    logger: Logger;
  }) {
    this.files = opts.files;
    this.state = opts.state;
    this.epochs = opts.epochs;
    this.log = opts.log;
    this.clock = opts.clock;
    this.logger = opts.logger;
  }

  async load(): Promise<LoadReport> {
    const log = this.log;
    const leo = log.logEndOffset;
    this.files.removeTempFiles();
    let snapshotOffset: number | null = null;
    const offsets = this.files.list();
    for (let i = offsets.length - 1; i >= 0; i--) {
      const off = offsets[i]!;
      if (off > leo) {
        this.files.delete(off);
        continue;
      }
      try {
        this.state.loadSnapshot(this.files.read(off), off, this.clock.now());
        snapshotOffset = off;
        this.lastSnapshotOffset = off;
        break;
      } catch (e) {
        this.logger.warn(`${log.name}: ${(e as Error).message}; deleting it`);
        this.files.delete(off);
      }
    }
    if (snapshotOffset === null) this.state.reset(log.logStartOffset);
    const from = Math.max(this.state.mapEndOffset, log.logStartOffset);
    let offset = from;
    while (offset < leo) {
      const r = await log.read(offset, REPLAY_CHUNK_BYTES, leo, true);
      if (r.records.length === 0) break;
      const next = applyLoggedBatches(r.records, offset, this.state, this.epochs);
      if (next <= offset) break;
      offset = next;
    }
    this.state.updateMapEndOffset(leo);
    if (offset > from) {
      this.logger.info(
        `${log.name}: producer state rebuilt from ${snapshotOffset === null ? 'the log start' : `snapshot ${snapshotOffset}`} by replaying offsets ${from}..${leo}`,
      );
    }
    return { snapshotOffset, replayedFrom: from };
  }

  /** Writes the committed state at its map end offset (skipped when that snapshot exists). */
  snapshot(): Promise<void> {
    const offset = this.state.mapEndOffset;
    if (offset === this.lastSnapshotOffset) return this.writing;
    this.lastSnapshotOffset = offset;
    const bytes = encodeProducerSnapshot(this.state.toSnapshot());
    const epochsWritten = this.epochs.flushed();
    this.writing = this.writing
      .then(() => epochsWritten)
      .then(() => this.files.write(offset, bytes))
      .then(() => this.prune())
      .catch((e: unknown) => {
        this.lastSnapshotOffset = -1;
        this.logger.error(`${this.log.name}: producer snapshot at ${offset} failed: ${(e as Error).message}`);
      });
    return this.writing;
  }

  /** Resolves when every snapshot taken so far is written (or failed and was reported). */
  flushed(): Promise<void> {
    return this.writing;
  }

  private prune(): void {
    const offsets = this.files.list();
    const newest = offsets.at(-1);
    const logStart = this.log.logStartOffset;
    offsets.forEach((off, i) => {
      const recent = i >= offsets.length - KEEP_SNAPSHOTS;
      if (off !== newest && (!recent || off < logStart)) this.files.delete(off);
    });
  }
}
