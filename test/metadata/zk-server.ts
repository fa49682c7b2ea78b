/**
 * A real Apache ZooKeeper server for tests: standalone, on a free loopback port, with its own
 * temporary directory (zoo.cfg, data/, server.log). Started from the Debian package `zookeeper`
 * (3.8): the server class org.apache.zookeeper.server.ZooKeeperServerMain from
 * /usr/share/java/zookeeper.jar, whose manifest Class-Path names its dependencies; slf4j-simple is
 * added when present so the server's log lands in server.log. Override the classpath with
 * SAMSA_ZOOKEEPER_CLASSPATH and the JVM with JAVA_HOME.
 *
 * Lifecycle: `ZooKeeperTestServer.start()` → ready (our own client got a session) → `stop()` (kill
 * by PID, await exit; data kept) ↔ `restart()` (same port, same data) → `destroy()` (stop and
 * remove the directory). Servers still running when the test process exits are killed and their
 * directories removed.
 *
 * When ZooKeeper or Java is missing, start() throws a message saying what to install: tests that
 * need ZooKeeper fail, they are never skipped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZooKeeperClient } from '../../src/metadata/zk/zk-client.ts';

export const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
const SLF4J_SIMPLE_JAR = '/usr/share/java/slf4j-simple.jar';
const SERVER_MAIN = 'org.apache.zookeeper.server.ZooKeeperServerMain';

export interface ZooKeeperServerOptions {
  /** ZooKeeper's tick; session expiry is checked once per tick. Default 100 ms. */
  tickTimeMs?: number;
  /** Smallest session timeout granted. Default 200 ms (so tests can expire sessions quickly). */
  minSessionTimeoutMs?: number;
  /** Largest session timeout granted. Default 60000 ms. */
  maxSessionTimeoutMs?: number;
  /** More zoo.cfg lines (key → value), e.g. for an ensemble's server.N entries. */
  config?: Record<string, string>;
  /** How long start()/restart() wait for a session. Default 30000 ms. */
  startTimeoutMs?: number;
}

/** Why ZooKeeper cannot run here, or null when it can. */
export function zooKeeperMissing(): string | null {
  if (!process.env['SAMSA_ZOOKEEPER_CLASSPATH'] && !existsSync(ZOOKEEPER_JAR)) {
    return `ZooKeeper is not installed (${ZOOKEEPER_JAR} is missing): run \`apt-get install zookeeper\` (or scripts/install-test-deps.sh as root)`;
  }
  if (!existsSync(javaPath())) {
    return `Java is not installed (${javaPath()} is missing): run \`apt-get install zookeeper\` (it brings default-jre)`;
  }
  return null;
}

function javaPath(): string {
  const home = process.env['JAVA_HOME'];
  return home ? join(home, 'bin', 'java') : '/usr/bin/java';
}

function classpath(): string {
  const override = process.env['SAMSA_ZOOKEEPER_CLASSPATH'];
  if (override) return override;
  return existsSync(SLF4J_SIMPLE_JAR) ? `${ZOOKEEPER_JAR}:${SLF4J_SIMPLE_JAR}` : ZOOKEEPER_JAR;
}

/** A port that was free a moment ago (ZooKeeper binds it next; start() retries on a clash). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Sends a four-letter command (`srvr`, `conf`, `mntr`, `ruok`, ...; all enabled by this helper's
 * config) to a server and returns its answer.
 */
export function fourLetterWord(port: number, command: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = createConnection({ host: '127.0.0.1', port }, () => sock.end(command));
    sock.setTimeout(timeoutMs, () => sock.destroy(new Error(`no answer to '${command}' within ${timeoutMs} ms`)));
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** Servers not destroyed yet: killed, and their directories removed, when the test process exits. */
const live = new Set<ZooKeeperTestServer>();
process.once('exit', () => {
  for (const server of live) server.abandon();
});

export class ZooKeeperTestServer {
  readonly dir: string;
  readonly dataDir: string;
  private portValue: number;
  private readonly options: ZooKeeperServerOptions;
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);

  private constructor(dir: string, port: number, options: ZooKeeperServerOptions) {
    this.dir = dir;
    this.dataDir = join(dir, 'data');
    this.portValue = port;
    this.options = options;
  }

  /** Starts a server on a free port and waits until it grants sessions. */
  static async start(options: ZooKeeperServerOptions = {}): Promise<ZooKeeperTestServer> {
    const missing = zooKeeperMissing();
    if (missing) throw new Error(missing);
    const dir = mkdtempSync(join(tmpdir(), 'samsa-zk-'));
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const server = new ZooKeeperTestServer(dir, await freePort(), options);
      const logStart = server.log().length;
      try {
        live.add(server);
        await server.launch();
        return server;
      } catch (err) {
        lastError = err;
        await server.stop();
        live.delete(server);
        if (!/Address already in use|BindException/.test(server.log().slice(logStart))) break;
      }
    }
    rmSync(dir, { recursive: true, force: true });
    throw lastError;
  }

  get port(): number {
    return this.portValue;
  }

  /** `127.0.0.1:<port>`, for zookeeper.connect. */
  get connectString(): string {
    return `127.0.0.1:${this.portValue}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get isRunning(): boolean {
    return this.child !== null;
  }

  /** The server's output so far (for failure messages). */
  log(): string {
    try {
      return readFileSync(join(this.dir, 'server.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** Kills the server (SIGKILL by default: a crash) and waits for it to exit. Data stays. */
  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (child === null) return;
    this.child = null;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }

  /** Starts the server again on the same port with the same data (sessions survive if still valid). */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Stops the server and removes its directory. */
  async destroy(): Promise<void> {
    await this.stop();
    live.delete(this);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Synchronous last resort when the process exits with the server still up. */
  abandon(): void {
    this.child?.kill('SIGKILL');
    this.child = null;
    rmSync(this.dir, { recursive: true, force: true });
  }

  private writeConfig(): string {
    const o = this.options;
    const tick = o.tickTimeMs ?? 100;
    const config: Record<string, string> = {
      tickTime: String(tick),
      dataDir: this.dataDir,
      clientPort: String(this.portValue),
      clientPortAddress: '127.0.0.1',
      'admin.enableServer': 'false',
      minSessionTimeout: String(o.minSessionTimeoutMs ?? Math.max(200, 2 * tick)),
      maxSessionTimeout: String(o.maxSessionTimeoutMs ?? 60_000),
      maxClientCnxns: '0',
      forceSync: 'no',
      '4lw.commands.whitelist': '*',
      ...o.config,
    };
    const file = join(this.dir, 'zoo.cfg');
    writeFileSync(
      file,
      `${Object.entries(config)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n')}\n`,
    );
    return file;
  }

  private async launch(): Promise<void> {
    const cfg = this.writeConfig();
    const out = openSync(join(this.dir, 'server.log'), 'a');
    const child = spawn(
      javaPath(),
      [
        '-Xms32m',
        '-Xmx256m',
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        '-Xshare:auto',
        '-Djava.awt.headless=true',
        '-Dzookeeper.admin.enableServer=false',
        '-Dorg.slf4j.simpleLogger.defaultLogLevel=info',
        '-Dorg.slf4j.simpleLogger.showDateTime=true',
        '-cp',
        classpath(),
        SERVER_MAIN,
        cfg,
      ],
      { stdio: ['ignore', out, out] },
    );
    closeSync(out);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const died = this.exited.then((code) => {
      throw new Error(`ZooKeeper exited with code ${code} before it was ready:\n${this.log().slice(-3000)}`);
    });
    const timeout = this.options.startTimeoutMs ?? 30_000;
    const ready = ZooKeeperClient.connect({ connect: this.connectString, connectionTimeoutMs: timeout }).then((c) =>
      c.close(),
    );
    try {
      await Promise.race([ready, died]);
      // The port was free when picked; make sure the server that answered is this one and not
      // another test's that took the port meanwhile (ours would then die on BindException).
      const conf = await fourLetterWord(this.portValue, 'conf');
      if (!conf.includes(`dataDir=${this.dataDir}`)) {
        await Promise.race([died, new Promise((r) => setTimeout(r, 5000))]);
        throw new Error(`another server answered on port ${this.portValue} (BindException):\n${conf}`);
      }
    } finally {
      died.catch(() => {});
      ready.catch(() => {});
    }
  }
}
