/**
 * @platformatic/kafka (npm) against a Samsa broker: the newest end of the version window. It uses
 * the highest version the broker advertises that it implements, so everything is flexible
 * (Metadata v12 with topic ids, Produce v11, Fetch v17 by topic id, ListOffsets v9,
 * CreateTopics v7, DeleteTopics v6, InitProducerId v5).
 *
 * Admin: create (with a config), list, metadata with topic ids, delete. Producer: each codec it
 * has (none, gzip, snappy, lz4, zstd) with acks=all, acks=1, and the idempotent producer.
 * Consumer: its Consumer always joins a group to consume(); groups are a later issue, so this
 * uses the two group-free calls it exposes — `listOffsets()` (earliest and latest) and `fetch()`
 * (one Fetch to a given node, topic ids, fetch sessions handled by the client) — to read every
 * partition from the beginning by assignment.
 *
 * Requests go through a pass-through FaultProxy only to record the API versions actually used.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Admin, Consumer, type fetchV17, ProduceAcks, Producer } from '@platformatic/kafka';
import { FaultProxy } from './fault-proxy.ts';
import { shared, startTestBroker } from './helpers.ts';
import { makeMessages } from './messages.ts';

const PARTITIONS = 2;
const COUNT = 500;
const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
const API_NAMES: Record<number, string> = {
  0: 'Produce',
  1: 'Fetch',
  2: 'ListOffsets',
  3: 'Metadata',
  18: 'ApiVersions',
  19: 'CreateTopics',
  20: 'DeleteTopics',
  22: 'InitProducerId',
};

interface ReadRecord {
  partition: number;
  offset: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: [string, string][];
}

/** Reads `topic` from the earliest offsets to the latest ones with Consumer.listOffsets + Consumer.fetch. */
async function readAll(consumer: Consumer, topic: string): Promise<{ records: ReadRecord[]; fetches: number }> {
  const metadata = await consumer.metadata({ topics: [topic], forceUpdate: true });
  const meta = metadata.topics.get(topic);
  assert.ok(meta, `metadata has ${topic}`);
  assert.match(meta.id, /^[0-9a-f-]{36}$/i, 'Metadata gives a topic id');
  assert.notEqual(meta.id, '00000000-0000-0000-0000-000000000000', 'the topic id is not the zero UUID');
  const earliest = (await consumer.listOffsets({ topics: [topic], timestamp: -2n })).get(topic)!;
  const latest = (await consumer.listOffsets({ topics: [topic] })).get(topic)!;
  const next = [...earliest];
  const records: ReadRecord[] = [];
  let fetches = 0;
  let empty = 0;
  for (;;) {
    const pending: { partition: number; leader: number; leaderEpoch: number }[] = meta.partitions
      .map((p, partition) => ({ partition, leader: p.leader, leaderEpoch: p.leaderEpoch }))
      .filter((p) => next[p.partition]! < latest[p.partition]!);
    if (pending.length === 0) break;
    const leader: number = pending[0]!.leader;
    const asked = pending.filter((p) => p.leader === leader);
    fetches++;
    const response: fetchV17.FetchResponse = await consumer.fetch({
      node: leader,
      maxWaitTime: 500,
      topics: [
        {
          topicId: meta.id,
          partitions: asked.map((p) => ({
            partition: p.partition,
            fetchOffset: next[p.partition]!,
            currentLeaderEpoch: p.leaderEpoch,
            lastFetchedEpoch: -1,
            partitionMaxBytes: 1 << 20,
          })),
        },
      ],
    });
    assert.equal(response.errorCode, 0, 'fetch error code');
    let progressed = false;
    for (const t of response.responses) {
      for (const p of t.partitions) {
        assert.equal(p.errorCode, 0, `fetch ${topic}-${p.partitionIndex}: error code`);
        for (const batch of p.records ?? []) {
          const isControl = (batch.attributes & 0x20) !== 0;
          for (const r of batch.records) {
            const offset = batch.firstOffset + BigInt(r.offsetDelta);
            if (offset < next[p.partitionIndex]! || offset >= latest[p.partitionIndex]!) continue;
            if (!isControl) {
              records.push({
                partition: p.partitionIndex,
                offset,
                key: r.key,
                value: r.value,
                headers: r.headers.map(([k, v]: [Buffer | null, Buffer | null]): [string, string] => [
                  k?.toString() ?? '',
                  v?.toString() ?? '',
                ]),
              });
            }
            next[p.partitionIndex] = offset + 1n;
            progressed = true;
          }
        }
      }
    }
    if (progressed) empty = 0;
    else if (++empty >= 20)
      throw new Error(`${topic}: 20 fetches in a row returned nothing; next ${next}, end ${latest}`);
  }
  return { records, fetches };
}

describe('@platformatic/kafka', () => {
  // A pass-through proxy the broker advertises, to see the API versions the client uses.
  const env = shared(
    async () => {
      const proxy = new FaultProxy();
      await proxy.start();
      try {
        const tb = await startTestBroker({ 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}` });
        proxy.setTarget(tb.port);
        return { proxy, tb, bootstrap: `127.0.0.1:${proxy.port}` };
      } catch (e) {
        await proxy.close();
        throw e;
      }
    },
    async ({ proxy, tb }) => {
      await proxy.close();
      await tb.close();
    },
  );
  after(() => env.close());
  const setUp = async () => {
    const e = await env.get();
    return { ...e, common: { bootstrapBrokers: [e.bootstrap], retries: 3, retryDelay: 100, timeout: 15_000 } };
  };

  test('admin: create (with a config), list, metadata with topic ids, delete', async () => {
    const { tb, common } = await setUp();
    const admin = new Admin({ clientId: 'samsa-interop-pk-admin', ...common });
    try {
      const created = await admin.createTopics({
        topics: ['pk-admin-a', 'pk-admin-b'],
        partitions: 3,
        replicas: 1,
        configs: [{ name: 'retention.ms', value: '3600000' }],
      });
      assert.deepEqual(created.map((t) => [t.name, t.partitions, t.replicas]).sort(), [
        ['pk-admin-a', 3, 1],
        ['pk-admin-b', 3, 1],
      ]);
      for (const t of created) assert.match(t.id, /^[0-9a-f-]{36}$/i, `CreateTopics gives ${t.name} a topic id`);
      const listed = await admin.listTopics();
      assert.ok(listed.includes('pk-admin-a') && listed.includes('pk-admin-b'), `listTopics: ${listed}`);
      const metadata = await admin.metadata({ topics: ['pk-admin-a'], forceUpdate: true });
      const a = metadata.topics.get('pk-admin-a')!;
      assert.equal(a.id, created.find((t) => t.name === 'pk-admin-a')!.id, 'Metadata and CreateTopics agree on the id');
      assert.equal(a.partitionsCount, 3);
      for (const p of a.partitions) {
        assert.equal(p.leader, tb.broker.brokerId);
        assert.deepEqual(p.isr, [tb.broker.brokerId]);
      }
      assert.deepEqual([...metadata.brokers.keys()], [tb.broker.brokerId]);

      await admin.deleteTopics({ topics: ['pk-admin-a', 'pk-admin-b'] });
      const after = await admin.listTopics();
      assert.ok(!after.includes('pk-admin-a') && !after.includes('pk-admin-b'), `listTopics after delete: ${after}`);
    } finally {
      await admin.close();
    }
  });

  for (const codec of CODECS) {
    test(`producer (${codec}; acks=all, then acks=1) and a group-free consumer read every record back`, async () => {
      const { common } = await setUp();
      const topic = `pk-${codec}`;
      const admin = new Admin({ clientId: 'samsa-interop-pk-admin', ...common });
      await admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 1 });
      await admin.close();

      const messages = makeMessages(COUNT, `pk${codec}`, 17 + codec.length).map((m, i) => ({
        ...m,
        partition: i % PARTITIONS,
        headers: { seq: String(i), codec },
      }));
      const producer = new Producer({ clientId: 'samsa-interop-pk-producer', ...common });
      const consumer = new Consumer({ clientId: 'samsa-interop-pk-consumer', groupId: 'never-joined', ...common });
      try {
        const half = COUNT / 2;
        for (const [acks, slice] of [
          [ProduceAcks.ALL, messages.slice(0, half)],
          [ProduceAcks.LEADER, messages.slice(half)],
        ] as const) {
          const result = await producer.send({
            acks,
            compression: codec,
            messages: slice.map((m) => ({
              topic,
              partition: m.partition,
              key: m.key,
              value: m.value,
              // With the default (Buffer) serializers header names are Buffers too, hence a Map.
              headers: new Map(Object.entries(m.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
            })),
          });
          assert.ok(result.offsets && result.offsets.length > 0, `acks=${acks}: offsets reported`);
        }
        const { records } = await readAll(consumer, topic);
        assert.equal(records.length, COUNT, 'records read');
        for (let p = 0; p < PARTITIONS; p++) {
          const got = records.filter((r) => r.partition === p);
          const want = messages.filter((m) => m.partition === p);
          got.forEach((r, i) => {
            const m = want[i]!;
            const where = `partition ${p} offset ${r.offset}`;
            assert.equal(r.offset, BigInt(i), `${where}: offset`);
            assert.ok(r.key?.equals(m.key), `${where}: key`);
            assert.ok(r.value?.equals(m.value), `${where}: value (key ${m.key.toString()})`);
            assert.deepEqual(r.headers, Object.entries(m.headers), `${where}: headers`);
          });
          assert.equal(got.length, want.length, `partition ${p}: count`);
        }
      } finally {
        await producer.close();
        await consumer.close();
      }
    });
  }

  test('idempotent producer (InitProducerId, sequences) writes each batch once', async () => {
    const { common } = await setUp();
    const topic = 'pk-idempotent';
    const producer = new Producer({
      clientId: 'samsa-interop-pk-idempotent',
      idempotent: true,
      autocreateTopics: true,
      ...common,
    });
    const consumer = new Consumer({ clientId: 'samsa-interop-pk-consumer', groupId: 'never-joined', ...common });
    try {
      for (let s = 0; s < 5; s++) {
        await producer.send({
          acks: ProduceAcks.ALL,
          messages: Array.from({ length: 20 }, (_, i) => ({
            topic,
            partition: 0,
            key: Buffer.from(`k${s * 20 + i}`),
            value: Buffer.from(`v${s * 20 + i}`),
          })),
        });
      }
      const { records } = await readAll(consumer, topic);
      assert.deepEqual(
        records.map((r) => r.value?.toString()),
        Array.from({ length: 100 }, (_, i) => `v${i}`),
      );
    } finally {
      await producer.close();
      await consumer.close();
    }
  });

  // Reads what the tests above sent through the proxy.
  test('it used the newest flexible versions: Produce v9+, Metadata with topic ids, Fetch by topic id', async (t) => {
    const { proxy } = await setUp();
    const used = proxy.versionsUsed(API_NAMES);
    t.diagnostic(`API versions used by @platformatic/kafka: ${JSON.stringify(used)}`);
    const max = (name: string) => Math.max(...(used[name] ?? [-1]));
    assert.ok(max('Produce') >= 9, `flexible Produce (v9+) used; versions: ${JSON.stringify(used)}`);
    assert.ok(max('Metadata') >= 10, `Metadata with topic ids (v10+) used; versions: ${JSON.stringify(used)}`);
    assert.ok(max('Fetch') >= 13, `Fetch by topic id (v13+) used; versions: ${JSON.stringify(used)}`);
    assert.ok(max('InitProducerId') >= 2, `flexible InitProducerId used; versions: ${JSON.stringify(used)}`);
  });
});
