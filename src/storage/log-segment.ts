/**
 * One segment of a partition's log: a `.log` file of record batches stored exactly as appended,
 * with its sparse `.index` (offset → position) and `.timeindex` (timestamp → offset).
 *
 * `.log` layout: RecordBatch v2 batches back to back, nothing else (see
 * protocol/records/batch-format.ts for the 61-byte header). The file name is the base offset,
 * 20 digits zero-padded; every batch in it has offsets ≥ the base offset and below the next
 * segment's, increasing from batch to batch (gaps are allowed: compaction leaves them).
 *
 * Lifecycle: `create` (new, empty) or `open` (existing files) → appended to while it is the log's
 * active segment → `onBecomeInactive()` at roll (final time-index entry) → read-only → possibly
 * `truncateTo`, `recover` (startup after a crash), or `renameTo('.deleted')` then `delete()`.
 * `close()` releases the descriptor once no reader holds the segment (`retain`/`release`), so a
 * read in flight never sees its descriptor closed or reused.
 *
 * Invariants: `size` counts only bytes whose write completed, so a reader bounded by it never
 * sees a partly written batch; the only writer is the owning Log's append queue (a few writes in
 * flight, completing in order: TailWriter); every index entry points below `size`. Everything
 * but appending (truncation, recovery, renaming, closing) runs only while no write is in flight.
 */

import type { Clock } from '../common/clock.ts';
import { BatchCursor } from '../protocol/records/batch-cursor.ts';
import { LOG_OVERHEAD, MAGIC_OFFSET, MAX_TIMESTAMP_OFFSET } from '../protocol/records/batch-format.ts';
import { readSafeInt64 } from '../protocol/records/int64.ts';
import { checkBatchCrc, validateBatch } from '../protocol/records/validate-batch.ts';
import { corruptOnDisk, ioError, StorageError } from './errors.ts';
import type { FileIO } from './file-io.ts';
import type { StorageLogger } from './logger.ts';
import { OffsetIndex } from './offset-index.ts';
import { readFully, ScannedBatch, scanHeaders } from './segment-scan.ts';
import { TailWriter } from './tail-writer.ts';
import { TimeIndex } from './time-index.ts';

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
export const DELETED_SUFFIX = '.deleted';
export const CLEANED_SUFFIX = '.cleaned';
export const SWAP_SUFFIX = '.swap';

const INT32_MAX = 0x7fffffff;

/** `00000000000000000042` for 42. */
export function segmentName(baseOffset: number): string {
  return String(baseOffset).padStart(20, '0');
}

/** The settings a segment needs (a subset of LogConfig). */
export interface SegmentConfig {
  indexIntervalBytes: number;
  segmentIndexBytes: number;
}

export interface SegmentEnv {
  io: FileIO;
  clock: Clock;
  dir: string;
  config: SegmentConfig;
  logger: StorageLogger;
  /** Told when a read finds a batch damaged on disk (its segment's base offset). */
  onCorruptBatch?: (segmentBaseOffset: number) => void;
}

/** Where a batch is: what translating an offset or a timestamp yields. */
export interface BatchLocation {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}

export interface RecoverResult {
  /** Bytes dropped from the end of the file. */
  truncatedBytes: number;
  /** Why the tail was dropped, if it was. */
  reason: string | null;
  /** Offset after the last valid batch, or the base offset when there is none. */
  nextOffset: number;
}

const EMPTY = Buffer.alloc(0);
const RECOVER_CHUNK = 1024 * 1024;

export class LogSegment {
  readonly baseOffset: number;
  private readonly env: SegmentEnv;
  private fd: number;
  private logPath: string;
  private _size: number;
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  private bytesSinceLastIndexEntry = 0;
  private maxTimestampSoFar: number | undefined;
  private offsetOfMaxTimestampSoFar = -1;
  /** Max timestamp of the first batch: what time-based rolling measures from; null = unknown yet. */
  private rollingBasedTimestamp: number | null | undefined;
  /** Wall time the segment was created (or emptied), for rolling when batches carry no timestamps. */
  private created: number;
  private refs = 0;
  private closeRequested = false;
  private closed = false;
  private readonly scanned = new ScannedBatch();
  private readonly writer: TailWriter;
  /**
   * Bytes [0, verifiedTo) are known to be whole batches with good CRCs: appended through the log
   * (checked before the write) or re-read by recovery. Bytes above it were trusted at startup
   * (below the recovery point, or after a clean shutdown) and are checked when first read.
   */
  private verifiedTo = 0;
  /** Position of a corrupt batch already reported, so a consumer retrying it is not logged again. */
  private reportedCorruptAt = -1;
  /** Whether the indexes were checked against the log file since open (new ones need no check). */
  private indexesChecked: boolean;

  private constructor(env: SegmentEnv, baseOffset: number, fd: number, logPath: string, size: number, suffix: string) {
    this.env = env;
    this.baseOffset = baseOffset;
    this.fd = fd;
    this.logPath = logPath;
    this._size = size;
    this.writer = new TailWriter(env.io, fd, () => this.logPath);
    const stem = `${env.dir}/${segmentName(baseOffset)}`;
    this.offsetIndex = new OffsetIndex(
      env.io,
      `${stem}${INDEX_SUFFIX}${suffix}`,
      baseOffset,
      env.config.segmentIndexBytes,
    );
    this.timeIndex = new TimeIndex(
      env.io,
      `${stem}${TIME_INDEX_SUFFIX}${suffix}`,
      baseOffset,
      env.config.segmentIndexBytes,
    );
    this.created = env.clock.now();
    this.rollingBasedTimestamp = size === 0 ? null : undefined;
    this.indexesChecked = size === 0;
  }

  /**
   * Checks the indexes the first time they are used and rebuilds them from the log file if they
   * are inconsistent with it (a zeroed, torn or foreign index). Lazy so that opening a log of many
   * segments reads no index; the loader checks eagerly what it must.
   */
  private ensureIndexes(): void {
    if (this.indexesChecked) return;
    this.indexesChecked = true;
    const problem = this.sanityCheck(undefined);
    if (problem === null) return;
    this.env.logger.warn(`rebuilding the indexes of ${this.logPath}: ${problem}`);
    this.recover(INT32_MAX, false);
  }

  /** Marks the indexes as checked (the loader did it, or rebuilt them). */
  markIndexesChecked(): void {
    this.indexesChecked = true;
  }

  /** Creates a new empty segment (removing stale files of the same name). `suffix` e.g. '.cleaned'. */
  static create(env: SegmentEnv, baseOffset: number, suffix = ''): LogSegment {
    const stem = `${env.dir}/${segmentName(baseOffset)}`;
    const path = `${stem}${LOG_SUFFIX}${suffix}`;
    let fd: number;
    try {
      for (const s of [INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
        if (env.io.statSync(`${stem}${s}${suffix}`) !== undefined) env.io.unlinkSync(`${stem}${s}${suffix}`);
      }
      fd = env.io.openSync(path, 'w+');
    } catch (e) {
      throw ioError('creating segment', path, e);
    }
    const seg = new LogSegment(env, baseOffset, fd, path, 0, suffix);
    try {
      seg.offsetIndex.createFile();
      seg.timeIndex.createFile();
    } catch (e) {
      seg.close();
      throw e;
    }
    return seg;
  }

  /** Opens an existing segment; its indexes are read lazily. */
  static open(env: SegmentEnv, baseOffset: number, suffix = ''): LogSegment {
    const path = `${env.dir}/${segmentName(baseOffset)}${LOG_SUFFIX}${suffix}`;
    let fd: number;
    let size: number;
    try {
      fd = env.io.openSync(path, 'r+');
      size = env.io.fstatSize(fd);
    } catch (e) {
      throw ioError('opening segment', path, e);
    }
    if (size > INT32_MAX) {
      env.io.closeSync(fd);
      throw new StorageError('BAD_FILE', `segment ${path} is ${size} bytes, above the 2 GiB limit of positions`);
    }
    return new LogSegment(env, baseOffset, fd, path, size, suffix);
  }

  get size(): number {
    return this._size;
  }

  get path(): string {
    return this.logPath;
  }

  /** Last offset of the first batch that reached the max timestamp (-1 when there is none). */
  get offsetOfMaxTimestamp(): number {
    return this.maxTimestamp < 0 ? -1 : this.offsetOfMaxTimestampSoFar;
  }

  /** For an opened segment: whether both index files were there. */
  get indexFilesPresent(): boolean {
    return this.offsetIndex.existedOnOpen && this.timeIndex.existedOnOpen;
  }

  /** Largest batch max timestamp in the segment, or -1 if none carries one. */
  get maxTimestamp(): number {
    if (this.maxTimestampSoFar === undefined) {
      this.ensureIndexes();
      const last = this.timeIndex.lastEntry();
      this.maxTimestampSoFar = last.timestamp;
      this.offsetOfMaxTimestampSoFar = last.offset;
    }
    return this.maxTimestampSoFar;
  }

  /** What retention compares against: the max timestamp, or the file's mtime when there is none. */
  largestTimestamp(): number {
    const ts = this.maxTimestamp;
    if (ts >= 0) return ts;
    return this.lastModified();
  }

  /** The log file's modification time (ms), or `now` when it cannot be read. */
  lastModified(): number {
    return this.env.io.statSync(this.logPath)?.mtimeMs ?? this.env.clock.now();
  }

  /** Milliseconds this segment has been rolling for, as Kafka measures it for log.roll.ms. */
  timeWaitedForRoll(now: number, incomingMaxTimestamp: number): number {
    if (this.rollingBasedTimestamp === undefined) {
      this.rollingBasedTimestamp = null;
      scanHeaders(this.env.io, this.fd, 0, this._size, this.scanned, (b) => {
        this.rollingBasedTimestamp = b.maxTimestamp;
        return false;
      });
    }
    const ts = this.rollingBasedTimestamp;
    if (ts !== null && ts >= 0) return incomingMaxTimestamp - ts;
    return now - this.created;
  }

  /** Whether `lastOffset` still fits a 32-bit relative offset in this segment's indexes. */
  canHoldOffset(lastOffset: number): boolean {
    return lastOffset - this.baseOffset <= INT32_MAX && lastOffset >= this.baseOffset;
  }

  // ---- Appending ------------------------------------------------------------------------------

  /**
   * Writes `bufs` (whole batches, offsets already assigned) after the end of the file and of the
   * writes still in flight, then indexes them. Writes complete in the order they were issued
   * (see TailWriter): `size` and the indexes grow, and `onWritten` runs, only once every earlier
   * write has. On a failure the file is cut back to the bytes of completed writes and the error is
   * an IO_ERROR; if even the cut fails it is LOG_OFFLINE and the caller must take the log offline.
   */
  append(bufs: Buffer[], bytes: number, onWritten?: () => void): Promise<void> {
    this.checkOpen();
    const start = this.endPosition;
    if (start + bytes > INT32_MAX)
      return Promise.reject(new StorageError('BATCH_TOO_LARGE', `segment ${this.logPath} would pass 2 GiB`));
    return this.writer.write(bufs, bytes, start, () => {
      let pos = start;
      for (const buf of bufs) {
        this.indexBatches(buf, pos);
        pos += buf.length;
      }
      // Appended batches were checked by the log; they extend the verified prefix if they touch it.
      if (this.verifiedTo === start) this.verifiedTo = pos;
      this._size = pos;
      onWritten?.();
    });
  }

  /** Where the next append goes: the size plus the bytes of writes in flight. */
  get endPosition(): number {
    return this._size + this.writer.pendingBytes;
  }
  /** Appends are being written. */
  get writing(): boolean {
    return this.writer.busy;
  }
  /** An append failed and the file is not yet cut back (writes issued after it are in flight). */
  get writeFailing(): boolean {
    return this.writer.failing;
  }
  /** Settles once every append issued so far has completed or failed. */
  writesDone(): Promise<void> {
    return this.writer.idle();
  }

  /** Index entries and max timestamp for the batches of `buf`, which now sit at `filePos`. */
  private indexBatches(buf: Buffer, filePos: number): void {
    const cursor = new BatchCursor(buf);
    const interval = this.env.config.indexIntervalBytes;
    while (cursor.next()) {
      const maxTs = readSafeInt64(buf, cursor.position + MAX_TIMESTAMP_OFFSET, 'maxTimestamp');
      this.onBatch(filePos + cursor.position, cursor.size, cursor.lastOffset, maxTs, interval);
    }
  }

  private onBatch(position: number, size: number, lastOffset: number, maxTs: number, interval: number): void {
    if (this.rollingBasedTimestamp === null && position === 0) this.rollingBasedTimestamp = maxTs;
    if (maxTs > this.maxTimestamp) {
      this.maxTimestampSoFar = maxTs;
      this.offsetOfMaxTimestampSoFar = lastOffset;
    }
    if (this.bytesSinceLastIndexEntry > interval) {
      if (!this.offsetIndex.isFull()) this.offsetIndex.append(lastOffset, position);
      this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestampSoFar);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += size;
  }

  /** Called when the segment stops being active: the time index gets its final entry. */
  onBecomeInactive(): void {
    this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestampSoFar, true);
    this.offsetIndex.flush(false);
    this.timeIndex.flush(false);
  }

  /** fsyncs the log and both indexes. */
  async flush(): Promise<void> {
    this.checkOpen();
    this.retain();
    try {
      this.offsetIndex.flush(false);
      this.timeIndex.flush(false);
      await Promise.all([
        this.env.io.fdatasync(this.fd),
        this.env.io.fsyncPath(this.offsetIndex.path),
        this.env.io.fsyncPath(this.timeIndex.path),
      ]);
    } catch (e) {
      throw e instanceof StorageError ? e : ioError('flushing', this.logPath, e);
    } finally {
      this.release();
    }
  }

  // ---- Lookups --------------------------------------------------------------------------------

  /**
   * The first batch at or after byte `from` whose last offset is ≥ `offset`, within the first
   * `maxPosition` bytes; null if none. Index lookup, then a header walk of at most about
   * `index.interval.bytes`.
   */
  findBatch(offset: number, maxPosition = this._size): BatchLocation | null {
    this.ensureIndexes();
    const from = offset <= this.baseOffset ? 0 : this.offsetIndex.lookupPosition(offset);
    let found: BatchLocation | null = null;
    scanHeaders(this.env.io, this.fd, from, Math.min(maxPosition, this._size), this.scanned, (b) => {
      if (b.lastOffset < offset) return true;
      found = {
        position: b.position,
        size: b.size,
        baseOffset: b.baseOffset,
        lastOffset: b.lastOffset,
        maxTimestamp: b.maxTimestamp,
      };
      return false;
    });
    return found;
  }

  /**
   * The first batch whose max timestamp is ≥ `timestamp` and whose last offset is ≥
   * `startingOffset`; null if none. Time index, then offset index, then a header walk.
   */
  findBatchByTimestamp(timestamp: number, startingOffset: number): BatchLocation | null {
    this.ensureIndexes();
    const hint = this.timeIndex.lookup(timestamp);
    const from = this.offsetIndex.lookupPosition(Math.max(hint.offset, startingOffset));
    let found: BatchLocation | null = null;
    scanHeaders(this.env.io, this.fd, from, this._size, this.scanned, (b) => {
      if (b.maxTimestamp < timestamp || b.lastOffset < startingOffset) return true;
      found = {
        position: b.position,
        size: b.size,
        baseOffset: b.baseOffset,
        lastOffset: b.lastOffset,
        maxTimestamp: b.maxTimestamp,
      };
      return false;
    });
    return found;
  }

  /** The offset after the last batch (reads headers from the last index entry on). */
  readNextOffset(): number {
    this.ensureIndexes();
    const from = this.offsetIndex.lastEntry().position;
    let next = this.baseOffset;
    if (from > 0) next = this.offsetIndex.lastEntry().offset + 1;
    scanHeaders(this.env.io, this.fd, from, this._size, this.scanned, (b) => {
      next = b.lastOffset + 1;
      return true;
    });
    return next;
  }

  /**
   * The bytes from the start of `first` (from findBatch), at most `maxBytes` of them but at least
   * the first batch when `minOneBatch`, and nothing at or past `maxPosition`. With `wholeBatches`
   * the bytes end after the last whole batch; without, they are cut at exactly `maxBytes`, inside
   * a later batch if need be — what Kafka's Fetch answers (clients drop the partial batch at the
   * end).
   * One allocation; the descriptor is held until the read completes.
   */
  async read(
    first: BatchLocation,
    maxBytes: number,
    maxPosition: number,
    minOneBatch: boolean,
    wholeBatches = true,
  ): Promise<Buffer> {
    const limit = Math.min(maxPosition, this._size) - first.position;
    if (first.size > limit) return EMPTY;
    let length = Math.min(limit, maxBytes);
    if (length < first.size) {
      // A first batch that does not fit is never cut (Kafka answers nothing instead).
      if (!minOneBatch) return EMPTY;
      length = first.size;
    }
    const buf = await this.readBytes(first.position, length);
    const out = wholeBatches ? buf.subarray(0, wholeBatchesEnd(buf, buf.length)) : buf;
    return first.position + out.length > this.verifiedTo ? this.verified(out, first.position) : out;
  }

  /**
   * `buf` (read from `position`) cut before its first batch whose CRC fails, checking only the
   * batches that end above `verifiedTo`, and moving `verifiedTo` over the checked ones that
   * continue it. When the very first batch is corrupt the read fails (CORRUPT_BATCH): bytes that
   * were damaged on disk after they were written are never served. A cut-off batch at the end (a
   * Fetch answer cut at its byte limit) is left for the read that starts at it.
   */
  private verified(buf: Buffer, position: number): Buffer {
    const cursor = new BatchCursor(buf);
    let good = 0; // end of the last batch known good
    try {
      while (cursor.next()) {
        const start = cursor.position;
        const end = start + cursor.size;
        if (position + end > this.verifiedTo) {
          checkBatchCrc(buf, start, end);
          if (position + start <= this.verifiedTo) this.verifiedTo = position + end;
        }
        good = end;
      }
      return buf;
    } catch (e) {
      const at = position + good;
      if (this.reportedCorruptAt !== at) {
        this.reportedCorruptAt = at;
        this.env.logger.error(
          `${this.logPath}: the batch at byte ${at} was damaged on disk after it was written (${(e as Error).message}); reads stop before it, and the next start recovers the log from offset ${this.baseOffset}, keeping its valid prefix`,
        );
        this.env.onCorruptBatch?.(this.baseOffset);
      }
      if (good > 0) return buf.subarray(0, good);
      throw corruptOnDisk(this.logPath, at, e);
    }
  }

  /**
   * Up to `length` bytes from `position` (fewer at the end of the file), in one allocation,
   * holding the descriptor until done.
   */
  async readBytes(position: number, length: number): Promise<Buffer> {
    this.checkOpen();
    this.retain();
    const buf = Buffer.allocUnsafe(length);
    let n = 0;
    try {
      while (n < length) {
        const r = await this.env.io.read(this.fd, buf, n, length - n, position + n);
        if (r === 0) break;
        n += r;
      }
    } catch (e) {
      throw ioError('reading', this.logPath, e);
    } finally {
      this.release();
    }
    return n === length ? buf : buf.subarray(0, n);
  }

  /** The bytes of one batch found by findBatch/findBatchByTimestamp, read synchronously. */
  readBatchSync(b: BatchLocation): Buffer {
    this.checkOpen();
    const buf = Buffer.allocUnsafe(b.size);
    const n = readFully(this.env.io, this.fd, buf, 0, b.size, b.position);
    return buf.subarray(0, n);
  }

  // ---- Recovery and truncation ----------------------------------------------------------------

  /**
   * Re-reads every batch, checking its header, CRC and offsets, rebuilds both indexes, and cuts
   * the file at the first batch that fails. Used at startup for segments after the recovery point
   * and for any segment whose index is missing or corrupt. With `truncate` false only the indexes
   * are rebuilt (up to the first bad batch) and the file is left alone.
   */
  recover(maxBatchBytes = INT32_MAX, truncate = true): RecoverResult {
    this.checkOpen();
    this.indexesChecked = true;
    const io = this.env.io;
    const interval = this.env.config.indexIntervalBytes;
    this.offsetIndex.reset();
    this.timeIndex.reset();
    this.maxTimestampSoFar = -1;
    this.offsetOfMaxTimestampSoFar = -1;
    this.bytesSinceLastIndexEntry = 0;
    this.rollingBasedTimestamp = null;
    const fileSize = io.fstatSize(this.fd);
    let chunk = Buffer.allocUnsafe(Math.min(RECOVER_CHUNK, Math.max(fileSize, LOG_OVERHEAD)));
    let chunkStart = 0;
    let chunkLen = 0;
    let pos = 0;
    let next = this.baseOffset;
    let reason: string | null = null;
    const fill = (at: number, want: number): void => {
      if (want > chunk.length) chunk = Buffer.allocUnsafe(want);
      chunkStart = at;
      chunkLen = readFully(io, this.fd, chunk, 0, Math.min(chunk.length, fileSize - at), at);
    };
    while (pos < fileSize) {
      if (pos + MAGIC_OFFSET + 1 > chunkStart + chunkLen) fill(pos, chunk.length);
      if (pos + MAGIC_OFFSET + 1 > chunkStart + chunkLen) {
        reason = `a torn batch header of ${fileSize - pos} bytes`;
        break;
      }
      const size = chunk.readInt32BE(pos - chunkStart + 8) + LOG_OVERHEAD;
      if (size < LOG_OVERHEAD || size > fileSize - pos || size > maxBatchBytes + LOG_OVERHEAD) {
        reason =
          size > fileSize - pos && size >= LOG_OVERHEAD
            ? `a torn batch: ${size} bytes announced, ${fileSize - pos} present`
            : `an impossible batch length ${size - LOG_OVERHEAD}`;
        break;
      }
      if (pos + size > chunkStart + chunkLen) fill(pos, Math.max(size, RECOVER_CHUNK));
      const o = pos - chunkStart;
      let header: ReturnType<typeof validateBatch>;
      try {
        header = validateBatch(chunk.subarray(o, o + size));
      } catch (e) {
        reason = (e as Error).message;
        break;
      }
      if (header.baseOffset < next) {
        reason = `batch offset ${header.baseOffset} is not above the previous batch's (${next - 1})`;
        break;
      }
      if (!this.canHoldOffset(header.lastOffset)) {
        reason = `batch offsets ${header.baseOffset}..${header.lastOffset} do not belong in this segment`;
        break;
      }
      this.onBatch(pos, size, header.lastOffset, header.maxTimestamp, interval);
      next = header.lastOffset + 1;
      pos += size;
    }
    const truncatedBytes = truncate ? fileSize - pos : 0;
    if (truncatedBytes > 0) {
      try {
        io.ftruncateSync(this.fd, pos);
      } catch (e) {
        throw ioError('truncating', this.logPath, e);
      }
    }
    if (truncate) this._size = pos;
    this.verifiedTo = pos;
    this.offsetIndex.flush(false);
    this.timeIndex.flush(false);
    return { truncatedBytes, reason: truncatedBytes > 0 ? reason : null, nextOffset: next };
  }

  /**
   * Removes every batch whose last offset is ≥ `offset` (whole batches: a batch holding `offset`
   * goes entirely). Returns the bytes removed.
   */
  truncateTo(offset: number): number {
    this.checkOpen();
    const at = this.findBatch(offset);
    if (at === null) return 0;
    const removed = this._size - at.position;
    try {
      this.env.io.ftruncateSync(this.fd, at.position);
    } catch (e) {
      throw ioError('truncating', this.logPath, e);
    }
    this._size = at.position;
    if (this.verifiedTo > at.position) this.verifiedTo = at.position;
    this.offsetIndex.truncateTo(offset);
    this.timeIndex.truncateTo(offset);
    // Recompute what the dropped batches may have contributed, from the last index entry on.
    const last = this.offsetIndex.lastEntry();
    const tl = this.timeIndex.lastEntry();
    this.maxTimestampSoFar = tl.timestamp;
    this.offsetOfMaxTimestampSoFar = tl.offset;
    this.bytesSinceLastIndexEntry = 0;
    scanHeaders(this.env.io, this.fd, last.position, this._size, this.scanned, (b) => {
      if (b.maxTimestamp > this.maxTimestampSoFar!) {
        this.maxTimestampSoFar = b.maxTimestamp;
        this.offsetOfMaxTimestampSoFar = b.lastOffset;
      }
      this.bytesSinceLastIndexEntry += b.size;
      return true;
    });
    if (this._size === 0) {
      this.created = this.env.clock.now();
      this.rollingBasedTimestamp = null;
    }
    return removed;
  }

  /** Null if both indexes are consistent with the log file; else what is wrong with which. */
  sanityCheck(nextSegmentBase: number | undefined): string | null {
    const o = this.offsetIndex.sanityCheck(this._size, nextSegmentBase);
    if (o !== null) return `offset index ${this.offsetIndex.path}: ${o}`;
    const t = this.timeIndex.sanityCheck(nextSegmentBase);
    if (t !== null) return `time index ${this.timeIndex.path}: ${t}`;
    return null;
  }

  // ---- Files and lifecycle --------------------------------------------------------------------

  /** Renames the three files, e.g. adding `.deleted` or removing `.swap`/`.cleaned`. */
  changeSuffix(oldSuffix: string, newSuffix: string): void {
    const rename = (path: string): string => {
      if (!path.endsWith(oldSuffix)) throw new StorageError('BAD_FILE', `${path} does not end with '${oldSuffix}'`);
      return path.slice(0, path.length - oldSuffix.length) + newSuffix;
    };
    try {
      this.offsetIndex.flush(false);
      this.timeIndex.flush(false);
      const to = rename(this.logPath);
      this.env.io.renameSync(this.logPath, to);
      this.logPath = to;
      this.offsetIndex.renameTo(rename(this.offsetIndex.path));
      this.timeIndex.renameTo(rename(this.timeIndex.path));
    } catch (e) {
      throw e instanceof StorageError ? e : ioError('renaming', this.logPath, e);
    }
  }

  /** Deletes the files; the descriptor stays valid for readers still holding the segment. */
  deleteFiles(): void {
    try {
      if (this.env.io.statSync(this.logPath) !== undefined) this.env.io.unlinkSync(this.logPath);
      this.offsetIndex.deleteFile();
      this.timeIndex.deleteFile();
    } catch (e) {
      throw ioError('deleting', this.logPath, e);
    }
  }

  retain(): void {
    this.refs++;
  }

  release(): void {
    this.refs--;
    if (this.refs === 0 && this.closeRequested) this.closeNow();
  }

  /** Writes the indexes out and closes the descriptor now, or when the last reader releases it. */
  close(): void {
    if (this.closeRequested) return;
    this.closeRequested = true;
    try {
      this.offsetIndex.flush(false);
      this.timeIndex.flush(false);
    } catch {
      // A deleted segment's index files may be gone; nothing to keep.
    }
    if (this.refs === 0) this.closeNow();
  }

  get isClosed(): boolean {
    return this.closeRequested;
  }

  private closeNow(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.env.io.closeSync(this.fd);
    } catch {
      // Closing a descriptor cannot lose data we still need.
    }
    this.fd = -1;
  }

  private checkOpen(): void {
    if (this.closeRequested) throw new StorageError('LOG_CLOSED', `segment ${this.logPath} is closed`);
  }
}

/** End of the last whole batch in buf[0, n). */
function wholeBatchesEnd(buf: Buffer, n: number): number {
  const cursor = new BatchCursor(buf, 0, n);
  let end = 0;
  try {
    while (cursor.next()) end = cursor.position + cursor.size;
  } catch {
    // Stop at anything that is not a batch; what came before is whole.
  }
  return end;
}
