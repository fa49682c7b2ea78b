/**
 * The one seam between storage and the file system. Everything in `storage/` does its file work
 * through a `FileIO`, so tests can make a chosen call fail (ENOSPC on a write, EIO on an fsync)
 * without a real full disk. `nodeFileIO` is the real thing.
 *
 * Which calls are synchronous and why:
 * - Appends write with `writev` on libuv's thread pool. A synchronous 1 MiB write into the page
 *   cache measured 0.25 ms typical and 3+ ms when the kernel throttles dirty pages, blocking every
 *   connection of the broker meanwhile; the async call costs ~40 µs of round trip, which the
 *   append queue amortises by writing every queued batch in one `writev` (see append-queue.ts).
 * - Reads and fsyncs are asynchronous (a cold read or an fsync can take milliseconds to seconds).
 * - Opening, renaming, deleting files, small index writes and everything at startup (recovery,
 *   index rebuilding) are synchronous: rare, short, or before the broker serves anyone.
 */
import * as fs from 'node:fs';

export interface FileIO {
  // Synchronous: metadata, small writes, startup.
  openSync(path: string, flags: string): number;
  closeSync(fd: number): void;
  readSync(fd: number, buf: Uint8Array, offset: number, length: number, position: number): number;
  writeSync(fd: number, buf: Uint8Array, offset: number, length: number, position: number): number;
  fsyncSync(fd: number): void;
  ftruncateSync(fd: number, length: number): void;
  fstatSize(fd: number): number;
  readdirSync(path: string): string[];
  mkdirSync(path: string): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  rmdirRecursiveSync(path: string): void;
  statSync(path: string): fs.Stats | undefined;
  accessWritableSync(path: string): void;
  readFileSync(path: string): Buffer;
  /** Directory fsync, so a created or renamed name survives a power loss. */
  fsyncDirSync(path: string): void;

  // Asynchronous: the hot paths and anything that may wait on the disk.
  writev(fd: number, bufs: Buffer[], position: number): Promise<number>;
  read(fd: number, buf: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  fdatasync(fd: number): Promise<void>;
  /** Opens, fsyncs and closes a file (an index file that is written in small synchronous pieces). */
  fsyncPath(path: string): Promise<void>;
  writeFileDurable(path: string, data: Uint8Array): Promise<void>;
}

export const nodeFileIO: FileIO = {
  openSync: (path, flags) => fs.openSync(path, flags),
  closeSync: (fd) => fs.closeSync(fd),
  readSync: (fd, buf, offset, length, position) => fs.readSync(fd, buf, offset, length, position),
  writeSync: (fd, buf, offset, length, position) => fs.writeSync(fd, buf, offset, length, position),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  ftruncateSync: (fd, length) => fs.ftruncateSync(fd, length),
  fstatSize: (fd) => fs.fstatSync(fd).size,
  readdirSync: (path) => fs.readdirSync(path),
  mkdirSync: (path) => {
    fs.mkdirSync(path, { recursive: true });
  },
  renameSync: (from, to) => fs.renameSync(from, to),
  unlinkSync: (path) => fs.unlinkSync(path),
  rmdirRecursiveSync: (path) => fs.rmSync(path, { recursive: true, force: true }),
  statSync: (path) => fs.statSync(path, { throwIfNoEntry: false }),
  accessWritableSync: (path) => fs.accessSync(path, fs.constants.W_OK | fs.constants.X_OK),
  readFileSync: (path) => fs.readFileSync(path),
  fsyncDirSync: (path) => {
    const fd = fs.openSync(path, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },

  writev: (fd, bufs, position) =>
    new Promise((resolve, reject) => {
      fs.writev(fd, bufs, position, (err, written) => (err ? reject(err) : resolve(written)));
    }),
  read: (fd, buf, offset, length, position) =>
    new Promise((resolve, reject) => {
      fs.read(fd, buf, offset, length, position, (err, n) => (err ? reject(err) : resolve(n)));
    }),
  fdatasync: (fd) =>
    new Promise((resolve, reject) => {
      fs.fdatasync(fd, (err) => (err ? reject(err) : resolve()));
    }),
  fsyncPath: async (path) => {
    const fh = await fs.promises.open(path, 'r+');
    try {
      await fh.datasync();
    } finally {
      await fh.close();
    }
  },
  writeFileDurable: async (path, data) => {
    // Write a temporary file, fsync it, rename over the target, fsync the directory: a crash
    // leaves either the old file or the new one, never a torn one.
    const tmp = `${path}.tmp`;
    const fh = await fs.promises.open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.promises.rename(tmp, path);
    const dir = path.slice(0, Math.max(1, path.lastIndexOf('/')));
    const dfh = await fs.promises.open(dir, 'r');
    try {
      await dfh.sync();
    } finally {
      await dfh.close();
    }
  },
};
