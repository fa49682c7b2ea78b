/**
 * Shared pieces of the live-broker fuzz tests (test/fuzz/live-broker*.fuzz.test.ts): a broker
 * started in this process with its log lines kept, a small pipelining wire client with a deadline
 * per request, the "canary" (a well-behaved client that keeps producing and fetching while the
 * broker is under attack, and fails the test if any answer is wrong or late), readers that check
 * every stored batch, the rules that decide whether the broker's log lines are valid, and
 * process-level counters (file descriptors, memory).
 *
 * Every wait ends on an event (a response, a socket closing, a promise settling); timers are only
 * deadlines that turn a hang into a failure with a message, or the pace of the canary.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { type Broker, startBroker } from '../../src/broker/start-broker.ts';
import { MemoryLogger } from '../../src/common/logger.ts';
import { FrameSplitter } from '../../src/protocol/framing.ts';
import { ApiKey, type ApiMessages } from '../../src/protocol/messages/generated/api-table.ts';
import { ZERO_UUID } from '../../src/protocol/primitives/reader.ts';
import { decodeRecords, encodeRecordBatch, iterateBatches } from '../../src/protocol/records/index.ts';
import { decodeResponseFrame, encodeRequestFrame } from '../../src/protocol/request.ts';
import { makeTempDir, type TempDir } from '../interop/helpers.ts';

/** Every request of a well-behaved client must be answered within this (a liveness bound, not a speed target). */
export const ANSWER_DEADLINE_MS = 5_000;

// ---------------------------------------------------------------------------------------------
// A broker in this process

export interface LiveBroker {
  readonly broker: Broker;
  readonly port: number;
  readonly dir: TempDir;
  /** Every line the broker logged (`LEVEL message`). */
  readonly logger: MemoryLogger;
  /** Closes the broker; keeps its log dir (idempotent). */
  close(): Promise<void>;
}

/** Starts a broker on 127.0.0.1, port 0, on `dir` (a new temp dir when absent). */
export async function startLiveBroker(
  properties: Record<string, string | number | boolean> = {},
  dir?: TempDir,
): Promise<LiveBroker> {
  const logDir = dir ?? (await makeTempDir('samsa-fuzz-live-'));
  const logger = new MemoryLogger();
  const broker = await startBroker({ port: 0, host: '127.0.0.1', logDirs: [logDir.path], properties, logger });
  let closing: Promise<void> | null = null;
  return {
    broker,
    port: broker.port,
    dir: logDir,
    logger,
    close: () => {
      closing ??= broker.close();
      return closing;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Wire client

type Response<K extends keyof ApiMessages> = ApiMessages[K]['response'];

interface Pending {
  apiKey: keyof ApiMessages;
  version: number;
  correlationId: number;
  resolve: (body: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One connection that sends well-formed requests (pipelined) and matches the answers, in order,
 * by correlation id. Each request has a deadline; a late, missing, misordered or undecodable
 * answer rejects it and breaks the connection (later answers could not be matched any more).
 */
export class WireClient {
  readonly socket: Socket;
  private readonly pending: Pending[] = [];
  private nextCorrelationId = 1;
  private broken: Error | null = null;

  private constructor(socket: Socket) {
    this.socket = socket;
    const splitter = new FrameSplitter(256 << 20, (frame) => this.onFrame(Buffer.from(frame)));
    socket.on('data', (chunk: Buffer) => {
      if (!splitter.push(chunk)) this.fail(new Error(`broker sent a malformed frame: ${splitter.error?.message}`));
    });
    socket.on('error', (e) => this.fail(new Error(`socket error: ${e.message}`)));
    socket.on('close', () => this.fail(new Error('the broker closed the connection')));
  }

  static connect(port: number, timeoutMs = ANSWER_DEADLINE_MS): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1', noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no connection to 127.0.0.1:${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new WireClient(socket));
      });
    });
  }

  /** Why the connection is unusable, or null. */
  get error(): Error | null {
    return this.broken;
  }

  send<K extends keyof ApiMessages>(
    apiKey: K,
    version: number,
    body: ApiMessages[K]['request'],
    timeoutMs = ANSWER_DEADLINE_MS,
  ): Promise<Response<K>> {
    if (this.broken !== null) return Promise.reject(this.broken);
    const correlationId = this.nextCorrelationId++;
    const frame = encodeRequestFrame({ apiKey, correlationId, clientId: 'samsa-fuzz-canary' }, body, version);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(new Error(`no answer to ${apiName(apiKey)} v${version} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.pending.push({
        apiKey,
        version,
        correlationId,
        resolve: resolve as (b: unknown) => void,
        reject,
        timer,
      });
      this.socket.write(frame);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onFrame(frame: Buffer): void {
    const p = this.pending.shift();
    if (p === undefined) {
      this.fail(new Error(`unexpected response frame ${frame.subarray(0, 64).toString('hex')}`));
      return;
    }
    clearTimeout(p.timer);
    let body: unknown;
    try {
      const decoded = decodeResponseFrame(p.apiKey, p.version, frame);
      if (decoded.correlationId !== p.correlationId) {
        throw new Error(`correlation id ${decoded.correlationId}, expected ${p.correlationId}`);
      }
      body = decoded.body;
    } catch (e) {
      const err = new Error(`bad answer to ${apiName(p.apiKey)} v${p.version}: ${(e as Error).message}`);
      p.reject(err);
      this.fail(err);
      return;
    }
    p.resolve(body);
  }

  private fail(e: Error): void {
    this.broken ??= e;
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.socket.destroy();
  }
}

function apiName(apiKey: number): string {
  return Object.entries(ApiKey).find(([, k]) => k === apiKey)?.[0] ?? `API ${apiKey}`;
}

// ---------------------------------------------------------------------------------------------
// Requests the well-behaved clients send

export async function createTopic(client: WireClient, name: string, partitions = 1): Promise<string> {
  const res = await client.send(ApiKey.CreateTopics, 7, {
    topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 5000,
    validateOnly: false,
  });
  const t = res.topics[0];
  if (t === undefined || t.errorCode !== 0) {
    throw new Error(`creating topic ${name}: error ${t?.errorCode} ${t?.errorMessage ?? ''}`);
  }
  return t.topicId ?? ZERO_UUID;
}

export function produceRequest(topic: string, batch: Buffer, acks = -1): ApiMessages[0]['request'] {
  return {
    transactionalId: null,
    acks,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }],
  };
}

export function fetchRequest(
  topic: string,
  partition: number,
  offset: number,
  maxWaitMs = 0,
): ApiMessages[1]['request'] {
  return {
    replicaId: -1,
    maxWaitMs,
    minBytes: 0,
    maxBytes: 4 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        topicId: ZERO_UUID,
        partitions: [
          {
            partition,
            currentLeaderEpoch: -1,
            fetchOffset: offset,
            lastFetchedEpoch: -1,
            logStartOffset: -1,
            partitionMaxBytes: 4 << 20,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
}

export interface StoredRecord {
  offset: number;
  key: string;
  value: string;
}

export interface PartitionContent {
  logStartOffset: number;
  highWatermark: number;
  records: StoredRecord[];
  /** Batches read, each checked: CRC, structure, offsets following on from the previous batch. */
  batches: number;
}

/**
 * Reads a whole partition with Fetch v12 and checks every batch on the way: its CRC, its records,
 * and that batches follow each other without gaps or overlaps. Throws on any problem.
 */
export async function readPartition(client: WireClient, topic: string, partition: number): Promise<PartitionContent> {
  const records: StoredRecord[] = [];
  let offset = -1;
  let next = 0;
  let logStartOffset = 0;
  let highWatermark = 0;
  let batches = 0;
  for (;;) {
    const res = await client.send(ApiKey.Fetch, 12, fetchRequest(topic, partition, Math.max(next, 0)));
    const p = res.responses[0]?.partitions[0];
    if (p === undefined) throw new Error(`${topic}-${partition}: empty fetch response`);
    if (p.errorCode !== 0) throw new Error(`${topic}-${partition}: fetch from ${next}: error ${p.errorCode}`);
    highWatermark = p.highWatermark;
    logStartOffset = p.logStartOffset ?? 0;
    if (offset === -1) {
      offset = logStartOffset;
      next = logStartOffset;
      if (next >= highWatermark) break;
      continue;
    }
    const data = p.records ?? Buffer.alloc(0);
    let progressed = false;
    for (const entry of iterateBatches(data)) {
      if (entry.kind === 'truncated') break;
      if (entry.lastOffset < next) continue; // a batch that starts before the fetch offset
      if (entry.baseOffset !== next) {
        throw new Error(`${topic}-${partition}: batch at ${entry.baseOffset} follows offset ${next - 1}`);
      }
      for (const r of decodeRecords(entry.bytes, { verifyCrc: true })) {
        records.push({
          offset: r.offset,
          key: r.key?.toString('latin1') ?? '',
          value: r.value?.toString('latin1') ?? '',
        });
      }
      batches++;
      next = entry.lastOffset + 1;
      progressed = true;
    }
    if (next >= highWatermark) break;
    if (!progressed)
      throw new Error(`${topic}-${partition}: no complete batch at ${next} (high watermark ${highWatermark})`);
  }
  return { logStartOffset, highWatermark, records, batches };
}

/**
 * Every topic's partitions as Metadata v12 reports them, once every partition has a leader (a
 * topic a fuzzed request created just before may still be getting its leaders: asked again, for
 * up to ANSWER_DEADLINE_MS).
 */
export async function listPartitions(client: WireClient): Promise<{ topic: string; partition: number }[]> {
  const deadline = performance.now() + ANSWER_DEADLINE_MS;
  for (;;) {
    const md = await client.send(ApiKey.Metadata, 12, {
      topics: null,
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    const out: { topic: string; partition: number }[] = [];
    let settling = false;
    for (const t of md.topics) {
      if (t.errorCode === LEADER_NOT_AVAILABLE || t.partitions.some((p) => p.leaderId < 0)) settling = true;
      else if (t.errorCode !== 0 || t.name === null) throw new Error(`metadata: topic ${t.name} error ${t.errorCode}`);
      for (const p of t.partitions) out.push({ topic: t.name ?? '', partition: p.partitionIndex });
    }
    if (settling && performance.now() < deadline) continue;
    if (settling) throw new Error(`metadata: partitions without a leader: ${JSON.stringify(md.topics).slice(0, 500)}`);
    return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }
}

const LEADER_NOT_AVAILABLE = 5;

/**
 * Reads (and so checks, see readPartition) every partition of every topic; returns a digest per
 * partition to compare across a restart: `topic-partition` → `start..end #count sha`.
 */
export async function snapshotAllPartitions(port: number): Promise<Map<string, string>> {
  const client = await WireClient.connect(port);
  try {
    const out = new Map<string, string>();
    const { createHash } = await import('node:crypto');
    for (const { topic, partition } of await listPartitions(client)) {
      const c = await readPartition(client, topic, partition);
      const h = createHash('sha256');
      for (const r of c.records) h.update(`${r.offset}\0${r.key}\0${r.value}\n`);
      out.set(
        `${topic}-${partition}`,
        `${c.logStartOffset}..${c.highWatermark} #${c.records.length} ${h.digest('hex').slice(0, 16)}`,
      );
    }
    return out;
  } finally {
    client.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The canary

export interface CanaryReport {
  rounds: number;
  requests: number;
  /** Slowest answer seen (ms), and to what. */
  maxLatencyMs: number;
  slowest: string;
  /** Everything that went wrong, in order; empty for a healthy broker. */
  failures: string[];
  /** Records acknowledged by the broker, in produce order. */
  acknowledged: StoredRecord[];
}

/**
 * A well-behaved client on its own connection: every `intervalMs` it runs one round of
 * ApiVersions, Metadata, Produce (acks=all, 3 records) and Fetch of what it just produced. Each
 * answer must come within ANSWER_DEADLINE_MS and be exactly right (no error, the next offset,
 * the same records back). A failure is recorded and the round ends; a broken connection is
 * replaced by a new one for the next round.
 */
export class Canary {
  readonly topic: string;
  private readonly port: number;
  private readonly intervalMs: number;
  private client: WireClient | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private nextOffset = 0;
  /** Waiters of roundsFromNow(), woken after each round. */
  private readonly roundDone: (() => void)[] = [];
  private readonly report: CanaryReport = {
    rounds: 0,
    requests: 0,
    maxLatencyMs: 0,
    slowest: '',
    failures: [],
    acknowledged: [],
  };

  constructor(port: number, topic: string, intervalMs: number) {
    this.port = port;
    this.topic = topic;
    this.intervalMs = intervalMs;
  }

  /** Creates the canary's topic (one partition) and starts the rounds. */
  async start(): Promise<void> {
    this.client = await WireClient.connect(this.port);
    await createTopic(this.client, this.topic);
    await this.round(); // one good round before the attack begins
    if (this.report.failures.length > 0) throw new Error(`canary: ${this.report.failures.join('; ')}`);
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the round in progress; resolves with everything seen. */
  async stop(): Promise<CanaryReport> {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
    this.client?.close();
    return this.report;
  }

  get rounds(): number {
    return this.report.rounds;
  }

  /** Resolves after `n` more complete rounds (or when the canary stops). */
  async roundsFromNow(n: number): Promise<void> {
    const target = this.report.rounds + n;
    while (this.running && this.report.rounds < target) {
      await new Promise<void>((resolve) => this.roundDone.push(resolve));
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, this.intervalMs);
      });
      if (!this.running) break;
      await this.round();
    }
    for (const w of this.roundDone.splice(0)) w();
  }

  private async timed<T>(what: string, p: Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await p;
    } finally {
      this.report.requests++;
      const ms = performance.now() - started;
      if (ms > this.report.maxLatencyMs) {
        this.report.maxLatencyMs = Math.round(ms);
        this.report.slowest = `${what} in round ${this.report.rounds}`;
      }
    }
  }

  private async round(): Promise<void> {
    const r = this.report.rounds;
    try {
      if (this.client === null || this.client.error !== null) this.client = await WireClient.connect(this.port);
      const c = this.client;
      const versions = await this.timed(
        'ApiVersions',
        c.send(ApiKey.ApiVersions, 3, { clientSoftwareName: 'samsa-canary', clientSoftwareVersion: '1' }),
      );
      if (versions.errorCode !== 0) throw new Error(`ApiVersions error ${versions.errorCode}`);
      for (const key of [ApiKey.Produce, ApiKey.Fetch, ApiKey.Metadata]) {
        if (!versions.apiKeys.some((k) => k.apiKey === key)) throw new Error(`ApiVersions lacks API ${key}`);
      }
      const md = await this.timed(
        'Metadata',
        c.send(ApiKey.Metadata, 12, {
          topics: [{ topicId: ZERO_UUID, name: this.topic }],
          allowAutoTopicCreation: false,
          includeTopicAuthorizedOperations: false,
        }),
      );
      const t = md.topics[0];
      if (md.topics.length !== 1 || t?.errorCode !== 0 || t.partitions.length !== 1) {
        throw new Error(`Metadata for ${this.topic}: ${JSON.stringify(md.topics)}`);
      }
      if (t.partitions[0]!.leaderId !== md.brokers[0]?.nodeId) throw new Error('Metadata: no leader');

      const records = [0, 1, 2].map((i) => ({
        key: `canary-${r}-${i}`,
        value: `round ${r} record ${i} ${'v'.repeat((r * 7 + i) % 97)}`,
      }));
      const batch = encodeRecordBatch({
        records: records.map((x) => ({
          key: Buffer.from(x.key, 'latin1'),
          value: Buffer.from(x.value, 'latin1'),
          headers: [{ key: 'round', value: Buffer.from(String(r)) }],
          timestamp: Date.now(),
        })),
      });
      const produced = await this.timed('Produce', c.send(ApiKey.Produce, 9, produceRequest(this.topic, batch)));
      const pr = produced.responses[0]?.partitionResponses[0];
      if (pr === undefined || pr.errorCode !== 0) throw new Error(`Produce: ${JSON.stringify(produced)}`);
      if (pr.baseOffset !== this.nextOffset)
        throw new Error(`Produce: base offset ${pr.baseOffset}, expected ${this.nextOffset}`);
      records.forEach((x, i) => {
        this.report.acknowledged.push({ offset: pr.baseOffset + i, ...x });
      });
      this.nextOffset = pr.baseOffset + records.length;

      const fetched = await this.timed('Fetch', c.send(ApiKey.Fetch, 12, fetchRequest(this.topic, 0, pr.baseOffset)));
      const fp = fetched.responses[0]?.partitions[0];
      if (fp === undefined || fp.errorCode !== 0 || fp.records === null)
        throw new Error(`Fetch: error ${fp?.errorCode}`);
      const got: StoredRecord[] = [];
      for (const e of iterateBatches(fp.records)) {
        if (e.kind !== 'batch') continue;
        for (const rec of decodeRecords(e.bytes, { verifyCrc: true })) {
          got.push({
            offset: rec.offset,
            key: rec.key?.toString('latin1') ?? '',
            value: rec.value?.toString('latin1') ?? '',
          });
        }
      }
      const want = this.report.acknowledged.slice(-3);
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        throw new Error(`Fetch from ${pr.baseOffset}: got ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
      }
    } catch (e) {
      this.report.failures.push(`round ${r}: ${(e as Error).message}`);
    } finally {
      this.report.rounds++;
      for (const w of this.roundDone.splice(0)) w();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Valid log lines

/**
 * Characters that must not reach a log line raw: C0 and C1 controls and DEL (a newline forges a
 * line, ESC and CSI drive terminals) and the Unicode line and paragraph separators (line breaks
 * to many log readers, e.g. Python's str.splitlines). Client-chosen strings must be escaped.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** `(client id "...")`, as the dispatcher writes it (JSON-quoted). */
const CLIENT_ID = /\(client id "(?:[^"\\]|\\.)*"\)/g;

/** What a crash or a bug in the broker's own code looks like in a log line. */
const CRASH =
  /uncaught|unhandled|TypeError|RangeError|ReferenceError|SyntaxError|AssertionError|Cannot read propert|is not a function|is not iterable|Maximum call stack|\bundefined\b|\bNaN\b|\[object Object\]/;

/**
 * The broker's log is valid when:
 * - every line is one line: `LEVEL message`, none of LINE_BREAKING's characters (a newline in a
 *   message would forge log lines; client-chosen strings must be escaped);
 * - nothing at ERROR level: bad client input is the client's problem (a WARN or INFO line), an
 *   ERROR means something broke in the broker;
 * - no line, at any level, shows a crash or a bug (an exception other than a DecodeError, an
 *   `undefined` or `NaN` rendered into a message). Quoted client ids are left out of that check.
 * Returns one entry per kind of offending line — why, how many, up to `examples` of them (as JSON
 * strings, so the characters at fault are visible) — and nothing when the log is valid.
 */
export function logProblems(lines: readonly string[], examples = 2): string[] {
  const kinds = new Map<string, { count: number; examples: string[] }>();
  for (const line of lines) {
    const why: string[] = [];
    if (!/^(DEBUG|INFO|WARN|ERROR) \S/.test(line)) why.push('malformed');
    if (LINE_BREAKING.test(line)) why.push('unescaped control character');
    if (line.startsWith('ERROR ')) why.push('error line');
    if (CRASH.test(line.replace(CLIENT_ID, ''))) why.push('crash or bug');
    if (why.length === 0) continue;
    // Lines of one kind differ in connection, client id, numbers and quoted client strings.
    const shape = line
      .replace(/connection \d+ from \S+/g, 'connection')
      .replace(CLIENT_ID, '(client id …)')
      .replace(/'[^']*'/g, "'…'")
      .replace(/\w+ v\d+ request does not decode/, 'a request does not decode')
      .split(' ')
      .map((w) => (/^[\x21-\x7e]*$/.test(w) ? w.replace(/\d+/g, 'N') : '…'))
      .slice(0, 9)
      .join(' ');
    const key = `[${why.join(', ')}] ${shape}`;
    const kind = kinds.get(key) ?? { count: 0, examples: [] };
    kinds.set(key, kind);
    kind.count++;
    if (kind.examples.length < examples) kind.examples.push(visible(line).slice(0, 500));
  }
  return [...kinds].map(([key, k]) => `${key}… ×${k.count}, e.g. ${k.examples.join(' | ')}`);
}

/** A line as a JSON string with every control and separator character escaped. */
function visible(line: string): string {
  return JSON.stringify(line).replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Process counters

/** Open file descriptors of this process that are sockets. */
export function socketFds(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:')) n++;
    } catch {
      // closed while listing
    }
  }
  return n;
}

export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** The soft and hard limits on open files of this process. */
export function fileLimits(): { soft: number; hard: number } {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const m = line?.match(/Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/);
  const num = (s: string | undefined) => (s === undefined || s === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(s));
  return { soft: num(m?.[1]), hard: num(m?.[2]) };
}

/** VmRSS and VmData of this process from /proc/self/status, in bytes. */
export function vmStatus(): { rss: number; data: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (name: string) => Number(status.match(new RegExp(`${name}:\\s+(\\d+) kB`))?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), data: kb('VmData') };
}

export const MiB = 1024 * 1024;

/** `12.3 MiB` */
export function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`;
}

/**
 * Resolves once `condition()` holds, checking every 10 ms; rejects after `timeoutMs`. Only for
 * states that no event announces to a client, such as the broker's side of a socket being
 * released (the client has its own 'close' already).
 */
export async function eventually(condition: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
