/**
 * A real Apache Kafka broker for tests, started by tools/kafka/kafka.sh from jars that
 * tools/kafka/pom.xml resolves from Maven Central: KRaft combined mode (3.9 or 4) or, for 3.9,
 * ZooKeeper mode against a Debian `zookeeper` started by the ZooKeeperTestServer helper.
 *
 * When Java or Maven is missing, start fails with a message saying what to install: tests that
 * need Kafka fail, they are never skipped. Brokers still running when the test process exits
 * are killed and their directories removed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Connection } from '../../src/client/connection.ts';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';
import { freePort, ZooKeeperTestServer } from '../metadata/zk-server.ts';

export type KafkaLine = '3.9' | '4';

export const KAFKA_TOOLS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../tools/kafka');
const SCRIPT = join(KAFKA_TOOLS_DIR, 'kafka.sh');

function onPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function resolvedLibs(line: KafkaLine): string | null {
  const target = join(KAFKA_TOOLS_DIR, 'target');
  if (!existsSync(target)) return null;
  const dirs = readdirSync(target)
    .filter((d) => d.startsWith(`kafka-${line}.`) && existsSync(join(target, d, '.resolved')))
    .sort();
  const last = dirs.at(-1);
  return last === undefined ? null : join(target, last, 'libs');
}

/** Why Kafka cannot run here, or null when it can. */
export function kafkaMissing(line: KafkaLine = '3.9'): string | null {
  if (!onPath('java')) {
    return 'Java is not installed: run `apt-get install openjdk-17-jdk-headless maven` (or scripts/install-test-deps.sh as root)';
  }
  if (resolvedLibs(line) === null && !onPath('mvn')) {
    return `Maven is not installed and Kafka ${line} is not resolved yet (tools/kafka/target): run \`apt-get install maven\` (or scripts/install-test-deps.sh as root)`;
  }
  return null;
}

function assertKafkaAvailable(line: KafkaLine): void {
  const missing = kafkaMissing(line);
  if (missing) throw new Error(missing);
}

/** The folder holding Kafka `line`'s jars (resolved with Maven on first use). */
export function kafkaLibs(line: KafkaLine = '3.9'): string {
  assertKafkaAvailable(line);
  return resolvedLibs(line) ?? execFileSync('bash', [SCRIPT, 'libs', line], { encoding: 'utf8' }).trim();
}

/** The version of Kafka `line` in use, e.g. "3.9.2". */
export function kafkaVersion(line: KafkaLine = '3.9'): string {
  return /kafka-([^/]+)\/libs$/.exec(kafkaLibs(line))?.[1] ?? line;
}

export interface StartKafkaOptions {
  line?: KafkaLine;
  /** 'kraft' (default) or 'zookeeper' (3.9 only; starts its own ZooKeeper). */
  mode?: 'kraft' | 'zookeeper';
  /** The broker's port; a free one when absent. */
  port?: number;
  /** The data dir (created when missing, removed by destroy()); a fresh temporary one when absent. */
  dir?: string;
  /** Extra environment for kafka.sh, e.g. KAFKA_HEAP_OPTS or KAFKA_JVM_PERFORMANCE_OPTS. */
  env?: Record<string, string>;
}

const live = new Set<KafkaBroker>();
process.once('exit', () => {
  for (const broker of live) broker.abandon();
});

function runScript(args: string[], env?: Record<string, string>): Promise<string> {
  return new Promise((resolvePid, reject) => {
    const child = spawn('bash', [SCRIPT, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: env === undefined ? process.env : { ...process.env, ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolvePid(out.trim()) : reject(new Error(`kafka.sh ${args.join(' ')} failed (${code}):\n${err}`)),
    );
  });
}

export class KafkaBroker {
  readonly line: KafkaLine;
  readonly mode: 'kraft' | 'zookeeper';
  readonly port: number;
  readonly dir: string;
  private pid: number | null;
  private readonly zookeeper: ZooKeeperTestServer | null;

  private constructor(
    line: KafkaLine,
    mode: 'kraft' | 'zookeeper',
    port: number,
    dir: string,
    pid: number,
    zk: ZooKeeperTestServer | null,
  ) {
    this.line = line;
    this.mode = mode;
    this.port = port;
    this.dir = dir;
    this.pid = pid;
    this.zookeeper = zk;
  }

  /**
   * Starts one broker on a free loopback port and waits until it answers ApiVersions and its
   * Metadata lists itself and a controller: right after start, a ZooKeeper-mode broker may not
   * know itself yet and refuses CreateTopics with INVALID_REPLICATION_FACTOR.
   */
  static async start(options: StartKafkaOptions = {}): Promise<KafkaBroker> {
    const line = options.line ?? '3.9';
    const mode = options.mode ?? 'kraft';
    if (mode === 'zookeeper' && line !== '3.9') throw new Error(`Kafka ${line} has no ZooKeeper mode (only 3.9)`);
    assertKafkaAvailable(line);
    kafkaLibs(line);
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), `samsa-kafka-${line}-`));
    const zk = mode === 'zookeeper' ? await ZooKeeperTestServer.start({ tickTimeMs: 500 }) : null;
    try {
      const port = options.port ?? (await freePort());
      const args =
        mode === 'zookeeper'
          ? ['start-zk', String(port), `${zk?.connectString}/kafka`, dir]
          : ['start', line, String(port), String(await freePort()), dir];
      const pid = Number(await runScript(args, options.env));
      const broker = new KafkaBroker(line, mode, port, dir, pid, zk);
      live.add(broker);
      try {
        await broker.untilItKnowsItself();
      } catch (err) {
        await broker.destroy();
        throw err;
      }
      return broker;
    } catch (err) {
      await zk?.destroy();
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Polls Metadata (Kafka is another process: there is no event to wait for) for 30 s at most. */
  private async untilItKnowsItself(): Promise<void> {
    const conn = await Connection.connect({ host: '127.0.0.1', port: this.port, clientId: 'samsa-kafka-ready' });
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const m = await conn.send(ApiKey.Metadata, { topics: [] }, { version: 1 });
        if (m.brokers.length > 0 && (m.controllerId ?? -1) >= 0) return;
        if (Date.now() > deadline) {
          throw new Error(
            `Kafka on ${this.bootstrap} lists no broker or controller after 30 s:\n${this.log().slice(-3000)}`,
          );
        }
        await delay(50);
      }
    } finally {
      await conn.close();
    }
  }

  /** The broker's JVM process id (what kafka.sh printed), or null once stopped. */
  get processId(): number | null {
    return this.pid;
  }

  /** `127.0.0.1:<port>`, for bootstrap.servers. */
  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The broker's log so far (for failure messages). */
  log(): string {
    try {
      return readFileSync(join(this.dir, 'kafka.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** Stops the broker (SIGTERM, then SIGKILL), its ZooKeeper, and removes its directory. */
  async destroy(): Promise<void> {
    const pid = this.pid;
    this.pid = null;
    if (pid !== null) await runScript(['stop', String(pid)]).catch(() => {});
    await this.zookeeper?.destroy();
    live.delete(this);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Synchronous last resort when the test process exits with the broker still up. */
  abandon(): void {
    if (this.pid !== null) {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {}
    }
    this.pid = null;
    this.zookeeper?.abandon();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface JavaRunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a Java main class (or a single-file Java source program) with Kafka `line`'s jars on the
 * class path, e.g. Kafka's own tools: `runKafkaJava('org.apache.kafka.tools.TopicCommand', [...])`.
 */
export function runKafkaJava(
  main: string,
  args: string[],
  options: {
    line?: KafkaLine;
    input?: string | Buffer;
    timeoutMs?: number;
    env?: NodeJS.ProcessEnv;
    /** JVM options before the class path; default a small heap and a quick-starting JIT (C1 only). */
    jvmOptions?: string[];
  } = {},
): Promise<JavaRunResult> {
  const libs = kafkaLibs(options.line ?? '3.9');
  const log4j = join(KAFKA_TOOLS_DIR, 'tools-log4j.properties');
  return new Promise((resolveRun, reject) => {
    const child = spawn(
      'java',
      [
        ...(options.jvmOptions ?? ['-Xmx512m', '-XX:TieredStopAtLevel=1']),
        '-Djava.awt.headless=true',
        `-Dlog4j.configuration=file:${log4j}`,
        `-Dlog4j2.configurationFile=${join(KAFKA_TOOLS_DIR, 'tools-log4j2.properties')}`,
        '-cp',
        `${libs}/*`,
        main,
        ...args,
      ],
      { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env },
    );
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timeoutMs = options.timeoutMs ?? 120_000;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.end(options.input ?? '');
  });
}
