/**
 * The classic rebalance protocol on a ManualClock: joins, generations, leader and protocol choice,
 * SyncGroup, heartbeats, session expiry, LeaveGroup, static membership and the bad-input answers.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.ts';
import { consumerProtocols, formGroup, type Harness, joinParams, settle, startHarness, track } from './harness.ts';

async function harness(t: TestContext, opts: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness(opts);
  t.after(() => h.close());
  return h;
}

function sync(
  h: Harness,
  groupId: string,
  generationId: number,
  memberId: string,
  assignments = new Map<string, Buffer>(),
) {
  return h.coordinator.syncGroup({
    groupId,
    generationId,
    memberId,
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments,
  });
}

describe('group membership', () => {
  it('v4+: the first join gets MEMBER_ID_REQUIRED and an id; the rejoin with it forms generation 1', async (t) => {
    const h = await harness(t);
    const c = h.coordinator;
    const first = await c.joinGroup(joinParams('g', { requireKnownMemberId: true, clientId: 'app' }));
    assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    assert.match(first.memberId, /^app-[0-9a-f-]{36}$/);
    assert.equal(c.group('g')!.state, 'Empty');
    assert.equal(c.group('g')!.numPending, 1);

    const join = track(c.joinGroup(joinParams('g', { memberId: first.memberId, requireKnownMemberId: true })));
    await settle();
    assert.equal(join.done, false, 'parked during the initial rebalance delay');
    assert.equal(c.group('g')!.state, 'PreparingRebalance');
    await h.advance(20);
    const r = join.value!;
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal(r.generationId, 1);
    assert.equal(r.leaderId, first.memberId);
    assert.equal(r.protocolName, 'range');
    assert.equal(r.protocolType, 'consumer');
    assert.deepEqual(
      r.members.map((m) => m.memberId),
      [first.memberId],
    );
    assert.equal(c.group('g')!.state, 'CompletingRebalance');

    const s = await sync(h, 'g', 1, first.memberId, new Map([[first.memberId, Buffer.from('A')]]));
    assert.equal(s.errorCode, ErrorCode.NONE);
    assert.deepEqual(s.assignment, Buffer.from('A'));
    assert.equal(c.group('g')!.state, 'Stable');
    // The assignment reached __consumer_offsets before SyncGroup was answered.
    assert.ok(h.log.records(c.partitionFor('g')).length >= 1);
  });

  it('waits group.initial.rebalance.delay.ms for a new group, and longer while members keep coming', async (t) => {
    const h = await harness(t, { group: { initialRebalanceDelayMs: 3000 } });
    const c = h.coordinator;
    const a = track(c.joinGroup(joinParams('g', { clientId: 'a' })));
    await h.advance(2000);
    const b = track(c.joinGroup(joinParams('g', { clientId: 'b' })));
    await h.advance(1100);
    assert.equal(a.done, false, 'a member joined during the delay: the wait is extended');
    await h.advance(3000);
    assert.equal(a.done, true);
    assert.equal(b.done, true);
    assert.equal(a.value!.generationId, 1);
    assert.equal(a.value!.members.length + b.value!.members.length, 2, 'only the leader gets the members');
  });

  it('picks the protocol every member supports that most members prefer', async (t) => {
    const h = await harness(t);
    const c = h.coordinator;
    const p = (names: string[]) => consumerProtocols(['t'], names);
    const joins = [
      track(c.joinGroup(joinParams('g', { clientId: 'a', protocols: p(['roundrobin', 'range', 'sticky']) }))),
      track(c.joinGroup(joinParams('g', { clientId: 'b', protocols: p(['range', 'roundrobin']) }))),
      track(c.joinGroup(joinParams('g', { clientId: 'c', protocols: p(['range', 'roundrobin']) }))),
    ];
    await h.advance(50);
    for (const j of joins) assert.equal(j.value!.protocolName, 'range');
    // A member without any common protocol cannot join.
    const bad = await c.joinGroup(joinParams('g', { protocols: p(['sticky']) }));
    assert.equal(bad.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const badType = await c.joinGroup(joinParams('g', { protocolType: 'connect' }));
    assert.equal(badType.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('answers bad joins: session timeout bounds, empty group id, unknown member, empty protocols, huge metadata', async (t) => {
    const h = await harness(t, { limits: { maxMemberMetadataBytes: 1000, maxProtocolsPerMember: 4 } });
    const c = h.coordinator;
    assert.equal(
      (await c.joinGroup(joinParams('g', { sessionTimeoutMs: 999 }))).errorCode,
      ErrorCode.INVALID_SESSION_TIMEOUT,
    );
    assert.equal(
      (await c.joinGroup(joinParams('g', { sessionTimeoutMs: 60_001 }))).errorCode,
      ErrorCode.INVALID_SESSION_TIMEOUT,
    );
    assert.equal((await c.joinGroup(joinParams(''))).errorCode, ErrorCode.INVALID_GROUP_ID);
    assert.equal((await c.joinGroup(joinParams('g', { memberId: 'nobody' }))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(
      (await c.joinGroup(joinParams('g', { protocols: [] }))).errorCode,
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    assert.equal(
      (await c.joinGroup(joinParams('g', { protocolType: '' }))).errorCode,
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    const huge = [{ name: 'range', metadata: Buffer.alloc(1001) }];
    assert.equal((await c.joinGroup(joinParams('g', { protocols: huge }))).errorCode, ErrorCode.INVALID_REQUEST);
    const many = consumerProtocols(['t'], ['a', 'b', 'c', 'd', 'e']);
    assert.equal((await c.joinGroup(joinParams('g', { protocols: many }))).errorCode, ErrorCode.INVALID_REQUEST);
    assert.equal(c.group('g'), undefined, 'failed joins leave no group behind');
  });

  it('caps pending members: a flood of joins without ids forgets the oldest, memory stays bounded', async (t) => {
    const h = await harness(t, { limits: { maxPendingMembersPerGroup: 10, maxPendingMembers: 25 } });
    const c = h.coordinator;
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) {
      const r = await c.joinGroup(joinParams('flood', { requireKnownMemberId: true }));
      assert.equal(r.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
      ids.push(r.memberId);
    }
    assert.equal(c.group('flood')!.numPending, 10);
    assert.equal(c.engine.heartbeatPurgatory.size, 10, 'evicted pending members leave no timers behind');
    // An evicted id is unknown now (retriable for the client); a recent one still joins.
    assert.equal(
      (await c.joinGroup(joinParams('flood', { memberId: ids[0]!, requireKnownMemberId: true }))).errorCode,
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    // Across groups, the coordinator-wide cap holds.
    for (let i = 0; i < 100; i++) await c.joinGroup(joinParams(`g${i}`, { requireKnownMemberId: true }));
    assert.equal(c.engine.pendingMemberCount, 25);
    let groups = 0;
    for (let i = 0; i < 100; i++) if (c.group(`g${i}`) !== undefined) groups++;
    assert.ok(groups <= 25, `${groups} groups kept for 25 pending members`);
    // Pending members that never rejoin expire with their session timeout, and their groups go.
    await h.advance(6000 + 20);
    assert.equal(c.engine.pendingMemberCount, 0);
    assert.equal(c.group('g99'), undefined);
    assert.equal(c.engine.heartbeatPurgatory.size, 0);
  });

  it('group.max.size: joins beyond it get GROUP_MAX_SIZE_REACHED', async (t) => {
    const h = await harness(t, { group: { maxSize: 2 } });
    const c = h.coordinator;
    const { members } = await formGroup(h, 'g', 2);
    assert.equal(members.length, 2);
    const third = await c.joinGroup(joinParams('g', { requireKnownMemberId: true }));
    assert.equal(third.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
    assert.equal(third.memberId, '');
    assert.equal(c.group('g')!.size, 2);
  });

  it('a new member rebalances a stable group; every member rejoins and gets a new assignment', async (t) => {
    const h = await harness(t);
    const c = h.coordinator;
    const g = await formGroup(h, 'g', 2);
    assert.deepEqual(
      g.syncs.map((s) => s.errorCode),
      [0, 0],
    );
    const newcomer = track(c.joinGroup(joinParams('g', { clientId: 'new' })));
    await settle();
    assert.equal(c.group('g')!.state, 'PreparingRebalance');
    // Old members learn of the rebalance through their heartbeats.
    for (const m of g.members) assert.equal(c.heartbeat('g', m, null, g.generationId), ErrorCode.REBALANCE_IN_PROGRESS);
    const rejoins = g.members.map((memberId) => track(c.joinGroup(joinParams('g', { memberId }))));
    await settle();
    assert.equal(newcomer.done, true, 'completes as soon as every member rejoined');
    for (const r of [newcomer, ...rejoins]) assert.equal(r.value!.generationId, g.generationId + 1);
    assert.equal(rejoins[0]!.value!.leaderId, g.leaderId, 'the leader keeps leading');
    // A stale generation is refused.
    assert.equal(c.heartbeat('g', g.members[0]!, null, g.generationId), ErrorCode.ILLEGAL_GENERATION);
  });

  it('members that do not rejoin within the rebalance timeout are removed', async (t) => {
    const h = await harness(t);
    const c = h.coordinator;
    const g = await formGroup(h, 'g', 2, { rebalanceTimeoutMs: 5000 });
    const rejoin = track(c.joinGroup(joinParams('g', { memberId: g.members[0]!, rebalanceTimeoutMs: 5000 })));
    await h.advance(4000);
    assert.equal(rejoin.done, false);
    await h.advance(1100);
    assert.equal(rejoin.value!.errorCode, ErrorCode.NONE);
    assert.equal(c.group('g')!.size, 1);
    assert.equal(c.group('g')!.has(g.members[1]!), false);
  });

  it('session expiry: a member that stops heartbeating is removed and the group rebalances', async (t) => {
    const h = await harness(t);
    const c = h.coordinator;
    const g = await formGroup(h, 'g', 2, { sessionTimeoutMs: 3000 });
    const [alive, dead] = g.members as [string, string];
    for (let i = 0; i < 2; i++) {
      await h.advance(1000);
      assert.equal(c.heartbeat('g', alive, null, g.generationId), ErrorCode.NONE);
    }
    assert.equal(c.group('g')!.has(dead), true);
    await h.advance(1500);
    assert.equal(c.group('g')!.has(dead), false, 'the silent member is gone after its session timeout');
    assert.equal(c.heartbeat('g', dead, null, g.generationId), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(c.heartbeat('g', alive, null, g.generationId), ErrorCode.REBALANCE_IN_PROGRESS);
    const rejoin = await c.joinGroup(joinParams('g', { memberId: alive, sessionTimeoutMs: 3000 }));
    assert.equal(rejoin.generationId, g.generationId + 1);
    assert.deepEqual(
      rejoin.members.map((m) => m.memberId),
      [alive],
    );
  });

  it('LeaveGroup rebalances at once; batch leave (v3+) answers per member', async (t) => {
    const h = await harness(t);
    const c = h.coordinator;
    const g = await formGroup(h, 'g', 3);
    const r = c.leaveGroup('g', [
      { memberId: g.members[1]!, groupInstanceId: null, reason: 'bye' },
      { memberId: 'unknown', groupInstanceId: null, reason: null },
    ]);
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.deepEqual(
      r.members.map((m) => m.errorCode),
      [ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID],
    );
    assert.equal(c.group('g')!.state, 'PreparingRebalance');
    assert.equal(
      c.leaveGroup('nope', [{ memberId: 'x', groupInstanceId: null, reason: null }]).members[0]!.errorCode,
      25,
    );
    // The last members leave: the group becomes Empty at the next generation.
    c.leaveGroup(
      'g',
      [g.members[0]!, g.members[2]!].map((memberId) => ({ memberId, groupInstanceId: null, reason: null })),
    );
    await settle();
    assert.equal(c.group('g')!.state, 'Empty');
    assert.equal(c.group('g')!.generationId, g.generationId + 1);
    assert.equal(c.engine.heartbeatPurgatory.size, 0, 'no session timers left for departed members');
  });

  it('SyncGroup: followers wait for the leader; errors for stale generations, unknown members, wrong protocol', async (t) => {
    const h = await harness(t);
    const c = h.coordinator;
    const a = track(c.joinGroup(joinParams('g', { clientId: 'a' })));
    const b = track(c.joinGroup(joinParams('g', { clientId: 'b' })));
    await h.advance(50);
    const leader = [a.value!, b.value!].find((r) => r.memberId === r.leaderId);
    const follower = [a.value!, b.value!].find((r) => r.memberId !== r.leaderId);
    const gen = leader!.generationId;
    h.log.hold();
    const fs = track(sync(h, 'g', gen, follower!.memberId));
    const ls = track(sync(h, 'g', gen, leader!.memberId, new Map([[follower!.memberId, Buffer.from('F')]])));
    await settle();
    assert.equal(fs.done || ls.done, false, 'nobody is answered before the assignment is written');
    h.log.release();
    await settle();
    assert.deepEqual(fs.value!.assignment, Buffer.from('F'));
    assert.equal(ls.value!.assignment.length, 0, 'a member left out of the assignment gets an empty one');
    assert.equal((await sync(h, 'g', gen + 1, leader!.memberId)).errorCode, ErrorCode.ILLEGAL_GENERATION);
    assert.equal((await sync(h, 'g', gen, 'nobody')).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    const wrong = await c.syncGroup({
      groupId: 'g',
      generationId: gen,
      memberId: leader!.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'roundrobin',
      assignments: new Map(),
    });
    assert.equal(wrong.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const right = await c.syncGroup({
      groupId: 'g',
      generationId: gen,
      memberId: follower!.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: new Map(),
    });
    assert.deepEqual([right.errorCode, right.protocolType, right.protocolName], [0, 'consumer', 'range']);
  });

  it('a failed assignment write answers every SyncGroup with the mapped error and rebalances', async (t) => {
    const h = await harness(t);
    const c = h.coordinator;
    const a = track(c.joinGroup(joinParams('g')));
    await h.advance(50);
    h.log.failWith = ErrorCode.NOT_LEADER_OR_FOLLOWER;
    const s = await sync(h, 'g', a.value!.generationId, a.value!.memberId);
    assert.equal(s.errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal(c.group('g')!.state, 'PreparingRebalance');
  });

  it('members that never send SyncGroup are removed after the rebalance timeout', async (t) => {
    const h = await harness(t);
    const c = h.coordinator;
    const a = track(c.joinGroup(joinParams('g', { clientId: 'a', rebalanceTimeoutMs: 4000 })));
    const b = track(c.joinGroup(joinParams('g', { clientId: 'b', rebalanceTimeoutMs: 4000 })));
    await h.advance(50);
    const leader = [a.value!, b.value!].find((r) => r.memberId === r.leaderId)!;
    const other = [a.value!, b.value!].find((r) => r.memberId !== r.leaderId)!;
    await sync(h, 'g', leader.generationId, leader.memberId);
    await h.advance(3000);
    assert.equal(c.heartbeat('g', leader.memberId, null, leader.generationId), ErrorCode.NONE);
    await h.advance(1100);
    assert.equal(c.group('g')!.has(other.memberId), false);
    assert.equal(c.group('g')!.state, 'PreparingRebalance');
  });

  it('static members rejoin with the same metadata without a rebalance; the old id is fenced', async (t) => {
    const h = await harness(t);
    const c = h.coordinator;
    const a = track(c.joinGroup(joinParams('g', { groupInstanceId: 'a', clientId: 'a' })));
    const b = track(c.joinGroup(joinParams('g', { groupInstanceId: 'b', clientId: 'b' })));
    await h.advance(50);
    const gen = a.value!.generationId;
    const leaderId = a.value!.leaderId;
    const aId = a.value!.memberId;
    const bId = b.value!.memberId;
    assert.match(aId, /^a-/, 'static member ids start with the instance id');
    const staticSync = (memberId: string, instance: string, assignments = new Map<string, Buffer>()) =>
      c.syncGroup({
        groupId: 'g',
        generationId: gen,
        memberId,
        groupInstanceId: instance,
        protocolType: null,
        protocolName: null,
        assignments,
      });
    await Promise.all([
      staticSync(
        aId,
        'a',
        new Map([
          [aId, Buffer.from('A')],
          [bId, Buffer.from('B')],
        ]),
      ),
      staticSync(bId, 'b'),
    ]);
    assert.equal(c.group('g')!.state, 'Stable');

    // "b" restarts: it joins without a member id, same instance id and metadata.
    const rejoin = await c.joinGroup(joinParams('g', { groupInstanceId: 'b', clientId: 'b' }));
    assert.equal(rejoin.errorCode, ErrorCode.NONE);
    assert.notEqual(rejoin.memberId, bId);
    assert.equal(rejoin.generationId, gen, 'no new generation');
    assert.equal(rejoin.leaderId, leaderId);
    assert.equal(c.group('g')!.state, 'Stable', 'no rebalance');
    const s = await staticSync(rejoin.memberId, 'b');
    assert.deepEqual(s.assignment, Buffer.from('B'), 'it keeps its partitions');
    // The old incarnation is fenced everywhere.
    assert.equal(c.heartbeat('g', bId, 'b', gen), ErrorCode.FENCED_INSTANCE_ID);
    assert.equal(
      (await c.joinGroup(joinParams('g', { memberId: bId, groupInstanceId: 'b' }))).errorCode,
      ErrorCode.FENCED_INSTANCE_ID,
    );
    assert.equal(c.heartbeat('g', rejoin.memberId, 'b', gen), ErrorCode.NONE);
    // Admin removal by instance id (LeaveGroup v3+ with no member id).
    const left = c.leaveGroup('g', [{ memberId: '', groupInstanceId: 'b', reason: null }]);
    assert.equal(left.members[0]!.errorCode, ErrorCode.NONE);
    assert.equal(c.group('g')!.state, 'PreparingRebalance');
  });

  it('a static member rejoining with other protocols triggers a rebalance', async (t) => {
    const h = await harness(t);
    const c = h.coordinator;
    const both = consumerProtocols(['t'], ['range', 'roundrobin']);
    const a = track(c.joinGroup(joinParams('g', { groupInstanceId: 'a', protocols: both })));
    await h.advance(50);
    assert.equal(a.value!.protocolName, 'range');
    await sync(h, 'g', a.value!.generationId, a.value!.memberId);
    assert.equal(c.group('g')!.state, 'Stable');
    const r = await c.joinGroup(
      joinParams('g', { groupInstanceId: 'a', protocols: consumerProtocols(['t'], ['roundrobin']) }),
    );
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal(r.generationId, a.value!.generationId + 1, 'a new generation');
    assert.equal(r.protocolName, 'roundrobin');
  });
});
