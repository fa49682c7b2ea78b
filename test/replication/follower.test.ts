import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.ts';
import { BROKER, batch, fetchReq, isSettled, lead, openBroker, produce, tempDir, until } from './helpers.ts';

describe('the replication hooks: a follower copying its leader by hand', () => {
  it('copies batches with their offsets, epochs and producer state, then takes over as leader', async (t) => {
    // Broker 2 leads at epoch 5 with ISR [2, 1]; broker 1 (BROKER) follows.
    const leader = openBroker(tempDir(t), { rm: { brokerId: 2 } });
    await leader.rm.becomeLeaderOrFollower([
      { topic: 't', partition: 0, leader: 2, leaderEpoch: 5, isr: [2, BROKER], replicas: [2, BROKER] },
    ]);
    const follower = openBroker(tempDir(t));
    await follower.rm.becomeLeaderOrFollower([
      { topic: 't', partition: 0, leader: 2, leaderEpoch: 5, isr: [2, BROKER], replicas: [2, BROKER] },
    ]);

    const acked = produce(leader, 't', 0, batch(2, { producerId: 9, producerEpoch: 0, baseSequence: 0 }), -1);
    await until(() => leader.rm.producePurgatory.size === 1, 'acks=all to wait for the follower');
    const [copy] = await leader.rm.fetchMessages(
      fetchReq([{ topic: 't', partition: 0, fetchOffset: 0 }], { replicaId: BROKER }),
    );
    const fp = follower.rm.partitionFor('t', 0)!;
    const res = await fp.appendRecordsAsFollower(copy!.records);
    assert.deepEqual([res.firstOffset, res.lastOffset], [0, 1]);
    assert.equal(await isSettled(acked), false);
    // The follower's next fetch tells the leader it has offsets 0-1: HW moves, acks=all completes.
    const [next] = await leader.rm.fetchMessages(
      fetchReq([{ topic: 't', partition: 0, fetchOffset: 2 }], { replicaId: BROKER }),
    );
    assert.equal((await acked).errorCode, ErrorCode.NONE);
    assert.equal(next!.highWatermark, 0, 'a fetch reports the HW from before it moved it, as in Kafka');
    const [again] = await leader.rm.fetchMessages(
      fetchReq([{ topic: 't', partition: 0, fetchOffset: 2 }], { replicaId: BROKER }),
    );
    fp.updateFollowerHighWatermark(again!.highWatermark);
    assert.deepEqual([fp.logEndOffset, fp.highWatermark], [2, 2]);
    assert.deepEqual(fp.epochCache.entries, [{ epoch: 5, startOffset: 0 }], 'epochs come from the batch headers');

    // Clients may not use the follower.
    assert.equal((await produce(follower, 't', 0, batch(1))).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);

    // Leader fails over to broker 1 at epoch 6: the producer's retry is recognised there.
    await lead(follower, 't', 1, 6);
    const retry = await produce(follower, 't', 0, batch(2, { producerId: 9, producerEpoch: 0, baseSequence: 0 }));
    assert.deepEqual([retry.errorCode, retry.baseOffset], [0, 0]);
    assert.equal(fp.logEndOffset, 2, 'the retry was not written again');
    assert.deepEqual(fp.epochCache.entries, [
      { epoch: 5, startOffset: 0 },
      { epoch: 6, startOffset: 2 },
    ]);
  });
});

describe('a follower appending a fetch answer cut inside a batch', () => {
  // Regression: fetch answers are cut at maxBytes inside a batch, as Kafka cuts them (found by
  // the differential tests); a follower appends the whole batches and fetches the rest next.
  it('appends the whole batches and leaves the partial one for the next fetch', async (t) => {
    const leader = openBroker(tempDir(t), { rm: { brokerId: 2 } });
    const state = { topic: 't', partition: 0, leader: 2, leaderEpoch: 1, isr: [2, BROKER], replicas: [2, BROKER] };
    await leader.rm.becomeLeaderOrFollower([state]);
    const follower = openBroker(tempDir(t));
    await follower.rm.becomeLeaderOrFollower([state]);
    const first = batch(2, { tag: 'a' });
    await produce(leader, 't', 0, first, 1);
    await produce(leader, 't', 0, batch(3, { tag: 'b' }), 1);
    const [cut] = await leader.rm.fetchMessages(
      fetchReq([{ topic: 't', partition: 0, fetchOffset: 0 }], { replicaId: BROKER, maxBytes: first.length + 20 }),
    );
    assert.equal(cut!.records.length, first.length + 20, 'cut 20 bytes into the second batch');
    const fp = follower.rm.partitionFor('t', 0)!;
    const res = await fp.appendRecordsAsFollower(cut!.records);
    assert.deepEqual([res.firstOffset, res.lastOffset, fp.logEndOffset], [0, 1, 2]);
    const [rest] = await leader.rm.fetchMessages(
      fetchReq([{ topic: 't', partition: 0, fetchOffset: 2 }], { replicaId: BROKER }),
    );
    await fp.appendRecordsAsFollower(rest!.records);
    assert.equal(fp.logEndOffset, 5);
  });
});

describe('ReplicaManager.shutdown', () => {
  it('answers every waiting request and snapshots producer state at the log end offset', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't', 1, 0, [BROKER, 2]);
    const produced = produce(b, 't', 0, batch(1, { producerId: 3, producerEpoch: 0, baseSequence: 0 }), -1, 60_000);
    const fetched = b.rm.fetchMessages(fetchReq([{ topic: 't', partition: 0, fetchOffset: 0 }], { maxWaitMs: 60_000 }));
    await until(() => b.rm.producePurgatory.size === 1 && b.rm.fetchPurgatory.size === 1, 'both to park');
    await b.rm.shutdown();
    assert.equal((await produced).errorCode, ErrorCode.REQUEST_TIMED_OUT);
    const [f] = await fetched;
    assert.equal(f!.records.length, 0, 'nothing below the HW');
    assert.equal((await produce(b, 't', 0, batch(1))).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const { readdirSync } = await import('node:fs');
    assert.ok(readdirSync(`${b.dir}/t-0`).includes('00000000000000000001.snapshot'));
  });
});
