/**
 * Loading a __consumer_offsets partition when this broker becomes its leader, and unloading it when
 * it stops: last write per key wins, tombstones delete, foreign and broken records are skipped,
 * parked requests are answered when the partition moves away.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import {
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
} from '../../src/coordinator/group-records.ts';
import { ErrorCode } from '../../src/protocol/error-codes.ts';
import { encodeRecordBatch } from '../../src/protocol/records/record-encoder.ts';
import type { RecordInput } from '../../src/protocol/records/record-types.ts';
import { commitEntry, formGroup, type Harness, joinParams, settle, startHarness, track } from './harness.ts';

async function harness(t: TestContext, opts: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness(opts);
  t.after(() => h.close());
  return h;
}

const simple = { memberId: '', groupInstanceId: null, generationId: -1 };

/** Appends records straight to the partition's log, as another broker (or Kafka) would have. */
async function writeRaw(h: Harness, partition: number, records: RecordInput[], compression: 0 | 1 = 0): Promise<void> {
  const r = await h.log.append(partition, encodeRecordBatch({ records, compression }), 1000);
  assert.equal(r.errorCode, 0);
}

describe('loading and unloading a coordinator shard', () => {
  it('a restarted coordinator finds its stable groups, members, assignment and offsets again', async (t) => {
    const h = await harness(t);
    const g = await formGroup(h, 'g', 2);
    const c = h.coordinator;
    await c.commitOffsets({
      groupId: 'g',
      memberId: g.members[0]!,
      groupInstanceId: null,
      generationId: g.generationId,
      entries: [commitEntry('t', 0, 100), commitEntry('t', 1, 200)],
    });
    await c.commitOffsets({ groupId: 's', ...simple, entries: [commitEntry('t', 0, 5)] });

    const c2 = await h.restart();
    const loaded = c2.group('g')!;
    assert.equal(loaded.state, 'Stable');
    assert.equal(loaded.generationId, g.generationId);
    assert.equal(loaded.leaderId, g.leaderId);
    assert.equal(loaded.protocolName, 'range');
    assert.deepEqual(loaded.memberIds().sort(), [...g.members].sort());
    assert.deepEqual(loaded.get(g.members[1]!).assignment, Buffer.from(`assignment-of-${g.members[1]}`));
    assert.deepEqual(
      c2.fetchOffsets('g', false, null).offsets.map((o) => [o.partition, o.offset]),
      [
        [0, 100],
        [1, 200],
      ],
    );
    assert.equal(c2.fetchOffsets('s', false, [{ topic: 't', partition: 0 }]).offsets[0]!.offset, 5);
    // Members keep their place if they heartbeat...
    assert.equal(c2.heartbeat('g', g.members[0]!, null, g.generationId), ErrorCode.NONE);
    // ...and those that do not are expired after their session timeout.
    for (let i = 0; i < 4; i++) {
      await h.advance(2000);
      c2.heartbeat('g', g.members[0]!, null, g.generationId);
    }
    assert.equal(loaded.has(g.members[1]!), false);
    assert.equal(loaded.state, 'PreparingRebalance');
  });

  it('the last record of a key wins and tombstones delete, in any batch layout (compressed too)', async (t) => {
    const h = await harness(t);
    const p = h.coordinator.partitionFor('k');
    const value = (offset: number) =>
      encodeOffsetCommitValue({
        offset,
        leaderEpoch: -1,
        metadata: '',
        commitTimestamp: h.clock.now(),
        expireTimestamp: -1,
      });
    await writeRaw(h, p, [
      { key: encodeOffsetCommitKey('k', 't', 0), value: value(1) },
      { key: encodeOffsetCommitKey('k', 't', 1), value: value(2) },
      { key: encodeOffsetCommitKey('k', 't', 2), value: value(3) },
    ]);
    await writeRaw(
      h,
      p,
      [
        { key: encodeOffsetCommitKey('k', 't', 0), value: value(10) },
        { key: encodeOffsetCommitKey('k', 't', 1), value: null },
      ],
      1,
    );
    await writeRaw(h, p, [{ key: encodeOffsetCommitKey('gone', 't', 0), value: value(1) }]);
    await writeRaw(h, p, [{ key: encodeOffsetCommitKey('gone', 't', 0), value: null }]);
    const c = await h.restart();
    assert.deepEqual(
      c.fetchOffsets('k', false, null).offsets.map((o) => [o.partition, o.offset]),
      [
        [0, 10],
        [2, 3],
      ],
    );
    assert.equal(c.group('gone'), undefined, 'a group whose offsets were all deleted is not loaded');
  });

  it('offsets.topic.compression.codec: writes compressed batches and loads them back', async (t) => {
    const h = await harness(t, { config: { compressionCodec: 1 } });
    const c = h.coordinator;
    await c.commitOffsets({ groupId: 'z', ...simple, entries: [commitEntry('t', 0, 77)] });
    const batch = h.log.partitions.get(c.partitionFor('z'))!.batches.at(-1)!.bytes;
    assert.equal(batch.readInt16BE(21) & 0x07, 1, 'gzip');
    const c2 = await h.restart();
    assert.equal(c2.fetchOffsets('z', false, [{ topic: 't', partition: 0 }]).offsets[0]!.offset, 77);
  });

  it('loads records in older formats and skips unknown keys and broken values, with a warning', async (t) => {
    const h = await harness(t);
    const p = h.coordinator.partitionFor('old');
    // An offset value at version 1 (with expire timestamp) and a group value at version 3 with no members.
    await writeRaw(h, p, [
      {
        key: encodeOffsetCommitKey('old', 't', 0),
        value: encodeOffsetCommitValue({
          offset: 7,
          leaderEpoch: -1,
          metadata: 'x',
          commitTimestamp: 1,
          expireTimestamp: 9e12,
        }),
      },
      {
        key: encodeGroupMetadataKey('old'),
        value: encodeGroupMetadataValue({
          protocolType: 'consumer',
          generation: 4,
          protocol: null,
          leader: null,
          currentStateTimestamp: -1,
          members: [],
        }),
      },
      { key: Buffer.from([0, 9, 0, 0]), value: Buffer.from('from the future') },
      { key: encodeOffsetCommitKey('old', 't', 1), value: Buffer.from([0, 3, 1]) },
      { key: null, value: Buffer.from('no key') },
    ]);
    const c = await h.restart();
    const g = c.group('old')!;
    assert.equal(g.state, 'Empty');
    assert.equal(g.generationId, 4);
    assert.equal(g.protocolType, 'consumer');
    assert.equal(c.fetchOffsets('old', false, [{ topic: 't', partition: 0 }]).offsets[0]!.metadata, 'x');
    assert.ok(h.logger.matching(/skipping the record at offset 3/).length === 1);
  });

  it('a deleted group (tombstone) stays deleted; a group re-created afterwards is loaded', async (t) => {
    const h = await harness(t);
    const c = h.coordinator;
    await formGroup(h, 'g', 1);
    const m = c.group('g')!.memberIds()[0]!;
    c.leaveGroup('g', [{ memberId: m, groupInstanceId: null, reason: null }]);
    await settle();
    assert.deepEqual(await c.deleteGroups(['g']), [0]);
    await c.commitOffsets({ groupId: 'g', ...simple, entries: [commitEntry('t', 0, 3)] });
    const c2 = await h.restart();
    assert.equal(c2.group('g')!.generationId, 0, 'the simple group, not the deleted consumer group');
    assert.equal(c2.group('g')!.protocolType, null);
  });

  it('unloading answers parked requests NOT_COORDINATOR and stops serving the groups', async (t) => {
    const h = await harness(t);
    const c = h.coordinator;
    const joining = track(c.joinGroup(joinParams('g', { clientId: 'a' })));
    await settle();
    assert.equal(c.group('g')!.state, 'PreparingRebalance');
    const p = c.partitionFor('g');
    c.onResignation(p, 1);
    await settle();
    assert.equal(joining.value!.errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal((await c.joinGroup(joinParams('g'))).errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal(c.describeGroup('g').errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal(c.engine.rebalancePurgatory.size, 0, 'nothing left waiting');
    assert.equal(c.engine.heartbeatPurgatory.size, 0);

    // A stable group's parked SyncGroup is answered too.
    await c.onElection(p, 2);
    const a = track(c.joinGroup(joinParams('h2', { clientId: 'a' })));
    const b = track(c.joinGroup(joinParams('h2', { clientId: 'b' })));
    await h.advance(50);
    const follower = [a.value!, b.value!].find((r) => r.memberId !== r.leaderId)!;
    const q = c.partitionFor('h2');
    const parked = track(
      c.syncGroup({
        groupId: 'h2',
        generationId: follower.generationId,
        memberId: follower.memberId,
        groupInstanceId: null,
        protocolType: null,
        protocolName: null,
        assignments: new Map(),
      }),
    );
    await settle();
    c.onResignation(q, 5);
    await settle();
    assert.equal(parked.value!.errorCode, ErrorCode.NOT_COORDINATOR);
  });

  it('retries a load that failed, and serves once it succeeds', async (t) => {
    const h = await harness(t);
    const c = h.coordinator;
    await c.commitOffsets({ groupId: 'g', ...simple, entries: [commitEntry('t', 0, 3)] });
    const p = c.partitionFor('g');
    c.onResignation(p, 1);
    const read = h.log.read.bind(h.log);
    let failures = 1;
    h.log.read = async (partition, offset, maxBytes) => {
      if (failures-- > 0) throw new Error('disk on fire');
      return read(partition, offset, maxBytes);
    };
    await c.onElection(p, 2);
    assert.equal(c.fetchOffsets('g', false, null).errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    await h.advance(1000);
    assert.equal(c.fetchOffsets('g', false, null).offsets[0]!.offset, 3);
    assert.equal(h.logger.matching(/disk on fire/).length, 1);
  });
});
