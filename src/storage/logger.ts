/**
 * Where storage reports what it did on its own: recovery truncations, rebuilt indexes, unknown
 * files, deleted segments. The broker passes its logger; the default writes warnings and errors
 * to stderr and drops info.
 */
export interface StorageLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const stderrLogger: StorageLogger = {
  info: () => {},
  warn: (m) => {
    process.stderr.write(`[storage] WARN ${m}\n`);
  },
  error: (m) => {
    process.stderr.write(`[storage] ERROR ${m}\n`);
  },
};

/** A logger that keeps every line, for tests that check what was reported. */
export class MemoryLogger implements StorageLogger {
  readonly lines: string[] = [];
  info(m: string): void {
    this.lines.push(`INFO ${m}`);
  }
  warn(m: string): void {
    this.lines.push(`WARN ${m}`);
  }
  error(m: string): void {
    this.lines.push(`ERROR ${m}`);
  }
}
