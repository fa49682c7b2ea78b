/**
 * Differential tests: the same request script runs against a real Apache Kafka broker and
 * against Samsa, and the two traces of decoded responses must be equal after normalisation
 * (./normalise.ts, the one place that says which fields may differ).
 *
 * A scenario is a function of a Session: it sends requests built with Samsa's own codecs (or raw
 * bytes), may use values from earlier answers (a member id, a producer id), and every answer is
 * recorded in the session's trace. It runs once per broker, on fresh connections, so each
 * broker's generated ids flow through its own trace; the normaliser numbers them in order of
 * appearance, so "the first member id" matches across brokers.
 *
 * Both brokers are configured alike: one broker with id 1, one partition per auto-created topic,
 * replication factor 1 for internal topics, no initial rebalance delay. Kafka is 3.9 (the specs'
 * generation) in ZooKeeper mode by default — the architecture Samsa mirrors; set
 * SAMSA_DIFF_KAFKA=kraft for 3.9 KRaft or SAMSA_DIFF_KAFKA=4 for Kafka 4 (KRaft).
 */
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { FrameSplitter } from '../../src/protocol/framing.ts';
import { type ApiMessages, apiTable } from '../../src/protocol/messages/generated/api-table.ts';
import { decodeResponseFrame, encodeRequestFrame } from '../../src/protocol/request.ts';
import { shared, startTestBroker, type TestBroker } from '../interop/helpers.ts';
import { KafkaBroker, type StartKafkaOptions } from '../kafka/kafka-broker.ts';
import { IdNumbering, type Normaliser, normalise, standardRules } from './normalise.ts';

export type BrokerName = 'kafka' | 'samsa';

/** Settings both brokers get (Kafka's are in tools/kafka/kafka.sh). */
export const SAMSA_PROPERTIES = {
  'broker.id': 1,
  'num.partitions': 1,
  'offsets.topic.replication.factor': 1,
  'group.initial.rebalance.delay.ms': 0,
};

const REQUEST_TIMEOUT_MS = 30_000;

type Waiter = { resolve(frame: Buffer): void; reject(err: Error): void };

/** One TCP connection sending frames and handing back response frames in order. */
export class RawConnection {
  private readonly socket: Socket;
  private readonly waiting: Waiter[] = [];
  private closedError: Error | null = null;
  private nextCorrelation = 1;

  private constructor(socket: Socket) {
    this.socket = socket;
    const splitter = new FrameSplitter(64 << 20, (frame) => this.waiting.shift()?.resolve(frame));
    socket.on('data', (chunk: Buffer) => splitter.push(chunk));
    const fail = (err: Error) => {
      this.closedError ??= err;
      for (const w of this.waiting.splice(0)) w.reject(this.closedError);
    };
    socket.on('error', (e) => fail(e));
    socket.on('close', () => fail(new Error('connection closed by the broker')));
  }

  static connect(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = new Socket();
      s.setNoDelay(true);
      s.once('error', reject);
      s.connect(port, '127.0.0.1', () => {
        s.off('error', reject);
        resolve(new RawConnection(s));
      });
    });
  }

  correlationId(): number {
    return this.nextCorrelation++;
  }

  /** Sends a whole frame (size prefix included) and resolves with the response frame (without it). */
  exchange(frame: Buffer): Promise<Buffer> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)),
        REQUEST_TIMEOUT_MS,
      );
      this.waiting.push({
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.socket.write(frame);
    });
  }

  /** Sends a frame that gets no answer (Produce with acks=0). */
  send(frame: Buffer): void {
    this.socket.write(frame);
  }

  /** Resolves when the broker closes the connection (or after `ms`, resolving false). */
  closedWithin(ms: number): Promise<boolean> {
    if (this.socket.destroyed || this.closedError) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface TraceEntry {
  label: string;
  value: unknown;
}

/** What a scenario talks to: one broker, a trace of its answers, and connections closed at the end. */
export class Session {
  readonly broker: BrokerName;
  readonly port: number;
  readonly trace: TraceEntry[] = [];
  private readonly connections: RawConnection[] = [];
  private main: RawConnection | null = null;

  constructor(broker: BrokerName, port: number) {
    this.broker = broker;
    this.port = port;
  }

  /** A new connection to the broker (e.g. one per group member); closed when the scenario ends. */
  async connect(): Promise<Client> {
    const conn = await RawConnection.connect(this.port);
    this.connections.push(conn);
    return new Client(this, conn);
  }

  private async mainClient(): Promise<Client> {
    if (!this.main) {
      const c = await this.connect();
      this.main = c.connection;
      return c;
    }
    return new Client(this, this.main);
  }

  /** Sends a request on the session's main connection, records the answer and returns it. */
  async request<K extends keyof ApiMessages>(
    apiKey: K,
    version: number,
    body: ApiMessages[K]['request'],
    label?: string,
  ): Promise<ApiMessages[K]['response']> {
    return (await this.mainClient()).request(apiKey, version, body, label);
  }

  /** Records a value derived from answers (e.g. a decoded record set). */
  record(label: string, value: unknown): void {
    this.trace.push({ label, value });
  }

  close(): void {
    for (const c of this.connections) c.close();
  }
}

export class Client {
  readonly session: Session;
  readonly connection: RawConnection;

  constructor(session: Session, connection: RawConnection) {
    this.session = session;
    this.connection = connection;
  }

  /** Sends a request, records the answer (under `label`, default "<api key> v<version>") and returns it. */
  async request<K extends keyof ApiMessages>(
    apiKey: K,
    version: number,
    body: ApiMessages[K]['request'],
    label = `${apiTable.get(apiKey)?.name ?? `api ${apiKey}`} v${version}`,
  ): Promise<ApiMessages[K]['response']> {
    const frame = encodeRequestFrame(
      { apiKey, correlationId: this.connection.correlationId(), clientId: 'samsa-differential' },
      body,
      version,
    );
    const answer = await this.connection.exchange(frame);
    const decoded = decodeResponseFrame(apiKey, version, answer).body;
    this.session.record(label, decoded);
    return decoded;
  }

  /**
   * Sends hand-made bytes (a whole frame). Records the answer decoded as `decodeAs` (API key and
   * response version), or `{ closed: true }` when the broker closes the connection instead.
   */
  async raw(frame: Buffer, decodeAs: { apiKey: keyof ApiMessages; version: number }, label: string): Promise<unknown> {
    let value: unknown;
    try {
      const answer = await this.connection.exchange(frame);
      value = decodeResponseFrame(decodeAs.apiKey, decodeAs.version, answer).body;
    } catch (e) {
      if (!/closed|ECONNRESET|EPIPE/.test(String(e))) throw e;
      value = { closed: true };
    }
    this.session.record(label, value);
    return value;
  }

  /** Sends a request that gets no answer (acks=0). */
  send<K extends keyof ApiMessages>(apiKey: K, version: number, body: ApiMessages[K]['request']): void {
    this.connection.send(
      encodeRequestFrame(
        { apiKey, correlationId: this.connection.correlationId(), clientId: 'samsa-differential' },
        body,
        version,
      ),
    );
  }
}

/** How long setup waits for a broker to get ready (a topic led, __consumer_offsets created). */
export const READY_WITHIN_MS = 30_000;
/** Pause between two polls of a broker that has no event to wait for (Kafka is another process). */
const POLL_MS = 25;

/** Sends a request on `c` and returns the decoded answer without recording it in the trace. */
export async function quiet<K extends keyof ApiMessages>(
  c: Client,
  apiKey: K,
  version: number,
  body: ApiMessages[K]['request'],
): Promise<ApiMessages[K]['response']> {
  const frame = encodeRequestFrame(
    { apiKey, correlationId: c.connection.correlationId(), clientId: 'samsa-differential' },
    body,
    version,
  );
  return decodeResponseFrame(apiKey, version, await c.connection.exchange(frame)).body;
}

/** Polls `probe` until it returns a value other than undefined; fails after READY_WITHIN_MS. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + READY_WITHIN_MS;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${READY_WITHIN_MS} ms`);
    await delay(POLL_MS);
  }
}

export interface ScenarioOptions {
  /** Extra normalisation rules for this scenario only (each listed in docs/compatibility.md). */
  rules?: readonly Normaliser[];
}

export interface BrokerPair {
  kafka: KafkaBroker;
  samsa: TestBroker;
}

function kafkaOptions(): StartKafkaOptions {
  switch (process.env['SAMSA_DIFF_KAFKA'] ?? 'zookeeper') {
    case 'kraft':
      return { line: '3.9', mode: 'kraft' };
    case '4':
      return { line: '4', mode: 'kraft' };
    case 'zookeeper':
      return { line: '3.9', mode: 'zookeeper' };
    default:
      throw new Error(`SAMSA_DIFF_KAFKA must be zookeeper, kraft or 4 (got ${process.env['SAMSA_DIFF_KAFKA']})`);
  }
}

/**
 * Brokers shared by the scenarios of one test file, started by the first scenario and stopped
 * when the file's tests are done. Scenarios use their own topic and group names.
 */
const pair = shared<BrokerPair>(
  async () => {
    const [kafka, samsa] = await Promise.allSettled([
      KafkaBroker.start(kafkaOptions()),
      startTestBroker(SAMSA_PROPERTIES),
    ]);
    if (kafka.status === 'rejected' || samsa.status === 'rejected') {
      if (kafka.status === 'fulfilled') await kafka.value.destroy();
      if (samsa.status === 'fulfilled') await samsa.value.close();
      throw kafka.status === 'rejected' ? kafka.reason : (samsa as PromiseRejectedResult).reason;
    }
    return { kafka: kafka.value, samsa: samsa.value };
  },
  async ({ kafka, samsa }) => {
    await Promise.all([kafka.destroy(), samsa.close()]);
  },
);

/** Stops the shared brokers; call from the test file's `after` hook. */
export function closeBrokers(): Promise<void> {
  return pair.close();
}

/** The shared brokers (e.g. for a scenario that needs their ports). */
export function brokers(): Promise<BrokerPair> {
  return pair.get();
}

/** Runs `script` against one broker and returns its normalised trace. */
export async function runOn(
  broker: BrokerName,
  port: number,
  script: (s: Session) => Promise<void>,
  rules: readonly Normaliser[],
): Promise<unknown[]> {
  const session = new Session(broker, port);
  try {
    await script(session);
  } finally {
    session.close();
  }
  const ids = new IdNumbering();
  return session.trace.map((e) => ({ [e.label]: normalise(e.value, rules, ids) }));
}

/**
 * Declares a differential test: `script` runs against Kafka, then against Samsa, and the two
 * normalised traces must be deep-equal.
 */
export function scenario(name: string, script: (s: Session) => Promise<void>, options: ScenarioOptions = {}): void {
  test(name, async () => {
    const { kafka, samsa } = await pair.get();
    const rules = [...standardRules, ...(options.rules ?? [])];
    const expected = await runOn('kafka', kafka.port, script, rules);
    const actual = await runOn('samsa', samsa.port, script, rules);
    assert.deepStrictEqual(actual, expected, `Samsa (actual) differs from Kafka (expected) in "${name}"`);
  });
}
