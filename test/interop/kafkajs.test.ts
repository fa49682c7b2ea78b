/**
 * kafkajs 2.2.4 (npm) against a Samsa broker: admin create/list/delete topics, producers with
 * acks 0, 1 and -1 and gzip, reading from the beginning by assigned partitions (no group; see
 * kafkajs-reader.ts), and the idempotent producer: retries after lost responses leave no
 * duplicates, and a raw replay of a Produce request kafkajs sent (same producer id, epoch and
 * sequence) is answered with the original offset; a sequence gap gets OUT_OF_ORDER_SEQUENCE_NUMBER.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { CompressionTypes, Kafka, logLevel, type Message } from 'kafkajs';
import type { ProduceResponse } from '../../src/protocol/messages/generated/produce.ts';
import {
  BASE_SEQUENCE_OFFSET,
  BATCH_LENGTH_OFFSET,
  CRC_OFFSET,
  CRC_START,
  crc32c,
  LOG_OVERHEAD,
} from '../../src/protocol/records/index.ts';
import { decodeRequestFrame, decodeResponseFrame, encodeRequestFrame } from '../../src/protocol/request.ts';
import { FaultProxy } from './fault-proxy.ts';
import { exchangeFrames, shared, sharedBroker, startTestBroker } from './helpers.ts';
import { allRecords, type ReadRecord, readTopicWithKafkajs } from './kafkajs-reader.ts';

const OUT_OF_ORDER_SEQUENCE_NUMBER = 45;

function client(brokers: string[], clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 15000,
    retry: { retries: 5, initialRetryTime: 50, maxRetryTime: 1000 },
  });
}

/** What a message should read back as. */
interface Expected {
  partition: number;
  key: string;
  value: string;
  headers: Record<string, string[]>;
  timestamp?: number;
}

/** Compares what was read with what was sent, partition by partition, in order. */
function assertReadBack(read: ReadRecord[], expected: Expected[]): void {
  const partitions = [...new Set(expected.map((e) => e.partition))].sort();
  for (const p of partitions) {
    const got = read.filter((r) => r.partition === p);
    const want = expected.filter((e) => e.partition === p);
    assert.deepEqual(
      got.map((r) => r.offset),
      want.map((_, i) => i),
      `partition ${p}: offsets`,
    );
    got.forEach((r, i) => {
      const w = want[i]!;
      const where = `partition ${p} offset ${r.offset}`;
      assert.equal(r.key?.toString('utf8'), w.key, `${where}: key`);
      assert.equal(r.value?.toString('utf8'), w.value, `${where}: value`);
      const headers = Object.fromEntries(Object.entries(r.headers).map(([k, vs]) => [k, vs.map((v) => v.toString())]));
      assert.deepEqual(headers, w.headers, `${where}: headers`);
      if (w.timestamp !== undefined) assert.equal(r.timestamp, w.timestamp, `${where}: timestamp`);
    });
  }
  assert.equal(read.length, expected.length, 'records read');
}

describe('kafkajs 2.2.4', () => {
  const broker = sharedBroker();
  after(() => broker.close());
  const setUp = async () => {
    const tb = await broker.get();
    return { tb, kafka: client([tb.bootstrap], 'samsa-interop-kafkajs') };
  };

  test('admin: create, list, describe and delete topics', async () => {
    const { tb, kafka } = await setUp();
    const admin = kafka.admin();
    await admin.connect();
    try {
      const created = await admin.createTopics({
        waitForLeaders: true,
        topics: [
          { topic: 'kjs-admin-a', numPartitions: 3 },
          { topic: 'kjs-admin-b', numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }] },
        ],
      });
      assert.equal(created, true, 'createTopics resolves true when it created the topics');
      assert.equal(
        await admin.createTopics({ topics: [{ topic: 'kjs-admin-a', numPartitions: 3 }] }),
        false,
        'createTopics resolves false for a topic that exists (TOPIC_ALREADY_EXISTS)',
      );
      await assert.rejects(
        admin.createTopics({ topics: [{ topic: 'bad topic!', numPartitions: 1 }] }),
        (e: Error & { errors?: { type?: string }[] }) => {
          assert.equal(e.errors?.[0]?.type, 'INVALID_TOPIC_EXCEPTION', String(e));
          return true;
        },
      );

      const topics = await admin.listTopics();
      assert.ok(topics.includes('kjs-admin-a') && topics.includes('kjs-admin-b'), `listTopics: ${topics}`);
      const meta = await admin.fetchTopicMetadata({ topics: ['kjs-admin-a'] });
      const a = meta.topics[0]!;
      assert.equal(a.name, 'kjs-admin-a');
      assert.deepEqual(a.partitions.map((p) => p.partitionId).sort(), [0, 1, 2]);
      for (const p of a.partitions) {
        assert.equal(p.leader, tb.broker.brokerId);
        assert.deepEqual(p.replicas, [tb.broker.brokerId]);
        assert.deepEqual(p.isr, [tb.broker.brokerId]);
      }
      const cluster = await admin.describeCluster();
      assert.deepEqual(
        cluster.brokers.map((b) => [b.nodeId, b.host, b.port]),
        [[tb.broker.brokerId, '127.0.0.1', tb.port]],
      );

      await admin.deleteTopics({ topics: ['kjs-admin-a', 'kjs-admin-b'] });
      const after = await admin.listTopics();
      assert.ok(!after.includes('kjs-admin-a') && !after.includes('kjs-admin-b'), `listTopics after delete: ${after}`);
    } finally {
      await admin.disconnect();
    }
  });

  test('producer with acks 1, -1 (gzip) and 0; read back from the beginning by assigned partitions', async () => {
    const { tb, kafka } = await setUp();
    const topic = 'kjs-produce';
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 2 }] });
    await admin.disconnect();

    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const expected: Expected[] = [];
    const batch = (n: number, tag: string, ts?: number): Message[] =>
      Array.from({ length: n }, (_, i) => {
        const partition = i % 2;
        const key = `${tag}-key-${i}`;
        const value = `${tag} value ${i} ${'é'.repeat(i % 5)}${'x'.repeat(i * 7)}`;
        const headers: Record<string, string[]> = { tag: [tag], multi: ['one', 'two'] };
        expected.push({ partition, key, value, headers, ...(ts !== undefined ? { timestamp: ts + i } : {}) });
        return { partition, key, value, headers, ...(ts !== undefined ? { timestamp: String(ts + i) } : {}) };
      });
    try {
      const r1 = await producer.send({ topic, acks: 1, messages: batch(10, 'acks1', 1_700_000_000_000) });
      assert.deepEqual(r1.map((m) => [m.partition, m.errorCode, m.baseOffset]).sort(), [
        [0, 0, '0'],
        [1, 0, '0'],
      ]);
      const r2 = await producer.send({
        topic,
        acks: -1,
        compression: CompressionTypes.GZIP,
        messages: batch(200, 'gzip-all'),
      });
      assert.deepEqual(r2.map((m) => [m.partition, m.errorCode, m.baseOffset]).sort(), [
        [0, 0, '5'],
        [1, 0, '5'],
      ]);
      // acks=0 gets no response; the next request on the same connection must still be answered.
      const r3 = await producer.send({ topic, acks: 0, messages: batch(4, 'acks0') });
      assert.deepEqual(r3, []);
      const r4 = await producer.send({ topic, acks: 1, messages: batch(6, 'after-acks0') });
      assert.deepEqual(r4.map((m) => [m.partition, m.errorCode, m.baseOffset]).sort(), [
        [0, 0, '107'],
        [1, 0, '107'],
      ]);
    } finally {
      await producer.disconnect();
    }

    const read = await readTopicWithKafkajs({ brokers: [tb.bootstrap], topic });
    assert.deepEqual([...read.ranges].sort(), [
      [0, { start: 0, end: 110 }],
      [1, { start: 0, end: 110 }],
    ]);
    assertReadBack(allRecords(read), expected);
  });
});

describe('kafkajs 2.2.4 idempotent producer', () => {
  // The broker advertises the proxy, so every connection kafkajs opens goes through it.
  const env = shared(
    async () => {
      const proxy = new FaultProxy();
      await proxy.start();
      try {
        const tb = await startTestBroker({ 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}` });
        proxy.setTarget(tb.port);
        return { proxy, tb };
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

  test('retries after lost responses write nothing twice; a replayed request gets its original offset', async () => {
    const { proxy, tb } = await env.get();
    const topic = 'kjs-idempotent';
    const kafka = client([`127.0.0.1:${proxy.port}`], 'samsa-interop-idempotent');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] });

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    const sends = 6;
    const perSend = 10;
    const baseOffsets: number[] = [];
    try {
      for (let s = 0; s < sends; s++) {
        // Lose the responses of the 1st and 4th sends: the broker appends, kafkajs retries the same sequence.
        if (s === 0 || s === 3) proxy.dropProduceResponses = 1;
        const result = await producer.send({
          topic,
          acks: -1,
          messages: Array.from({ length: perSend }, (_, i) => ({
            partition: 0,
            key: `k${s * perSend + i}`,
            value: `v${s * perSend + i}`,
          })),
        });
        assert.equal(result.length, 1);
        assert.equal(result[0]!.errorCode, 0);
        baseOffsets.push(Number(result[0]!.baseOffset));
      }
    } finally {
      await producer.disconnect();
    }
    assert.equal(proxy.dropped, 2, 'two produce responses were lost');
    assert.equal(proxy.produceRequests.length, sends + 2, 'kafkajs sent each lost batch again');
    assert.deepEqual(
      baseOffsets,
      Array.from({ length: sends }, (_, s) => s * perSend),
      'each send reports the offset its batch was first written at',
    );

    const read = await readTopicWithKafkajs({ brokers: [tb.bootstrap], topic });
    const values = allRecords(read).map((r) => r.value?.toString());
    assert.deepEqual(
      values,
      Array.from({ length: sends * perSend }, (_, i) => `v${i}`),
      'every message exactly once, in order',
    );

    // Replay requests kafkajs sent (decoded and re-encoded with our codecs) straight to the broker.
    const requests = proxy.produceRequests;
    const replay = async (index: number, patch?: (records: Buffer) => void) => {
      const captured = requests[index]!;
      const decoded = decodeRequestFrame(captured.frame.subarray(4));
      const body = decoded.body as Parameters<typeof encodeRequestFrame<0>>[1];
      if (patch) {
        const part = body.topicData[0]!.partitionData[0]!;
        const records = Buffer.from(part.records!);
        patch(records);
        part.records = records;
      }
      const frame = encodeRequestFrame(
        { apiKey: 0, correlationId: 9000 + index, clientId: 'replay' },
        body,
        captured.apiVersion,
      );
      const [response] = await exchangeFrames(tb.port, [frame]);
      const decodedResponse = decodeResponseFrame(0, captured.apiVersion, response!);
      assert.equal(decodedResponse.correlationId, 9000 + index);
      return (decodedResponse.body as ProduceResponse).responses[0]!.partitionResponses[0]!;
    };
    // Captured: [0] send 0 (response lost), [1] its retry, [2] send 1, [3] send 2, [4] send 3 (lost),
    // [5] its retry, [6] send 4, [7] send 5.
    const lastIndex = requests.length - 1;
    const last = await replay(lastIndex);
    assert.deepEqual(
      [last.errorCode, last.baseOffset],
      [0, baseOffsets[sends - 1]],
      `replay of the last batch (Produce v${requests[lastIndex]!.apiVersion}): original offset, no error`,
    );
    const earlier = await replay(4);
    assert.deepEqual(
      [earlier.errorCode, earlier.baseOffset],
      [0, baseOffsets[3]],
      'replay of a batch among the last five: its original offset, no error',
    );
    const gap = await replay(lastIndex, (records) => {
      assert.equal(records.readInt32BE(BATCH_LENGTH_OFFSET) + LOG_OVERHEAD, records.length, 'one batch per partition');
      records.writeInt32BE(records.readInt32BE(BASE_SEQUENCE_OFFSET) + 2 * perSend, BASE_SEQUENCE_OFFSET);
      records.writeUInt32BE(crc32c(records, CRC_START), CRC_OFFSET);
    });
    assert.equal(gap.errorCode, OUT_OF_ORDER_SEQUENCE_NUMBER, 'a sequence gap is refused');

    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    assert.deepEqual(
      offsets.map((o) => [o.partition, o.low, o.high]),
      [[0, '0', String(sends * perSend)]],
      'the replays wrote nothing',
    );
  });
});
