import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { MemoryLogger } from '../../src/common/logger.ts';
import { ErrorCode } from '../../src/protocol/error-codes.ts';
import { LeaderEpochCache } from '../../src/replication/leader-epoch-cache.ts';
import { nodeFileIO } from '../../src/storage/file-io.ts';
import { decodeLeaderEpochCheckpoint } from '../../src/storage/leader-epoch-checkpoint.ts';
import {
  BROKER,
  batch,
  closeBroker,
  crashBroker,
  epochsOf,
  fetchReq,
  lead,
  openBroker,
  produce,
  tempDir,
} from './helpers.ts';

describe('LeaderEpochCache', () => {
  it('assigns epochs monotonically and answers end offsets like Kafka', () => {
    const c = LeaderEpochCache.inMemory([], new MemoryLogger());
    assert.deepEqual(c.endOffsetFor(0, 10), { epoch: -1, endOffset: -1 }, 'empty cache');
    assert.equal(c.assign(1, 0), true);
    assert.equal(c.assign(1, 5), false, 'same epoch later: no change');
    c.assign(3, 10);
    c.assign(5, 20);
    assert.deepEqual(c.entries, [
      { epoch: 1, startOffset: 0 },
      { epoch: 3, startOffset: 10 },
      { epoch: 5, startOffset: 20 },
    ]);
    assert.deepEqual(c.endOffsetFor(5, 25), { epoch: 5, endOffset: 25 }, 'latest epoch: the LEO');
    assert.deepEqual(c.endOffsetFor(3, 25), { epoch: 3, endOffset: 20 });
    assert.deepEqual(c.endOffsetFor(4, 25), { epoch: 3, endOffset: 20 }, 'unknown epoch: the largest below it');
    assert.deepEqual(c.endOffsetFor(0, 25), { epoch: 0, endOffset: 0 }, 'below every epoch');
    assert.deepEqual(c.endOffsetFor(6, 25), { epoch: -1, endOffset: -1 }, 'above every epoch');
    assert.deepEqual(c.endOffsetFor(-1, 25), { epoch: -1, endOffset: -1 });
    assert.deepEqual(
      [c.epochForOffset(0), c.epochForOffset(19), c.epochForOffset(20), c.epochForOffset(99)],
      [1, 3, 5, 5],
    );

    c.assign(6, 20);
    assert.deepEqual(
      c.entries.at(-1),
      { epoch: 6, startOffset: 20 },
      'an epoch at the same start replaces the empty one',
    );
    assert.equal(c.entries.length, 3);
    c.truncateFromEnd(15);
    assert.deepEqual(
      c.entries.map((e) => e.epoch),
      [1, 3],
    );
    c.truncateFromStart(12);
    assert.deepEqual(c.entries, [{ epoch: 3, startOffset: 12 }]);
  });

  it("writes leader-epoch-checkpoint in Kafka's format and reads it back", async (t) => {
    const dir = tempDir(t);
    const logger = new MemoryLogger();
    const c = LeaderEpochCache.load(nodeFileIO, dir, logger);
    c.assign(0, 0);
    c.assign(2, 3);
    await c.flushed();
    assert.equal(readFileSync(`${dir}/leader-epoch-checkpoint`, 'utf8'), '0\n2\n0 0\n2 3\n');
    assert.deepEqual(LeaderEpochCache.load(nodeFileIO, dir, logger).entries, c.entries);

    writeFileSync(`${dir}/leader-epoch-checkpoint`, '0\n2\n0 0\n');
    assert.deepEqual(LeaderEpochCache.load(nodeFileIO, dir, logger).entries, [], 'a damaged file is dropped');
    assert.match(logger.lines.join('\n'), /expected 2 entries, found 1/);
    assert.throws(() => decodeLeaderEpochCheckpoint(Buffer.from('1\n0\n'), 'f'), /unknown version/);
    assert.throws(() => decodeLeaderEpochCheckpoint(Buffer.from('0\n2\n3 5\n2 9\n'), 'f'), /does not follow/);
  });
});

describe('leader epochs through the ReplicaManager', () => {
  it('records each leadership epoch at the LEO, stamps batches, and answers OffsetForLeaderEpoch', async (t) => {
    const dir = tempDir(t);
    let b = openBroker(dir);
    await lead(b, 't', 1, 0);
    await produce(b, 't', 0, batch(3));
    await lead(b, 't', 1, 2);
    await produce(b, 't', 0, batch(2));
    await b.rm.partitionFor('t', 0)!.epochCache.flushed();
    assert.equal(readFileSync(`${dir}/t-0/leader-epoch-checkpoint`, 'utf8'), '0\n2\n0 0\n2 3\n');
    const [f] = await b.rm.fetchMessages(fetchReq([{ topic: 't', partition: 0, fetchOffset: 0 }]));
    assert.deepEqual(epochsOf(f!.records), [0, 2]);

    const ask = (leaderEpoch: number, currentLeaderEpoch?: number) =>
      b.rm.offsetForLeaderEpoch(-1, [{ topic: 't', partition: 0, leaderEpoch, currentLeaderEpoch }])[0]!;
    assert.deepEqual([ask(0).leaderEpoch, ask(0).endOffset], [0, 3]);
    assert.deepEqual([ask(1).leaderEpoch, ask(1).endOffset], [0, 3]);
    assert.deepEqual([ask(2).leaderEpoch, ask(2).endOffset], [2, 5]);
    assert.deepEqual([ask(3).leaderEpoch, ask(3).endOffset], [-1, -1]);
    assert.equal(ask(2, 1).errorCode, ErrorCode.FENCED_LEADER_EPOCH);
    assert.equal(
      b.rm.offsetForLeaderEpoch(-1, [{ topic: 'x', partition: 0, leaderEpoch: 0 }])[0]!.errorCode,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );

    await closeBroker(b);
    b = openBroker(dir);
    await lead(b, 't', 1, 2);
    assert.deepEqual(b.rm.partitionFor('t', 0)!.epochCache.entries, [
      { epoch: 0, startOffset: 0 },
      { epoch: 2, startOffset: 3 },
    ]);
    const r = b.rm.offsetForLeaderEpoch(-1, [{ topic: 't', partition: 0, leaderEpoch: 0 }])[0]!;
    assert.deepEqual([r.leaderEpoch, r.endOffset], [0, 3]);
    // A follower answers OffsetForLeaderEpoch only to debug clients.
    await b.rm.becomeLeaderOrFollower([
      { topic: 't', partition: 0, leader: 9, leaderEpoch: 3, isr: [9], replicas: [9, BROKER] },
    ]);
    assert.equal(
      b.rm.offsetForLeaderEpoch(-1, [{ topic: 't', partition: 0, leaderEpoch: 0 }])[0]!.errorCode,
      ErrorCode.NOT_LEADER_OR_FOLLOWER,
    );
    assert.equal(
      b.rm.offsetForLeaderEpoch(-2, [{ topic: 't', partition: 0, leaderEpoch: 0 }])[0]!.errorCode,
      ErrorCode.NONE,
    );
  });

  it('rebuilds epochs the checkpoint missed from the batch headers after a crash', async (t) => {
    const dir = tempDir(t);
    let b = openBroker(dir);
    await lead(b, 't', 1, 4);
    await produce(b, 't', 0, batch(2));
    await crashBroker(b);
    writeFileSync(`${dir}/t-0/leader-epoch-checkpoint`, '0\n0\n');
    b = openBroker(dir);
    await lead(b, 't', 1, 4);
    assert.deepEqual(b.rm.partitionFor('t', 0)!.epochCache.entries, [{ epoch: 4, startOffset: 0 }]);
  });
});
