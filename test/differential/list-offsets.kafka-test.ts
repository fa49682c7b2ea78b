/**
 * Differential scenarios for ListOffsets: earliest, latest, by timestamp, max timestamp, unknown
 * topics and partitions, what each version carries (v0's list of offsets to v8+), and the log
 * start offset after DeleteRecords.
 */
import { after } from 'node:test';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';
import { closeBrokers, type Session, scenario } from './harness.ts';
import { batchOf, createTopic, fetch, listOffsets, produce, T0 } from './log-helpers.ts';

after(closeBrokers);

/**
 * Three batches with record timestamps T0+0..1, T0+100..102 and T0+50 (out of order: the max
 * timestamp is at offset 4, and the last batch is older than the one before it).
 */
async function timestamped(s: Session, topic: string, partitions = 1): Promise<void> {
  await createTopic(s, topic, { partitions });
  await produce(s, topic, batchOf(['a', 'b'], { timestamp: T0 }), { label: 'offsets 0-1 at T0+0..1' });
  await produce(s, topic, batchOf(['c', 'd', 'e'], { timestamp: T0 + 100 }), { label: 'offsets 2-4 at T0+100..102' });
  await produce(s, topic, batchOf(['f'], { timestamp: T0 + 50 }), { label: 'offset 5 at T0+50' });
}

scenario('ListOffsets earliest and latest, on an empty and a written partition', async (s) => {
  const topic = 'diff-list-offsets-ends';
  await createTopic(s, topic, { partitions: 2 });
  await produce(s, topic, batchOf(['a', 'b', 'c']), { partition: 1 });
  for (const partition of [0, 1]) {
    await listOffsets(s, topic, -2, { partition, label: `p${partition} earliest` });
    await listOffsets(s, topic, -1, { partition, label: `p${partition} latest` });
  }
});

scenario('ListOffsets by timestamp: before, at, between and after the records', async (s) => {
  const topic = 'diff-list-offsets-timestamps';
  await timestamped(s, topic);
  for (const [ts, what] of [
    [0, 'long before everything'],
    [T0, 'the first record'],
    [T0 + 1, 'the second record'],
    [T0 + 2, 'between batches: the next record with a later timestamp'],
    [T0 + 50, 'the out-of-order last batch (the first record at or after it is offset 2)'],
    [T0 + 101, 'inside the second batch'],
    [T0 + 102, 'the max timestamp'],
    [T0 + 103, 'after everything'],
  ] as const) {
    await listOffsets(s, topic, ts, { label: `${what} (T0+${ts === 0 ? -T0 : ts - T0})` });
  }
});

scenario('ListOffsets special timestamps: max (-3), earliest local (-4), latest tiered (-5)', async (s) => {
  const topic = 'diff-list-offsets-max';
  await timestamped(s, topic, 2);
  await listOffsets(s, topic, -3, { version: 6, label: 'v6 max timestamp' });
  await listOffsets(s, topic, -3, { version: 7, label: 'v7 max timestamp' });
  await listOffsets(s, topic, -3, { version: 8, label: 'v8 max timestamp' });
  await listOffsets(s, topic, -3, { version: 7, partition: 1, label: 'v7 max timestamp, empty partition' });
  await listOffsets(s, topic, -4, { version: 8, label: 'v8 earliest local' });
  await listOffsets(s, topic, -5, { version: 9, label: 'v9 latest tiered' });
  await listOffsets(s, topic, -6, { version: 9, label: 'v9 timestamp -6' });
  await listOffsets(s, topic, -100, { version: 9, partition: 7, label: 'v9 timestamp -100, partition 7 of 2' });
  await listOffsets(s, topic, -3, { version: 0, label: 'v0 max timestamp' });
  await listOffsets(s, 'diff-list-offsets-no-such-topic', -4, {
    version: 5,
    label: 'v5 earliest local, unknown topic',
  });
});

scenario('ListOffsets for an unknown topic and an unknown partition', async (s) => {
  const topic = 'diff-list-offsets-unknown';
  await createTopic(s, topic);
  await listOffsets(s, 'diff-list-offsets-no-such-topic', -1, { label: 'unknown topic' });
  await listOffsets(s, topic, -1, { partition: 3, label: 'partition 3 of 1' });
  await listOffsets(s, topic, -1, { partition: -1, label: 'partition -1' });
  await listOffsets(s, 'diff-list-offsets-no-such-topic', -1, { version: 0, label: 'v0 unknown topic' });
  await listOffsets(s, 'diff-list-offsets-no-such-topic', -1, { version: 1, label: 'v1 unknown topic' });
});

for (const version of [0, 1, 2, 4, 5, 6, 7, 8, 9]) {
  scenario(`ListOffsets v${version}: earliest, latest, a timestamp, after the end`, async (s) => {
    const topic = `diff-list-offsets-v${version}`;
    await timestamped(s, topic);
    await listOffsets(s, topic, -2, { version, label: `v${version} earliest` });
    await listOffsets(s, topic, -1, { version, label: `v${version} latest` });
    await listOffsets(s, topic, T0 + 1, { version, label: `v${version} T0+1` });
    await listOffsets(s, topic, T0 + 1000, { version, label: `v${version} after the end` });
  });
}

scenario('ListOffsets v0 with maxNumOffsets', async (s) => {
  const topic = 'diff-list-offsets-v0-max-num';
  await timestamped(s, topic);
  for (const [timestamp, maxNumOffsets] of [
    [-1, 0],
    [-1, 5],
    [-2, 5],
    [T0 + 1, 5],
  ] as const) {
    await s.request(
      ApiKey.ListOffsets,
      0,
      {
        replicaId: -1,
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp, maxNumOffsets }] }],
      },
      `v0 timestamp ${timestamp} maxNumOffsets ${maxNumOffsets}`,
    );
  }
});

scenario('ListOffsets with isolation level read_committed and a current leader epoch', async (s) => {
  const topic = 'diff-list-offsets-isolation';
  await timestamped(s, topic);
  await listOffsets(s, topic, -1, { version: 5, isolationLevel: 1, label: 'read_committed latest' });
  for (const [epoch, what] of [
    [0, 'the current epoch'],
    [1, 'a newer epoch'],
  ] as const) {
    await s.request(
      ApiKey.ListOffsets,
      7,
      {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: epoch, timestamp: -1 }] }],
      },
      `latest with ${what}`,
    );
  }
});

scenario('ListOffsets after DeleteRecords: the log start moves', async (s) => {
  const topic = 'diff-list-offsets-delete-records';
  await timestamped(s, topic);
  await s.request(
    ApiKey.DeleteRecords,
    2,
    { topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset: 3 }] }], timeoutMs: 30_000 },
    'delete records before 3',
  );
  await listOffsets(s, topic, -2, { label: 'earliest' });
  await listOffsets(s, topic, -1, { label: 'latest' });
  await listOffsets(s, topic, T0, { label: 'T0: before the log start' });
  await listOffsets(s, topic, T0 + 100, { label: 'T0+100: deleted offset 2, so offset 3' });
  await listOffsets(s, topic, -3, { label: 'max timestamp' });
  await listOffsets(s, topic, -2, { version: 0, label: 'v0 earliest' });
  await fetch(s, topic, 2, { label: 'fetch below the log start' });
  await fetch(s, topic, 3, { label: 'fetch at the log start' });
});
