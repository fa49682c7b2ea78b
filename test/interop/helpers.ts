/**
 * Shared pieces of the interop tests (real Kafka clients against a real Samsa broker): temporary
 * directories, an in-process broker on a free port, child processes with a deadline and their
 * captured output, waiting for a line a process prints, and the checks that a client is installed.
 *
 * Every wait here ends on an event (a process exiting, a line arriving, a promise settling); the
 * timers are only deadlines that turn a hang into a failure with a message.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Broker, startBroker } from '../../src/broker/start-broker.ts';
import { type Logger, MemoryLogger } from '../../src/common/logger.ts';
import { FrameSplitter } from '../../src/protocol/framing.ts';

/** The project root (where package.json is). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The pinned Node that runs the tests; child brokers run with it too. */
export const NODE = process.execPath;
/** The CLI entry point, run from source. */
export const CLI = join(REPO_ROOT, 'src/cli/main.ts');
/** kafka-python 2.0.2 is Debian's python3-kafka, importable only from the Debian interpreter. */
export const DEBIAN_PYTHON = '/usr/bin/python3';

const INSTALL_HINT = "run 'bash scripts/install-test-deps.sh' as root";

// ---------------------------------------------------------------------------------------------
// Temporary directories

export interface TempDir {
  readonly path: string;
  remove(): Promise<void>;
}

export async function makeTempDir(prefix = 'samsa-interop-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

// ---------------------------------------------------------------------------------------------
// Deadlines

/** Settles like `promise`, or rejects naming `what` once `ms` have passed. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// In-process broker

export interface TestBroker {
  readonly broker: Broker;
  readonly port: number;
  /** `127.0.0.1:<port>`, for clients' bootstrap lists. */
  readonly bootstrap: string;
  readonly dir: TempDir;
  /** Every line the broker logged, kept to explain failures. */
  readonly logger: MemoryLogger;
  /** The last log lines, for assertion messages. */
  logTail(lines?: number): string;
  /** Closes the broker and removes its log dir. */
  close(): Promise<void>;
}

/**
 * Starts a broker on 127.0.0.1 and a free port with a fresh log dir. `properties` are Kafka
 * property names (e.g. `{ 'num.partitions': 3 }`). Set SAMSA_TEST_LOG=1 to see its log live.
 */
export async function startTestBroker(properties: Record<string, string | number | boolean> = {}): Promise<TestBroker> {
  const dir = await makeTempDir();
  const logger = new MemoryLogger();
  const echo = process.env['SAMSA_TEST_LOG'] === '1';
  const log: Logger = echo
    ? {
        debug: (m) => logger.debug(m),
        info: (m) => {
          logger.info(m);
          process.stderr.write(`[broker] INFO ${m}\n`);
        },
        warn: (m) => {
          logger.warn(m);
          process.stderr.write(`[broker] WARN ${m}\n`);
        },
        error: (m) => {
          logger.error(m);
          process.stderr.write(`[broker] ERROR ${m}\n`);
        },
      }
    : logger;
  let broker: Broker;
  try {
    broker = await startBroker({ port: 0, host: '127.0.0.1', logDirs: [dir.path], properties, logger: log });
  } catch (e) {
    await dir.remove();
    throw e;
  }
  let closed: Promise<void> | null = null;
  return {
    broker,
    port: broker.port,
    bootstrap: `127.0.0.1:${broker.port}`,
    dir,
    logger,
    logTail: (n = 30) => logger.lines.slice(-n).join('\n'),
    close: () => {
      closed ??= broker.close().finally(() => dir.remove());
      return closed;
    },
  };
}

/**
 * Something the tests of a file share (a broker, a proxy), set up by the first test that asks
 * for it — not in a `before` hook, whose failure node:test reports only as "cancelled", without
 * the error — and torn down by `close()` in `after`. A failed setup fails every test that asks,
 * each with the error.
 */
export interface Shared<T> {
  get(): Promise<T>;
  close(): Promise<void>;
}

export function shared<T>(setUp: () => Promise<T>, tearDown: (value: T) => Promise<void>): Shared<T> {
  let started: Promise<T> | null = null;
  return {
    get: () => {
      started ??= setUp();
      return started;
    },
    close: async () => {
      if (started === null) return;
      let value: T;
      try {
        value = await started;
      } catch {
        return; // Nothing to tear down; the tests reported why.
      }
      await tearDown(value);
    },
  };
}

/** One broker (startTestBroker) shared by the tests of a file. */
export function sharedBroker(properties: Record<string, string | number | boolean> = {}): Shared<TestBroker> {
  return shared(
    () => startTestBroker(properties),
    (tb) => tb.close(),
  );
}

/** A port that was free a moment ago (for brokers started as child processes). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

// ---------------------------------------------------------------------------------------------
// Installed clients

/** The absolute path of `command` on PATH, or null. */
export function which(command: string): string | null {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return null;
}

/** Fails (never skips) when kcat is missing, saying how to install it. */
export function requireKcat(): string {
  const path = which('kcat');
  if (path === null) {
    throw new Error(`kcat is not installed: ${INSTALL_HINT} (it installs the Debian package kcat)`);
  }
  return path;
}

/** Fails (never skips) when kafka-python is not importable by the Debian interpreter. */
export function requireKafkaPython(): string {
  const probe = spawnSync(DEBIAN_PYTHON, ['-c', 'import kafka; print(kafka.__version__)'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      `kafka-python is not importable by ${DEBIAN_PYTHON}: ${INSTALL_HINT} (it installs the Debian package python3-kafka)` +
        (probe.stderr ? `\n${probe.stderr.trim()}` : ''),
    );
  }
  return probe.stdout.trim();
}

// ---------------------------------------------------------------------------------------------
// Child processes

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly ms: number;
}

export interface RunOptions {
  /** Written to stdin, which is then closed (stdin is closed at once when absent). */
  readonly input?: string | Buffer;
  /** Killed with SIGKILL after this long; the result says timedOut. Default 30 s. */
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Runs a command to completion, capturing stdout (bytes) and stderr (text). Never rejects on a bad exit. */
export async function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  // A child that exits before reading all its input must not crash the test with EPIPE.
  child.stdin.on('error', () => {});
  child.stdin.end(options.input ?? '');
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 30_000);
  try {
    const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    return {
      code,
      signal,
      stdout: Buffer.concat(out),
      stderr: Buffer.concat(err).toString('utf8'),
      timedOut,
      ms: Math.round(performance.now() - started),
    };
  } catch (e) {
    // 'error' (e.g. ENOENT) rejects once().
    throw new Error(`cannot run ${command}: ${(e as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

/** A one-paragraph description of a finished command, for assertion messages. */
export function describeRun(what: string, r: RunResult, stdoutChars = 2000): string {
  const status = r.timedOut ? 'timed out' : r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`;
  return (
    `${what}: ${status} after ${r.ms} ms\n--- stderr ---\n${r.stderr.slice(-4000)}\n` +
    `--- stdout (first ${stdoutChars} chars) ---\n${r.stdout.toString('utf8').slice(0, stdoutChars)}`
  );
}

/**
 * A long-running child process (a broker started through the CLI) whose output is kept and can be
 * waited on line by line.
 */
export class ChildHandle {
  readonly child: ChildProcess;
  /** stdout and stderr interleaved, as received. */
  output = '';
  /** Resolves once the process has exited (never rejects). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly waiters = new Set<() => void>();

  constructor(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
    this.child = spawn(command, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const echo = process.env['SAMSA_TEST_LOG'] === '1';
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      this.output += text;
      if (echo) process.stderr.write(text);
      for (const w of this.waiters) w();
    };
    this.child.stdout?.on('data', onData);
    this.child.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (e) => {
        this.output += `\n[spawn error: ${e.message}]\n`;
        this.exitInfo ??= { code: null, signal: null };
        for (const w of this.waiters) w();
        resolve(this.exitInfo);
      });
      this.child.once('close', (code, signal) => {
        this.exitInfo = { code, signal };
        for (const w of this.waiters) w();
        resolve(this.exitInfo);
      });
    });
  }

  get hasExited(): boolean {
    return this.exitInfo !== null;
  }

  /**
   * Resolves with the first output line matching `pattern` (looking at everything printed so
   * far, then at what comes); rejects if the process exits first or after `timeoutMs`.
   */
  waitForLine(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const check = (): void => {
        const line = this.output.split('\n').find((l) => pattern.test(l));
        if (line !== undefined) {
          finish(() => resolve(line));
        } else if (this.exitInfo !== null) {
          const { code, signal } = this.exitInfo;
          finish(() =>
            reject(
              new Error(
                `process exited (code ${code}, signal ${signal}) before printing ${pattern}; output:\n${this.output}`,
              ),
            ),
          );
        }
      };
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      timer = setTimeout(
        () =>
          finish(() =>
            reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; output:\n${this.output}`)),
          ),
        timeoutMs,
      );
      this.waiters.add(check);
      check();
    });
  }

  /** Sends `signal` (if still running) and waits for the exit. */
  async stop(
    signal: NodeJS.Signals = 'SIGTERM',
    timeoutMs = 10_000,
  ): Promise<{ code: number | null; signal: string | null }> {
    if (!this.hasExited) this.child.kill(signal);
    return withTimeout(this.exited, timeoutMs, `exit of pid ${this.child.pid} after ${signal}`);
  }
}

/** The line the broker logs once it serves requests. */
export const BROKER_STARTED = /Samsa broker \d+ started in/;

/** Starts `samsa server` from source with `--override` pairs (and an optional properties file). */
export function spawnServer(overrides: Record<string, string | number>, file?: string): ChildHandle {
  const args = [CLI, 'server'];
  if (file !== undefined) args.push(file);
  for (const [k, v] of Object.entries(overrides)) args.push('--override', `${k}=${v}`);
  return new ChildHandle(NODE, args);
}

// ---------------------------------------------------------------------------------------------
// Raw requests

/**
 * Opens a connection to 127.0.0.1:`port`, writes `frames` (size prefixes included) and resolves
 * with the first `expected` response frames (without size prefixes), then closes the connection.
 */
export async function exchangeFrames(
  port: number,
  frames: readonly Buffer[],
  expected = frames.length,
): Promise<Buffer[]> {
  const socket = connect(port, '127.0.0.1');
  const received: Buffer[] = [];
  try {
    return await withTimeout(
      new Promise<Buffer[]>((resolve, reject) => {
        const splitter = new FrameSplitter(200 << 20, (frame) => {
          received.push(Buffer.from(frame));
          if (received.length === expected) resolve(received);
        });
        socket.on('data', (chunk: Buffer) => {
          if (!splitter.push(chunk)) reject(new Error(`bad response frame: ${splitter.error?.message}`));
        });
        socket.once('error', reject);
        socket.once('close', () =>
          reject(new Error(`connection closed after ${received.length} of ${expected} responses`)),
        );
        socket.once('connect', () => {
          for (const f of frames) socket.write(f);
        });
      }),
      10_000,
      `${expected} responses from 127.0.0.1:${port}`,
    );
  } finally {
    socket.destroy();
  }
}
