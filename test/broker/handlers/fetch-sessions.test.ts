/**
 * Fetch sessions (KIP-227) end to end at the wire: a real broker (startBroker on port 0), raw
 * Fetch and Produce frames over a socket, decoded responses. Creation, incremental responses
 * (only partitions with news), added and forgotten partitions, session errors, closing, a full
 * cache, topic names (v7-v12) and topic ids (v13+), epoch wrap-around, and a request overtaken
 * by a later one of its session.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { type Broker, startBroker } from '../../../src/broker/start-broker.ts';
import { MemoryLogger } from '../../../src/common/logger.ts';
import { ErrorCode } from '../../../src/protocol/error-codes.ts';
import { ApiKey } from '../../../src/protocol/messages/generated/api-table.ts';
import type {
  FetchRequest,
  FetchRequestForgottenTopic,
  FetchResponse,
  FetchResponsePartitionData,
} from '../../../src/protocol/messages/generated/fetch.ts';
import { batch, recordsOf } from '../../replication/helpers.ts';
import { destroyAllSockets, RawClient, request } from '../helpers.ts';

const T = { timeout: 30_000 };
after(destroyAllSockets);

interface Env {
  broker: Broker;
  client: RawClient;
  /** Topic ids by name (of topics made with topic()). */
  ids: Map<string, string>;
}

/** Yields to the event loop until `cond` holds (in-process broker state: no timer involved). */
async function waitUntil(cond: () => boolean): Promise<void> {
  for (let turns = 0; !cond() && turns < 1_000_000; turns++) await new Promise((r) => setImmediate(r));
  assert.ok(cond(), 'the condition never held');
}

async function env(t: TestContext, properties: Record<string, string | number> = {}): Promise<Env> {
  const dir = await mkdtemp(join(tmpdir(), 'samsa-fetch-sessions-'));
  let broker: Broker;
  try {
    broker = await startBroker({ port: 0, host: '127.0.0.1', logDirs: [dir], properties, logger: new MemoryLogger() });
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const client = await RawClient.connect(broker.port);
  t.after(async () => {
    client.destroy();
    await broker.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { broker, client, ids: new Map() };
}

async function topic(e: Env, name: string, partitions: number): Promise<string> {
  const [r] = await e.broker.services.topics.createTopics([{ name, numPartitions: partitions, replicationFactor: 1 }], {
    timeoutMs: 30_000,
  });
  assert.equal(r!.errorCode, ErrorCode.NONE, `create ${name}`);
  e.ids.set(name, r!.topicId);
  return r!.topicId;
}

let correlation = 1;

/** Appends `n` records (`${tag}-i`) to a partition with a Produce v9 request. */
async function produce(e: Env, name: string, partition: number, n: number, tag = 'v'): Promise<void> {
  e.client.write(
    request(ApiKey.Produce, 9, correlation++, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 10_000,
      topicData: [{ name, partitionData: [{ index: partition, records: batch(n, { tag }) }] }],
    }),
  );
  const { body } = await e.client.response(ApiKey.Produce, 9);
  assert.equal(body.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE, `produce to ${name}-${partition}`);
}

interface Want {
  /** Topic name; sent as a topic id (looked up in Env.ids, or taken as is if unknown) from v13. */
  topic: string;
  partitions: [partition: number, fetchOffset: number][];
}

interface FetchArgs {
  sessionId: number;
  epoch: number;
  topics?: Want[];
  forgotten?: { topic: string; partitions: number[] }[];
  maxWaitMs?: number;
  minBytes?: number;
}

function fetchBody(e: Env, v: number, a: FetchArgs): FetchRequest {
  const byId = v >= 13;
  const idOf = (name: string) => e.ids.get(name) ?? name;
  const body: FetchRequest = {
    maxWaitMs: a.maxWaitMs ?? 0,
    minBytes: a.minBytes ?? 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: a.sessionId,
    sessionEpoch: a.epoch,
    topics: (a.topics ?? []).map((t) => ({
      ...(byId ? { topicId: idOf(t.topic) } : { topic: t.topic }),
      partitions: t.partitions.map(([partition, fetchOffset]) => ({
        partition,
        fetchOffset,
        currentLeaderEpoch: -1,
        lastFetchedEpoch: -1,
        logStartOffset: -1,
        partitionMaxBytes: 1 << 20,
      })),
    })),
    forgottenTopicsData: (a.forgotten ?? []).map(
      (f): FetchRequestForgottenTopic =>
        byId ? { topicId: idOf(f.topic), partitions: f.partitions } : { topic: f.topic, partitions: f.partitions },
    ),
  };
  if (v >= 15) body.replicaState = { replicaId: -1, replicaEpoch: -1 };
  else body.replicaId = -1;
  return body;
}

async function fetch(e: Env, v: number, a: FetchArgs): Promise<FetchResponse> {
  e.client.write(request(ApiKey.Fetch, v, correlation++, fetchBody(e, v, a)));
  return (await e.client.response(ApiKey.Fetch, v)).body;
}

/** `topic-partition` → the partition data, with topic names (ids mapped back from v13). */
function byPartition(e: Env, res: FetchResponse): Map<string, FetchResponsePartitionData> {
  const names = new Map([...e.ids].map(([n, id]) => [id, n]));
  const out = new Map<string, FetchResponsePartitionData>();
  for (const t of res.responses) {
    const name = t.topic || names.get(t.topicId ?? '') || t.topicId!;
    for (const p of t.partitions) {
      const key = `${name}-${p.partitionIndex}`;
      assert.ok(!out.has(key), `${key} appears once`);
      out.set(key, p);
    }
  }
  return out;
}

function keys(e: Env, res: FetchResponse): string[] {
  return [...byPartition(e, res).keys()];
}

function values(p: FetchResponsePartitionData | undefined): string[] {
  return recordsOf(p?.records ?? Buffer.alloc(0)).map((r) => r.value);
}

/** Runs the basic session life at version `v`: create, incremental with only news, add, forget. */
async function sessionLife(e: Env, v: number): Promise<void> {
  const t = `life-v${v}`;
  await topic(e, t, 3);
  await produce(e, t, 0, 2, 'a');

  // Epoch 0: a full fetch that creates a session.
  const full = await fetch(e, v, {
    sessionId: 0,
    epoch: 0,
    topics: [
      {
        topic: t,
        partitions: [
          [0, 0],
          [1, 0],
        ],
      },
    ],
  });
  assert.equal(full.errorCode, ErrorCode.NONE);
  const id = full.sessionId!;
  assert.ok(id > 0, `v${v}: a session id (${id})`);
  assert.deepEqual(keys(e, full), [`${t}-0`, `${t}-1`], 'a full response has every partition');
  assert.deepEqual(values(byPartition(e, full).get(`${t}-0`)), ['a-0', 'a-1']);
  if (v >= 13) assert.equal(full.responses[0]!.topicId, e.ids.get(t), 'named by id');
  else assert.equal(full.responses[0]!.topic, t, 'named by name');
  const session = e.broker.services.fetchSessions.get(id)!;
  assert.ok(session, 'cached');
  assert.equal(session.epoch, 1);
  assert.equal(session.usesTopicIds, v >= 13);
  assert.equal(session.size, 2);

  // Epoch 1: the client moves partition 0 on (it read 2 records). Nothing new anywhere.
  const quiet = await fetch(e, v, { sessionId: id, epoch: 1, topics: [{ topic: t, partitions: [[0, 2]] }] });
  assert.equal(quiet.errorCode, ErrorCode.NONE);
  assert.equal(quiet.sessionId, id);
  assert.deepEqual(keys(e, quiet), [], 'nothing changed: an empty incremental response');

  // New records on partition 1 only: the next response has partition 1 alone.
  await produce(e, t, 1, 3, 'b');
  const news = await fetch(e, v, { sessionId: id, epoch: 2 });
  assert.equal(news.sessionId, id);
  assert.deepEqual(keys(e, news), [`${t}-1`], 'only the partition with new data');
  const p1 = byPartition(e, news).get(`${t}-1`)!;
  assert.deepEqual(values(p1), ['b-0', 'b-1', 'b-2']);
  assert.equal(p1.highWatermark, 3);

  // The request adds partition 2 (new to the session: always in the next response) and moves 1 on.
  const added = await fetch(e, v, {
    sessionId: id,
    epoch: 3,
    topics: [
      {
        topic: t,
        partitions: [
          [1, 3],
          [2, 0],
        ],
      },
    ],
  });
  assert.deepEqual(keys(e, added), [`${t}-2`], 'the added partition, without records');
  assert.equal(byPartition(e, added).get(`${t}-2`)!.highWatermark, 0);
  assert.equal(session.size, 3);

  // Forget partition 0; records there are then not fetched.
  const forgot = await fetch(e, v, { sessionId: id, epoch: 4, forgotten: [{ topic: t, partitions: [0] }] });
  assert.deepEqual(keys(e, forgot), []);
  assert.equal(session.size, 2);
  await produce(e, t, 0, 1, 'c');
  await produce(e, t, 2, 1, 'd');
  const later = await fetch(e, v, { sessionId: id, epoch: 5 });
  assert.deepEqual(keys(e, later), [`${t}-2`], 'the forgotten partition is not fetched');
  assert.deepEqual(values(byPartition(e, later).get(`${t}-2`)), ['d-0']);
  assert.equal(session.epoch, 6);
}

describe('Fetch sessions', () => {
  for (const v of [7, 11, 12, 13, 16, 17]) {
    it(`v${v}: create, incremental (only partitions with news), add, forget`, T, async (t) => {
      await sessionLife(await env(t), v);
    });
  }

  it('sessionless requests (0, -1) get session id 0 and cache nothing', T, async (t) => {
    const e = await env(t);
    await topic(e, 'plain', 1);
    await produce(e, 'plain', 0, 1);
    for (const v of [4, 6, 7, 12, 13, 17]) {
      const res = await fetch(e, v, { sessionId: 0, epoch: -1, topics: [{ topic: 'plain', partitions: [[0, 0]] }] });
      assert.equal(res.errorCode, ErrorCode.NONE);
      assert.equal(res.sessionId ?? 0, 0, `v${v}`);
      assert.deepEqual(values(byPartition(e, res).get('plain-0')), ['v-0'], `v${v}`);
    }
    assert.equal(e.broker.services.fetchSessions.size, 0);
  });

  it('a change of log start offset alone puts a partition in the response, once', T, async (t) => {
    const e = await env(t);
    await topic(e, 'ls', 2);
    await produce(e, 'ls', 0, 3);
    const full = await fetch(e, 12, {
      sessionId: 0,
      epoch: 0,
      topics: [
        {
          topic: 'ls',
          partitions: [
            [0, 3],
            [1, 0],
          ],
        },
      ],
    });
    const id = full.sessionId!;
    assert.equal(byPartition(e, full).get('ls-0')!.logStartOffset, 0);
    assert.deepEqual(keys(e, await fetch(e, 12, { sessionId: id, epoch: 1 })), []);
    const [deleted] = await e.broker.services.replicaManager.deleteRecords([{ topic: 'ls', partition: 0, offset: 2 }]);
    assert.equal(deleted!.errorCode, ErrorCode.NONE);
    const moved = await fetch(e, 12, { sessionId: id, epoch: 2 });
    assert.deepEqual(keys(e, moved), ['ls-0']);
    const p0 = byPartition(e, moved).get('ls-0')!;
    assert.equal(p0.logStartOffset, 2);
    assert.equal(p0.records?.length ?? 0, 0, 'no records, just the new log start offset');
    assert.deepEqual(keys(e, await fetch(e, 12, { sessionId: id, epoch: 3 })), [], 'sent once');
  });

  it('a partition that returned records moves to the end of the session (round robin)', T, async (t) => {
    const e = await env(t);
    await topic(e, 'rr', 2);
    const full = await fetch(e, 12, {
      sessionId: 0,
      epoch: 0,
      topics: [
        {
          topic: 'rr',
          partitions: [
            [0, 0],
            [1, 0],
          ],
        },
      ],
    });
    const id = full.sessionId!;
    assert.deepEqual(keys(e, full), ['rr-0', 'rr-1']);
    await produce(e, 'rr', 0, 1);
    assert.deepEqual(keys(e, await fetch(e, 12, { sessionId: id, epoch: 1 })), ['rr-0']);
    await produce(e, 'rr', 0, 1, 'w');
    await produce(e, 'rr', 1, 1, 'w');
    const both = await fetch(e, 12, {
      sessionId: id,
      epoch: 2,
      topics: [{ topic: 'rr', partitions: [[0, 1]] }],
    });
    assert.deepEqual(keys(e, both), ['rr-1', 'rr-0'], 'partition 0 went last after returning records');
    assert.equal(both.responses.length, 1, 'consecutive partitions of a topic share one topic entry');
  });

  it('a wrong epoch is INVALID_FETCH_SESSION_EPOCH and leaves the session as it was', T, async (t) => {
    const e = await env(t);
    await topic(e, 'ep', 1);
    const { sessionId: id } = await fetch(e, 12, {
      sessionId: 0,
      epoch: 0,
      topics: [{ topic: 'ep', partitions: [[0, 0]] }],
    });
    for (const bad of [2, 7, -2, 0x7fffffff]) {
      const res = await fetch(e, 12, { sessionId: id!, epoch: bad, topics: [{ topic: 'ep', partitions: [[0, 5]] }] });
      assert.equal(res.errorCode, ErrorCode.INVALID_FETCH_SESSION_EPOCH, `epoch ${bad}`);
      assert.equal(res.sessionId, 0);
      assert.deepEqual(res.responses, []);
    }
    const session = e.broker.services.fetchSessions.get(id!)!;
    assert.equal(session.epoch, 1);
    assert.equal(session.partitions.values().next().value!.fetchOffset, 0, 'the bad requests changed nothing');
    const ok = await fetch(e, 12, { sessionId: id!, epoch: 1 });
    assert.equal(ok.errorCode, ErrorCode.NONE);
    assert.equal(ok.sessionId, id);
  });

  it('an unknown session is FETCH_SESSION_ID_NOT_FOUND', T, async (t) => {
    const e = await env(t);
    await topic(e, 'nf', 1);
    for (const [sessionId, epoch] of [
      [123_456, 1],
      [0, 3],
    ] as const) {
      const res = await fetch(e, 13, { sessionId, epoch, topics: [{ topic: 'nf', partitions: [[0, 0]] }] });
      assert.equal(res.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND, `session ${sessionId} epoch ${epoch}`);
      assert.equal(res.sessionId, 0);
      assert.deepEqual(res.responses, []);
    }
    assert.equal(e.broker.services.fetchSessions.size, 0);
  });

  it('epoch -1 closes the session and answers a sessionless full fetch; epoch 0 replaces it', T, async (t) => {
    const e = await env(t);
    await topic(e, 'cl', 2);
    await produce(e, 'cl', 1, 1);
    const want: Want[] = [
      {
        topic: 'cl',
        partitions: [
          [0, 0],
          [1, 0],
        ],
      },
    ];
    const cache = e.broker.services.fetchSessions;
    const first = (await fetch(e, 13, { sessionId: 0, epoch: 0, topics: want })).sessionId!;
    // Epoch 0 with a session id: that session is closed and a new one made.
    const second = await fetch(e, 13, { sessionId: first, epoch: 0, topics: want });
    assert.ok(second.sessionId! > 0 && second.sessionId !== first);
    assert.equal(cache.get(first), undefined);
    assert.equal(cache.size, 1);
    // Epoch -1 closes it; the answer is a full one without a session.
    const closing = await fetch(e, 13, { sessionId: second.sessionId!, epoch: -1, topics: want });
    assert.equal(closing.errorCode, ErrorCode.NONE);
    assert.equal(closing.sessionId, 0);
    assert.deepEqual(keys(e, closing), ['cl-0', 'cl-1']);
    assert.deepEqual(values(byPartition(e, closing).get('cl-1')), ['v-0']);
    assert.equal(cache.size, 0);
    const gone = await fetch(e, 13, { sessionId: second.sessionId!, epoch: 1 });
    assert.equal(gone.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  });

  it('forgetting every partition closes the session (the answer is sessionless)', T, async (t) => {
    const e = await env(t);
    await topic(e, 'fa', 2);
    const id = (
      await fetch(e, 12, {
        sessionId: 0,
        epoch: 0,
        topics: [
          {
            topic: 'fa',
            partitions: [
              [0, 0],
              [1, 0],
            ],
          },
        ],
      })
    ).sessionId!;
    const res = await fetch(e, 12, { sessionId: id, epoch: 1, forgotten: [{ topic: 'fa', partitions: [0, 1] }] });
    assert.equal(res.errorCode, ErrorCode.NONE);
    assert.equal(res.sessionId, 0);
    assert.equal(e.broker.services.fetchSessions.get(id), undefined);
    const again = await fetch(e, 12, { sessionId: id, epoch: 2 });
    assert.equal(again.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  });

  it('a full cache answers session id 0 with a full response; the cached session keeps working', T, async (t) => {
    const e = await env(t, { 'max.incremental.fetch.session.cache.slots': 1 });
    await topic(e, 'fc', 1);
    await produce(e, 'fc', 0, 2);
    const want: Want[] = [{ topic: 'fc', partitions: [[0, 0]] }];
    const first = await fetch(e, 12, { sessionId: 0, epoch: 0, topics: want });
    assert.ok(first.sessionId! > 0);
    const refused = await fetch(e, 12, { sessionId: 0, epoch: 0, topics: want });
    assert.equal(refused.errorCode, ErrorCode.NONE);
    assert.equal(refused.sessionId, 0, 'no room: sessionless');
    assert.deepEqual(values(byPartition(e, refused).get('fc-0')), ['v-0', 'v-1'], 'still a full answer');
    assert.equal(e.broker.services.fetchSessions.size, 1);
    const inc = await fetch(e, 12, {
      sessionId: first.sessionId!,
      epoch: 1,
      topics: [{ topic: 'fc', partitions: [[0, 2]] }],
    });
    assert.equal(inc.errorCode, ErrorCode.NONE);
    assert.equal(inc.sessionId, first.sessionId);
  });

  it('max.incremental.fetch.session.cache.slots=0 never creates a session', T, async (t) => {
    const e = await env(t, { 'max.incremental.fetch.session.cache.slots': 0 });
    await topic(e, 'z', 1);
    const res = await fetch(e, 17, { sessionId: 0, epoch: 0, topics: [{ topic: 'z', partitions: [[0, 0]] }] });
    assert.equal(res.errorCode, ErrorCode.NONE);
    assert.equal(res.sessionId, 0);
    assert.deepEqual(keys(e, res), ['z-0']);
  });

  it('sessions are per broker: another connection continues a session', T, async (t) => {
    const e = await env(t);
    await topic(e, 'pc', 1);
    const id = (await fetch(e, 13, { sessionId: 0, epoch: 0, topics: [{ topic: 'pc', partitions: [[0, 0]] }] }))
      .sessionId!;
    const other: Env = { ...e, client: await RawClient.connect(e.broker.port) };
    t.after(() => other.client.destroy());
    await produce(other, 'pc', 0, 1);
    const res = await fetch(other, 13, { sessionId: id, epoch: 1 });
    assert.equal(res.sessionId, id);
    assert.deepEqual(values(byPartition(e, res).get('pc-0')), ['v-0']);
  });

  it('topic-id sessions: an unknown id answers UNKNOWN_TOPIC_ID every time; names and ids do not mix', T, async (t) => {
    const e = await env(t);
    await topic(e, 'ids', 1);
    const unknown = 'AAAAAAAAAAAAAAAAAAAABQ';
    const full = await fetch(e, 13, {
      sessionId: 0,
      epoch: 0,
      topics: [
        { topic: 'ids', partitions: [[0, 0]] },
        { topic: unknown, partitions: [[4, 0]] },
      ],
    });
    const id = full.sessionId!;
    assert.ok(id > 0);
    assert.equal(byPartition(e, full).get(`${unknown}-4`)!.errorCode, ErrorCode.UNKNOWN_TOPIC_ID);
    for (const epoch of [1, 2]) {
      const res = await fetch(e, 13, { sessionId: id, epoch });
      assert.deepEqual(keys(e, res), [`${unknown}-4`], 'errors are always sent');
      assert.equal(res.responses[0]!.topicId, unknown);
      assert.equal(res.responses[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_ID);
    }
    // The id session refuses a request by name (v12), and a name session refuses v13.
    const mixed = await fetch(e, 12, { sessionId: id, epoch: 3 });
    assert.equal(mixed.errorCode, ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR);
    assert.equal(mixed.sessionId, 0);
    const named = (await fetch(e, 12, { sessionId: 0, epoch: 0, topics: [{ topic: 'ids', partitions: [[0, 0]] }] }))
      .sessionId!;
    const mixed2 = await fetch(e, 13, { sessionId: named, epoch: 1 });
    assert.equal(mixed2.errorCode, ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR);
    // Forgetting by id removes the unknown-id partition.
    const forgot = await fetch(e, 13, { sessionId: id, epoch: 3, forgotten: [{ topic: unknown, partitions: [4] }] });
    assert.equal(forgot.errorCode, ErrorCode.NONE);
    assert.deepEqual(keys(e, forgot), []);
    assert.equal(e.broker.services.fetchSessions.get(id)!.size, 1);
  });

  it('a v12 session keeps a topic it does not know yet and reads it once it exists', T, async (t) => {
    const e = await env(t);
    await topic(e, 'known', 1);
    const full = await fetch(e, 12, {
      sessionId: 0,
      epoch: 0,
      topics: [
        { topic: 'known', partitions: [[0, 0]] },
        { topic: 'later', partitions: [[0, 0]] },
      ],
    });
    const id = full.sessionId!;
    assert.equal(byPartition(e, full).get('later-0')!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    await topic(e, 'later', 1);
    await produce(e, 'later', 0, 1);
    const res = await fetch(e, 12, { sessionId: id, epoch: 1 });
    assert.deepEqual(keys(e, res), ['later-0']);
    assert.equal(byPartition(e, res).get('later-0')!.errorCode, ErrorCode.NONE);
    assert.deepEqual(values(byPartition(e, res).get('later-0')), ['v-0']);
  });

  it('the epoch wraps from 2^31-1 to 1', T, async (t) => {
    const e = await env(t);
    await topic(e, 'wrap', 1);
    const id = (await fetch(e, 13, { sessionId: 0, epoch: 0, topics: [{ topic: 'wrap', partitions: [[0, 0]] }] }))
      .sessionId!;
    const session = e.broker.services.fetchSessions.get(id)!;
    session.epoch = 0x7fffffff;
    assert.equal((await fetch(e, 13, { sessionId: id, epoch: 0x7fffffff })).errorCode, ErrorCode.NONE);
    assert.equal(session.epoch, 1);
    assert.equal((await fetch(e, 13, { sessionId: id, epoch: 1 })).errorCode, ErrorCode.NONE);
    assert.equal(session.epoch, 2);
  });

  it(
    'a waiting incremental fetch overtaken by the next one of its session answers INVALID_FETCH_SESSION_EPOCH',
    T,
    async (t) => {
      const e = await env(t);
      await topic(e, 'race', 1);
      const id = (await fetch(e, 13, { sessionId: 0, epoch: 0, topics: [{ topic: 'race', partitions: [[0, 0]] }] }))
        .sessionId!;
      // The first waits (minBytes 1, nothing there) while the second, with the next epoch, comes
      // in on another connection (requests on one connection run one after another) and is
      // served; the first then finds the session moved on.
      const other = await RawClient.connect(e.broker.port);
      t.after(() => other.destroy());
      e.client.write(
        request(ApiKey.Fetch, 13, 900, fetchBody(e, 13, { sessionId: id, epoch: 1, maxWaitMs: 500, minBytes: 1 })),
      );
      // Only once the first is parked (epoch 1 taken), so the second is its successor.
      await waitUntil(() => e.broker.services.fetchSessions.get(id)!.epoch === 2);
      other.write(request(ApiKey.Fetch, 13, 901, fetchBody(e, 13, { sessionId: id, epoch: 2 })));
      const second = await other.response(ApiKey.Fetch, 13);
      const first = await e.client.response(ApiKey.Fetch, 13);
      assert.equal(first.correlationId, 900);
      assert.equal(first.body.errorCode, ErrorCode.INVALID_FETCH_SESSION_EPOCH);
      assert.equal(first.body.sessionId, id, 'Kafka names the session in this answer');
      assert.deepEqual(first.body.responses, []);
      assert.equal(second.correlationId, 901);
      assert.equal(second.body.errorCode, ErrorCode.NONE);
      assert.equal(second.body.sessionId, id);
      assert.equal(e.broker.services.fetchSessions.get(id)!.epoch, 3);
    },
  );

  it('an incremental request that would grow the cache past its partition budget closes the session', T, async (t) => {
    const e = await env(t, { 'max.incremental.fetch.session.cache.slots': 1 });
    await topic(e, 'budget', 1);
    const cache = e.broker.services.fetchSessions;
    const id = (await fetch(e, 12, { sessionId: 0, epoch: 0, topics: [{ topic: 'budget', partitions: [[0, 0]] }] }))
      .sessionId!;
    const many: Want[] = [
      { topic: 'junk', partitions: Array.from({ length: cache.maxCachedPartitions + 1 }, (_, i) => [i, 0]) },
    ];
    const res = await fetch(e, 12, { sessionId: id, epoch: 1, topics: many });
    assert.equal(res.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    assert.equal(cache.size, 0);
    assert.equal(cache.totalPartitions, 0);
    // The client's fallback, a full fetch asking for a session, is answered without one.
    const full = await fetch(e, 12, { sessionId: 0, epoch: 0, topics: many });
    assert.equal(full.errorCode, ErrorCode.NONE);
    assert.equal(full.sessionId, 0);
    assert.equal(cache.size, 0);
  });
});
