/**
 * The leader epoch checkpoint of one partition: `<partition dir>/leader-epoch-checkpoint`, in
 * Kafka's format, so OffsetForLeaderEpoch answers survive a restart. The logic (assign, truncate,
 * look up) is replication/leader-epoch-cache.ts; this file only reads and writes the bytes.
 *
 * Layout (UTF-8 text, '\n' line ends):
 *
 *   0                        version
 *   <n>                      number of entries
 *   <epoch> <startOffset>    n lines, single space, epochs and start offsets strictly increasing
 *
 * Written whole to `leader-epoch-checkpoint.tmp`, fsynced, renamed over the file, directory
 * fsynced (FileIO.writeFileDurable): a crash leaves the old or the new file, never a mix. A file
 * that does not parse is a BAD_FILE error naming the path and line.
 */
import { ioError, StorageError } from './errors.ts';
import type { FileIO } from './file-io.ts';

export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';

const VERSION = 0;

/** Offsets from `startOffset` on were written by the leader of `epoch` (until the next entry). */
export interface EpochEntry {
  readonly epoch: number;
  readonly startOffset: number;
}

export class LeaderEpochCheckpointFile {
  readonly path: string;
  private readonly io: FileIO;

  constructor(io: FileIO, partitionDir: string) {
    this.io = io;
    this.path = `${partitionDir}/${LEADER_EPOCH_CHECKPOINT}`;
  }

  async write(entries: readonly EpochEntry[]): Promise<void> {
    try {
      await this.io.writeFileDurable(this.path, encodeLeaderEpochCheckpoint(entries));
    } catch (e) {
      throw ioError('writing leader epoch checkpoint', this.path, e);
    }
  }

  /** The entries, oldest first; empty when the file does not exist. */
  read(): EpochEntry[] {
    if (this.io.statSync(this.path) === undefined) return [];
    let bytes: Buffer;
    try {
      bytes = this.io.readFileSync(this.path);
    } catch (e) {
      throw ioError('reading leader epoch checkpoint', this.path, e);
    }
    return decodeLeaderEpochCheckpoint(bytes, this.path);
  }
}

export function encodeLeaderEpochCheckpoint(entries: readonly EpochEntry[]): Buffer {
  const lines = [String(VERSION), String(entries.length)];
  for (const e of entries) lines.push(`${e.epoch} ${e.startOffset}`);
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

export function decodeLeaderEpochCheckpoint(bytes: Buffer, path: string): EpochEntry[] {
  const lines = bytes.toString('utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const bad = (line: number, why: string): StorageError =>
    new StorageError('BAD_FILE', `leader epoch checkpoint ${path} line ${line}: ${why}`);
  if (lines[0] !== String(VERSION)) throw bad(1, `unknown version '${lines[0] ?? ''}'`);
  const n = Number(lines[1]);
  if (!Number.isInteger(n) || n < 0) throw bad(2, `bad entry count '${lines[1] ?? ''}'`);
  if (lines.length !== n + 2) throw bad(lines.length, `expected ${n} entries, found ${lines.length - 2}`);
  const out: EpochEntry[] = [];
  for (let i = 2; i < lines.length; i++) {
    const parts = lines[i]!.split(' ');
    const epoch = Number(parts[0]);
    const startOffset = Number(parts[1]);
    if (parts.length !== 2 || !Number.isInteger(epoch) || epoch < 0 || !Number.isSafeInteger(startOffset)) {
      throw bad(i + 1, `malformed entry '${lines[i]}'`);
    }
    const prev = out.at(-1);
    if (prev !== undefined && (epoch <= prev.epoch || startOffset < prev.startOffset)) {
      throw bad(i + 1, `entry '${lines[i]}' does not follow epoch ${prev.epoch} at ${prev.startOffset}`);
    }
    out.push({ epoch, startOffset });
  }
  return out;
}
