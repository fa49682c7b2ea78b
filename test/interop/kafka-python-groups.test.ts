/**
 * kafka-python 2.0.2 (Debian python3-kafka) consumer groups against a Samsa broker, through
 * test/interop/python/kafka_python_group.py: a group consumer with auto-commit reads everything
 * and its commits are stored (FindCoordinator v0, JoinGroup v2, SyncGroup v1, Heartbeat v1,
 * OffsetCommit v2, OffsetFetch v1, LeaveGroup v1); a second run of the same group reads only what
 * came after; KafkaAdminClient lists and describes the group and its offsets.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { type GroupBroker, startGroupBroker } from './group-helpers.ts';
import { DEBIAN_PYTHON, describeRun, requireKafkaPython, run } from './helpers.ts';

const SCRIPT = join(import.meta.dirname, 'python', 'kafka_python_group.py');
const T = { timeout: 90_000 };

async function python<T>(args: string[]): Promise<T> {
  const r = await run(DEBIAN_PYTHON, [SCRIPT, ...args], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, describeRun(`kafka_python_group.py ${args.join(' ')}`, r));
  return JSON.parse(r.stdout.toString('utf8')) as T;
}

interface Consumed {
  records: [number, number, string][];
  assignment: number[];
  committed: Record<string, number | null>;
}

let b: GroupBroker | null = null;
after(() => b?.close());

async function produce(bootstrap: string, topic: string, from: number, count: number): Promise<void> {
  const kafka = new Kafka({ clientId: 'samsa-kp-groups-setup', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: Array.from({ length: count }, (_, i) => ({ partition: (from + i) % 3, value: `v${from + i}` })),
  });
  await producer.disconnect();
}

describe('kafka-python 2.0.2 consumer groups', () => {
  test('a group consumer with auto-commit; a second run resumes after the committed offsets', T, async () => {
    requireKafkaPython();
    b = await startGroupBroker({ 'num.partitions': 3 });
    const topic = 'kp-group';
    await produce(b.bootstrap, topic, 0, 30);

    const first = await python<Consumed>(['consume', b.bootstrap, topic, 'kp-g', '30']);
    assert.equal(first.records.length, 30);
    assert.deepEqual(first.assignment, [0, 1, 2]);
    assert.deepEqual(first.committed, { '0': 10, '1': 10, '2': 10 });

    await produce(b.bootstrap, topic, 30, 9);
    const second = await python<Consumed>(['consume', b.bootstrap, topic, 'kp-g', '9']);
    assert.deepEqual(
      second.records.map((r) => r[2]).sort(),
      Array.from({ length: 9 }, (_, i) => `v${30 + i}`).sort(),
      'only the new messages',
    );
    assert.deepEqual(second.committed, { '0': 13, '1': 13, '2': 13 });

    const admin = await python<{
      listed: [string, string][];
      described: { group: string; state: string; protocol_type: string; members: number }[];
      offsets: Record<string, number>;
    }>(['admin', b.bootstrap, 'kp-g']);
    assert.ok(admin.listed.some(([g, type]) => g === 'kp-g' && type === 'consumer'));
    assert.deepEqual(admin.described, [{ group: 'kp-g', state: 'Empty', protocol_type: 'consumer', members: 0 }]);
    assert.deepEqual(admin.offsets, { 'kp-group-0': 13, 'kp-group-1': 13, 'kp-group-2': 13 });
  });
});
