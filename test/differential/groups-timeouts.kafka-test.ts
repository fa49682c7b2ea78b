/**
 * The group coordinator's timers against Kafka and Samsa: session expiry, the rebalance timeout
 * of the join phase, the sync phase's deadline and the pending-member deadline. These wait for
 * real time on both brokers (the shortest session Kafka allows is 6 s), so the scenarios here
 * are few and use the shortest timeouts the brokers accept.
 */
import { after } from 'node:test';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';
import { assignment, coordinatorReady, groupState, joinAndSync, joinBody, quiet, syncBody } from './groups-helpers.ts';
import { closeBrokers, scenario } from './harness.ts';
import { memberOrder } from './normalise.ts';

after(closeBrokers);

const MIN_SESSION_MS = 6000;
const SHORT_REBALANCE_MS = 1000;
const withMemberOrder = { rules: [memberOrder] };

scenario('A member that stops heartbeating expires after its session timeout; the group becomes Empty', async (s) => {
  const groupId = 'diff-timeout-session';
  await coordinatorReady(s, groupId);
  const o = { sessionTimeoutMs: MIN_SESSION_MS, rebalanceTimeoutMs: SHORT_REBALANCE_MS };
  const { memberId } = await joinAndSync(s, 'A', groupId, 5, 3, o);
  await groupState(s, groupId, 'Empty');
  await s.request(ApiKey.DescribeGroups, 5, { groups: [groupId] }, 'after the session');
  await s.request(ApiKey.Heartbeat, 3, { groupId, generationId: 1, memberId, groupInstanceId: null }, 'late heartbeat');
  await s.request(ApiKey.JoinGroup, 5, joinBody(groupId, { ...o, memberId }), 'late rejoin with the old id');
});

scenario(
  'A member that does not rejoin within the rebalance timeout is removed; the others form the generation',
  async (s) => {
    const groupId = 'diff-timeout-rebalance';
    await coordinatorReady(s, groupId);
    const o = { sessionTimeoutMs: MIN_SESSION_MS, rebalanceTimeoutMs: SHORT_REBALANCE_MS };
    const a = await s.connect();
    const b = await s.connect();
    const { memberId: aId } = await joinAndSync(a, 'A', groupId, 5, 3, o);
    const bId = (await b.request(ApiKey.JoinGroup, 5, joinBody(groupId, o), 'B JoinGroup')).memberId;
    // A never rejoins: after the rebalance timeout B alone forms generation 2.
    await b.request(ApiKey.JoinGroup, 5, joinBody(groupId, { ...o, memberId: bId }), 'B JoinGroup with its id');
    await a.request(ApiKey.Heartbeat, 3, { groupId, generationId: 1, memberId: aId, groupInstanceId: null }, 'A late');
    await b.request(ApiKey.SyncGroup, 3, syncBody(groupId, 2, bId, [[bId, assignment({ t: [0] })]]), 'B SyncGroup');
  },
);

scenario(
  'A member that never sends SyncGroup is removed after the rebalance timeout; the group rebalances',
  async (s) => {
    const groupId = 'diff-timeout-sync';
    await coordinatorReady(s, groupId);
    const o = { sessionTimeoutMs: MIN_SESSION_MS, rebalanceTimeoutMs: SHORT_REBALANCE_MS };
    const a = await s.connect();
    const b = await s.connect();
    const { memberId: aId } = await joinAndSync(a, 'A', groupId, 5, 3, o);
    const bId = (await b.request(ApiKey.JoinGroup, 5, joinBody(groupId, o), 'B JoinGroup')).memberId;
    const bJoin = quiet(b, ApiKey.JoinGroup, 5, joinBody(groupId, { ...o, memberId: bId }));
    await groupState(s, groupId, 'PreparingRebalance');
    const aJoin = quiet(a, ApiKey.JoinGroup, 5, joinBody(groupId, { ...o, memberId: aId }));
    const [aJoined, bJoined] = await Promise.all([aJoin, bJoin]);
    s.record('A rejoins', aJoined);
    s.record('B JoinGroup with its id', bJoined);
    // The leader syncs; B does not, and is dropped when the sync phase times out.
    await a.request(
      ApiKey.SyncGroup,
      3,
      syncBody(groupId, 2, aId, [
        [aId, assignment({ t: [0] })],
        [bId, assignment({ t: [1] })],
      ]),
      'A SyncGroup',
    );
    await groupState(s, groupId, 'PreparingRebalance');
    await a.request(ApiKey.Heartbeat, 3, { groupId, generationId: 2, memberId: aId, groupInstanceId: null }, 'A hb');
    await a.request(ApiKey.JoinGroup, 5, joinBody(groupId, { ...o, memberId: aId }), 'A rejoins alone');
    await b.request(ApiKey.SyncGroup, 3, syncBody(groupId, 2, bId), 'B SyncGroup, too late');
  },
  withMemberOrder,
);

scenario(
  'A rebalance waits for pending members (MEMBER_ID_REQUIRED, not joined) until their session ends',
  async (s) => {
    const groupId = 'diff-timeout-pending';
    await coordinatorReady(s, groupId);
    const a = await s.connect();
    const b = await s.connect();
    const c = await s.connect();
    const { memberId: aId } = await joinAndSync(a, 'A', groupId, 5, 3);
    const cId = (await c.request(ApiKey.JoinGroup, 5, joinBody(groupId, { sessionTimeoutMs: MIN_SESSION_MS }), 'C'))
      .memberId;
    const bId = (await b.request(ApiKey.JoinGroup, 5, joinBody(groupId), 'B JoinGroup')).memberId;
    const bJoin = quiet(b, ApiKey.JoinGroup, 5, joinBody(groupId, { memberId: bId }));
    await groupState(s, groupId, 'PreparingRebalance');
    const aJoin = quiet(a, ApiKey.JoinGroup, 5, joinBody(groupId, { memberId: aId }));
    // Both rejoined, but C still holds a pending member id: the join completes when it expires.
    const [aJoined, bJoined] = await Promise.all([aJoin, bJoin]);
    s.record('A rejoins', aJoined);
    s.record('B JoinGroup with its id', bJoined);
    await c.request(ApiKey.JoinGroup, 5, joinBody(groupId, { memberId: cId }), 'C JoinGroup with its expired id');
  },
  withMemberOrder,
);
