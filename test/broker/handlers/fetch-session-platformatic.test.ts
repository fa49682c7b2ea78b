/**
 * A real client with fetch sessions: @platformatic/kafka asks for a session on its first Fetch
 * to a broker (id 0, epoch 0), then sends incremental requests with only the partitions that
 * changed and forgottenTopicsData for those it no longer wants (Fetch v17, topic ids). Its
 * Consumer joins a group to consume(); groups are a later issue, so this drives the group-free
 * `Consumer.fetch()` (one Fetch to a node) as test/interop/platformatic-kafka.test.ts does, and
 * watches the broker's session cache to see what the client did.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Admin, Consumer, type fetchV17, ProduceAcks, Producer } from '@platformatic/kafka';
import { type Broker, startBroker } from '../../../src/broker/start-broker.ts';
import { MemoryLogger } from '../../../src/common/logger.ts';

const T = { timeout: 60_000 };

interface Env {
  broker: Broker;
  common: { bootstrapBrokers: string[]; retries: number; retryDelay: number; timeout: number };
  close(): Promise<void>;
}

let shared: Promise<Env> | null = null;

function env(): Promise<Env> {
  shared ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'samsa-fetch-session-pk-'));
    const broker = await startBroker({ port: 0, host: '127.0.0.1', logDirs: [dir], logger: new MemoryLogger() });
    return {
      broker,
      common: { bootstrapBrokers: [`127.0.0.1:${broker.port}`], retries: 3, retryDelay: 50, timeout: 15_000 },
      close: async () => {
        await broker.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  })();
  return shared;
}

after(async () => {
  if (shared) await (await shared.catch(() => null))?.close();
});

/** Creates `topic` and produces `counts[p]` records to each partition p (values `p<p>-<i>`). */
async function prepare(e: Env, topic: string, counts: number[]): Promise<void> {
  const admin = new Admin({ clientId: 'samsa-fetch-session-admin', ...e.common });
  try {
    await admin.createTopics({ topics: [topic], partitions: counts.length, replicas: 1 });
  } finally {
    await admin.close();
  }
  await produce(e, topic, counts, 0);
}

async function produce(e: Env, topic: string, counts: number[], first: number): Promise<void> {
  const producer = new Producer({ clientId: 'samsa-fetch-session-producer', ...e.common });
  try {
    const messages = counts.flatMap((n, partition) =>
      Array.from({ length: n }, (_, i) => ({
        topic,
        partition,
        key: Buffer.from(`k${i}`),
        value: Buffer.from(`p${partition}-${first + i}`),
      })),
    );
    if (messages.length > 0) await producer.send({ acks: ProduceAcks.ALL, messages });
  } finally {
    await producer.close();
  }
}

interface Target {
  topicId: string;
  leader: number;
  leaderEpoch: number;
}

async function target(consumer: Consumer, topic: string): Promise<Target> {
  const metadata = await consumer.metadata({ topics: [topic], forceUpdate: true });
  const meta = metadata.topics.get(topic)!;
  return { topicId: meta.id, leader: meta.partitions[0]!.leader, leaderEpoch: meta.partitions[0]!.leaderEpoch };
}

/** One Consumer.fetch of the given partitions at the given offsets. */
function fetchAt(
  consumer: Consumer,
  t: Target,
  offsets: Map<number, bigint>,
  maxWaitTime = 0,
): Promise<fetchV17.FetchResponse> {
  return consumer.fetch({
    node: t.leader,
    maxWaitTime,
    minBytes: 0,
    topics: [
      {
        topicId: t.topicId,
        partitions: [...offsets].map(([partition, fetchOffset]) => ({
          partition,
          fetchOffset,
          currentLeaderEpoch: t.leaderEpoch,
          lastFetchedEpoch: -1,
          partitionMaxBytes: 1 << 20,
        })),
      },
    ],
  });
}

/** partition → record values, for the partitions the response carries. */
function valuesOf(res: fetchV17.FetchResponse): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const t of res.responses) {
    for (const p of t.partitions) {
      assert.equal(p.errorCode, 0, `partition ${p.partitionIndex}: error code`);
      const values: string[] = [];
      for (const batch of p.records ?? []) for (const r of batch.records) values.push(r.value?.toString() ?? '');
      out.set(p.partitionIndex, values);
    }
  }
  return out;
}

describe('@platformatic/kafka with fetch sessions', () => {
  it('creates a session, then fetches incrementally: only partitions with news come back', T, async () => {
    const e = await env();
    const cache = e.broker.services.fetchSessions;
    const sessionsBefore = cache.size;
    const topic = 'pk-session-life';
    await prepare(e, topic, [4, 2, 0]);
    const consumer = new Consumer({ clientId: 'samsa-fetch-session-consumer', groupId: 'never-joined', ...e.common });
    try {
      const t = await target(consumer, topic);
      const first = await fetchAt(
        consumer,
        t,
        new Map([
          [0, 0n],
          [1, 0n],
          [2, 0n],
        ]),
      );
      const id = first.sessionId;
      assert.ok(id > 0, `the client asked for a session and got one (session id ${id})`);
      assert.deepEqual(
        [...valuesOf(first)].sort((a, b) => a[0] - b[0]),
        [
          [0, ['p0-0', 'p0-1', 'p0-2', 'p0-3']],
          [1, ['p1-0', 'p1-1']],
          [2, []],
        ],
        'the first (full) response has every partition',
      );
      const session = cache.get(id)!;
      assert.ok(session, 'the broker holds the session');
      assert.equal(session.usesTopicIds, true);
      assert.equal(session.epoch, 1);

      // Caught up: the client sends only the moved offsets (epoch 1); nothing has news.
      const caughtUp = new Map([
        [0, 4n],
        [1, 2n],
        [2, 0n],
      ]);
      const quiet = await fetchAt(consumer, t, caughtUp);
      assert.equal(quiet.sessionId, id, 'same session');
      assert.deepEqual([...valuesOf(quiet).keys()], [], 'an empty incremental response');
      assert.equal(session.epoch, 2, 'the client sent an incremental request at epoch 1');
      assert.deepEqual(
        [...session.partitions.values()].map((p) => [p.partition, p.fetchOffset]),
        [
          [0, 4],
          [1, 2],
          [2, 0],
        ],
        'the session took the offsets the client sent',
      );

      // New records on partition 2 only.
      await produce(e, topic, [0, 0, 3], 0);
      const news = await fetchAt(consumer, t, caughtUp);
      assert.equal(news.sessionId, id);
      assert.deepEqual([...valuesOf(news)], [[2, ['p2-0', 'p2-1', 'p2-2']]], 'only partition 2');
      assert.equal(session.epoch, 3);

      // The client stops wanting partition 2: it sends it in forgottenTopicsData.
      const fewer = await fetchAt(
        consumer,
        t,
        new Map([
          [0, 4n],
          [1, 2n],
        ]),
      );
      assert.equal(fewer.sessionId, id);
      assert.deepEqual(
        [...session.partitions.values()].map((p) => p.partition),
        [0, 1],
        'partition 2 was forgotten',
      );
      await produce(e, topic, [0, 1, 1], 10);
      const last = await fetchAt(
        consumer,
        t,
        new Map([
          [0, 4n],
          [1, 2n],
        ]),
      );
      assert.deepEqual([...valuesOf(last)], [[1, ['p1-10']]], 'the forgotten partition is not fetched');
      assert.equal(session.epoch, 5);
      assert.equal(cache.size, sessionsBefore + 1, 'one session for all of it');
    } finally {
      await consumer.close();
    }
  });

  it('recovers when the broker loses its session: FETCH_SESSION_ID_NOT_FOUND, then a new session', T, async () => {
    const e = await env();
    const cache = e.broker.services.fetchSessions;
    const topic = 'pk-session-lost';
    await prepare(e, topic, [3]);
    const consumer = new Consumer({ clientId: 'samsa-fetch-session-consumer', groupId: 'never-joined', ...e.common });
    try {
      const t = await target(consumer, topic);
      const first = await fetchAt(consumer, t, new Map([[0, 0n]]));
      assert.ok(first.sessionId > 0);
      assert.ok(cache.remove(first.sessionId), 'the session is dropped (as an eviction would)');
      // The client's incremental request fails with FETCH_SESSION_ID_NOT_FOUND; it forgets the
      // session and retries with a full fetch that asks for a new one.
      const again = await fetchAt(consumer, t, new Map([[0, 3n]]));
      assert.ok(again.sessionId > 0 && again.sessionId !== first.sessionId, `new session ${again.sessionId}`);
      assert.ok(cache.get(again.sessionId), 'the new session is cached');
      await produce(e, topic, [2], 3);
      const next = await fetchAt(consumer, t, new Map([[0, 3n]]));
      assert.equal(next.sessionId, again.sessionId);
      assert.deepEqual([...valuesOf(next)], [[0, ['p0-3', 'p0-4']]]);
    } finally {
      await consumer.close();
    }
  });

  it('reads a topic from the beginning with incremental fetches, every record exactly once', T, async () => {
    const e = await env();
    const cache = e.broker.services.fetchSessions;
    const topic = 'pk-session-read';
    const counts = [120, 80, 0, 45];
    await prepare(e, topic, [0, 0, 0, 0]);
    // In sends of up to 10 records per partition: many small batches, several fetches each.
    for (let sent = 0; sent < 120; sent += 10) {
      await produce(
        e,
        topic,
        counts.map((n) => Math.max(0, Math.min(10, n - sent))),
        sent,
      );
    }
    const consumer = new Consumer({ clientId: 'samsa-fetch-session-consumer', groupId: 'never-joined', ...e.common });
    try {
      const t = await target(consumer, topic);
      const next = new Map(counts.map((_, p) => [p, 0n] as [number, bigint]));
      const got = new Map<number, string[]>(counts.map((_, p) => [p, []]));
      const ids = new Set<number>();
      let fetches = 0;
      for (; [...next].some(([p, o]) => o < BigInt(counts[p]!)); fetches++) {
        assert.ok(fetches < 200, `still reading after 200 fetches: ${[...next].join(' ')}`);
        // Small partition limits so it takes several fetches; wanted partitions only.
        const wanted = new Map([...next].filter(([p, o]) => o < BigInt(counts[p]!)));
        const res = await consumer.fetch({
          node: t.leader,
          maxWaitTime: 0,
          minBytes: 0,
          topics: [
            {
              topicId: t.topicId,
              partitions: [...wanted].map(([partition, fetchOffset]) => ({
                partition,
                fetchOffset,
                currentLeaderEpoch: t.leaderEpoch,
                lastFetchedEpoch: -1,
                partitionMaxBytes: 256,
              })),
            },
          ],
        });
        ids.add(res.sessionId);
        for (const tr of res.responses) {
          for (const p of tr.partitions) {
            assert.equal(p.errorCode, 0);
            for (const batch of p.records ?? []) {
              for (const r of batch.records) {
                const offset = batch.firstOffset + BigInt(r.offsetDelta);
                if (offset < next.get(p.partitionIndex)!) continue; // a batch starting before the offset
                got.get(p.partitionIndex)!.push(r.value?.toString() ?? '');
                next.set(p.partitionIndex, offset + 1n);
              }
            }
          }
        }
      }
      for (const [p, n] of counts.entries()) {
        assert.deepEqual(
          got.get(p),
          Array.from({ length: n }, (_, i) => `p${p}-${i}`),
          `partition ${p}: every record once, in order`,
        );
      }
      assert.equal(ids.size, 1, `one session throughout: ${[...ids]}`);
      const [id] = ids;
      assert.ok(id! > 0);
      const session = cache.get(id!);
      assert.ok(fetches >= 12, `${fetches} fetches`);
      assert.equal(session?.epoch, fetches, 'every fetch after the first was incremental');
    } finally {
      await consumer.close();
    }
  });
});
