import { type Clock, systemClock } from './clock.ts';

/**
 * Log lines for people: one line per event worth knowing about. Modules take a Logger at
 * construction; the broker passes one to everything it builds. The shape (info/warn/error) is a
 * superset of storage's StorageLogger, so one logger serves both.
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, off: 4 };

/**
 * Writes `<ISO time> <LEVEL> <message>` lines at or above `level` to `write` (stderr by default).
 * The time comes from the Clock so tests with a ManualClock get stable lines.
 */
export class LineLogger implements Logger {
  private readonly rank: number;
  private readonly clock: Clock;
  private readonly write: (line: string) => void;

  constructor(level: LogLevel = 'info', options: { clock?: Clock; write?: (line: string) => void } = {}) {
    this.rank = RANK[level];
    this.clock = options.clock ?? systemClock;
    this.write = options.write ?? ((line) => process.stderr.write(line));
  }

  debug(message: string): void {
    if (this.rank <= 0) this.line('DEBUG', message);
  }
  info(message: string): void {
    if (this.rank <= 1) this.line('INFO', message);
  }
  warn(message: string): void {
    if (this.rank <= 2) this.line('WARN', message);
  }
  error(message: string): void {
    if (this.rank <= 3) this.line('ERROR', message);
  }

  private line(level: string, message: string): void {
    this.write(`${new Date(this.clock.now()).toISOString()} ${level} ${oneLine(message)}\n`);
  }
}

// C0 controls but tab, DEL, C1 controls, and the Unicode line and paragraph separators.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');

function escapeChar(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * A message as one printable line: line breaks and other control characters are escaped, so
 * text that came from a client (client ids, topic names, transactional ids) can never forge or
 * split a log line, and a stack trace stays on its line.
 */
export function oneLine(message: string): string {
  return UNSAFE.test(message) ? message.replace(UNSAFE_ALL, escapeChar) : message;
}

/** Drops everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Keeps every line as `LEVEL message`, for tests that check what was reported. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  debug(m: string): void {
    this.lines.push(`DEBUG ${oneLine(m)}`);
  }
  info(m: string): void {
    this.lines.push(`INFO ${oneLine(m)}`);
  }
  warn(m: string): void {
    this.lines.push(`WARN ${oneLine(m)}`);
  }
  error(m: string): void {
    this.lines.push(`ERROR ${oneLine(m)}`);
  }
  /** Lines matching `pattern`. */
  matching(pattern: RegExp): string[] {
    return this.lines.filter((l) => pattern.test(l));
  }
}

/** A one-line description of a thrown value, with the stack's first frame when there is one. */
export function describeError(e: unknown): string {
  if (e instanceof Error) {
    const frame = e.stack?.split('\n')[1]?.trim();
    return frame ? `${e.name}: ${e.message} (${frame})` : `${e.name}: ${e.message}`;
  }
  return String(e);
}
