import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.ts';
import { Compression } from '../../src/protocol/records/batch-format.ts';
import { crc32c } from '../../src/protocol/records/crc32c.ts';
import { encodeRecordBatch } from '../../src/protocol/records/record-encoder.ts';
import {
  BROKER,
  batch,
  epochsOf,
  fetchReq,
  isSettled,
  lead,
  openBroker,
  produce,
  recordsOf,
  tempDir,
  until,
  values,
} from './helpers.ts';

/** Recomputes the CRC of a single batch edited on purpose. */
function fixCrc(b: Buffer): Buffer {
  b.writeUInt32BE(crc32c(b, 21, b.length), 17);
  return b;
}

describe('ReplicaManager.appendRecords', () => {
  it('round-trips batches through produce and fetch, stamping offsets and the leader epoch', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 'orders', 2, 3);
    const r1 = await produce(b, 'orders', 0, batch(3, { tag: 'a' }));
    const r2 = await produce(b, 'orders', 0, batch(2, { tag: 'b' }));
    const r3 = await produce(b, 'orders', 1, batch(1, { tag: 'c' }));
    assert.deepEqual(
      [r1, r2, r3].map((r) => [r.errorCode, r.baseOffset, r.logAppendTime, r.logStartOffset]),
      [
        [0, 0, -1, 0],
        [0, 3, -1, 0],
        [0, 0, -1, 0],
      ],
    );
    const [f0, f1] = await b.rm.fetchMessages(
      fetchReq([
        { topic: 'orders', partition: 0, fetchOffset: 0 },
        { topic: 'orders', partition: 1, fetchOffset: 0 },
      ]),
    );
    assert.deepEqual(recordsOf(f0!.records), [
      { offset: 0, value: 'a-0' },
      { offset: 1, value: 'a-1' },
      { offset: 2, value: 'a-2' },
      { offset: 3, value: 'b-0' },
      { offset: 4, value: 'b-1' },
    ]);
    assert.deepEqual(epochsOf(f0!.records), [3, 3]);
    assert.deepEqual([f0!.errorCode, f0!.highWatermark, f0!.lastStableOffset, f0!.logStartOffset], [0, 5, 5, 0]);
    assert.equal(f0!.abortedTransactions, null, 'read_uncommitted: null, as Kafka sends it');
    assert.deepEqual(values([f1!]), ['c-0']);
  });

  it('stamps LogAppendTime from the clock and reports it', async (t) => {
    const b = openBroker(tempDir(t), { log: { messageTimestampType: 'LogAppendTime' } });
    await lead(b, 't');
    b.clock.advance(1234);
    const r = await produce(b, 't', 0, batch(2));
    assert.equal(r.errorCode, 0);
    assert.equal(r.logAppendTime, b.clock.now());
  });

  it('acks=0 and acks=1 answer after the local append; acks=-1 goes through the purgatory', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't');
    assert.equal((await produce(b, 't', 0, batch(1), 0)).baseOffset, 0);
    assert.equal((await produce(b, 't', 0, batch(1), 1)).baseOffset, 1);
    const r = await produce(b, 't', 0, batch(1), -1);
    assert.deepEqual([r.errorCode, r.baseOffset], [0, 2]);
    assert.equal(b.rm.producePurgatory.size, 0, 'single-node acks=-1 completes at once');
  });

  it('answers INVALID_REQUIRED_ACKS for every partition when acks is not -1, 0 or 1', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't', 2);
    const res = await b.rm.appendRecords({
      timeoutMs: 1000,
      requiredAcks: 2,
      internalTopicsAllowed: false,
      entries: [
        { topic: 't', partition: 0, records: batch(1) },
        { topic: 't', partition: 1, records: batch(1) },
      ],
    });
    assert.deepEqual(
      res.map((r) => [r.errorCode, r.baseOffset]),
      [
        [ErrorCode.INVALID_REQUIRED_ACKS, -1],
        [ErrorCode.INVALID_REQUIRED_ACKS, -1],
      ],
    );
    assert.equal(b.rm.partitionFor('t', 0)!.logEndOffset, 0, 'nothing written');
  });

  it('maps each bad partition to its own error and still writes the good ones', async (t) => {
    const b = openBroker(tempDir(t), { log: { maxMessageBytes: 500 } });
    await lead(b, 't', 4);
    await lead(b, '__consumer_offsets');
    const corrupt = batch(2);
    corrupt[corrupt.length - 1]! ^= 0xff;
    const res = await b.rm.appendRecords({
      timeoutMs: 1000,
      requiredAcks: 1,
      internalTopicsAllowed: false,
      entries: [
        { topic: 't', partition: 0, records: batch(1) },
        { topic: 't', partition: 1, records: corrupt },
        { topic: 't', partition: 2, records: batch(3, { valueBytes: 400 }) },
        { topic: 't', partition: 3, records: null },
        { topic: 't', partition: 9, records: batch(1) },
        { topic: 'nope', partition: 0, records: batch(1) },
        { topic: '__consumer_offsets', partition: 0, records: batch(1) },
      ],
    });
    assert.deepEqual(
      res.map((r) => [r.topic, r.partition, r.errorCode]),
      [
        ['t', 0, ErrorCode.NONE],
        ['t', 1, ErrorCode.CORRUPT_MESSAGE],
        ['t', 2, ErrorCode.MESSAGE_TOO_LARGE],
        ['t', 3, ErrorCode.INVALID_RECORD],
        ['t', 9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        ['nope', 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        ['__consumer_offsets', 0, ErrorCode.INVALID_TOPIC_EXCEPTION],
      ],
    );
    for (const r of res.slice(1)) assert.deepEqual([r.baseOffset, r.logStartOffset], [-1, -1]);
    assert.match(res[1]!.errorMessage!, /CRC/);
    assert.equal(b.rm.partitionFor('t', 1)!.logEndOffset, 0);
    const internal = await b.rm.appendRecords({
      timeoutMs: 1000,
      requiredAcks: 1,
      internalTopicsAllowed: true,
      entries: [{ topic: '__consumer_offsets', partition: 0, records: batch(1) }],
    });
    assert.equal(internal[0]!.errorCode, ErrorCode.NONE, 'the coordinators may write internal topics');
  });

  it('refuses control batches from clients (INVALID_RECORD)', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't');
    const control = batch(1);
    control.writeInt16BE(control.readInt16BE(21) | 0x20, 21);
    const r = await produce(b, 't', 0, fixCrc(control));
    assert.equal(r.errorCode, ErrorCode.INVALID_RECORD);
  });

  // Regression: found by the differential tests (test/differential/produce.kafka-test.ts). Kafka
  // checks a client batch in this order — base offset, size, CRC, codec, counts — and the error
  // decides whether the answer carries the log start offset.
  it("checks a client batch in Kafka's order, with Kafka's codes and log start offsets", async (t) => {
    const b = openBroker(tempDir(t), { log: { maxMessageBytes: 500 } });
    await lead(b, 't');
    await produce(b, 't', 0, batch(2));
    await b.rm.deleteRecords([{ topic: 't', partition: 0, offset: 1 }]);
    const based = batch(1);
    based.writeInt32BE(7, 4); // base offset 7
    const count = batch(2);
    count.writeInt32BE(3, 57); // 3 records for offset deltas 0..1
    const empty = encodeRecordBatch({ records: [] });
    const codec = batch(1);
    codec.writeInt16BE(codec.readInt16BE(21) | 5, 21);
    const bigAndCorrupt = batch(3, { valueBytes: 400 });
    bigAndCorrupt[bigAndCorrupt.length - 1]! ^= 0xff;
    const cases: [string, Buffer, number, number][] = [
      ['base offset 7 (and a bad CRC)', based, ErrorCode.INVALID_RECORD, 1],
      ['too large (and a bad CRC)', bigAndCorrupt, ErrorCode.MESSAGE_TOO_LARGE, -1],
      ['record count 3 for 2 offsets', fixCrc(count), ErrorCode.INVALID_RECORD, 1],
      ['no records', empty, ErrorCode.INVALID_RECORD, 1],
      ['codec 5', fixCrc(codec), ErrorCode.UNKNOWN_SERVER_ERROR, 1],
    ];
    for (const [what, records, code, logStart] of cases) {
      const r = await produce(b, 't', 0, records);
      assert.deepEqual([r.errorCode, r.baseOffset, r.logStartOffset], [code, -1, logStart], what);
    }
    assert.equal(b.rm.partitionFor('t', 0)!.logEndOffset, 2, 'nothing written');
  });

  // Regression: found by the differential tests. A compacted topic refuses records without a
  // key, listing each (Kafka's record errors and wording), and writes nothing of the batch.
  it('refuses keyless records on a compacted topic with one record error each', async (t) => {
    const b = openBroker(tempDir(t), { log: { cleanupPolicy: 'compact' } });
    await lead(b, 't');
    const records = [null, 'k', null].map((key, i) => ({
      key: key === null ? null : Buffer.from(key),
      value: Buffer.from(`v${i}`),
    }));
    const r = await produce(b, 't', 0, encodeRecordBatch({ records, compression: Compression.gzip }));
    assert.deepEqual([r.errorCode, r.baseOffset, r.logStartOffset], [ErrorCode.INVALID_RECORD, -1, 0]);
    const message = 'Compacted topic cannot accept message without key in topic partition t-0';
    assert.deepEqual(r.recordErrors, [
      { batchIndex: 0, message },
      { batchIndex: 2, message },
    ]);
    assert.equal(b.rm.partitionFor('t', 0)!.logEndOffset, 0);
    const keyed = encodeRecordBatch({ records: [{ key: Buffer.from('k'), value: null }] });
    assert.equal((await produce(b, 't', 0, keyed)).errorCode, ErrorCode.NONE, 'a tombstone with a key is fine');
  });

  it('answers NOT_LEADER_OR_FOLLOWER for a partition this broker follows', async (t) => {
    const b = openBroker(tempDir(t));
    await b.rm.becomeLeaderOrFollower([
      { topic: 't', partition: 0, leader: 2, leaderEpoch: 1, isr: [2, BROKER], replicas: [2, BROKER] },
    ]);
    const r = await produce(b, 't', 0, batch(1));
    assert.equal(r.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const [f] = await b.rm.fetchMessages(fetchReq([{ topic: 't', partition: 0, fetchOffset: 0 }]));
    assert.equal(f!.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  it('refuses acks=-1 with NOT_ENOUGH_REPLICAS when the ISR is below min.insync.replicas', async (t) => {
    const b = openBroker(tempDir(t), { rm: { minInsyncReplicas: () => 2 } });
    await lead(b, 't');
    assert.equal((await produce(b, 't', 0, batch(1), -1)).errorCode, ErrorCode.NOT_ENOUGH_REPLICAS);
    assert.equal(b.rm.partitionFor('t', 0)!.logEndOffset, 0, 'nothing written');
    assert.equal((await produce(b, 't', 0, batch(1), 1)).errorCode, ErrorCode.NONE, 'acks=1 does not care');
  });
});

describe('high watermark and acks=all with a follower in the ISR', () => {
  it('hides records above the HW and completes acks=-1 when the follower fetches past them', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't', 1, 0, [BROKER, 2]);
    const p = b.rm.partitionFor('t', 0)!;
    const pending = produce(b, 't', 0, batch(2, { tag: 'x' }), -1, 5000);
    await until(() => b.rm.producePurgatory.size === 1, 'the produce to park');
    assert.equal(p.logEndOffset, 2);
    assert.equal(p.highWatermark, 0, 'the follower has nothing yet');
    const [hidden] = await b.rm.fetchMessages(fetchReq([{ topic: 't', partition: 0, fetchOffset: 0 }]));
    assert.deepEqual([hidden!.records.length, hidden!.highWatermark], [0, 0]);

    // The follower fetches from 0 (it has nothing): it reads up to the LEO, the HW stays.
    const [follower] = await b.rm.fetchMessages(
      fetchReq([{ topic: 't', partition: 0, fetchOffset: 0 }], { replicaId: 2 }),
    );
    assert.deepEqual(values([follower!]), ['x-0', 'x-1']);
    assert.equal(await isSettled(pending), false);
    // Its next fetch from 2 says it has everything: HW moves, the produce completes.
    await b.rm.fetchMessages(fetchReq([{ topic: 't', partition: 0, fetchOffset: 2 }], { replicaId: 2 }));
    const r = await pending;
    assert.deepEqual([r.errorCode, r.baseOffset], [0, 0]);
    assert.equal(p.highWatermark, 2);
    const [visible] = await b.rm.fetchMessages(fetchReq([{ topic: 't', partition: 0, fetchOffset: 0 }]));
    assert.deepEqual(values([visible!]), ['x-0', 'x-1']);
  });

  it('times out acks=-1 with REQUEST_TIMED_OUT, keeping the offset it was written at', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't', 1, 0, [BROKER, 2]);
    const pending = produce(b, 't', 0, batch(1), -1, 1000);
    await until(() => b.rm.producePurgatory.size === 1, 'the produce to park');
    b.clock.advance(999);
    assert.equal(await isSettled(pending), false);
    b.clock.advance(20);
    const r = await pending;
    assert.deepEqual([r.errorCode, r.baseOffset], [ErrorCode.REQUEST_TIMED_OUT, 0]);
    assert.equal(b.rm.producePurgatory.size, 0);
  });

  it('completes a waiting acks=-1 with NOT_LEADER_OR_FOLLOWER when leadership moves away', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't', 1, 0, [BROKER, 2]);
    const pending = produce(b, 't', 0, batch(1), -1, 60_000);
    await until(() => b.rm.producePurgatory.size === 1, 'the produce to park');
    await b.rm.becomeLeaderOrFollower([
      { topic: 't', partition: 0, leader: 2, leaderEpoch: 1, isr: [2], replicas: [BROKER, 2] },
    ]);
    assert.equal((await pending).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  it('refuses a leadership change with an older epoch', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't', 1, 5);
    const [r] = await b.rm.becomeLeaderOrFollower([
      { topic: 't', partition: 0, leader: BROKER, leaderEpoch: 4, isr: [BROKER], replicas: [BROKER] },
    ]);
    assert.equal(r!.errorCode, ErrorCode.FENCED_LEADER_EPOCH);
    assert.equal(b.rm.partitionFor('t', 0)!.leaderEpoch, 5);
  });
});
