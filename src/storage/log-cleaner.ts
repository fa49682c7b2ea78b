/**
 * Compaction (`cleanup.policy=compact` or `compact,delete`): keeps only the newest record of each
 * key in the segments behind the active one, so a compacted topic (the consumer offsets topic)
 * stays as large as its live keys rather than its history.
 *
 * One pass over a log, as in Kafka's LogCleaner:
 * 1. The cleanable range ends at the active segment, or earlier at the first segment with records
 *    younger than min.compaction.lag.ms. The dirty part starts at the cleaner checkpoint (where
 *    the previous pass ended). Nothing happens unless dirty / (clean + dirty) bytes reaches
 *    min.cleanable.dirty.ratio.
 * 2. Offset map: key → newest offset, from the dirty part (bounded by log.cleaner.dedupe.buffer.size;
 *    if it fills, the pass ends where it filled).
 * 3. Every segment up to the end of the dirty part is copied, in groups of at most segment.bytes,
 *    into a `.cleaned` segment keeping a record if no newer record has its key; records without a
 *    key are dropped. A batch that keeps all its records is copied byte for byte; one that keeps
 *    some is re-encoded with its base offset, last offset delta, producer fields and codec
 *    unchanged, so offsets are preserved (gaps appear where records went). Control batches are kept.
 *    Tombstones (null value) live delete.retention.ms from the pass that first kept them, not from
 *    their own timestamp (KIP-534): that pass stamps their batch with a delete horizon (attribute
 *    bit 6, the base timestamp becomes now + delete.retention.ms; record timestamps are kept), and
 *    a pass after the horizon drops them. So a consumer reading the log from the start has
 *    delete.retention.ms to see every delete, however old the record's own timestamp.
 *    A batch left with no records is dropped, unless it is an active producer's last data batch
 *    (`Log.activeProducerLastOffsets`): that one stays as an empty batch (header only), so the
 *    producer's sequence and epoch survive in the log for a rebuild of the producer state.
 * 4. The `.cleaned` segment is fsynced, renamed to `.swap`, and swapped in by the log: old
 *    segments → `.deleted`, `.swap` → final name (log-loader.ts finishes an interrupted swap).
 *
 * Throttling: all reads and writes go through the thread pool in chunks of at most 1 MiB, so the
 * event loop (and so appends) runs between chunks, and log.cleaner.io.max.bytes.per.second caps
 * the I/O rate by sleeping on the clock.
 *
 * Lifecycle: created by the LogManager; `clean(log)` runs one pass (one at a time); `stop()`
 * makes a running pass give up at its next chunk and waits for it.
 */
import type { Clock } from '../common/clock.ts';
import { BatchCursor } from '../protocol/records/batch-cursor.ts';
import { ATTR_CONTROL, ATTRIBUTES_OFFSET, type CompressionCodec } from '../protocol/records/batch-format.ts';
import { readBatchHeader } from '../protocol/records/batch-header.ts';
import { forEachRecord } from '../protocol/records/record-decoder.ts';
import { encodeRecordBatch } from '../protocol/records/record-encoder.ts';
import type { RecordInput } from '../protocol/records/record-types.ts';
import { RecordView } from '../protocol/records/record-view.ts';
import { checkBatchCrc } from '../protocol/records/validate-batch.ts';
import { corruptOnDisk, StorageError } from './errors.ts';
import type { FileIO } from './file-io.ts';
import type { Log } from './log.ts';
import { CLEANED_SUFFIX, LogSegment, SWAP_SUFFIX } from './log-segment.ts';
import type { StorageLogger } from './logger.ts';

export interface LogCleanerOptions {
  clock: Clock;
  io: FileIO;
  logger: StorageLogger;
  ioMaxBytesPerSecond: number;
  dedupeBufferSize: number;
}

const CHUNK = 1024 * 1024;
/** Bytes Kafka budgets per offset-map entry (16-byte hash + 8-byte offset). */
const MAP_ENTRY_BYTES = 24;

class Aborted extends Error {}

/** What one pass keeps, for filterBatch. */
interface BatchFilter {
  /** Key → newest offset in the dirty part. */
  map: Map<string, number>;
  /** The pass's wall time: delete horizons are compared with it and stamped from it. */
  now: number;
  deleteRetentionMs: number;
  /** Active producer id → offset of its last data batch. */
  producerLastOffsets: ReadonlyMap<number, number>;
}

const NO_PRODUCERS: ReadonlyMap<number, number> = new Map();

export class LogCleaner {
  private readonly opts: LogCleanerOptions;
  private running: Promise<unknown> | null = null;
  private stopped = false;
  private readonly view = new RecordView();
  /** Throttle state: bytes since `windowStart` (monotonic ms). */
  private windowStart = 0;
  private windowBytes = 0;

  constructor(opts: LogCleanerOptions) {
    this.opts = opts;
  }

  /**
   * One pass over `log`, whose segments below `firstDirtyOffset` were cleaned before. Resolves
   * with the new first dirty offset (for the cleaner checkpoint), or null when there was nothing
   * worth cleaning.
   */
  async clean(log: Log, firstDirtyOffset: number): Promise<number | null> {
    if (this.stopped) return null;
    while (this.running !== null) await this.running.catch(() => {});
    const p = this.doClean(log, firstDirtyOffset);
    this.running = p;
    try {
      return await p;
    } catch (e) {
      if (e instanceof Aborted) return null;
      throw e;
    } finally {
      this.running = null;
    }
  }

  /** Makes a running pass stop at its next chunk, and waits for it. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running?.catch(() => {});
  }

  /** Nothing is kept per log; present so the manager can tell the cleaner a log went away. */
  forget(_log: Log): void {}

  private async doClean(log: Log, checkpoint: number): Promise<number | null> {
    const c = log.config;
    const now = this.opts.clock.now();
    const segs = log.segments.slice(0, -1);
    // 1. Cleanable range and dirty ratio.
    let end = 0;
    while (
      end < segs.length &&
      !(c.minCompactionLagMs > 0 && segs[end]!.largestTimestamp() > now - c.minCompactionLagMs)
    ) {
      end++;
    }
    let firstDirty = 0;
    while (firstDirty < end && nextBase(log, segs, firstDirty) <= checkpoint) firstDirty++;
    if (firstDirty >= end) return null;
    let clean = 0;
    let dirty = 0;
    for (let i = 0; i < end; i++) i < firstDirty ? (clean += segs[i]!.size) : (dirty += segs[i]!.size);
    if (dirty === 0 || dirty / (clean + dirty) < c.minCleanableDirtyRatio) return null;

    // 2. Offset map over the dirty segments.
    const map = new Map<string, number>();
    const maxKeys = Math.max(1, Math.floor(this.opts.dedupeBufferSize / MAP_ENTRY_BYTES));
    let mapEnd = firstDirty;
    for (let i = firstDirty; i < end; i++) {
      await this.forEachBatch(segs[i]!, (batch) => {
        if ((batch.readInt16BE(ATTRIBUTES_OFFSET) & ATTR_CONTROL) !== 0) return;
        forEachRecord(
          batch,
          (r) => {
            if (r.keyLength >= 0) map.set(r.buf.toString('latin1', r.keyStart, r.keyStart + r.keyLength), r.offset);
          },
          { view: this.view },
        );
      });
      if (map.size > maxKeys && i > firstDirty) {
        // Full: this segment's keys stay for the next pass (its newer offsets must not hide keys).
        // Older records of keys it updated are then kept too: less compaction, never a lost key.
        for (const [k, v] of map) if (v >= segs[i]!.baseOffset) map.delete(k);
        break;
      }
      mapEnd = i + 1;
    }
    const cleanTo = nextBase(log, segs, mapEnd - 1);

    // 3 and 4. Copy groups of segments, swapping each in.
    const filter: BatchFilter = {
      map,
      now,
      deleteRetentionMs: c.deleteRetentionMs,
      producerLastOffsets: log.activeProducerLastOffsets?.() ?? NO_PRODUCERS,
    };
    let i = 0;
    let removed = 0;
    let before = 0;
    let after = 0;
    while (i < mapEnd) {
      const group: LogSegment[] = [segs[i]!];
      let size = segs[i]!.size;
      while (i + group.length < mapEnd) {
        const nx = segs[i + group.length]!;
        if (
          size + nx.size > c.segmentBytes ||
          nextBase(log, segs, i + group.length) - group[0]!.baseOffset > 0x7fffffff
        )
          break;
        group.push(nx);
        size += nx.size;
      }
      const r = await this.cleanGroup(log, group, filter);
      removed += r.removedRecords;
      before += size;
      after += r.bytes;
      i += group.length;
    }
    this.opts.logger.info(
      `compacted ${log.name} up to offset ${cleanTo}: ${before} → ${after} bytes, ${removed} records removed`,
    );
    return cleanTo;
  }

  private async cleanGroup(
    log: Log,
    group: LogSegment[],
    filter: BatchFilter,
  ): Promise<{ removedRecords: number; bytes: number }> {
    const env = {
      io: this.opts.io,
      clock: this.opts.clock,
      dir: log.dir,
      config: log.config,
      logger: this.opts.logger,
    };
    const cleaned = LogSegment.create(env, group[0]!.baseOffset, CLEANED_SUFFIX);
    let removedRecords = 0;
    let out: Buffer[] = [];
    let outBytes = 0;
    const flushOut = async (): Promise<void> => {
      if (outBytes === 0) return;
      await cleaned.append(out, outBytes);
      await this.throttle(outBytes);
      out = [];
      outBytes = 0;
    };
    try {
      for (const seg of group) {
        const pending: Buffer[] = [];
        await this.forEachBatch(seg, (batch) => {
          const kept = this.filterBatch(batch, filter);
          removedRecords += kept.removed;
          if (kept.bytes !== null) pending.push(kept.bytes);
        });
        for (const b of pending) {
          out.push(b);
          outBytes += b.length;
          if (outBytes >= CHUNK) await flushOut();
        }
      }
      await flushOut();
      cleaned.onBecomeInactive();
      await cleaned.flush();
      cleaned.changeSuffix(CLEANED_SUFFIX, SWAP_SUFFIX);
      if (!(await log.replaceSegments(group, cleaned, SWAP_SUFFIX))) {
        throw new Aborted(`${log.name} changed during compaction`);
      }
      return { removedRecords, bytes: cleaned.size };
    } catch (e) {
      cleaned.deleteFiles();
      cleaned.close();
      throw e;
    }
  }

  /**
   * The batch as is, re-encoded (fewer records, or a delete horizon stamped), or null when
   * nothing is kept (see step 3 above).
   */
  private filterBatch(batch: Buffer, f: BatchFilter): { bytes: Buffer | null; removed: number } {
    const h = readBatchHeader(batch);
    if (h.isControl) return { bytes: batch, removed: 0 };
    const dropTombstones = h.hasDeleteHorizon && h.baseTimestamp <= f.now;
    const kept: RecordInput[] = [];
    let total = 0;
    let keptTombstone = false;
    forEachRecord(
      batch,
      (r) => {
        total++;
        if (r.keyLength < 0) return;
        const newest = f.map.get(r.buf.toString('latin1', r.keyStart, r.keyStart + r.keyLength));
        if (newest !== undefined && newest > r.offset) return;
        if (r.valueLength < 0) {
          if (dropTombstones) return;
          keptTombstone = true;
        }
        kept.push({
          key: Buffer.from(r.buf.subarray(r.keyStart, r.keyStart + r.keyLength)),
          value: r.valueLength < 0 ? null : Buffer.from(r.buf.subarray(r.valueStart, r.valueStart + r.valueLength)),
          headers: r.headerCount === 0 ? null : r.headers(),
          timestamp: r.timestamp,
          offsetDelta: r.offset - h.baseOffset,
        });
      },
      { view: this.view },
    );
    const stampHorizon = keptTombstone && !h.hasDeleteHorizon;
    if (kept.length === total && !stampHorizon) return { bytes: batch, removed: 0 };
    const lastOfProducer = h.producerId >= 0 && f.producerLastOffsets.get(h.producerId) === h.lastOffset;
    if (kept.length === 0 && !lastOfProducer) return { bytes: null, removed: total };
    const hasDeleteHorizon = stampHorizon || h.hasDeleteHorizon;
    const bytes = encodeRecordBatch({
      baseOffset: h.baseOffset,
      partitionLeaderEpoch: h.partitionLeaderEpoch,
      compression: h.compression as CompressionCodec,
      timestampType: h.timestampType,
      isTransactional: h.isTransactional,
      producerId: h.producerId,
      producerEpoch: h.producerEpoch,
      baseSequence: h.baseSequence,
      lastOffsetDelta: h.lastOffsetDelta,
      hasDeleteHorizon,
      // The horizon rides in the base timestamp; record timestamps are encoded relative to it.
      baseTimestamp: stampHorizon
        ? f.now + f.deleteRetentionMs
        : hasDeleteHorizon
          ? h.baseTimestamp
          : kept.length === 0
            ? h.maxTimestamp
            : undefined,
      maxTimestamp: h.timestampType === 1 || kept.length === 0 ? h.maxTimestamp : undefined,
      records: kept,
    });
    return { bytes, removed: total - kept.length };
  }

  /** Calls `fn` with each batch of a segment, reading it in chunks of about 1 MiB. */
  private async forEachBatch(seg: LogSegment, fn: (batch: Buffer) => void): Promise<void> {
    let pos = 0;
    const size = seg.size;
    while (pos < size) {
      if (this.stopped) throw new Aborted('cleaner stopped');
      const chunk = await seg.readBytes(pos, Math.min(CHUNK, size - pos));
      await this.throttle(chunk.length);
      const cursor = new BatchCursor(chunk);
      let used = 0;
      while (cursor.next()) {
        // Never copy a batch damaged on disk into a cleaned segment, where it would look verified.
        checkStoredCrc(seg, chunk, pos, cursor.position, cursor.size);
        fn(cursor.bytes());
        used = cursor.position + cursor.size;
      }
      if (used === 0) {
        if (!cursor.truncated || cursor.size <= chunk.length) {
          throw new StorageError('BAD_FILE', `${seg.path}: no readable batch at byte ${pos}`);
        }
        // One batch larger than the chunk: read it whole.
        const whole = await seg.readBytes(pos, cursor.size);
        checkStoredCrc(seg, whole, pos, 0, whole.length);
        fn(whole);
        used = whole.length;
      }
      pos += used;
    }
  }

  /** Sleeps on the clock while the I/O rate is above log.cleaner.io.max.bytes.per.second. */
  private async throttle(bytes: number): Promise<void> {
    const max = this.opts.ioMaxBytesPerSecond;
    if (!Number.isFinite(max)) return;
    const clock = this.opts.clock;
    const now = clock.monotonic();
    if (now - this.windowStart > 1000) {
      this.windowStart = now;
      this.windowBytes = 0;
    }
    this.windowBytes += bytes;
    const dueMs = (this.windowBytes / max) * 1000 - (now - this.windowStart);
    if (dueMs > 1) await new Promise<void>((resolve) => clock.schedule(dueMs, resolve));
  }
}

function checkStoredCrc(seg: LogSegment, buf: Buffer, filePos: number, at: number, size: number): void {
  try {
    checkBatchCrc(buf, at, at + size);
  } catch (e) {
    throw corruptOnDisk(seg.path, filePos + at, e);
  }
}

/** Base offset of the segment after segs[i] (the active segment's for the last one). */
function nextBase(log: Log, segs: readonly LogSegment[], i: number): number {
  return (segs[i + 1] ?? log.activeSegment).baseOffset;
}
