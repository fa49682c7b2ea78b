// Kafka vs Samsa, side by side, driven by Kafka's own performance tools (issue 7).
//
// One run starts a real Apache Kafka 3.9 broker (KRaft combined mode, as `kafka-server-start.sh`
// runs it for a new user: heap -Xmx1g -Xms1g and Kafka's default JVM performance options) and a
// Samsa broker (`samsa server` from dist/, in a child process), each with its own data dir under
// the same temporary directory (same disk), and drives both with the same Java tools from the same
// Kafka 3.9 jars:
//   - org.apache.kafka.tools.ProducerPerformance (kafka-producer-perf-test) for produce throughput
//     and, with --throughput 10000, for produce-acknowledgement latency at a fixed rate;
//   - org.apache.kafka.tools.ConsumerPerformance (kafka-consumer-perf-test) for consume throughput;
//   - org.apache.kafka.tools.EndToEndLatency for serial produce→consume round trips.
// Loads run one broker at a time: for each run the two brokers take turns (the order alternates
// between runs), the idle one only sitting there. Every figure is the median of RUNS runs per
// broker. Start time (JVM / node spawn → an ApiVersions request answered) and idle RSS come from
// RUNS separate starts of each broker; RSS under load is the peak VmRSS sampled every 100 ms.
//
// Run: npm run bench:kafka
// Sizes (env): BENCH_RECORDS (1 KiB records per produce run, default 500000),
//   BENCH_RECORDS_SMALL (100 B records per produce run, default 2000000), BENCH_RUNS (3),
//   BENCH_PARTITIONS (6), BENCH_LATENCY_SECONDS (seconds at 10,000 records/s, default 10),
//   BENCH_E2E_MESSAGES (EndToEndLatency round trips, default 5000), BENCH_IDLE_MS (wait before
//   the idle RSS, default 5000), BENCH_ONLY (comma list of start,produce,consume,latency),
//   BENCH_SAMSA_NODE_ARGS (extra node options for the Samsa broker, e.g. "--cpu-prof
//   --cpu-prof-dir=/tmp/prof"), BENCH_KAFKA_HEAP (default "-Xmx1g -Xms1g").
// Needs java 17+ (and mvn for the first resolution of the Kafka jars): see tools/kafka/README.md.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaBroker, kafkaVersion, runKafkaJava } from '../test/kafka/kafka-broker.ts';
import { answersApiVersions, type BrokerProcess, freePort, rssOf, startBrokerProcess } from './lib/broker-process.ts';
import { RawClient } from './lib/raw-client.ts';

function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}=${v}: expected a positive integer`);
  return n;
}

const RECORDS_1K = envInt('BENCH_RECORDS', 500_000);
const RECORDS_100 = envInt('BENCH_RECORDS_SMALL', 2_000_000);
const RUNS = envInt('BENCH_RUNS', 3);
const PARTITIONS = envInt('BENCH_PARTITIONS', 6);
const LATENCY_RATE = 10_000;
const LATENCY_SECONDS = envInt('BENCH_LATENCY_SECONDS', 10);
const E2E_MESSAGES = envInt('BENCH_E2E_MESSAGES', 5000);
const IDLE_MS = envInt('BENCH_IDLE_MS', 5000);
const ONLY = new Set((process.env.BENCH_ONLY ?? 'start,produce,consume,latency').split(',').map((s) => s.trim()));
const SAMSA_NODE_ARGS = (process.env.BENCH_SAMSA_NODE_ARGS ?? '').split(/\s+/).filter((s) => s !== '');
/** The heap kafka-server-start.sh gives a broker when KAFKA_HEAP_OPTS is unset. */
const KAFKA_HEAP = process.env.BENCH_KAFKA_HEAP ?? '-Xmx1g -Xms1g';
/** kafka-run-class.sh's default KAFKA_JVM_PERFORMANCE_OPTS (broker and tools alike). */
const KAFKA_JVM_PERFORMANCE_OPTS = [
  '-server',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35',
  '-XX:+ExplicitGCInvokesConcurrent',
  '-XX:MaxInlineLevel=15',
];
/** The perf-test scripts' heap (kafka-producer-perf-test.sh, kafka-consumer-perf-test.sh). */
const TOOL_JVM = ['-Xmx512M', ...KAFKA_JVM_PERFORMANCE_OPTS];
const TOOL_TIMEOUT_MS = 600_000;
/** kafka.sh sets this for Kafka; Samsa gets the same so ConsumerPerformance's group joins alike. */
const SAMSA_OVERRIDES = { 'group.initial.rebalance.delay.ms': '0' };

const MiB = 1024 * 1024;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Brokers

type Name = 'Kafka' | 'Samsa';
const NAMES: readonly Name[] = ['Kafka', 'Samsa'];

interface Running {
  name: Name;
  port: number;
  pid: number;
  /** ms from process spawn until an ApiVersions request was answered. */
  readyMs: number;
  /** Kafka only: ms kafka.sh spent before launching the broker (mostly the storage format). */
  formatMs?: number;
  stop(): Promise<void>;
}

async function startKafka(): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-kafka-'));
  const port = await freePort();
  let spawnAt = 0;
  let readyAt = 0;
  let failed = false;
  const calledAt = performance.now();
  const starting = KafkaBroker.start({
    line: '3.9',
    port,
    dir,
    env: { KAFKA_HEAP_OPTS: KAFKA_HEAP, KAFKA_JVM_PERFORMANCE_OPTS: KAFKA_JVM_PERFORMANCE_OPTS.join(' ') },
  }).catch((err: unknown) => {
    failed = true;
    throw err;
  });
  // kafka.sh formats the storage first (a separate JVM), then launches the broker's JVM and writes
  // its PID to kafka.pid; the start is timed from there to our own first answered ApiVersions.
  const watching = (async () => {
    while (!existsSync(join(dir, 'kafka.pid'))) {
      if (failed) return;
      await sleep(1);
    }
    spawnAt = performance.now();
    for (;;) {
      if (await answersApiVersions(port, 10_000)) break;
      if (failed) return;
      await sleep(2);
    }
    readyAt = performance.now();
  })();
  let broker: KafkaBroker;
  try {
    broker = await starting;
  } catch (err) {
    await watching;
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  await watching;
  const pid = broker.processId;
  if (pid === null || spawnAt === 0 || readyAt === 0) throw new Error('Kafka started but its start was not observed');
  return {
    name: 'Kafka',
    port,
    pid,
    readyMs: readyAt - spawnAt,
    formatMs: spawnAt - calledAt,
    stop: () => broker.destroy(),
  };
}

async function startSamsa(): Promise<Running> {
  const b: BrokerProcess = await startBrokerProcess(SAMSA_OVERRIDES, { nodeArgs: SAMSA_NODE_ARGS });
  const pid = b.child.pid;
  if (pid === undefined) throw new Error('the Samsa process has no PID');
  return { name: 'Samsa', port: b.port, pid, readyMs: b.readyMs, stop: () => b.stop() };
}

const start: Record<Name, () => Promise<Running>> = { Kafka: startKafka, Samsa: startSamsa };

/** Samples VmRSS of `pid` every 100 ms while `work` runs; returns its result and the peak. */
async function withRssPeak<T>(pid: number, work: Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = rssOf(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssOf(pid));
  }, 100);
  try {
    const result = await work;
    return { result, peak: Math.max(peak, rssOf(pid)) };
  } finally {
    clearInterval(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Figures

interface Figure {
  label: string;
  /** Which way is better, for the summary of where Samsa is behind. */
  better: 'higher' | 'lower';
  digits: number;
  /** A latency the tool prints in whole milliseconds, truncated: 0 means under 1 ms. */
  wholeMs: boolean;
  values: Record<Name, number[]>;
}

const figures = new Map<string, Figure>();
const problems: string[] = [];

function record(
  label: string,
  better: 'higher' | 'lower',
  digits: number,
  name: Name,
  v: number,
  wholeMs = false,
): void {
  let f = figures.get(label);
  if (f === undefined) {
    f = { label, better, digits, wholeMs, values: { Kafka: [], Samsa: [] } };
    figures.set(label, f);
  }
  f.values[name].push(v);
}

function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function fmt(v: number, digits: number, wholeMs = false): string {
  if (Number.isNaN(v)) return 'failed';
  if (wholeMs && v < 1) return '<1';
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

// ---------------------------------------------------------------------------------------------
// Kafka's tools

async function tool(main: string, args: string[]): Promise<string> {
  const r = await runKafkaJava(main, args, { jvmOptions: TOOL_JVM, timeoutMs: TOOL_TIMEOUT_MS });
  if (r.code !== 0) {
    throw new Error(`${main.split('.').at(-1)} exited with ${r.code}:\n${(r.stderr + r.stdout).trim().slice(-2000)}`);
  }
  const errors = r.stderr.split('\n').filter((l) => /Exception|ERROR/.test(l));
  if (errors.length > 0) {
    problems.push(`${main.split('.').at(-1)} ${args.join(' ')}: ${errors.length} error lines, first: ${errors[0]}`);
  }
  return r.stdout;
}

interface ProducerSummary {
  records: number;
  recordsPerSec: number;
  mibPerSec: number;
  avgMs: number;
  maxMs: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
}

const PRODUCER_SUMMARY =
  /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th/;

async function producerPerformance(
  port: number,
  topic: string,
  records: number,
  size: number,
  throughput: number,
  props: Record<string, string>,
): Promise<ProducerSummary> {
  const out = await tool('org.apache.kafka.tools.ProducerPerformance', [
    '--topic',
    topic,
    '--num-records',
    String(records),
    '--record-size',
    String(size),
    '--throughput',
    String(throughput),
    '--producer-props',
    `bootstrap.servers=127.0.0.1:${port}`,
    ...Object.entries(props).map(([k, v]) => `${k}=${v}`),
  ]);
  const m = PRODUCER_SUMMARY.exec(out);
  if (m === null) throw new Error(`no summary line in ProducerPerformance's output:\n${out.slice(-1000)}`);
  const n = m.slice(1).map(Number);
  const s: ProducerSummary = {
    records: n[0]!,
    recordsPerSec: n[1]!,
    mibPerSec: n[2]!,
    avgMs: n[3]!,
    maxMs: n[4]!,
    p50: n[5]!,
    p95: n[6]!,
    p99: n[7]!,
    p999: n[8]!,
  };
  if (s.records !== records) problems.push(`ProducerPerformance to ${topic}: ${s.records} of ${records} records acked`);
  return s;
}

interface ConsumerSummary {
  mib: number;
  mibPerSec: number;
  messages: number;
  messagesPerSec: number;
  rebalanceMs: number;
  fetchMs: number;
  fetchMibPerSec: number;
  fetchMessagesPerSec: number;
}

async function consumerPerformance(port: number, topic: string, messages: number): Promise<ConsumerSummary> {
  const out = await tool('org.apache.kafka.tools.ConsumerPerformance', [
    '--bootstrap-server',
    `127.0.0.1:${port}`,
    '--topic',
    topic,
    '--messages',
    String(messages),
    '--timeout',
    '30000',
  ]);
  const lines = out.trim().split('\n');
  const header = lines.findIndex((l) => l.startsWith('start.time'));
  const data = header < 0 ? undefined : lines[header + 1];
  if (data === undefined) throw new Error(`no result line in ConsumerPerformance's output:\n${out.slice(-1000)}`);
  const c = data.split(',').map((x) => x.trim());
  const s: ConsumerSummary = {
    mib: Number(c[2]),
    mibPerSec: Number(c[3]),
    messages: Number(c[4]),
    messagesPerSec: Number(c[5]),
    rebalanceMs: Number(c[6]),
    fetchMs: Number(c[7]),
    fetchMibPerSec: Number(c[8]),
    fetchMessagesPerSec: Number(c[9]),
  };
  if (out.includes('WARNING') || s.messages !== messages) {
    problems.push(`ConsumerPerformance from ${topic}: ${s.messages} of ${messages} messages consumed`);
  }
  return s;
}

interface EndToEndSummary {
  avgMs: number;
  p50: number;
  p99: number;
  p999: number;
}

async function endToEndLatency(port: number, topic: string, messages: number): Promise<EndToEndSummary> {
  const out = await tool('org.apache.kafka.tools.EndToEndLatency', [
    `127.0.0.1:${port}`,
    topic,
    String(messages),
    '1',
    '100',
  ]);
  const avg = /Avg latency: ([\d.]+) ms/.exec(out);
  const pct = /Percentiles: 50th = (\d+), 99th = (\d+), 99\.9th = (\d+)/.exec(out);
  if (avg === null || pct === null) throw new Error(`no summary in EndToEndLatency's output:\n${out.slice(-1000)}`);
  return { avgMs: Number(avg[1]), p50: Number(pct[1]), p99: Number(pct[2]), p999: Number(pct[3]) };
}

async function createTopic(port: number, topic: string, partitions: number): Promise<void> {
  const c = await RawClient.connect(port);
  try {
    await c.createTopic(topic, partitions);
  } finally {
    c.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Sections

async function startSection(): Promise<void> {
  console.log(`\n## start and idle RSS (${RUNS} starts each, RSS ${IDLE_MS} ms after ready)`);
  for (let run = 0; run < RUNS; run++) {
    for (const name of NAMES) {
      const b = await start[name]();
      await sleep(IDLE_MS);
      const rss = rssOf(b.pid);
      await b.stop();
      record('start: spawn → ApiVersions answered, ms', 'lower', 0, name, b.readyMs);
      record('RSS idle, MiB', 'lower', 0, name, rss / MiB);
      const format =
        b.formatMs === undefined ? '' : ` (after ${b.formatMs.toFixed(0)} ms of kafka.sh and storage format)`;
      console.log(
        `${name} start ${run + 1}: ready in ${b.readyMs.toFixed(0)} ms${format}, idle RSS ${(rss / MiB).toFixed(1)} MiB`,
      );
    }
  }
}

interface ProduceLoad {
  key: string;
  size: number;
  records: number;
  props: Record<string, string>;
}

/** Every combination of record size, acks and compression (none, lz4). */
const PRODUCE_LOADS: ProduceLoad[] = [100, 1024].flatMap((size) =>
  ['1', 'all'].flatMap((acks) =>
    ['none', 'lz4'].map((compression) => ({
      key: `p${size === 1024 ? '1k' : size}${acks === 'all' ? '-all' : ''}${compression === 'none' ? '' : `-${compression}`}`,
      size,
      records: size === 1024 ? RECORDS_1K : RECORDS_100,
      props: { acks, 'compression.type': compression },
    })),
  ),
);

function sizeLabel(size: number): string {
  return size === 1024 ? '1 KiB' : `${size} B`;
}

function loadLabel(l: ProduceLoad): string {
  const compression = l.props['compression.type'];
  return `produce ${sizeLabel(l.size)} acks=${l.props.acks}${compression === 'none' ? '' : ` ${compression}`}`;
}

/** Runs `fn` RUNS times per broker, the brokers taking turns and the order alternating. */
async function turns(brokers: Record<Name, Running>, fn: (b: Running, run: number) => Promise<void>): Promise<void> {
  for (let run = 0; run < RUNS; run++) {
    const order = run % 2 === 0 ? NAMES : [...NAMES].reverse();
    for (const name of order) {
      try {
        await fn(brokers[name], run);
      } catch (err) {
        const msg = `${name} run ${run + 1}: ${(err as Error).message}`;
        problems.push(msg);
        console.log(`FAILED ${msg}`);
      }
    }
  }
}

const peakProduceRss: Record<Name, number> = { Kafka: 0, Samsa: 0 };
const peakAnyRss: Record<Name, number> = { Kafka: 0, Samsa: 0 };

async function measured<T>(b: Running, work: Promise<T>, producing: boolean): Promise<T> {
  const { result, peak } = await withRssPeak(b.pid, work);
  peakAnyRss[b.name] = Math.max(peakAnyRss[b.name], peak);
  if (producing) peakProduceRss[b.name] = Math.max(peakProduceRss[b.name], peak);
  return result;
}

function producerTopic(l: ProduceLoad, run: number): string {
  return `${l.key}-run${run}`;
}

async function produceSection(brokers: Record<Name, Running>): Promise<void> {
  console.log(
    `\n## produce: ProducerPerformance --throughput -1, ${PARTITIONS} partitions, linger.ms and batch.size as Kafka 3.9's defaults (0 ms, 16 KiB)`,
  );
  for (const l of PRODUCE_LOADS) {
    const label = loadLabel(l);
    await turns(brokers, async (b, run) => {
      const topic = producerTopic(l, run);
      await createTopic(b.port, topic, PARTITIONS);
      const s = await measured(b, producerPerformance(b.port, topic, l.records, l.size, -1, l.props), true);
      record(`${label}: records/s`, 'higher', 0, b.name, s.recordsPerSec);
      record(`${label}: MiB/s`, 'higher', 1, b.name, s.mibPerSec);
      record(`${label}: ack latency avg, ms`, 'lower', 1, b.name, s.avgMs);
      record(`${label}: ack latency p50, ms`, 'lower', 0, b.name, s.p50, true);
      record(`${label}: ack latency p99, ms`, 'lower', 0, b.name, s.p99, true);
      record(`${label}: ack latency p99.9, ms`, 'lower', 0, b.name, s.p999, true);
      record(`${label}: ack latency max, ms`, 'lower', 0, b.name, s.maxMs, true);
      console.log(
        `${b.name} ${label} run ${run + 1}: ${s.records} records, ${s.recordsPerSec.toFixed(0)} records/s, ${s.mibPerSec.toFixed(1)} MiB/s, latency avg ${s.avgMs} ms, p50 ${s.p50}, p99 ${s.p99}, p99.9 ${s.p999}, max ${s.maxMs} ms`,
      );
    });
  }
}

async function consumeSection(brokers: Record<Name, Running>): Promise<void> {
  console.log(
    '\n## consume: ConsumerPerformance, one consumer (a new group each run), from the start of a produce run topic',
  );
  for (const l of PRODUCE_LOADS.filter((x) => x.props['compression.type'] === 'none' && x.props.acks === '1')) {
    const size = sizeLabel(l.size);
    await turns(brokers, async (b, run) => {
      const topic = producerTopic(l, run);
      if (!ONLY.has('produce')) {
        await createTopic(b.port, topic, PARTITIONS);
        await producerPerformance(b.port, topic, l.records, l.size, -1, l.props);
      }
      const s = await measured(b, consumerPerformance(b.port, topic, l.records), false);
      record(`consume ${size}: MiB/s`, 'higher', 1, b.name, s.mibPerSec);
      record(`consume ${size}: records/s`, 'higher', 0, b.name, s.messagesPerSec);
      record(`consume ${size}: MiB/s fetching (excl. group join)`, 'higher', 1, b.name, s.fetchMibPerSec);
      record(`consume ${size}: group join, ms`, 'lower', 0, b.name, s.rebalanceMs);
      console.log(
        `${b.name} consume ${size} run ${run + 1}: ${s.messages} records, ${s.mibPerSec} MiB/s, ${s.messagesPerSec.toFixed(0)} records/s; join ${s.rebalanceMs} ms, fetch ${s.fetchMs} ms → ${s.fetchMibPerSec} MiB/s`,
      );
    });
  }
}

async function latencySection(brokers: Record<Name, Running>): Promise<void> {
  const records = LATENCY_RATE * LATENCY_SECONDS;
  const fixed = `produce-ack latency at ${LATENCY_RATE / 1000}k records/s`;
  console.log(
    `\n## latency: ProducerPerformance --throughput ${LATENCY_RATE}, 100 B, acks=1, ${records} records; EndToEndLatency, ${E2E_MESSAGES} serial round trips`,
  );
  await turns(brokers, async (b, run) => {
    const topic = `lat-run${run}`;
    await createTopic(b.port, topic, PARTITIONS);
    const s = await measured(b, producerPerformance(b.port, topic, records, 100, LATENCY_RATE, { acks: '1' }), true);
    record(`${fixed}: achieved records/s`, 'higher', 0, b.name, s.recordsPerSec);
    record(`${fixed}: avg, ms`, 'lower', 2, b.name, s.avgMs);
    record(`${fixed}: p50, ms`, 'lower', 0, b.name, s.p50, true);
    record(`${fixed}: p99, ms`, 'lower', 0, b.name, s.p99, true);
    record(`${fixed}: p99.9, ms`, 'lower', 0, b.name, s.p999, true);
    record(`${fixed}: max, ms`, 'lower', 0, b.name, s.maxMs, true);
    console.log(
      `${b.name} fixed-rate run ${run + 1}: ${s.recordsPerSec.toFixed(0)} records/s, latency avg ${s.avgMs} ms, p50 ${s.p50}, p99 ${s.p99}, p99.9 ${s.p999}, max ${s.maxMs} ms`,
    );
  });
  const e2e = 'EndToEndLatency (serial round trips)';
  await turns(brokers, async (b, run) => {
    const topic = `e2e-run${run}`;
    await createTopic(b.port, topic, 1);
    const s = await measured(b, endToEndLatency(b.port, topic, E2E_MESSAGES), false);
    record(`${e2e}: avg, ms`, 'lower', 2, b.name, s.avgMs);
    record(`${e2e}: p50, ms`, 'lower', 0, b.name, s.p50, true);
    record(`${e2e}: p99, ms`, 'lower', 0, b.name, s.p99, true);
    record(`${e2e}: p99.9, ms`, 'lower', 0, b.name, s.p999, true);
    console.log(
      `${b.name} EndToEndLatency run ${run + 1}: avg ${s.avgMs} ms, p50 ${s.p50}, p99 ${s.p99}, p99.9 ${s.p999}`,
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Report

function rows(): string[][] {
  const out: string[][] = [];
  for (const f of figures.values()) {
    const k = median(f.values.Kafka);
    const s = median(f.values.Samsa);
    const unknown = Number.isNaN(k) || Number.isNaN(s) || k === 0 || (f.wholeMs && (k < 1 || s < 1));
    const ratio = unknown ? '—' : (s / k).toFixed(2);
    out.push([f.label, fmt(k, f.digits, f.wholeMs), fmt(s, f.digits, f.wholeMs), ratio]);
  }
  return out;
}

function printTables(header: string[], body: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]): string =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of body) console.log(line(r));
  console.log('\nMarkdown:\n');
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
  for (const r of body) console.log(`| ${r.join(' | ')} |`);
}

function notes(version: string): string[] {
  const n = (x: number): string => x.toLocaleString('en-US');
  return [
    `Median of ${RUNS} run${RUNS === 1 ? '' : 's'} per broker; the brokers take turns (one loaded at a time, the order alternating). Kafka ${version}: KRaft combined mode (one node, broker and controller), heap ${KAFKA_HEAP}, kafka-run-class.sh's default JVM options; Samsa: dist/ on node ${process.version}. Both on this machine (${cpus().length} CPUs), data dirs in ${tmpdir()}. Load from Kafka ${version}'s own tools, same jars, JVM ${TOOL_JVM.join(' ')}.`,
    `start: from spawning the broker's process (Kafka: its JVM, after kafka.sh's storage format, not counted) to the first answered ApiVersions request; RSS idle: VmRSS ${n(IDLE_MS)} ms later; ${RUNS} separate start${RUNS === 1 ? '' : 's'} each. RSS under load: peak VmRSS sampled every 100 ms during the ProducerPerformance runs / during every load.`,
    `produce: ProducerPerformance --throughput -1 into a new ${PARTITIONS}-partition topic, ${n(RECORDS_100)} × 100 B or ${n(RECORDS_1K)} × 1 KiB random records per run, linger.ms=0 and batch.size=16384 (the 3.9 producer's defaults). Ack latency is send() → acknowledgement: with unlimited throughput, mostly time queued in the producer.`,
    `consume: ConsumerPerformance, one consumer in a new group, reading what one "acks=1" produce run wrote (page cache); MiB/s and records/s are the tool's MB.sec and nMsg.sec, which include the group join; "fetching" excludes it.`,
    `produce-ack latency at ${LATENCY_RATE / 1000}k records/s: ProducerPerformance --throughput ${LATENCY_RATE}, 100 B, acks=1, ${n(LATENCY_RATE * LATENCY_SECONDS)} records, ${PARTITIONS} partitions; send() → acknowledgement, not produce → consume.`,
    `EndToEndLatency: ${n(E2E_MESSAGES)} serial round trips (produce one 100 B record, acks=1, poll until the consumer has it, then the next) on a 1-partition topic. The tools print percentiles and max in whole ms, truncated: "<1" is under 1 ms (ratio "—").`,
    'MiB = 2^20 bytes (the tools\' "MB"). Samsa/Kafka above 1 is better for throughput, below 1 for latency, start time and RSS.',
  ];
}

function behind(): string[] {
  const out: string[] = [];
  for (const f of figures.values()) {
    const k = median(f.values.Kafka);
    const s = median(f.values.Samsa);
    if (Number.isNaN(k) || Number.isNaN(s)) continue;
    if (f.better === 'higher' ? s < k : s > k) {
      out.push(`${f.label}: Samsa ${fmt(s, f.digits, f.wholeMs)} vs Kafka ${fmt(k, f.digits, f.wholeMs)}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

const t0 = performance.now();
const version = kafkaVersion('3.9');
console.log(
  `Kafka ${version} (KRaft combined mode, heap ${KAFKA_HEAP}, ${KAFKA_JVM_PERFORMANCE_OPTS.join(' ')}) vs Samsa (dist/, node ${process.version}${SAMSA_NODE_ARGS.length > 0 ? ` ${SAMSA_NODE_ARGS.join(' ')}` : ''}); ${cpus().length} CPUs, load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
console.log(
  `runs ${RUNS} per broker (median reported); ${RECORDS_100} × 100 B and ${RECORDS_1K} × 1 KiB records per produce run; tools: ${TOOL_JVM.join(' ')}`,
);

if (ONLY.has('start')) await startSection();
if (ONLY.has('produce') || ONLY.has('consume') || ONLY.has('latency')) {
  const kafka = await startKafka();
  let samsa: Running | undefined;
  try {
    samsa = await startSamsa();
    const brokers: Record<Name, Running> = { Kafka: kafka, Samsa: samsa };
    if (ONLY.has('produce')) await produceSection(brokers);
    if (ONLY.has('consume')) await consumeSection(brokers);
    if (ONLY.has('latency')) await latencySection(brokers);
    for (const name of NAMES) {
      if (ONLY.has('produce') || ONLY.has('latency')) {
        record('RSS peak under producer load, MiB', 'lower', 0, name, peakProduceRss[name] / MiB);
      }
      record('RSS peak under any load, MiB', 'lower', 0, name, peakAnyRss[name] / MiB);
    }
  } finally {
    await samsa?.stop();
    await kafka.stop();
  }
}

printTables(['figure', `Kafka ${version}`, 'Samsa', 'Samsa/Kafka'], rows());
console.log(
  `\n${notes(version)
    .map((x) => `- ${x}`)
    .join('\n')}`,
);
const lagging = behind();
if (lagging.length > 0) console.log(`\nSamsa behind Kafka on:\n- ${lagging.join('\n- ')}`);
if (problems.length > 0) console.log(`\nProblems:\n- ${problems.join('\n- ')}`);
console.log(
  `\nTotal ${((performance.now() - t0) / 1000).toFixed(0)} s; load average now ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
process.exit(problems.length > 0 ? 1 : 0);
