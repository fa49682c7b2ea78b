import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.ts';
import { BROKER, batch, lead, openBroker, produce, T0, tempDir } from './helpers.ts';

describe('ListOffsets', () => {
  it('answers earliest, latest, max timestamp and by timestamp, below the HW for consumers', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't', 1, 2, [BROKER, 2]);
    await produce(b, 't', 0, batch(2, { timestamp: T0 + 100 }));
    await produce(b, 't', 0, batch(2, { timestamp: T0 + 300 }));
    await produce(b, 't', 0, batch(1, { timestamp: T0 + 200 }));
    // The follower has the first two batches: HW = 4, LEO = 5.
    await b.rm.fetchMessages({
      replicaId: 2,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      partitions: [{ topic: 't', partition: 0, fetchOffset: 4, partitionMaxBytes: 1 << 20 }],
    });
    assert.deepEqual([b.rm.partitionFor('t', 0)!.highWatermark, b.rm.partitionFor('t', 0)!.logEndOffset], [4, 5]);

    const ask = (timestamp: number, replicaId = -1, isolationLevel = 0) =>
      b.rm.listOffsets({ replicaId, isolationLevel, partitions: [{ topic: 't', partition: 0, timestamp }] })[0]!;
    const pick = (r: ReturnType<typeof ask>) => [r.errorCode, r.timestamp, r.offset, r.leaderEpoch];
    assert.deepEqual(pick(ask(-2)), [0, -1, 0, 2], 'earliest');
    assert.deepEqual(pick(ask(-1)), [0, -1, 4, 2], 'latest is the HW');
    assert.deepEqual(pick(ask(-1, -1, 1)), [0, -1, 4, 2], 'read_committed: the LSO, the HW without transactions');
    assert.deepEqual(pick(ask(-1, 2)), [0, -1, 5, 2], 'a follower: the LEO');
    assert.deepEqual(pick(ask(-3)), [0, T0 + 300, 2, 2], 'max timestamp');
    assert.deepEqual(pick(ask(T0 + 150)), [0, T0 + 300, 2, 2], 'first record at or after the timestamp');
    assert.deepEqual(pick(ask(T0)), [0, T0 + 100, 0, 2]);
    assert.deepEqual(pick(ask(T0 + 301)), [0, -1, -1, -1], 'nothing that recent');
    assert.deepEqual(pick(ask(-5)), [0, -1, -1, -1], 'no tiered storage');
  });

  it('reports per-partition errors', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't', 1, 3);
    const res = b.rm.listOffsets({
      replicaId: -1,
      isolationLevel: 0,
      partitions: [
        { topic: 'nope', partition: 0, timestamp: -1 },
        { topic: 't', partition: 0, timestamp: -1, currentLeaderEpoch: 2 },
        { topic: 't', partition: 0, timestamp: -1, currentLeaderEpoch: 3 },
      ],
    });
    assert.deepEqual(
      res.map((r) => [r.errorCode, r.offset]),
      [
        [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1],
        [ErrorCode.FENCED_LEADER_EPOCH, -1],
        [ErrorCode.NONE, 0],
      ],
    );
  });
});

describe('DeleteRecords', () => {
  it('moves the log start offset up to the HW and no further', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't', 2);
    await produce(b, 't', 0, batch(5));
    await produce(b, 't', 1, batch(5));
    const res = await b.rm.deleteRecords([
      { topic: 't', partition: 0, offset: 3 },
      { topic: 't', partition: 1, offset: 6 },
      { topic: 'nope', partition: 0, offset: 1 },
      { topic: '__consumer_offsets', partition: 0, offset: 1 },
    ]);
    assert.deepEqual(
      res.map((r) => [r.errorCode, r.lowWatermark]),
      [
        [ErrorCode.NONE, 3],
        [ErrorCode.OFFSET_OUT_OF_RANGE, -1],
        [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1],
        [ErrorCode.INVALID_TOPIC_EXCEPTION, -1],
      ],
    );
    assert.equal(
      (await b.rm.deleteRecords([{ topic: 't', partition: 1, offset: -1 }]))[0]!.lowWatermark,
      5,
      '-1: up to the HW',
    );
    assert.equal(
      (await b.rm.deleteRecords([{ topic: 't', partition: 1, offset: -7 }]))[0]!.errorCode,
      ErrorCode.OFFSET_OUT_OF_RANGE,
    );
    assert.equal(
      (await b.rm.deleteRecords([{ topic: 't', partition: 0, offset: 1 }]))[0]!.lowWatermark,
      3,
      'never backwards',
    );
    const earliest = b.rm.listOffsets({
      replicaId: -1,
      isolationLevel: 0,
      partitions: [{ topic: 't', partition: 0, timestamp: -2 }],
    });
    assert.equal(earliest[0]!.offset, 3);
  });

  it('refuses compact-only topics with POLICY_VIOLATION', async (t) => {
    const b = openBroker(tempDir(t), { log: { cleanupPolicy: 'compact' } });
    await lead(b, 't');
    await produce(b, 't', 0, batch(2));
    const [r] = await b.rm.deleteRecords([{ topic: 't', partition: 0, offset: 1 }]);
    assert.equal(r!.errorCode, ErrorCode.POLICY_VIOLATION);
  });
});

describe('DescribeLogDirs', () => {
  it('lists each partition of each log dir with its size', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 'a', 2);
    await lead(b, 'b');
    await produce(b, 'a', 1, batch(3));
    const [dir] = b.rm.describeLogDirs(null);
    assert.equal(dir!.logDir, b.dir);
    assert.equal(dir!.errorCode, 0);
    assert.ok(dir!.totalBytes > 0 && dir!.usableBytes > 0 && dir!.usableBytes <= dir!.totalBytes);
    const sizes = Object.fromEntries(dir!.topics.map((x) => [x.topic, x.partitions.map((p) => [p.partition, p.size])]));
    assert.deepEqual(sizes, {
      a: [
        [0, 0],
        [1, b.rm.partitionFor('a', 1)!.log.size],
      ],
      b: [[0, 0]],
    });
    assert.ok(b.rm.partitionFor('a', 1)!.log.size > 0);
    const some = b.rm.describeLogDirs([{ topic: 'a', partitions: [1] }]);
    assert.deepEqual(
      some[0]!.topics.map((x) => [x.topic, x.partitions.map((p) => p.partition)]),
      [['a', [1]]],
    );
  });
});
