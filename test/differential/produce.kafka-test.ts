/**
 * Differential scenarios for Produce (and InitProducerId for idempotence): malformed batches,
 * unknown topics and partitions, every acks value, several versions, LogAppendTime topics, and
 * idempotent sequences. Each scenario checks what was stored with a following ListOffsets or
 * Fetch, so "refused" also means "nothing written".
 */
import { after } from 'node:test';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';
import { Compression, MAGIC_OFFSET, MAX_TIMESTAMP_OFFSET } from '../../src/protocol/records/batch-format.ts';
import { encodeMessageSet } from '../../src/protocol/records/legacy-message-set.ts';
import { encodeRecordBatch } from '../../src/protocol/records/record-encoder.ts';
import { encodeRequestFrame } from '../../src/protocol/request.ts';
import { closeBrokers, scenario } from './harness.ts';
import { batchOf, createTopic, fetch, fixCrc, initProducerId, listOffsets, produce, T0 } from './log-helpers.ts';
import { producerIdInRecords } from './normalise.ts';

after(closeBrokers);

// ---- Malformed batches ----------------------------------------------------------------------

scenario('Produce: a batch whose CRC does not match is refused, nothing is written', async (s) => {
  const topic = 'diff-produce-bad-crc';
  await createTopic(s, topic);
  const bad = batchOf(['a', 'b']);
  bad[bad.length - 1] ^= 0xff; // the last byte of the last record: covered by the CRC
  await produce(s, topic, bad, { label: 'flipped byte' });
  await produce(s, topic, batchOf(['c']), { label: 'a good batch after it' });
  await listOffsets(s, topic, -1);
  await fetch(s, topic, 0);
});

scenario('Produce: magic 1 and magic 3 in a v2-shaped batch', async (s) => {
  const topic = 'diff-produce-bad-magic';
  await createTopic(s, topic);
  for (const magic of [1, 3, 0]) {
    const b = batchOf(['a']);
    b[MAGIC_OFFSET] = magic; // not covered by the CRC
    await produce(s, topic, b, { label: `magic ${magic}` });
  }
  await listOffsets(s, topic, -1);
});

scenario('Produce v3+: a legacy magic 0/1 message set', async (s) => {
  const topic = 'diff-produce-legacy';
  await createTopic(s, topic);
  const messages = [{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: T0 }];
  await produce(s, topic, encodeMessageSet({ magic: 0, messages }), { version: 3, label: 'magic 0, v3' });
  await produce(s, topic, encodeMessageSet({ magic: 1, messages }), { version: 3, label: 'magic 1, v3' });
  await produce(s, topic, encodeMessageSet({ magic: 1, messages, compression: Compression.gzip }), {
    version: 9,
    label: 'magic 1 gzip, v9',
  });
  await listOffsets(s, topic, -1);
});

scenario('Produce: a batch larger than max.message.bytes (topic config and broker default)', async (s) => {
  const small = 'diff-produce-too-large-small';
  await createTopic(s, small, { configs: { 'max.message.bytes': '1000' } });
  await produce(s, small, batchOf(['x', 'y'], { valueBytes: 600 }), { label: '1.2 kB into 1000' });
  await produce(s, small, batchOf(['x'], { valueBytes: 500 }), { label: 'a batch that fits' });
  await listOffsets(s, small, -1);
  const big = 'diff-produce-too-large-default';
  await createTopic(s, big);
  await produce(s, big, batchOf(['x'], { valueBytes: 1_048_600 }), { label: 'just over 1048588' });
  await produce(s, big, batchOf(['x'], { valueBytes: 1_048_000 }), { label: 'just under' });
  await listOffsets(s, big, -1);
});

scenario('Produce: a batch length field that disagrees with the bytes sent', async (s) => {
  const topic = 'diff-produce-bad-length';
  await createTopic(s, topic);
  const longer = batchOf(['a', 'b']);
  longer.writeInt32BE(longer.readInt32BE(8) + 10, 8);
  await produce(s, topic, longer, { label: 'length 10 past the end' });
  const shorter = batchOf(['a', 'b']);
  shorter.writeInt32BE(shorter.readInt32BE(8) - 5, 8);
  await produce(s, topic, shorter, { label: 'length 5 short' });
  const tiny = batchOf(['a']);
  tiny.writeInt32BE(20, 8);
  await produce(s, topic, tiny, { label: 'length 20 (below a batch header)' });
  await produce(s, topic, Buffer.concat([batchOf(['a']), Buffer.from([0, 0, 0])]), {
    label: 'a whole batch then 3 stray bytes',
  });
  await listOffsets(s, topic, -1);
  await fetch(s, topic, 0);
});

// Null records are left out: Kafka 3.9 neither answers nor closes the connection (see
// docs/compatibility.md); Samsa answers INVALID_RECORD.
scenario('Produce: empty records, a batch with no records', async (s) => {
  const topic = 'diff-produce-empty';
  await createTopic(s, topic);
  await produce(s, topic, Buffer.alloc(0), { label: 'zero bytes' });
  await produce(s, topic, batchOf([]), { label: 'a batch of no records' });
  await listOffsets(s, topic, -1);
});

scenario('Produce: header fields that contradict each other (CRC fixed up)', async (s) => {
  const topic = 'diff-produce-bad-header';
  await createTopic(s, topic);
  const count = batchOf(['a', 'b']);
  count.writeInt32BE(3, 57); // recordCount 3, lastOffsetDelta 1
  await produce(s, topic, fixCrc(count), { label: 'record count 3 for offset deltas 0..1' });
  const control = batchOf(['a']);
  control.writeInt16BE(control.readInt16BE(21) | 0x20, 21);
  await produce(s, topic, fixCrc(control), { label: 'a control batch' });
  const codec = batchOf(['a']);
  codec.writeInt16BE(codec.readInt16BE(21) | 0x05, 21);
  await produce(s, topic, fixCrc(codec), { label: 'compression codec 5' });
  const sequence = batchOf(['a'], { producerId: 5, producerEpoch: 0, baseSequence: -1 });
  await produce(s, topic, sequence, { label: 'a producer id without a sequence' });
  await listOffsets(s, topic, -1);
});

scenario('Produce to a compacted topic: records without a key are refused one by one', async (s) => {
  const topic = 'diff-produce-compacted';
  await createTopic(s, topic, { configs: { 'cleanup.policy': 'compact' } });
  const keyed = (key: string | null, value: string) => ({
    key: key === null ? null : Buffer.from(key),
    value: Buffer.from(value),
    timestamp: T0,
  });
  await produce(s, topic, encodeRecordBatch({ records: [keyed('k', 'a'), keyed(null, 'b'), keyed(null, 'c')] }), {
    label: 'records 1 and 2 without a key',
  });
  await produce(s, topic, encodeRecordBatch({ records: [keyed(null, 'd')], compression: Compression.lz4 }), {
    label: 'lz4, without a key',
  });
  await produce(s, topic, encodeRecordBatch({ records: [keyed('k', 'e'), keyed('j', 'f')] }), { label: 'keyed' });
  await listOffsets(s, topic, -1);
});

scenario('Produce: two batches for one partition in one request (v3+ allows one)', async (s) => {
  const topic = 'diff-produce-two-batches';
  await createTopic(s, topic);
  await produce(s, topic, Buffer.concat([batchOf(['a']), batchOf(['b'])]));
  await listOffsets(s, topic, -1);
});

scenario('Produce: a client batch whose base offset is not 0', async (s) => {
  const topic = 'diff-produce-base-offset';
  await createTopic(s, topic);
  await produce(s, topic, batchOf(['a'], { baseOffset: 7 }));
  await listOffsets(s, topic, -1);
});

scenario('Produce: zstd needs Produce v7+', async (s) => {
  const topic = 'diff-produce-zstd-version';
  await createTopic(s, topic);
  const zstd = batchOf(['a', 'b'], { compression: Compression.zstd });
  await produce(s, topic, zstd, { version: 6, label: 'zstd on v6' });
  await produce(s, topic, zstd, { version: 7, label: 'zstd on v7' });
  await fetch(s, topic, 0, { version: 11 });
});

// ---- Topics and partitions ------------------------------------------------------------------

scenario('Produce to an unknown topic: not created (auto-creation is Metadata only)', async (s) => {
  const topic = 'diff-produce-unknown-topic';
  await produce(s, topic, batchOf(['a']), { label: 'acks=-1' });
  await produce(s, topic, batchOf(['a']), { acks: 1, version: 3, label: 'acks=1 v3' });
  await produce(s, 'bad/topic name', batchOf(['a']), { label: 'an illegal topic name' });
  await produce(s, 'x'.repeat(250), batchOf(['a']), { label: 'a 250-character topic name' });
  await s.request(
    ApiKey.Metadata,
    12,
    {
      topics: [{ name: topic, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    },
    'still unknown',
  );
});

scenario('Produce to a partition the topic does not have', async (s) => {
  const topic = 'diff-produce-unknown-partition';
  await createTopic(s, topic, { partitions: 2 });
  await produce(s, topic, batchOf(['a']), { partition: 2, label: 'partition 2 of 2' });
  await produce(s, topic, batchOf(['a']), { partition: -1, label: 'partition -1' });
  await produce(s, topic, batchOf(['a']), { partition: 1, label: 'partition 1 of 2' });
});

// ---- acks -----------------------------------------------------------------------------------

scenario('Produce acks=0: no answer, and the records are there for the next request', async (s) => {
  const topic = 'diff-produce-acks-0';
  await createTopic(s, topic);
  const c = await s.connect();
  const body = (v: string) => ({
    transactionalId: null,
    acks: 0,
    timeoutMs: 30_000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records: batchOf([v]) }] }],
  });
  c.send(ApiKey.Produce, 9, body('a'));
  c.send(ApiKey.Produce, 9, body('b'));
  await c.request(
    ApiKey.ListOffsets,
    7,
    {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }],
    },
    'latest, same connection',
  );
  await fetch(s, topic, 0);
});

scenario('Produce acks=0 that fails: the broker closes the connection', async (s) => {
  const topic = 'diff-produce-acks-0-fail';
  await createTopic(s, topic);
  const c = await s.connect();
  const frame = encodeRequestFrame(
    { apiKey: ApiKey.Produce, correlationId: c.connection.correlationId(), clientId: 'samsa-differential' },
    {
      transactionalId: null,
      acks: 0,
      timeoutMs: 30_000,
      topicData: [{ name: topic, partitionData: [{ index: 3, records: batchOf(['a']) }] }],
    },
    9,
  );
  await c.raw(frame, { apiKey: ApiKey.Produce, version: 9 }, 'acks=0 to partition 3 of 1');
});

scenario('Produce acks=1 and acks=-1', async (s) => {
  const topic = 'diff-produce-acks';
  await createTopic(s, topic);
  await produce(s, topic, batchOf(['a', 'b']), { acks: 1, label: 'acks=1' });
  await produce(s, topic, batchOf(['c']), { acks: -1, label: 'acks=-1' });
  await fetch(s, topic, 0);
});

scenario('Produce with acks=2 and acks=-2: INVALID_REQUIRED_ACKS', async (s) => {
  const topic = 'diff-produce-acks-invalid';
  await createTopic(s, topic);
  await produce(s, topic, batchOf(['a']), { acks: 2, label: 'acks=2' });
  await produce(s, topic, batchOf(['a']), { acks: -2, label: 'acks=-2' });
  await listOffsets(s, topic, -1);
});

// ---- Versions -------------------------------------------------------------------------------

for (const version of [3, 7, 9, 11]) {
  scenario(`Produce v${version}: answer fields, then Fetch`, async (s) => {
    const topic = `diff-produce-v${version}`;
    await createTopic(s, topic);
    await produce(s, topic, batchOf(['a', 'b', 'c']), { version });
    await produce(s, topic, batchOf(['d']), { version });
    await fetch(s, topic, 0);
  });
}

scenario('Produce to a LogAppendTime topic: the broker stamps its clock', async (s) => {
  const topic = 'diff-produce-log-append-time';
  await createTopic(s, topic, { configs: { 'message.timestamp.type': 'LogAppendTime' } });
  const before = Date.now();
  const plain = await produce(s, topic, batchOf(['a', 'b']), { label: 'uncompressed' });
  const gzip = await produce(s, topic, batchOf(['c', 'd'], { compression: Compression.gzip }), { label: 'gzip' });
  const after = Date.now();
  const f = await fetch(s, topic, 0, { label: 'fetch (not compared: it holds the append times)' });
  s.trace.pop();
  const records = f.responses[0]!.partitions[0]!.records!;
  const answers = [plain.logAppendTimeMs, gzip.logAppendTimeMs];
  const stored: unknown[] = [];
  const appendTimes: number[] = [];
  const baseOffsets: number[] = [];
  for (let pos = 0, i = 0; pos < records.length; i++) {
    const size = records.readInt32BE(pos + 8) + 12;
    const b = Buffer.from(records.subarray(pos, pos + size));
    const appendTime = Number(b.readBigInt64BE(MAX_TIMESTAMP_OFFSET));
    appendTimes.push(appendTime);
    baseOffsets.push(Number(b.readBigInt64BE(0)));
    // The stored batch as sent but for the log-append-time bit, the max timestamp and the CRC.
    b.fill(0, MAX_TIMESTAMP_OFFSET, MAX_TIMESTAMP_OFFSET + 8);
    b.fill(0, 17, 21);
    stored.push({
      attributes: b.readInt16BE(21),
      maxTimestampIsTheAnsweredAppendTime: appendTime === answers[i],
      appendTimeDuringTheRequests: appendTime >= before - 1000 && appendTime <= after + 1000,
      bytes: b,
    });
    pos += size;
  }
  s.record('stored batches', stored);
  const max = await listOffsets(s, topic, -3, { label: 'max timestamp (not compared: an append time)' });
  s.trace.pop();
  const found = max.topics[0]!.partitions[0]!;
  // Both batches may share one millisecond: the first record with the latest time is the answer.
  const latest = Math.max(...appendTimes);
  s.record('max timestamp', {
    isTheLatestAppendTime: found.timestamp === latest,
    isTheFirstRecordWithIt: found.offset === baseOffsets[appendTimes.indexOf(latest)],
  });
});

// ---- Idempotence ----------------------------------------------------------------------------

scenario('InitProducerId v0 and v4: a new producer id each time, epoch 0', async (s) => {
  await initProducerId(s, 0);
  await initProducerId(s, 4);
  await initProducerId(s, 4);
});

scenario(
  'Idempotent Produce: in order, duplicates answer the original offsets',
  async (s) => {
    const topic = 'diff-idempotent-duplicates';
    await createTopic(s, topic);
    const { producerId } = await initProducerId(s, 4);
    const pid = { producerId, producerEpoch: 0 };
    await produce(s, topic, batchOf(['a', 'b'], { ...pid, baseSequence: 0 }), { label: 'seq 0-1' });
    await produce(s, topic, batchOf(['c'], { ...pid, baseSequence: 2 }), { label: 'seq 2' });
    await produce(s, topic, batchOf(['c'], { ...pid, baseSequence: 2 }), { label: 'seq 2 again' });
    await produce(s, topic, batchOf(['a', 'b'], { ...pid, baseSequence: 0 }), { label: 'seq 0-1 again' });
    await produce(s, topic, batchOf(['d'], { ...pid, baseSequence: 3 }), { acks: 1, label: 'seq 3, acks=1' });
    await listOffsets(s, topic, -1);
    await fetch(s, topic, 0);
  },
  { rules: [producerIdInRecords] },
);

scenario('Idempotent Produce: a duplicate older than the last five batches', async (s) => {
  const topic = 'diff-idempotent-old-duplicate';
  await createTopic(s, topic);
  const { producerId } = await initProducerId(s, 4);
  for (let seq = 0; seq < 7; seq++) {
    await produce(s, topic, batchOf([`v${seq}`], { producerId, producerEpoch: 0, baseSequence: seq }), {
      label: `seq ${seq}`,
    });
  }
  await produce(s, topic, batchOf(['v2'], { producerId, producerEpoch: 0, baseSequence: 2 }), {
    label: 'seq 2 again (5 back)',
  });
  await produce(s, topic, batchOf(['v1'], { producerId, producerEpoch: 0, baseSequence: 1 }), {
    label: 'seq 1 again (6 back)',
  });
  await listOffsets(s, topic, -1);
});

scenario('Idempotent Produce: a sequence gap is OUT_OF_ORDER_SEQUENCE_NUMBER', async (s) => {
  const topic = 'diff-idempotent-gap';
  await createTopic(s, topic);
  const { producerId } = await initProducerId(s, 4);
  const pid = { producerId, producerEpoch: 0 };
  await produce(s, topic, batchOf(['a'], { ...pid, baseSequence: 0 }), { label: 'seq 0' });
  await produce(s, topic, batchOf(['c'], { ...pid, baseSequence: 2 }), { label: 'seq 2 (gap)' });
  await produce(s, topic, batchOf(['b'], { ...pid, baseSequence: 1 }), { label: 'seq 1' });
  await listOffsets(s, topic, -1);
});

scenario('Idempotent Produce: epochs — an older epoch is fenced, a newer one starts at 0', async (s) => {
  const topic = 'diff-idempotent-epochs';
  await createTopic(s, topic);
  const { producerId } = await initProducerId(s, 4);
  const second = await initProducerId(s, 4);
  s.record('second InitProducerId gives another id', second.producerId !== producerId);
  await produce(s, topic, batchOf(['a'], { producerId, producerEpoch: 1, baseSequence: 0 }), {
    label: 'epoch 1 seq 0',
  });
  await produce(s, topic, batchOf(['b'], { producerId, producerEpoch: 0, baseSequence: 1 }), { label: 'epoch 0' });
  await produce(s, topic, batchOf(['c'], { producerId, producerEpoch: 2, baseSequence: 5 }), {
    label: 'epoch 2 seq 5',
  });
  await produce(s, topic, batchOf(['c'], { producerId, producerEpoch: 2, baseSequence: 0 }), {
    label: 'epoch 2 seq 0',
  });
  await listOffsets(s, topic, -1);
});

scenario('Idempotent Produce: an unknown producer id, and a first sequence that is not 0', async (s) => {
  const topic = 'diff-idempotent-unknown';
  await createTopic(s, topic);
  await produce(s, topic, batchOf(['a'], { producerId: 987_654, producerEpoch: 0, baseSequence: 0 }), {
    label: 'never-issued id, seq 0',
  });
  const { producerId } = await initProducerId(s, 0);
  await produce(s, topic, batchOf(['b'], { producerId, producerEpoch: 0, baseSequence: 42 }), {
    label: 'issued id, first seq 42',
  });
  await produce(s, topic, batchOf(['c'], { producerId, producerEpoch: 0, baseSequence: 43 }), {
    label: 'then 43',
  });
  await produce(s, topic, batchOf(['d'], { producerId: 123, producerEpoch: 0, baseSequence: -1 }), {
    label: 'a producer id without a sequence',
  });
  await listOffsets(s, topic, -1);
});
