/**
 * Offset commits, fetches, deletion, group deletion and expiration on the in-memory offsets log.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { decodeOffsetCommitValue, decodeRecordKey } from '../../src/coordinator/group-records.ts';
import { ErrorCode } from '../../src/protocol/error-codes.ts';
import { commitEntry, formGroup, type Harness, joinParams, settle, startHarness, track } from './harness.ts';

async function harness(t: TestContext, opts: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness(opts);
  t.after(() => h.close());
  return h;
}

const simple = { memberId: '', groupInstanceId: null, generationId: -1 };

describe('committed offsets', () => {
  it('simple commits (generation -1) create the group, are written, then fetched', async (t) => {
    const h = await harness(t);
    const c = h.coordinator;
    const r = await c.commitOffsets({
      groupId: 's',
      ...simple,
      entries: [commitEntry('t', 0, 10, { metadata: 'm', leaderEpoch: 3 }), commitEntry('t', 1, 20)],
    });
    assert.deepEqual(r, [0, 0]);
    const fetched = c.fetchOffsets('s', false, [
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
      { topic: 't', partition: 2 },
    ]);
    assert.equal(fetched.errorCode, 0);
    assert.deepEqual(
      fetched.offsets.map((o) => [o.partition, o.offset, o.leaderEpoch, o.metadata]),
      [
        [0, 10, 3, 'm'],
        [1, 20, -1, ''],
        [2, -1, -1, ''],
      ],
    );
    assert.equal(c.fetchOffsets('s', false, null).offsets.length, 2, 'null partitions: every committed one');
    assert.deepEqual(c.fetchOffsets('unknown', false, [{ topic: 't', partition: 0 }]).offsets[0]!.offset, -1);
    // The records are Kafka's: key (group, topic, partition), value version 3.
    const records = h.log.records(c.partitionFor('s'));
    assert.deepEqual(decodeRecordKey(records[0]!.key), { kind: 'offset', group: 's', topic: 't', partition: 0 });
    assert.equal(decodeOffsetCommitValue(records[0]!.value!).offset, 10);
    assert.equal(c.describeGroup('s').state, 'Empty');
    assert.equal(c.describeGroup('s').protocolType, '');
  });

  it('answers a commit only after its records are written; require_stable sees it in flight', async (t) => {
    const h = await harness(t);
    const c = h.coordinator;
    h.log.hold();
    const commit = track(c.commitOffsets({ groupId: 's', ...simple, entries: [commitEntry('t', 0, 5)] }));
    await settle();
    assert.equal(commit.done, false);
    const stable = c.fetchOffsets('s', true, [{ topic: 't', partition: 0 }]).offsets[0]!;
    assert.equal(stable.errorCode, ErrorCode.UNSTABLE_OFFSET_COMMIT);
    assert.equal(c.fetchOffsets('s', false, [{ topic: 't', partition: 0 }]).offsets[0]!.offset, -1);
    h.log.release();
    await settle();
    assert.deepEqual(commit.value, [0]);
    assert.equal(c.fetchOffsets('s', true, [{ topic: 't', partition: 0 }]).offsets[0]!.offset, 5);
  });

  it('coalesces concurrent commits of one partition into few appends', async (t) => {
    const h = await harness(t);
    const c = h.coordinator;
    const before = h.log.appends;
    const commits = [];
    for (let i = 0; i < 50; i++)
      commits.push(c.commitOffsets({ groupId: 's', ...simple, entries: [commitEntry('t', 0, i)] }));
    const results = await Promise.all(commits);
    assert.ok(results.every((r) => r[0] === 0));
    assert.ok(h.log.appends - before <= 2, `${h.log.appends - before} appends for 50 commits`);
    assert.equal(
      c.fetchOffsets('s', false, [{ topic: 't', partition: 0 }]).offsets[0]!.offset,
      49,
      'the last commit wins',
    );
  });

  it('validates commits against the group: generation, member, rebalance, metadata size, failures', async (t) => {
    const h = await harness(t, { config: { offsetMetadataMaxBytes: 10 } });
    const c = h.coordinator;
    const g = await formGroup(h, 'g', 2);
    const [m0, m1] = g.members as [string, string];
    const commit = (memberId: string, generationId: number, entries = [commitEntry('t', 0, 1)]) =>
      c.commitOffsets({ groupId: 'g', memberId, groupInstanceId: null, generationId, entries });
    assert.deepEqual(await commit(m0, g.generationId), [0]);
    assert.deepEqual(await commit(m0, g.generationId + 1), [ErrorCode.ILLEGAL_GENERATION]);
    assert.deepEqual(await commit('ghost', g.generationId), [ErrorCode.UNKNOWN_MEMBER_ID]);
    assert.deepEqual(await commit('', -1), [ErrorCode.UNKNOWN_MEMBER_ID], 'simple commits need an Empty group');
    assert.deepEqual(
      await commit(m1, g.generationId, [commitEntry('t', 1, 1, { metadata: 'x'.repeat(11) }), commitEntry('t', 2, 2)]),
      [ErrorCode.OFFSET_METADATA_TOO_LARGE, 0],
    );
    // During PreparingRebalance commits of the old generation still go through.
    c.leaveGroup('g', [{ memberId: m1, groupInstanceId: null, reason: null }]);
    assert.equal(c.group('g')!.state, 'PreparingRebalance');
    assert.deepEqual(await commit(m0, g.generationId), [0]);
    // During CompletingRebalance they are refused.
    await c.joinGroup(joinParams('g', { memberId: m0 }));
    assert.equal(c.group('g')!.state, 'CompletingRebalance');
    assert.deepEqual(await commit(m0, g.generationId + 1), [ErrorCode.REBALANCE_IN_PROGRESS]);
    // A commit for a group that does not exist with a generation is stale.
    assert.deepEqual(
      await c.commitOffsets({
        groupId: 'nope',
        memberId: 'm',
        groupInstanceId: null,
        generationId: 3,
        entries: [commitEntry('t', 0, 1)],
      }),
      [ErrorCode.ILLEGAL_GENERATION],
    );
    assert.equal(c.group('nope'), undefined);
    // A failed write is mapped to the coordinator's errors and leaves nothing behind.
    h.log.failWith = ErrorCode.NOT_LEADER_OR_FOLLOWER;
    assert.deepEqual(await c.commitOffsets({ groupId: 'x', ...simple, entries: [commitEntry('t', 0, 1)] }), [
      ErrorCode.NOT_COORDINATOR,
    ]);
    assert.equal(c.group('x'), undefined);
    h.log.failWith = ErrorCode.MESSAGE_TOO_LARGE;
    assert.deepEqual(await c.commitOffsets({ groupId: 'x', ...simple, entries: [commitEntry('t', 0, 1)] }), [
      ErrorCode.INVALID_COMMIT_OFFSET_SIZE,
    ]);
  });

  it('a member commit keeps its session alive', async (t) => {
    const h = await harness(t);
    const c = h.coordinator;
    const g = await formGroup(h, 'g', 1, { sessionTimeoutMs: 3000 });
    for (let i = 0; i < 4; i++) {
      await h.advance(2000);
      const r = await c.commitOffsets({
        groupId: 'g',
        memberId: g.members[0]!,
        groupInstanceId: null,
        generationId: g.generationId,
        entries: [commitEntry('t', 0, i)],
      });
      assert.deepEqual(r, [0]);
    }
    assert.equal(c.group('g')!.state, 'Stable');
  });

  it('DeleteGroups removes empty groups with their offsets; refuses groups with members', async (t) => {
    const h = await harness(t);
    const c = h.coordinator;
    await c.commitOffsets({ groupId: 'empty', ...simple, entries: [commitEntry('t', 0, 1), commitEntry('u', 0, 2)] });
    await formGroup(h, 'busy', 1);
    const r = await c.deleteGroups(['empty', 'busy', 'missing']);
    assert.deepEqual(r, [ErrorCode.NONE, ErrorCode.NON_EMPTY_GROUP, ErrorCode.GROUP_ID_NOT_FOUND]);
    assert.equal(c.group('empty'), undefined);
    assert.equal(c.describeGroup('empty').state, 'Dead');
    assert.equal(c.fetchOffsets('empty', false, [{ topic: 't', partition: 0 }]).offsets[0]!.offset, -1);
    const records = h.log.records(c.partitionFor('empty')).filter((r) => decodeRecordKey(r.key).kind === 'offset');
    assert.equal(records.filter((r) => r.value === null).length, 2, 'a tombstone per offset');
    // After a restart the group stays deleted.
    const c2 = await h.restart();
    assert.equal(c2.group('empty'), undefined);
  });

  it('DeleteGroups while a commit is in flight: the commit does not bring the group back', async (t) => {
    const h = await harness(t);
    const c = h.coordinator;
    await c.commitOffsets({ groupId: 'g', ...simple, entries: [commitEntry('t', 0, 1)] });
    h.log.hold();
    const inFlight = track(c.commitOffsets({ groupId: 'g', ...simple, entries: [commitEntry('t', 1, 2)] }));
    const deleted = track(c.deleteGroups(['g']));
    await settle();
    h.log.release();
    await settle();
    h.log.release();
    await settle();
    assert.deepEqual(deleted.value, [0]);
    assert.deepEqual(inFlight.value, [0]);
    assert.equal(c.group('g'), undefined);
    assert.equal(c.fetchOffsets('g', false, null).offsets.length, 0);
    const c2 = await h.restart();
    assert.equal(c2.group('g'), undefined, 'the tombstones follow the commit in the log');
  });

  it('OffsetDelete: an empty group loses the offsets; a consumer group keeps its subscribed topics', async (t) => {
    const h = await harness(t);
    const c = h.coordinator;
    const g = await formGroup(h, 'g', 1); // subscribes to topic "t"
    await c.commitOffsets({
      groupId: 'g',
      memberId: g.members[0]!,
      groupInstanceId: null,
      generationId: g.generationId,
      entries: [commitEntry('t', 0, 1), commitEntry('other', 0, 2)],
    });
    const r = await c.deleteOffsets('g', [
      { topic: 't', partition: 0 },
      { topic: 'other', partition: 0 },
    ]);
    assert.deepEqual(r, { errorCode: 0, partitionErrors: [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, ErrorCode.NONE] });
    assert.equal(c.fetchOffsets('g', false, [{ topic: 'other', partition: 0 }]).offsets[0]!.offset, -1);
    assert.equal(c.fetchOffsets('g', false, [{ topic: 't', partition: 0 }]).offsets[0]!.offset, 1);
    assert.deepEqual(await c.deleteOffsets('missing', [{ topic: 't', partition: 0 }]), {
      errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
      partitionErrors: [],
    });
    // A non-consumer group with members refuses.
    await formGroup(h, 'connect', 1, { protocolType: 'connect' });
    assert.equal(
      (await c.deleteOffsets('connect', [{ topic: 't', partition: 0 }])).errorCode,
      ErrorCode.NON_EMPTY_GROUP,
    );
    // A simple group loses its last offset and disappears.
    await c.commitOffsets({ groupId: 's', ...simple, entries: [commitEntry('t', 0, 1)] });
    assert.deepEqual(await c.deleteOffsets('s', [{ topic: 't', partition: 0 }]), {
      errorCode: 0,
      partitionErrors: [0],
    });
    assert.equal(c.group('s'), undefined);
  });

  it('OffsetDelete refuses the empty group id (INVALID_GROUP_ID), which OffsetCommit and OffsetFetch take', async (t) => {
    // Regression (differential test against Kafka 3.9): OffsetDelete deleted the offsets of group ''.
    const h = await harness(t);
    const c = h.coordinator;
    assert.deepEqual(await c.commitOffsets({ groupId: '', ...simple, entries: [commitEntry('t', 0, 4)] }), [0]);
    assert.deepEqual(await c.deleteOffsets('', [{ topic: 't', partition: 0 }]), {
      errorCode: ErrorCode.INVALID_GROUP_ID,
      partitionErrors: [],
    });
    assert.equal(c.fetchOffsets('', false, [{ topic: 't', partition: 0 }]).offsets[0]!.offset, 4);
  });

  it('expires offsets of empty groups after offsets.retention.minutes, writing tombstones', async (t) => {
    const retention = 60_000;
    const h = await harness(t, { config: { offsetsRetentionMs: retention, offsetsRetentionCheckIntervalMs: 10_000 } });
    const c = h.coordinator;
    const now = () => h.clock.now();
    await c.commitOffsets({ groupId: 's', ...simple, entries: [commitEntry('t', 0, 1, { commitTimestamp: now() })] });
    const g = await formGroup(h, 'g', 1);
    await c.commitOffsets({
      groupId: 'g',
      memberId: g.members[0]!,
      groupInstanceId: null,
      generationId: g.generationId,
      entries: [commitEntry('t', 0, 7, { commitTimestamp: now() })],
    });
    for (let i = 0; i < 10; i++) {
      await h.advance(5000);
      assert.equal(c.heartbeat('g', g.members[0]!, null, g.generationId), ErrorCode.NONE);
    }
    // The consumer group becomes Empty now: its retention starts from here.
    c.leaveGroup('g', [{ memberId: g.members[0]!, groupInstanceId: null, reason: null }]);
    await settle();
    assert.equal(c.group('g')!.state, 'Empty');
    await h.advance(20_000);
    assert.equal(c.group('s'), undefined, 'the simple group expired 60 s after its commit');
    assert.equal(c.fetchOffsets('g', false, [{ topic: 't', partition: 0 }]).offsets[0]!.offset, 7);
    await h.advance(50_000);
    assert.equal(c.group('g'), undefined, 'the consumer group expired 60 s after it became empty');
    const keys = h.log
      .records(c.partitionFor('g'))
      .filter((r) => r.value === null)
      .map((r) => decodeRecordKey(r.key));
    assert.ok(
      keys.some((k) => k.kind === 'group' && k.group === 'g'),
      'a group tombstone',
    );
    assert.ok(
      keys.some((k) => k.kind === 'offset' && k.group === 'g'),
      'an offset tombstone',
    );
  });

  it("a deleted topic's offsets go from every group, with tombstones", async (t) => {
    const h = await harness(t);
    const c = h.coordinator;
    await c.commitOffsets({ groupId: 'a', ...simple, entries: [commitEntry('gone', 0, 1), commitEntry('kept', 0, 2)] });
    await c.commitOffsets({ groupId: 'b', ...simple, entries: [commitEntry('gone', 1, 3)] });
    assert.equal(await c.onTopicsDeleted(['gone']), 2);
    assert.deepEqual(
      c.fetchOffsets('a', false, null).offsets.map((o) => o.topic),
      ['kept'],
    );
    assert.equal(c.group('b'), undefined, 'a simple group left without offsets is gone');
    const c2 = await h.restart();
    assert.equal(c2.fetchOffsets('a', false, [{ topic: 'gone', partition: 0 }]).offsets[0]!.offset, -1);
  });

  it('OffsetCommit v2-4 retention: an explicit expire timestamp wins', async (t) => {
    const h = await harness(t);
    const c = h.coordinator;
    await c.commitOffsets({
      groupId: 's',
      ...simple,
      entries: [commitEntry('t', 0, 1, { commitTimestamp: h.clock.now(), expireTimestamp: h.clock.now() + 5000 })],
    });
    await c.expireOffsets();
    assert.ok(c.group('s') !== undefined);
    await h.advance(5000);
    await c.expireOffsets();
    assert.equal(c.group('s'), undefined);
  });

  it('answers NOT_COORDINATOR for groups of partitions it does not lead, and LOAD_IN_PROGRESS while loading', async (t) => {
    const h = await harness(t);
    const c = h.coordinator;
    const p = c.partitionFor('g');
    c.onResignation(p, 1);
    assert.equal(c.fetchOffsets('g', false, null).errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal(c.heartbeat('g', 'm', null, 1), ErrorCode.NOT_COORDINATOR);
    h.log.hold(); // the loader reads nothing async here; hold appends only
    const loading = c.onElection(p, 2);
    assert.equal(c.fetchOffsets('g', false, null).errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    assert.equal(c.heartbeat('g', 'm', null, 1), ErrorCode.NONE, 'heartbeats are answered blindly while loading');
    assert.equal(c.listGroups([], []).errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    assert.equal(
      (
        await c.syncGroup({
          groupId: 'g',
          generationId: 1,
          memberId: 'm',
          groupInstanceId: null,
          protocolType: null,
          protocolName: null,
          assignments: new Map(),
        })
      ).errorCode,
      ErrorCode.REBALANCE_IN_PROGRESS,
    );
    await loading;
    h.log.release();
    assert.equal(c.fetchOffsets('g', false, null).errorCode, ErrorCode.NONE);
    // A stale resignation (older epoch) is ignored.
    c.onResignation(p, 1);
    assert.equal(c.fetchOffsets('g', false, null).errorCode, ErrorCode.NONE);
  });
});
