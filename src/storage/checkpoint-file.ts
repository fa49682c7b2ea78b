/**
 * Offset checkpoint files, in Kafka's format, one per log dir for each purpose:
 * `recovery-point-offset-checkpoint`, `log-start-offset-checkpoint`, `cleaner-offset-checkpoint`.
 *
 * Layout (UTF-8 text, '\n' line ends):
 *
 *   0                         version
 *   <n>                       number of entries
 *   <topic> <partition> <offset>   n lines, single spaces
 *
 * Written whole to `<name>.tmp`, fsynced, renamed over the file, directory fsynced: a crash
 * leaves the old or the new checkpoint, never a mix. A file that does not parse is a BAD_FILE
 * error naming the path and line.
 */
import { ioError, StorageError } from './errors.ts';
import type { FileIO } from './file-io.ts';

export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';
export const CLEANER_OFFSET_CHECKPOINT = 'cleaner-offset-checkpoint';
/** Present in a log dir after a clean shutdown (Kafka's name). */
export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';

const VERSION = 0;

/** "topic-partition" keys, as partition directories are named. */
export function tpKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

export class OffsetCheckpointFile {
  readonly path: string;
  private readonly io: FileIO;

  constructor(io: FileIO, path: string) {
    this.io = io;
    this.path = path;
  }

  async write(entries: ReadonlyMap<string, { topic: string; partition: number; offset: number }>): Promise<void> {
    const lines = [String(VERSION), String(entries.size)];
    for (const e of entries.values()) lines.push(`${e.topic} ${e.partition} ${e.offset}`);
    try {
      await this.io.writeFileDurable(this.path, Buffer.from(`${lines.join('\n')}\n`, 'utf8'));
    } catch (e) {
      throw ioError('writing checkpoint', this.path, e);
    }
  }

  /** Entries by "topic-partition"; empty when the file does not exist. */
  read(): Map<string, number> {
    const out = new Map<string, number>();
    if (this.io.statSync(this.path) === undefined) return out;
    let text: string;
    try {
      text = this.io.readFileSync(this.path).toString('utf8');
    } catch (e) {
      throw ioError('reading checkpoint', this.path, e);
    }
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    const bad = (line: number, why: string): StorageError =>
      new StorageError('BAD_FILE', `checkpoint ${this.path} line ${line}: ${why}`);
    if (lines[0] !== String(VERSION)) throw bad(1, `unknown version '${lines[0] ?? ''}'`);
    const n = Number(lines[1]);
    if (!Number.isInteger(n) || n < 0) throw bad(2, `bad entry count '${lines[1] ?? ''}'`);
    if (lines.length !== n + 2) throw bad(lines.length, `expected ${n} entries, found ${lines.length - 2}`);
    for (let i = 2; i < lines.length; i++) {
      const parts = lines[i]!.split(' ');
      const partition = Number(parts[1]);
      const offset = Number(parts[2]);
      if (parts.length !== 3 || parts[0] === '' || !Number.isInteger(partition) || !Number.isSafeInteger(offset)) {
        throw bad(i + 1, `malformed entry '${lines[i]}'`);
      }
      out.set(tpKey(parts[0]!, partition), offset);
    }
    return out;
  }
}
