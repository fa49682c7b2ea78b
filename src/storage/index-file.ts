/**
 * The part shared by the offset index and the time index: a file of fixed-size entries, held in
 * memory and written to disk on flush.
 *
 * Kafka memory-maps its index files; Node cannot, so an index lives in a Buffer and the file is a
 * copy of it that is brought up to date by `flush()` (and on roll and close). That is safe
 * because an index is never the only record of anything: every entry can be rebuilt from the
 * segment's `.log`, and recovery rebuilds the index of every segment after the recovery point,
 * which is exactly the set whose index entries may not have reached the disk.
 *
 * Lifecycle: created empty for a new segment, or opened on an existing file; an opened index is
 * read lazily on first lookup (a log of 1,000 segments opens without reading 1,000 indexes).
 * `sanityCheck()` validates an opened file; `reset()` empties it for a rebuild.
 *
 * Invariants: `entries ≤ maxEntries`; `persisted ≤ entries` entries are known to be in the file;
 * keys are strictly increasing (checked by the subclass's sanity check).
 */
import { StorageError } from './errors.ts';
import type { FileIO } from './file-io.ts';

export abstract class IndexFile {
  protected readonly io: FileIO;
  private _path: string;
  readonly baseOffset: number;
  readonly entrySize: number;
  readonly maxEntries: number;
  private buf: Buffer | null;
  private _entries: number;
  /** Entries [0, persisted) are in the file as they are in memory. */
  private persisted: number;
  /** False when the constructor found no file (a new index, or a deleted one to rebuild). */
  readonly existedOnOpen: boolean;

  protected constructor(io: FileIO, path: string, baseOffset: number, maxIndexBytes: number, entrySize: number) {
    this.io = io;
    this._path = path;
    this.baseOffset = baseOffset;
    this.entrySize = entrySize;
    this.maxEntries = Math.max(2, Math.floor(maxIndexBytes / entrySize));
    const st = io.statSync(path);
    this.existedOnOpen = st !== undefined;
    if (st === undefined) {
      this.buf = Buffer.allocUnsafe(Math.min(64, this.maxEntries) * entrySize);
      this._entries = 0;
      this.persisted = 0;
    } else {
      // A torn last entry (a crash mid-write) is not an entry.
      this.buf = null;
      this._entries = Math.min(this.maxEntries, Math.floor(st.size / entrySize));
      this.persisted = this._entries;
    }
  }

  get path(): string {
    return this._path;
  }

  get entries(): number {
    return this._entries;
  }

  isFull(): boolean {
    return this._entries >= this.maxEntries;
  }

  /** Bytes the index takes on disk once flushed. */
  get sizeInBytes(): number {
    return this._entries * this.entrySize;
  }

  /** The entries, reading the file on first use. */
  protected data(): Buffer {
    if (this.buf === null) {
      const want = this._entries * this.entrySize;
      let file: Buffer;
      try {
        file = this.io.readFileSync(this._path);
      } catch (e) {
        throw new StorageError('IO_ERROR', `reading index ${this._path}: ${(e as Error).message}`, { cause: e });
      }
      if (file.length < want) {
        // The file shrank after open; trust what is there.
        this._entries = this.persisted = Math.floor(file.length / this.entrySize);
      }
      this.buf = file.subarray(0, this._entries * this.entrySize);
    }
    return this.buf;
  }

  /**
   * Room for one more entry, growing the buffer geometrically; returns its byte position.
   * `maxEntries` bounds it even when `isFull()` (which a subclass may make stricter) says full.
   */
  protected reserve(): number {
    if (this._entries >= this.maxEntries) throw new StorageError('INVALID_OFFSET', `index ${this._path} is full`);
    let b = this.data();
    const pos = this._entries * this.entrySize;
    if (pos + this.entrySize > b.length) {
      const grown = Buffer.allocUnsafe(
        Math.min(this.maxEntries * this.entrySize, Math.max(b.length * 2, 64 * this.entrySize)),
      );
      b.copy(grown, 0, 0, pos);
      this.buf = b = grown;
    }
    return pos;
  }

  protected commitEntry(): void {
    this._entries++;
  }

  /**
   * Index of the last entry whose key is ≤ target, or -1 if none (binary search). `keyAt` reads
   * the key of entry i.
   */
  protected floorEntry(target: number, keyAt: (b: Buffer, i: number) => number): number {
    const b = this.data();
    let lo = 0;
    let hi = this._entries - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (keyAt(b, mid) <= target) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** The bytes of the last entry, read from the file alone when the index is not loaded. */
  protected lastEntryBytes(): Buffer | null {
    if (this._entries === 0) return null;
    const at = (this._entries - 1) * this.entrySize;
    if (this.buf !== null) return this.buf.subarray(at, at + this.entrySize);
    const out = Buffer.alloc(this.entrySize);
    try {
      const fd = this.io.openSync(this._path, 'r');
      try {
        if (this.io.readSync(fd, out, 0, this.entrySize, at) === this.entrySize) return out;
      } finally {
        this.io.closeSync(fd);
      }
    } catch {
      // Fall through to a full load, which reports the problem.
    }
    const b = this.data();
    return this._entries === 0
      ? null
      : b.subarray((this._entries - 1) * this.entrySize, this._entries * this.entrySize);
  }

  /** Drops entries [n, entries). */
  protected truncateEntries(n: number): void {
    if (n >= this._entries) return;
    this.data();
    this._entries = n;
    if (this.persisted > n) {
      this.persisted = n;
      this.writeFile(true);
    }
  }

  /** Empties the index (for a rebuild) and its file. */
  reset(): void {
    this.buf = Buffer.allocUnsafe(Math.min(64, this.maxEntries) * this.entrySize);
    this._entries = 0;
    this.persisted = 0;
    this.writeFile(true);
  }

  /** Creates the (empty) file of a new index. */
  createFile(): void {
    this.writeFile(true);
  }

  /** Writes unpersisted entries to the file, fsyncing it if `sync`. */
  flush(sync: boolean): void {
    if (this.persisted === this._entries && !sync) return;
    this.writeFile(false, sync);
  }

  private writeFile(truncate: boolean, sync = false): void {
    const b = this.buf;
    let fd: number;
    try {
      fd = this.io.openSync(this._path, this.io.statSync(this._path) === undefined ? 'w+' : 'r+');
    } catch (e) {
      throw new StorageError('IO_ERROR', `opening index ${this._path}: ${(e as Error).message}`, { cause: e });
    }
    try {
      const from = this.persisted * this.entrySize;
      const to = this._entries * this.entrySize;
      if (truncate || this.io.fstatSize(fd) !== from) this.io.ftruncateSync(fd, from);
      if (b !== null && to > from) {
        let done = from;
        while (done < to) done += this.io.writeSync(fd, b, done, to - done, done);
      }
      if (sync) this.io.fsyncSync(fd);
      this.persisted = this._entries;
    } catch (e) {
      throw new StorageError('IO_ERROR', `writing index ${this._path}: ${(e as Error).message}`, { cause: e });
    } finally {
      this.io.closeSync(fd);
    }
  }

  /** Renames the file (e.g. to `.deleted`); a missing file (never flushed) is fine. */
  renameTo(path: string): void {
    if (this.io.statSync(this._path) !== undefined) this.io.renameSync(this._path, path);
    this._path = path;
  }

  /** Deletes the file if it exists. */
  deleteFile(): void {
    if (this.io.statSync(this._path) !== undefined) this.io.unlinkSync(this._path);
  }

  /** Frees the in-memory copy of an index that is persisted; it is re-read on next use. */
  unload(): void {
    if (this.persisted === this._entries) this.buf = null;
  }
}
