/**
 * A GroupCoordinator over an in-memory `__consumer_offsets` (MemoryOffsetsLog) with a ManualClock:
 * no sockets, no files, no sleeps. Appends complete on a later microtask (or, with `hold()`, when
 * the test releases them), so tests see the coordinator answer only after the write.
 */
import { ManualClock } from '../../src/common/clock.ts';
import { CoarseTimers } from '../../src/common/coarse-timers.ts';
import { MemoryLogger } from '../../src/common/logger.ts';
import { GroupCoordinator, type GroupCoordinatorConfig } from '../../src/coordinator/group-coordinator.ts';
import type { GroupLimits } from '../../src/coordinator/group-limits.ts';
import type {
  GroupProtocol,
  JoinGroupRequestParams,
  JoinGroupResult,
  OffsetCommitEntry,
  SyncGroupResult,
} from '../../src/coordinator/group-types.ts';
import type { AppendOutcome, LogBounds, OffsetsTopicLog } from '../../src/coordinator/offsets-topic-log.ts';
import { ErrorCode } from '../../src/protocol/error-codes.ts';
import { encodeSubscription } from '../../src/protocol/messages/consumer-protocol.ts';
import { BatchCursor } from '../../src/protocol/records/batch-cursor.ts';
import { decodeRecords } from '../../src/protocol/records/record-decoder.ts';

/** Lets every pending promise callback (and the appends they start) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

interface StoredBatch {
  baseOffset: number;
  bytes: Buffer;
}

/** One in-memory log per partition; appends patch the base offset like a real log does. */
export class MemoryOffsetsLog implements OffsetsTopicLog {
  readonly partitions = new Map<number, { batches: StoredBatch[]; leo: number; start: number }>();
  /** Error code the next appends fail with (0: succeed). */
  failWith = 0;
  private held: (() => void)[] | null = null;
  appends = 0;

  host(partition: number): void {
    if (!this.partitions.has(partition)) this.partitions.set(partition, { batches: [], leo: 0, start: 0 });
  }

  /** Appends wait until release(). */
  hold(): void {
    this.held ??= [];
  }

  release(): void {
    const h = this.held ?? [];
    this.held = null;
    for (const f of h) f();
  }

  append(partition: number, batch: Buffer, _timeoutMs: number): Promise<AppendOutcome> {
    this.appends++;
    return new Promise((resolve) => {
      const run = (): void => {
        const p = this.partitions.get(partition);
        if (this.failWith !== 0 || p === undefined) {
          resolve({ errorCode: this.failWith || ErrorCode.NOT_LEADER_OR_FOLLOWER, baseOffset: -1 });
          return;
        }
        const bytes = Buffer.from(batch);
        bytes.writeBigInt64BE(BigInt(p.leo), 0);
        const count = bytes.readInt32BE(57);
        p.batches.push({ baseOffset: p.leo, bytes });
        const base = p.leo;
        p.leo += count;
        resolve({ errorCode: 0, baseOffset: base });
      };
      if (this.held !== null) this.held.push(run);
      else queueMicrotask(run);
    });
  }

  bounds(partition: number): LogBounds | null {
    const p = this.partitions.get(partition);
    return p === undefined ? null : { logStartOffset: p.start, logEndOffset: p.leo };
  }

  async read(partition: number, offset: number, maxBytes: number): Promise<Buffer> {
    const p = this.partitions.get(partition);
    if (p === undefined) throw new Error(`partition ${partition} is not hosted`);
    const out: Buffer[] = [];
    let bytes = 0;
    for (const b of p.batches) {
      const last = b.baseOffset + b.bytes.readInt32BE(23);
      if (last < offset) continue;
      if (out.length > 0 && bytes + b.bytes.length > maxBytes) break;
      out.push(b.bytes);
      bytes += b.bytes.length;
    }
    return Buffer.concat(out);
  }

  /** Every record of a partition as (key, value | null). */
  records(partition: number): { key: Buffer; value: Buffer | null }[] {
    const out: { key: Buffer; value: Buffer | null }[] = [];
    for (const b of this.partitions.get(partition)?.batches ?? []) {
      const c = new BatchCursor(b.bytes);
      while (c.next()) for (const r of decodeRecords(c.bytes())) out.push({ key: r.key!, value: r.value });
    }
    return out;
  }
}

export const TEST_CONFIG: GroupCoordinatorConfig = {
  numPartitions: 4,
  group: { minSessionTimeoutMs: 1000, maxSessionTimeoutMs: 60_000, initialRebalanceDelayMs: 0, maxSize: 100 },
  offsetMetadataMaxBytes: 4096,
  offsetsRetentionMs: 7 * 24 * 3600 * 1000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetsCommitTimeoutMs: 5000,
};

export interface Harness {
  clock: ManualClock;
  timers: CoarseTimers;
  logger: MemoryLogger;
  log: MemoryOffsetsLog;
  coordinator: GroupCoordinator;
  /** Moves time and lets the resulting callbacks run. */
  advance(ms: number): Promise<void>;
  /** A new coordinator on the same log and clock (a restart). */
  restart(): Promise<GroupCoordinator>;
  close(): Promise<void>;
}

export async function startHarness(
  opts: {
    config?: Partial<GroupCoordinatorConfig>;
    group?: Partial<GroupCoordinatorConfig['group']>;
    limits?: Partial<GroupLimits>;
  } = {},
): Promise<Harness> {
  const clock = new ManualClock();
  const logger = new MemoryLogger();
  const timers = new CoarseTimers(clock, { tickMs: 10, logger });
  const log = new MemoryOffsetsLog();
  const config: GroupCoordinatorConfig = {
    ...TEST_CONFIG,
    ...opts.config,
    group: { ...TEST_CONFIG.group, ...opts.group },
  };
  const make = async (): Promise<GroupCoordinator> => {
    const c = new GroupCoordinator({ config, log, clock, timers, logger, limits: opts.limits ?? {} });
    c.startup();
    for (let p = 0; p < config.numPartitions; p++) {
      log.host(p);
      await c.onElection(p, 0);
    }
    return c;
  };
  const h: Harness = {
    clock,
    timers,
    logger,
    log,
    coordinator: await make(),
    async advance(ms: number) {
      clock.advance(ms);
      await settle();
    },
    async restart() {
      await h.coordinator.shutdown();
      h.coordinator = await make();
      return h.coordinator;
    },
    async close() {
      await h.coordinator.shutdown();
      timers.close();
    },
  };
  return h;
}

/** A consumer-protocol member's protocols: the "range" assignor subscribing to `topics`. */
export function consumerProtocols(topics: string[] = ['t'], names: string[] = ['range']): GroupProtocol[] {
  return names.map((name) => ({ name, metadata: encodeSubscription({ topics, userData: null }, 0) }));
}

export function joinParams(groupId: string, overrides: Partial<JoinGroupRequestParams> = {}): JoinGroupRequestParams {
  return {
    groupId,
    memberId: '',
    groupInstanceId: null,
    requireKnownMemberId: false,
    supportSkippingAssignment: false,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    rebalanceTimeoutMs: 10_000,
    sessionTimeoutMs: 6000,
    protocolType: 'consumer',
    protocols: consumerProtocols(),
    reason: null,
    ...overrides,
  };
}

/** A promise's state, without waiting for it. */
export function track<T>(p: Promise<T>): { done: boolean; value: T | undefined; promise: Promise<T> } {
  const t: { done: boolean; value: T | undefined; promise: Promise<T> } = { done: false, value: undefined, promise: p };
  void p.then((v) => {
    t.done = true;
    t.value = v;
  });
  return t;
}

export function commitEntry(
  topic: string,
  partition: number,
  offset: number,
  extra: Partial<OffsetCommitEntry> = {},
): OffsetCommitEntry {
  return {
    topic,
    partition,
    offset,
    leaderEpoch: -1,
    metadata: '',
    commitTimestamp: 1_700_000_000_000,
    expireTimestamp: -1,
    ...extra,
  };
}

/**
 * Joins `n` members with ids (v4+ style: MEMBER_ID_REQUIRED first), completes the rebalance
 * (the initial delay is 0 by default), syncs with an assignment naming each member, and returns
 * the members' ids, the generation, and the leader.
 */
export async function formGroup(
  h: Harness,
  groupId: string,
  n: number,
  overrides: Partial<JoinGroupRequestParams> = {},
): Promise<{ members: string[]; generationId: number; leaderId: string; syncs: SyncGroupResult[] }> {
  const c = h.coordinator;
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const first = await c.joinGroup(
      joinParams(groupId, { requireKnownMemberId: true, clientId: `c${i}`, ...overrides }),
    );
    if (first.errorCode !== ErrorCode.MEMBER_ID_REQUIRED) throw new Error(`join ${i}: error ${first.errorCode}`);
    ids.push(first.memberId);
  }
  const joins = ids.map((memberId) =>
    track(c.joinGroup(joinParams(groupId, { memberId, requireKnownMemberId: true, ...overrides }))),
  );
  await h.advance(20);
  const results: JoinGroupResult[] = [];
  for (const j of joins) {
    if (!j.done) throw new Error('a join is still parked');
    results.push(j.value!);
  }
  const leaderId = results[0]!.leaderId;
  const generationId = results[0]!.generationId;
  const syncs = ids.map((memberId) =>
    c.syncGroup({
      groupId,
      generationId,
      memberId,
      groupInstanceId: overrides.groupInstanceId ?? null,
      protocolType: null,
      protocolName: null,
      assignments:
        memberId === leaderId ? new Map(ids.map((id) => [id, Buffer.from(`assignment-of-${id}`)])) : new Map(),
    }),
  );
  await settle();
  return { members: ids, generationId, leaderId, syncs: await Promise.all(syncs) };
}
