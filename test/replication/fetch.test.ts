import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.ts';
import {
  BROKER,
  batch,
  closeBroker,
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

describe('ReplicaManager.fetchMessages: waiting in the purgatory', () => {
  it('parks a fetch with nothing to read and completes it when a produce appends', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't');
    const pending = b.rm.fetchMessages(fetchReq([{ topic: 't', partition: 0, fetchOffset: 0 }], { maxWaitMs: 10_000 }));
    await until(() => b.rm.fetchPurgatory.size === 1, 'the fetch to park');
    await produce(b, 't', 0, batch(2, { tag: 'new' }));
    const [r] = await pending;
    assert.deepEqual(values([r!]), ['new-0', 'new-1']);
    assert.equal(r!.highWatermark, 2);
    assert.equal(b.rm.fetchPurgatory.size, 0);
    assert.equal(b.clock.monotonic(), 0, 'no time passed: the append woke it');
  });

  it('answers an empty fetch at maxWaitMs', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't');
    await produce(b, 't', 0, batch(1));
    const pending = b.rm.fetchMessages(fetchReq([{ topic: 't', partition: 0, fetchOffset: 1 }], { maxWaitMs: 500 }));
    await until(() => b.rm.fetchPurgatory.size === 1, 'the fetch to park');
    b.clock.advance(499);
    assert.equal(await isSettled(pending), false);
    b.clock.advance(20);
    const [r] = await pending;
    assert.deepEqual([r!.errorCode, r!.records.length, r!.highWatermark], [0, 0, 1]);
  });

  it('waits for minBytes across appends and partitions', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't', 2);
    const one = batch(1, { valueBytes: 100 }).length;
    const pending = b.rm.fetchMessages(
      fetchReq(
        [
          { topic: 't', partition: 0, fetchOffset: 0 },
          { topic: 't', partition: 1, fetchOffset: 0 },
        ],
        { maxWaitMs: 10_000, minBytes: 2 * one + 1 },
      ),
    );
    await until(() => b.rm.fetchPurgatory.size === 1, 'the fetch to park');
    await produce(b, 't', 0, batch(1, { valueBytes: 100, tag: 'a' }));
    await produce(b, 't', 1, batch(1, { valueBytes: 100 }));
    assert.equal(await isSettled(pending), false, `${2 * one} bytes are below minBytes`);
    await produce(b, 't', 1, batch(1, { valueBytes: 100 }));
    const res = await pending;
    assert.deepEqual(
      res.map((r) => recordsOf(r.records).length),
      [1, 2],
    );
  });

  it('answers at once when minBytes are already there, or maxWaitMs is 0', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't');
    await produce(b, 't', 0, batch(3));
    const [r] = await b.rm.fetchMessages(
      fetchReq([{ topic: 't', partition: 0, fetchOffset: 0 }], { maxWaitMs: 10_000 }),
    );
    assert.equal(recordsOf(r!.records).length, 3);
    const [empty] = await b.rm.fetchMessages(
      fetchReq([{ topic: 't', partition: 0, fetchOffset: 3 }], { maxWaitMs: 0 }),
    );
    assert.equal(empty!.records.length, 0);
    assert.equal(b.rm.fetchPurgatory.size, 0);
  });

  it('completes a parked fetch when leadership moves away or the partition is deleted', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't', 2);
    const moved = b.rm.fetchMessages(fetchReq([{ topic: 't', partition: 0, fetchOffset: 0 }], { maxWaitMs: 60_000 }));
    const deleted = b.rm.fetchMessages(fetchReq([{ topic: 't', partition: 1, fetchOffset: 0 }], { maxWaitMs: 60_000 }));
    await until(() => b.rm.fetchPurgatory.size === 2, 'both fetches to park');
    await b.rm.becomeLeaderOrFollower([
      { topic: 't', partition: 0, leader: 2, leaderEpoch: 1, isr: [2], replicas: [BROKER, 2] },
    ]);
    assert.equal((await moved)[0]!.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    await b.rm.deletePartition('t', 1);
    assert.equal((await deleted)[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal(b.logManager.getLog('t', 1), undefined, 'the log is gone');
  });

  it('completes at once a fetch that stopped at the end of an older segment', async (t) => {
    const b = openBroker(tempDir(t), { log: { segmentBytes: 300 } });
    await lead(b, 't');
    for (let i = 0; i < 4; i++) await produce(b, 't', 0, batch(1, { valueBytes: 150 }));
    assert.ok(b.rm.partitionFor('t', 0)!.log.segments.length > 1);
    const [r] = await b.rm.fetchMessages(
      fetchReq([{ topic: 't', partition: 0, fetchOffset: 0 }], { maxWaitMs: 60_000, minBytes: 1_000_000 }),
    );
    assert.ok(r!.records.length > 0);
    assert.equal(b.clock.monotonic(), 0);
  });

  it('wakes a follower fetch on a LEO advance while consumers still wait for the HW', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't', 1, 0, [BROKER, 2]);
    const consumer = b.rm.fetchMessages(fetchReq([{ topic: 't', partition: 0, fetchOffset: 0 }], { maxWaitMs: 1000 }));
    const follower = b.rm.fetchMessages(
      fetchReq([{ topic: 't', partition: 0, fetchOffset: 0 }], { maxWaitMs: 1000, replicaId: 2 }),
    );
    await until(() => b.rm.fetchPurgatory.size === 2, 'both fetches to park');
    await produce(b, 't', 0, batch(2, { tag: 'f' }));
    assert.deepEqual(values(await follower), ['f-0', 'f-1']);
    assert.equal(await isSettled(consumer), false);
    b.clock.advance(1010);
    const [c] = await consumer;
    assert.deepEqual([c!.records.length, c!.highWatermark], [0, 0]);
  });
});

describe('ReplicaManager.fetchMessages: limits and errors', () => {
  it('applies maxBytes across partitions with the KIP-74 rule', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't', 3);
    const big = batch(1, { valueBytes: 5000, tag: 'big' });
    const size = big.length;
    await produce(b, 't', 0, big);
    await produce(b, 't', 1, batch(1, { valueBytes: 100 }));
    await produce(b, 't', 1, batch(1, { valueBytes: 100 }));
    await produce(b, 't', 2, batch(1, { valueBytes: 100 }));
    const small = batch(1, { valueBytes: 100 }).length;

    // maxBytes and partitionMaxBytes both below the first batch: it still comes whole.
    const all = (maxBytes: number, partitionMaxBytes: number) =>
      b.rm.fetchMessages(
        fetchReq(
          [0, 1, 2].map((partition) => ({ topic: 't', partition, fetchOffset: 0, partitionMaxBytes })),
          { maxBytes },
        ),
      );
    let res = await all(1000, 1000);
    assert.deepEqual(
      res.map((r) => r.records.length),
      [size, 0, 0],
      'the first batch whole, then the budget is spent',
    );
    // Budget left for one small batch of partition 1 and 10 bytes of its next one (the bytes are
    // cut exactly at the budget, inside a batch, as Kafka cuts them), none for partition 2.
    res = await all(size + small + 10, 1_000_000);
    assert.deepEqual(
      res.map((r) => r.records.length),
      [size, small + 10, 0],
    );
    assert.equal(values([res[1]!]).length, 1, 'the partial batch at the end holds no whole record');
    // partitionMaxBytes caps each partition (cutting inside a batch); after data, a too-large
    // batch is not forced.
    res = await all(1_000_000, small + 1);
    assert.deepEqual(
      res.map((r) => r.records.length),
      [size, small + 1, small],
    );
    // An empty first partition does not use up the "whole first batch" allowance.
    res = await b.rm.fetchMessages(
      fetchReq(
        [
          { topic: 't', partition: 2, fetchOffset: 1, partitionMaxBytes: 10 },
          { topic: 't', partition: 0, fetchOffset: 0, partitionMaxBytes: 10 },
        ],
        { maxBytes: 10 },
      ),
    );
    assert.deepEqual(
      res.map((r) => r.records.length),
      [0, size],
    );
  });

  it('answers OFFSET_OUT_OF_RANGE below the log start and above the LEO', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't');
    await produce(b, 't', 0, batch(5));
    await b.rm.deleteRecords([{ topic: 't', partition: 0, offset: 2 }]);
    const res = await b.rm.fetchMessages(
      fetchReq([
        { topic: 't', partition: 0, fetchOffset: 1 },
        { topic: 't', partition: 0, fetchOffset: 6 },
        { topic: 't', partition: 0, fetchOffset: 5 },
      ]),
    );
    assert.deepEqual(
      res.map((r) => [r.errorCode, r.highWatermark]),
      [
        [ErrorCode.OFFSET_OUT_OF_RANGE, -1],
        [ErrorCode.OFFSET_OUT_OF_RANGE, -1],
        [ErrorCode.NONE, 5],
      ],
    );
  });

  it('checks the current leader epoch the client sends', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't', 1, 4);
    const res = await b.rm.fetchMessages(
      fetchReq([
        { topic: 't', partition: 0, fetchOffset: 0, currentLeaderEpoch: 3 },
        { topic: 't', partition: 0, fetchOffset: 0, currentLeaderEpoch: 5 },
        { topic: 't', partition: 0, fetchOffset: 0, currentLeaderEpoch: 4 },
        { topic: 't', partition: 0, fetchOffset: 0, currentLeaderEpoch: -1 },
      ]),
    );
    assert.deepEqual(
      res.map((r) => r.errorCode),
      [ErrorCode.FENCED_LEADER_EPOCH, ErrorCode.UNKNOWN_LEADER_EPOCH, ErrorCode.NONE, ErrorCode.NONE],
    );
  });

  it('reads below the LSO for read_committed (the HW while no transaction is open)', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't');
    await produce(b, 't', 0, batch(2));
    const [r] = await b.rm.fetchMessages(
      fetchReq([{ topic: 't', partition: 0, fetchOffset: 0 }], { isolationLevel: 1 }),
    );
    assert.deepEqual([r!.lastStableOffset, r!.highWatermark, recordsOf(r!.records).length], [2, 2, 2]);
    assert.deepEqual(r!.abortedTransactions, []);
  });

  it('refuses fetches from brokers that are not replicas', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't');
    const [r] = await b.rm.fetchMessages(fetchReq([{ topic: 't', partition: 0, fetchOffset: 0 }], { replicaId: 7 }));
    assert.equal(r!.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });
});

describe('ReplicaManager.fetchMessages: data damaged on disk', () => {
  it('answers CORRUPT_MESSAGE for the damaged partition and serves the others', async (t) => {
    const dir = tempDir(t);
    const b = openBroker(dir);
    await lead(b, 't', 2);
    await produce(b, 't', 0, batch(2, { tag: 'p0' }));
    await produce(b, 't', 1, batch(2, { tag: 'p1' }));
    await closeBroker(b);
    const victim = `${dir}/t-0/00000000000000000000.log`;
    const bytes = readFileSync(victim);
    bytes[70]! ^= 0x55; // inside the first batch, past its header
    writeFileSync(victim, bytes);
    const again = openBroker(dir);
    await lead(again, 't', 2);
    const res = await again.rm.fetchMessages(
      fetchReq([
        { topic: 't', partition: 0, fetchOffset: 0 },
        { topic: 't', partition: 1, fetchOffset: 0 },
      ]),
    );
    assert.deepEqual(
      res.map((r) => [r.partition, r.errorCode]),
      [
        [0, ErrorCode.CORRUPT_MESSAGE],
        [1, ErrorCode.NONE],
      ],
    );
    assert.deepEqual(values([res[1]!]), ['p1-0', 'p1-1']);
    await closeBroker(again);
  });
});
