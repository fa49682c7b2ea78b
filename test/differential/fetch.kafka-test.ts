/**
 * Differential scenarios for Fetch: offsets at and beyond the log's ends, byte limits (KIP-74),
 * long polls on an empty partition, versions with topic names and topic ids, fetch sessions,
 * isolation levels, and compressed batches (the stored bytes must come back identical).
 */
import { after } from 'node:test';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';
import { Compression, type CompressionCodec } from '../../src/protocol/records/batch-format.ts';
import { closeBrokers, scenario } from './harness.ts';
import { batchOf, createTopic, fetch, fetchRequest, produce, topicIdOf } from './log-helpers.ts';

after(closeBrokers);

/** A topic with three batches: offsets 0-1, 2-4, 5. */
async function threeBatches(s: Parameters<Parameters<typeof scenario>[1]>[0], topic: string): Promise<void> {
  await createTopic(s, topic);
  await produce(s, topic, batchOf(['a', 'b']), { label: 'batch 0-1' });
  await produce(s, topic, batchOf(['c', 'd', 'e'], { timestamp: 1_700_000_000_100 }), { label: 'batch 2-4' });
  await produce(s, topic, batchOf(['f'], { timestamp: 1_700_000_000_200 }), { label: 'batch 5' });
}

// ---- Offsets --------------------------------------------------------------------------------

scenario('Fetch at the log start, inside a batch, at the log end, past it, and negative', async (s) => {
  const topic = 'diff-fetch-offsets';
  await threeBatches(s, topic);
  await fetch(s, topic, 0, { label: 'at 0' });
  await fetch(s, topic, 3, { label: 'at 3 (inside batch 2-4)' });
  await fetch(s, topic, 6, { label: 'at the log end: empty' });
  await fetch(s, topic, 7, { label: 'past the end' });
  await fetch(s, topic, -1, { label: 'offset -1' });
});

scenario('Fetch from an empty partition, an unknown partition and an unknown topic', async (s) => {
  const topic = 'diff-fetch-unknown';
  await createTopic(s, topic);
  await fetch(s, topic, 0, { label: 'empty partition' });
  await fetch(s, topic, 0, { partition: 1, label: 'partition 1 of 1' });
  await fetch(s, 'diff-fetch-no-such-topic', 0, { label: 'unknown topic' });
});

scenario('Fetch of known and unknown partitions: those refused up front come last', async (s) => {
  const a = 'diff-fetch-order-a';
  const b = 'diff-fetch-order-b';
  await createTopic(s, a, { partitions: 2 });
  await createTopic(s, b);
  await produce(s, a, batchOf(['a1']), { partition: 1 });
  await produce(s, b, batchOf(['b0']));
  const base = fetchRequest(a, []);
  const part = (partition: number) => ({
    partition,
    currentLeaderEpoch: -1,
    fetchOffset: 0,
    lastFetchedEpoch: -1,
    logStartOffset: -1,
    partitionMaxBytes: 1 << 20,
  });
  await s.request(
    ApiKey.Fetch,
    11,
    {
      ...base,
      topics: [
        { topic: a, partitions: [part(0), part(5), part(1)] },
        { topic: 'diff-fetch-order-unknown', partitions: [part(0)] },
        { topic: b, partitions: [part(0)] },
      ],
    },
    'a p0 p5 p1, unknown p0, b p0',
  );
});

scenario('Fetch naming one partition twice, and with leader epochs', async (s) => {
  const topic = 'diff-fetch-twice';
  await threeBatches(s, topic);
  const part = (fetchOffset: number, currentLeaderEpoch = -1) => ({
    partition: 0,
    currentLeaderEpoch,
    fetchOffset,
    lastFetchedEpoch: -1,
    logStartOffset: -1,
    partitionMaxBytes: 1 << 20,
  });
  const base = fetchRequest(topic, []);
  await s.request(
    ApiKey.Fetch,
    11,
    { ...base, topics: [{ topic, partitions: [part(0), part(5)] }] },
    'partition 0 from 0 and from 5',
  );
  await s.request(ApiKey.Fetch, 11, { ...base, topics: [{ topic, partitions: [part(5, 0)] }] }, 'leader epoch 0');
  await s.request(ApiKey.Fetch, 11, { ...base, topics: [{ topic, partitions: [part(5, 3)] }] }, 'leader epoch 3');
});

// ---- Byte limits ----------------------------------------------------------------------------

scenario('Fetch maxBytes smaller than the first batch still returns that whole batch', async (s) => {
  const topic = 'diff-fetch-max-bytes';
  await threeBatches(s, topic);
  await fetch(s, topic, 0, { maxBytes: 10, label: 'maxBytes 10' });
  await fetch(s, topic, 0, { partitionMaxBytes: 10, label: 'partitionMaxBytes 10' });
  await fetch(s, topic, 0, { maxBytes: 1, partitionMaxBytes: 1, label: 'both 1' });
});

scenario('Fetch maxBytes that ends inside the second batch', async (s) => {
  const topic = 'diff-fetch-max-bytes-cut';
  await threeBatches(s, topic);
  // Batch 0-1 is 128 bytes, batch 2-4 is 180: a limit of 200 ends 72 bytes into the second.
  await fetch(s, topic, 0, { maxBytes: 200, label: 'maxBytes 200' });
  await fetch(s, topic, 0, { partitionMaxBytes: 200, label: 'partitionMaxBytes 200' });
  await fetch(s, topic, 0, { maxBytes: 308, label: 'maxBytes 308: exactly two batches' });
});

scenario('Fetch partitionMaxBytes and maxBytes over two partitions', async (s) => {
  const topic = 'diff-fetch-two-partitions';
  await createTopic(s, topic, { partitions: 2 });
  for (const partition of [0, 1]) {
    await produce(s, topic, batchOf(['a', 'b'], { valueBytes: 100 }), { partition, label: `p${partition} batch 1` });
    await produce(s, topic, batchOf(['c'], { valueBytes: 100 }), { partition, label: `p${partition} batch 2` });
  }
  const both = (maxBytes: number, partitionMaxBytes: number, label: string) =>
    s.request(
      ApiKey.Fetch,
      11,
      fetchRequest(
        topic,
        [
          { partition: 0, offset: 0, maxBytes: partitionMaxBytes },
          { partition: 1, offset: 0, maxBytes: partitionMaxBytes },
        ],
        { maxBytes },
      ),
      label,
    );
  await both(50 << 20, 1 << 20, 'no limits');
  await both(50 << 20, 100, 'partitionMaxBytes 100: one batch each');
  await both(300, 1 << 20, 'maxBytes 300: the second partition gets what is left');
  await both(100, 1 << 20, 'maxBytes 100: the second partition gets nothing whole');
  const fromLast = (maxBytes: number, label: string) =>
    s.request(
      ApiKey.Fetch,
      11,
      fetchRequest(
        topic,
        [
          { partition: 0, offset: 2 },
          { partition: 1, offset: 0 },
        ],
        { maxBytes },
      ),
      label,
    );
  await fromLast(500, 'maxBytes 500 from p0 offset 2: p1 cut inside its second batch');
  await fromLast(250, 'maxBytes 250 from p0 offset 2: p1 cannot have its first batch whole');
});

// ---- Waiting --------------------------------------------------------------------------------

scenario('Fetch with minBytes on an empty partition answers after maxWaitMs, empty', async (s) => {
  const topic = 'diff-fetch-wait';
  await createTopic(s, topic);
  await fetch(s, topic, 0, { minBytes: 1, maxWaitMs: 200, label: 'minBytes 1, maxWaitMs 200' });
  await produce(s, topic, batchOf(['a']));
  await fetch(s, topic, 0, { minBytes: 1 << 20, maxWaitMs: 200, label: 'minBytes 1 MiB over one batch' });
  await fetch(s, topic, 1, { minBytes: 1, maxWaitMs: 0, label: 'maxWaitMs 0 at the end' });
});

scenario('Fetch long poll: a produce on another connection completes it', async (s) => {
  const topic = 'diff-fetch-long-poll';
  await createTopic(s, topic);
  const consumer = await s.connect();
  const waiting = consumer.request(
    ApiKey.Fetch,
    11,
    fetchRequest(topic, [{ partition: 0, offset: 0 }], { minBytes: 1, maxWaitMs: 20_000 }),
    'waiting fetch',
  );
  await produce(s, topic, batchOf(['a', 'b']));
  await waiting;
  // Which of the two answers arrives first is a race: keep the fetch's after the produce's.
  const i = s.trace.findIndex((e) => e.label === 'waiting fetch');
  s.trace.push(...s.trace.splice(i, 1));
});

// ---- Versions -------------------------------------------------------------------------------

for (const version of [4, 7, 11, 12, 13, 15, 16, 17]) {
  scenario(`Fetch v${version}: the answer fields${version >= 13 ? ' (topic ids)' : ''}`, async (s) => {
    const topic = `diff-fetch-v${version}`;
    await threeBatches(s, topic);
    const topicId = version >= 13 ? await topicIdOf(s, topic) : undefined;
    await fetch(s, topic, 0, { version, topicId, label: `fetch v${version} @0` });
    await fetch(s, topic, 2, { version, topicId, label: `fetch v${version} @2` });
    await fetch(s, topic, 6, { version, topicId, label: `fetch v${version} at the end` });
    await fetch(s, topic, 9, { version, topicId, label: `fetch v${version} out of range` });
  });
}

scenario('Fetch v13 with an unknown topic id: UNKNOWN_TOPIC_ID', async (s) => {
  const topic = 'diff-fetch-unknown-id';
  await createTopic(s, topic);
  const known = await topicIdOf(s, topic);
  await fetch(s, topic, 0, { version: 13, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', label: 'a random id' });
  await fetch(s, topic, 0, { version: 13, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', label: 'the zero id' });
  await fetch(s, topic, 0, { version: 13, topicId: known, label: 'the real id' });
});

scenario('Fetch with isolation level read_committed on non-transactional data', async (s) => {
  const topic = 'diff-fetch-read-committed';
  await threeBatches(s, topic);
  await fetch(s, topic, 0, { isolationLevel: 1, label: 'read_committed v11' });
  await fetch(s, topic, 6, { isolationLevel: 1, label: 'read_committed at the end' });
  await fetch(s, topic, 0, { isolationLevel: 1, version: 4, label: 'read_committed v4' });
});

// ---- Sessions -------------------------------------------------------------------------------

scenario('Fetch sessions: a new session, incremental fetches with and without news', async (s) => {
  const topic = 'diff-fetch-session';
  await createTopic(s, topic, { partitions: 2 });
  await produce(s, topic, batchOf(['a']), { partition: 0 });
  const base = fetchRequest(topic, [
    { partition: 0, offset: 0 },
    { partition: 1, offset: 0 },
  ]);
  const opened = await s.request(ApiKey.Fetch, 11, { ...base, sessionId: 0, sessionEpoch: 0 }, 'epoch 0: new session');
  const id = opened.sessionId ?? 0;
  const incremental = (epoch: number, label: string, topics = base.topics) =>
    s.request(ApiKey.Fetch, 11, { ...base, sessionId: id, sessionEpoch: epoch, topics }, label);
  const moved = [{ topic, partitions: [{ ...base.topics[0]!.partitions[0]!, fetchOffset: 1 }] }];
  await incremental(1, 'epoch 1: partition 0 moves to offset 1', moved);
  await incremental(2, 'epoch 2: no changes', []);
  await produce(s, topic, batchOf(['b']), { partition: 1 });
  await incremental(3, 'epoch 3: news on partition 1', []);
  await incremental(3, 'epoch 3 again: INVALID_FETCH_SESSION_EPOCH', []);
  await s.request(ApiKey.Fetch, 11, { ...base, sessionId: 12345, sessionEpoch: 1 }, 'an unknown session');
  await s.request(ApiKey.Fetch, 11, { ...base, sessionId: id, sessionEpoch: -1, topics: [] }, 'close the session');
});

scenario('Fetch session v13 with an unknown topic id among known ones', async (s) => {
  const topic = 'diff-fetch-session-ids';
  await createTopic(s, topic);
  await produce(s, topic, batchOf(['a']));
  const id = await topicIdOf(s, topic);
  const part = (fetchOffset: number) => ({
    partition: 0,
    currentLeaderEpoch: -1,
    fetchOffset,
    lastFetchedEpoch: -1,
    logStartOffset: -1,
    partitionMaxBytes: 1 << 20,
  });
  const base = fetchRequest(topic, [], { version: 13 });
  const opened = await s.request(
    ApiKey.Fetch,
    13,
    {
      ...base,
      sessionId: 0,
      sessionEpoch: 0,
      topics: [
        { topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions: [part(0)] },
        { topicId: id, partitions: [part(0)] },
      ],
    },
    'epoch 0: unknown id first, then the real one',
  );
  const sessionId = opened.sessionId ?? 0;
  await s.request(ApiKey.Fetch, 13, { ...base, sessionId, sessionEpoch: 1, topics: [] }, 'epoch 1: no changes');
  await s.request(
    ApiKey.Fetch,
    13,
    { ...base, sessionId, sessionEpoch: 2, topics: [{ topicId: id, partitions: [part(1)] }] },
    'epoch 2: the real one moves to offset 1',
  );
});

// ---- Compression ----------------------------------------------------------------------------

const codecs: [string, CompressionCodec][] = [
  ['gzip', Compression.gzip],
  ['snappy', Compression.snappy],
  ['lz4', Compression.lz4],
  ['zstd', Compression.zstd],
];

for (const [name, codec] of codecs) {
  scenario(`Fetch ${name}-compressed batches: the stored bytes come back as sent`, async (s) => {
    const topic = `diff-fetch-${name}`;
    await createTopic(s, topic);
    const values = Array.from({ length: 20 }, (_, i) => `value-${i}-${'x'.repeat(i * 3)}`);
    await produce(s, topic, batchOf(values, { compression: codec }), { label: `${name} batch of 20` });
    await produce(s, topic, batchOf(['single'], { compression: codec }), { label: `${name} batch of 1` });
    await fetch(s, topic, 0);
    await fetch(s, topic, 5, { label: 'from inside the first batch' });
  });
}
