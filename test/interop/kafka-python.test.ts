/**
 * kafka-python 2.0.2 (Debian python3-kafka, run by /usr/bin/python3) against a Samsa broker,
 * through test/interop/python/kafka_python_client.py: KafkaAdminClient creates a topic;
 * KafkaProducer (acks=all) writes keyed messages with headers, uncompressed and with each codec
 * it has here (gzip; xerial-framed snappy; lz4); KafkaConsumer without a group reads them back
 * with assign() + seek_to_beginning().
 *
 * kafka-python 2.0.2 opens every connection with ApiVersions v0 pipelined with Metadata v0, and
 * guesses the broker release from the ApiVersions ranges; its produce/fetch versions follow from
 * that guess (Produce v7 and Fetch v4 for a guess of 2.1 or later).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DEBIAN_PYTHON, describeRun, requireKafkaPython, run, sharedBroker } from './helpers.ts';
import { makeMessages } from './messages.ts';

const SCRIPT = join(import.meta.dirname, 'python', 'kafka_python_client.py');
const PARTITIONS = 3;
const COUNT = 300;
const CODECS = ['none', 'gzip', 'snappy', 'lz4'] as const;

interface PyRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: [string, string | null][];
  timestamp: number;
}

async function python<T>(args: string[], input?: string): Promise<T> {
  const r = await run(DEBIAN_PYTHON, [SCRIPT, ...args], {
    timeoutMs: 40_000,
    ...(input !== undefined ? { input } : {}),
  });
  assert.equal(r.code, 0, describeRun(`kafka_python_client.py ${args.join(' ')}`, r));
  return JSON.parse(r.stdout.toString('utf8')) as T;
}

const b64 = (b: Buffer): string => b.toString('base64');

describe('kafka-python 2.0.2 (Debian python3-kafka)', () => {
  const broker = sharedBroker({ 'num.partitions': PARTITIONS });
  after(() => broker.close());
  /** Every test starts here: kafka-python must be installed (the test fails saying how, otherwise). */
  const setUp = async () => ({ version: requireKafkaPython(), tb: await broker.get() });

  test('KafkaAdminClient creates a topic; it is listed and described', async () => {
    const { version, tb } = await setUp();
    assert.equal(version, '2.0.2', 'Debian bookworm ships kafka-python 2.0.2');
    const topic = 'kp-admin';
    const result = await python<{
      topicErrors: [string, number, string | null][];
      listed: boolean;
      described: { topic: string; error: number; partitions: [number, number, number[], number[]][] }[];
      apiVersion: number[];
    }>(['admin', tb.bootstrap, topic, '4']);
    assert.deepEqual(
      result.topicErrors.map((e) => [e[0], e[1]]),
      [[topic, 0]],
      `CreateTopics answered ${JSON.stringify(result.topicErrors)}`,
    );
    assert.equal(result.listed, true, 'list_topics() includes the new topic');
    const id = tb.broker.brokerId;
    assert.deepEqual(result.described, [{ topic, error: 0, partitions: [0, 1, 2, 3].map((p) => [p, id, [id], [id]]) }]);
    // kafka-python guesses the broker release from ApiVersions; below 2.1 it would use old message formats.
    assert.ok(
      result.apiVersion.length >= 2 &&
        (result.apiVersion[0]! > 2 || (result.apiVersion[0] === 2 && result.apiVersion[1]! >= 1)),
      `kafka-python guessed broker version ${result.apiVersion.join('.')}, expected >= 2.1`,
    );
  });

  for (const codec of CODECS) {
    test(`KafkaProducer (acks=all, ${codec}) then KafkaConsumer (assign + seek_to_beginning) reads every record back`, async () => {
      const { tb } = await setUp();
      const topic = `kp-${codec}`;
      const messages = makeMessages(COUNT, `py${codec}`, 31 + codec.length).map((m, i) => ({
        ...m,
        partition: i % PARTITIONS,
        headers: [
          ['seq', Buffer.from(String(i))],
          ['codec', Buffer.from(codec)],
        ] as [string, Buffer][],
      }));
      const input = messages
        .map((m) =>
          JSON.stringify({
            key: b64(m.key),
            value: b64(m.value),
            partition: m.partition,
            headers: m.headers.map(([k, v]) => [k, b64(v)]),
          }),
        )
        .join('\n');
      const produced = await python<{ acks: [number, number][] }>(['produce', tb.bootstrap, topic, codec], input);
      const nextOffset = new Map<number, number>();
      produced.acks.forEach(([partition, offset], i) => {
        assert.equal(partition, messages[i]!.partition, `message ${i}: partition`);
        const expected = nextOffset.get(partition) ?? 0;
        assert.equal(offset, expected, `message ${i}: offset in partition ${partition}`);
        nextOffset.set(partition, expected + 1);
      });
      assert.equal(produced.acks.length, COUNT);

      const consumed = await python<{ records: PyRecord[]; endOffsets: Record<string, number> }>([
        'consume',
        tb.bootstrap,
        topic,
        String(COUNT),
      ]);
      assert.deepEqual(
        consumed.endOffsets,
        Object.fromEntries(Array.from({ length: PARTITIONS }, (_, p) => [String(p), COUNT / PARTITIONS])),
        'end offsets',
      );
      assert.equal(consumed.records.length, COUNT, 'records consumed');
      for (let p = 0; p < PARTITIONS; p++) {
        const got = consumed.records.filter((r) => r.partition === p);
        const want = messages.filter((m) => m.partition === p);
        assert.equal(got.length, want.length, `partition ${p}: count`);
        got.forEach((r, i) => {
          const m = want[i]!;
          const where = `partition ${p} offset ${r.offset}`;
          assert.equal(r.offset, i, `${where}: offset`);
          assert.equal(r.key, b64(m.key), `${where}: key`);
          assert.equal(r.value, b64(m.value), `${where}: value (key ${m.key.toString()})`);
          assert.deepEqual(
            r.headers,
            m.headers.map(([k, v]) => [k, b64(v)]),
            `${where}: headers`,
          );
          assert.ok(r.timestamp > 1_600_000_000_000, `${where}: timestamp ${r.timestamp}`);
        });
      }
    });
  }
});
