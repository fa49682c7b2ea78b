/**
 * Writes to the end of one segment file with more than one write in flight, completing them in
 * the order they were issued.
 *
 *   write(A @0) ─┐ thread pool   A done ─▶ onWritten(A)
 *   write(B @a) ─┘ (both run)    B done ─▶ onWritten(B)   (never before A's)
 *
 * Why: one write at a time leaves the disk idle for a thread-pool round trip between writes (the
 * completion travels to the event loop, the next write travels back); with the next write already
 * queued in the pool that gap disappears (1 MiB appends: about +5%, see LogTaskQueue).
 *
 * The caller picks each write's position (the end of the file after the writes in flight) and
 * learns of success only through `onWritten`, called in issue order, so whatever counts completed
 * bytes (the segment's size, its indexes, the LEO) never counts a byte before every byte ahead of
 * it is written.
 *
 * Failure: a failed write fails every write issued after it (their bytes lie beyond a hole). The
 * last of them to finish cuts the file back to where the failed write began, so the file is
 * exactly its completed writes again; until then `failing` is true and the caller should wait
 * for `idle()` before writing more. If the cut itself fails the error is LOG_OFFLINE.
 */
import { errorDetail, ioError, StorageError } from './errors.ts';
import type { FileIO } from './file-io.ts';

export class TailWriter {
  private readonly io: FileIO;
  private readonly fd: number;
  /** The file's current name (a segment is renamed when it is deleted or swapped). */
  private readonly path: () => string;
  /** Settles when the last write issued so far has completed (never rejects). */
  private tail: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private _pendingBytes = 0;
  /** The first failure since the file was last whole, and where that write began. */
  private failure: unknown = null;
  private cutTo = -1;

  constructor(io: FileIO, fd: number, path: () => string) {
    this.io = io;
    this.fd = fd;
    this.path = path;
  }

  /** Bytes of writes issued and not yet completed. */
  get pendingBytes(): number {
    return this._pendingBytes;
  }
  get busy(): boolean {
    return this.inFlight > 0;
  }
  /** A write failed and the later ones have not all finished: the file is not yet cut back. */
  get failing(): boolean {
    return this.cutTo >= 0;
  }

  /** Settles once every write issued so far has completed or failed. */
  idle(): Promise<void> {
    return this.tail;
  }

  /**
   * Writes `bufs` (`bytes` in all) at `start`. Resolves after `onWritten` ran, which happens only
   * once this write and every earlier one succeeded; rejects with an IO_ERROR otherwise.
   */
  write(bufs: Buffer[], bytes: number, start: number, onWritten: () => void): Promise<void> {
    this.inFlight++;
    this._pendingBytes += bytes;
    const outcome = this.writeFully(bufs, bytes, start).then(
      () => null,
      (e: unknown) => e ?? new Error('write failed'),
    );
    const done = this.tail.then(() => outcome).then((err) => this.complete(err, start, bytes, onWritten));
    this.tail = done.then(ignore, ignore);
    return done;
  }

  private async writeFully(bufs: Buffer[], bytes: number, start: number): Promise<void> {
    let written = await this.io.writev(this.fd, bufs, start);
    // A short write (a disk filling up mid-write) is retried once for the rest, which then
    // either completes or reports why it cannot.
    if (written < bytes) written += await this.io.writev(this.fd, remainder(bufs, written), start + written);
    if (written < bytes)
      throw Object.assign(new Error(`short write: ${written} of ${bytes} bytes`), { code: 'ENOSPC' });
  }

  /** Runs in issue order. */
  private complete(err: unknown, start: number, bytes: number, onWritten: () => void): void {
    this.inFlight--;
    this._pendingBytes -= bytes;
    if (err === null && this.cutTo < 0) {
      onWritten();
      return;
    }
    if (this.cutTo < 0) {
      this.cutTo = start;
      this.failure = err;
    }
    const failure = this.failure;
    if (this.inFlight > 0) throw ioError('appending to', this.path(), failure);
    const cut = this.cutTo;
    this.cutTo = -1;
    this.failure = null;
    try {
      this.io.ftruncateSync(this.fd, cut);
    } catch (e2) {
      throw new StorageError(
        'LOG_OFFLINE',
        `append to ${this.path()} failed (${errorDetail(failure)}) and cutting it back to ${cut} bytes failed too (${errorDetail(e2)})`,
        { cause: failure },
      );
    }
    throw ioError('appending to', this.path(), failure);
  }
}

function ignore(): void {}

/** `bufs` without their first `skip` bytes. */
function remainder(bufs: Buffer[], skip: number): Buffer[] {
  const out: Buffer[] = [];
  for (const b of bufs) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    out.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return out;
}
