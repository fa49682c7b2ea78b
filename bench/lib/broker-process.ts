/**
 * Starts a Samsa broker as a child process for benchmarks (so the load generator and the broker
 * do not share a CPU), waits until it answers, and stops it. Reports the time from spawn to the
 * first answered request and the process's resident memory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRequestFrame } from '../../src/protocol/request.ts';

const ROOT = join(import.meta.dirname, '..', '..');
/** The built CLI, as users run it (`npx samsa`): compiled JavaScript, no type stripping at start. */
const CLI = join(ROOT, 'dist/cli/main.js');

export interface BrokerProcess {
  child: ChildProcess;
  port: number;
  dir: string;
  /** ms from spawn until an ApiVersions request was answered. */
  readyMs: number;
  rssBytes(): number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * One ApiVersions (v0) round trip to 127.0.0.1:`port`; resolves true when answered, false when
 * the connection is refused, closed or silent for `timeoutMs`. Works against any Kafka broker.
 */
export function answersApiVersions(port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = new Socket();
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.once('error', () => done(false));
    sock.once('close', () => done(false));
    sock.connect(port, '127.0.0.1', () => {
      sock.write(encodeRequestFrame({ apiKey: 18, correlationId: 1, clientId: 'probe' }, {}, 0));
    });
    sock.once('data', () => done(true));
  });
}

/** Resident memory of process `pid` in bytes (VmRSS in /proc/<pid>/status), 0 when it is gone. */
export function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

export interface BrokerProcessOptions {
  /** Options for the broker's node, before the CLI path, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/p']. */
  nodeArgs?: string[];
}

export async function startBrokerProcess(
  overrides: Record<string, string> = {},
  options: BrokerProcessOptions = {},
): Promise<BrokerProcess> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-'));
  const port = await freePort();
  const args = [
    ...(options.nodeArgs ?? []),
    CLI,
    'server',
    '--log-level',
    'warn',
    '--override',
    `listeners=PLAINTEXT://127.0.0.1:${port}`,
    '--override',
    `log.dirs=${dir}`,
  ];
  for (const [k, v] of Object.entries(overrides)) args.push('--override', `${k}=${v}`);
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error('the broker process exited during start');
    if (await answersApiVersions(port)) break;
    await new Promise((r) => setTimeout(r, 2));
  }
  const readyMs = performance.now() - t0;
  return {
    child,
    port,
    dir,
    readyMs,
    rssBytes(): number {
      return rssOf(child.pid ?? 0);
    },
    async stop(): Promise<void> {
      if (!exited) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
