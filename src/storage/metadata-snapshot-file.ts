import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { StorageError } from './errors.ts';

/** The embedded store's file, in the first log dir (the log manager knows to leave it alone). */
export const METADATA_SNAPSHOT_FILE = 'samsa-metadata.json';

/**
 * Where a single node keeps its embedded metadata store between runs: one file in the first log
 * dir, `samsa-metadata.json`, replaced atomically (write `.tmp`, fsync, rename, fsync the dir) on
 * every change of a persistent node. Changes are rare (topic and config changes), so the whole
 * state is rewritten each time.
 */
export class MetadataSnapshotFile {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  load(): Buffer | null {
    if (!existsSync(this.path)) return null;
    try {
      return readFileSync(this.path);
    } catch (e) {
      throw new StorageError('IO_ERROR', `cannot read the metadata file ${this.path}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }

  save(state: Buffer): void {
    const tmp = `${this.path}.tmp`;
    try {
      const fd = openSync(tmp, 'w');
      try {
        let written = 0;
        while (written < state.length) written += writeSync(fd, state, written, state.length - written);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.path);
      const dirFd = openSync(dirname(this.path), 'r');
      try {
        fsyncSync(dirFd);
      } finally {
        closeSync(dirFd);
      }
    } catch (e) {
      throw new StorageError('IO_ERROR', `cannot write the metadata file ${this.path}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
}
