/** Shared test helpers: a broker's storage + ReplicaManager over a temp dir with a ManualClock. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/common/clock.ts';
import { CoarseTimers } from '../../src/common/coarse-timers.ts';
import { MemoryLogger } from '../../src/common/logger.ts';
import { BatchCursor } from '../../src/protocol/records/batch-cursor.ts';
import { decodeRecords } from '../../src/protocol/records/record-decoder.ts';
import { encodeRecordBatch } from '../../src/protocol/records/record-encoder.ts';
import { ReplicaManager, type ReplicaManagerOptions } from '../../src/replication/replica-manager.ts';
import type { FetchMessagesRequest, FetchPartitionResult } from '../../src/replication/types.ts';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../../src/storage/config.ts';
import type { FileIO } from '../../src/storage/file-io.ts';
import { LogManager } from '../../src/storage/log-manager.ts';

export const BROKER = 1;
export const T0 = 1_700_000_000_000;

const openBrokers = new Map<string, Broker[]>();

/** A temp dir removed after the test, once every broker opened on it is closed. */
export function tempDir(t: { after(fn: () => Promise<void>): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-replication-'));
  openBrokers.set(dir, []);
  t.after(async () => {
    for (const b of openBrokers.get(dir) ?? []) if (!b.closed) await closeBroker(b).catch(() => {});
    openBrokers.delete(dir);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

export interface BatchOptions {
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  timestamp?: number;
  valueBytes?: number;
  tag?: string;
}

/** A batch of `n` records `${tag}-${i}`; idempotent when producerId is given. */
export function batch(n: number, o: BatchOptions = {}): Buffer {
  const records = [];
  for (let i = 0; i < n; i++) {
    records.push({
      key: null,
      value: o.valueBytes !== undefined ? Buffer.alloc(o.valueBytes, i & 0xff) : Buffer.from(`${o.tag ?? 'v'}-${i}`),
      timestamp: o.timestamp ?? T0,
    });
  }
  return encodeRecordBatch({
    records,
    producerId: o.producerId ?? -1,
    producerEpoch: o.producerEpoch ?? -1,
    baseSequence: o.baseSequence ?? -1,
  });
}

/** (offset, value) of every record in a buffer of stored batches. */
export function recordsOf(buf: Buffer): { offset: number; value: string }[] {
  const out: { offset: number; value: string }[] = [];
  const c = new BatchCursor(buf);
  while (c.next()) {
    for (const r of decodeRecords(c.bytes(), { verifyCrc: true })) {
      out.push({ offset: r.offset, value: r.value?.toString() ?? '' });
    }
  }
  return out;
}

/** Leader epochs stamped on the stored batches. */
export function epochsOf(buf: Buffer): number[] {
  const out: number[] = [];
  const c = new BatchCursor(buf);
  while (c.next()) out.push(buf.readInt32BE(c.position + 12));
  return out;
}

export interface Broker {
  dir: string;
  clock: ManualClock;
  timers: CoarseTimers;
  logger: MemoryLogger;
  logManager: LogManager;
  rm: ReplicaManager;
  closed: boolean;
}

export interface OpenOptions {
  log?: Partial<LogConfig>;
  rm?: Partial<ReplicaManagerOptions>;
  clock?: ManualClock;
  io?: FileIO;
}

/** Opens storage and a ReplicaManager over `dir` (a "process"). */
export function openBroker(dir: string, o: OpenOptions = {}): Broker {
  const clock = o.clock ?? new ManualClock(T0);
  const logger = new MemoryLogger();
  const timers = new CoarseTimers(clock, { tickMs: 10, logger });
  const logManager = LogManager.open({
    config: {
      logDirs: [dir],
      retentionCheckIntervalMs: Infinity,
      recoveryPointCheckpointIntervalMs: Infinity,
      logStartOffsetCheckpointIntervalMs: Infinity,
      cleanerEnable: false,
    },
    defaultLogConfig: { ...DEFAULT_LOG_CONFIG, ...o.log },
    clock,
    logger,
    io: o.io,
  });
  const rm = new ReplicaManager({ brokerId: BROKER, logManager, timers, clock, logger, io: o.io, ...o.rm });
  rm.startup();
  const b = { dir, clock, timers, logger, logManager, rm, closed: false };
  openBrokers.get(dir)?.push(b);
  return b;
}

/** Clean shutdown, as the broker does it: replication first, then storage. */
export async function closeBroker(b: Broker): Promise<void> {
  b.closed = true;
  await b.rm.shutdown();
  await b.logManager.shutdown();
  b.timers.close();
}

/**
 * A crash: nothing is shut down cleanly — no producer snapshot at the LEO, no checkpoints, no
 * clean-shutdown marker. The log files are closed only so the next "process" can open them.
 */
export async function crashBroker(b: Broker): Promise<void> {
  b.closed = true;
  for (const p of b.rm.allPartitions()) await p.epochCache.flushed();
  for (const log of b.logManager.allLogs()) await log.close();
  b.timers.close();
}

/** Makes this broker the leader of `topic` partitions 0..n-1 (single-node). */
export async function lead(b: Broker, topic: string, partitions = 1, epoch = 0, isr = [BROKER]): Promise<void> {
  const changes = [];
  for (let p = 0; p < partitions; p++) {
    changes.push({
      topic,
      partition: p,
      leader: BROKER,
      leaderEpoch: epoch,
      isr,
      replicas: [...new Set([BROKER, ...isr])],
    });
  }
  const res = await b.rm.becomeLeaderOrFollower(changes);
  for (const r of res) if (r.errorCode !== 0) throw new Error(`lead ${r.topic}-${r.partition}: ${r.errorMessage}`);
}

export async function produce(
  b: Broker,
  topic: string,
  partition: number,
  records: Buffer,
  acks = 1,
  timeoutMs = 30_000,
) {
  const [r] = await b.rm.appendRecords({
    timeoutMs,
    requiredAcks: acks,
    internalTopicsAllowed: false,
    entries: [{ topic, partition, records }],
  });
  return r!;
}

export function fetchReq(
  partitions: {
    topic: string;
    partition: number;
    fetchOffset: number;
    partitionMaxBytes?: number;
    currentLeaderEpoch?: number;
  }[],
  o: Partial<FetchMessagesRequest> = {},
): FetchMessagesRequest {
  return {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 50 * 1024 * 1024,
    isolationLevel: 0,
    ...o,
    partitions: partitions.map((p) => ({ partitionMaxBytes: 1024 * 1024, ...p })),
  };
}

/** Lets pending promise callbacks and thread-pool I/O finish. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Whether a promise has settled yet (after letting I/O run). */
export async function isSettled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await settle();
  return done;
}

export function values(results: FetchPartitionResult[]): string[] {
  return results.flatMap((r) => recordsOf(r.records).map((x) => x.value));
}

/** Yields to the event loop (I/O included) until `cond()` holds; fails after many rounds. */
export async function until(cond: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    if (cond()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`gave up waiting for ${what}`);
}
