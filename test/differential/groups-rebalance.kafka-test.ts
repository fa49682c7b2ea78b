/**
 * Rebalances with several members against Kafka and Samsa: joins during CompletingRebalance, the
 * leader leaving, pending members (ids handed out with MEMBER_ID_REQUIRED, not used yet), commits
 * during PreparingRebalance, old JoinGroup versions. Answers that arrive together are recorded in
 * member order (A, B, C), never in order of arrival.
 */
import { after } from 'node:test';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';
import {
  assignment,
  coordinatorReady,
  createTopics,
  groupState,
  joinBody,
  quiet,
  syncBody,
  twoMembers,
} from './groups-helpers.ts';
import { closeBrokers, scenario } from './harness.ts';
import { memberOrder } from './normalise.ts';

after(closeBrokers);

const withMemberOrder = { rules: [memberOrder] };

scenario(
  'A member joining during CompletingRebalance: the leader SyncGroup is REBALANCE_IN_PROGRESS, both form generation 2',
  async (s) => {
    const groupId = 'diff-rebalance-join-completing';
    await coordinatorReady(s, groupId);
    const a = await s.connect();
    const b = await s.connect();
    const aFirst = await a.request(ApiKey.JoinGroup, 5, joinBody(groupId), 'A JoinGroup');
    const aId = aFirst.memberId;
    await a.request(ApiKey.JoinGroup, 5, joinBody(groupId, { memberId: aId }), 'A JoinGroup with its id');
    const bFirst = await b.request(ApiKey.JoinGroup, 5, joinBody(groupId), 'B JoinGroup');
    const bId = bFirst.memberId;
    const bJoin = quiet(b, ApiKey.JoinGroup, 5, joinBody(groupId, { memberId: bId }));
    await groupState(s, groupId, 'PreparingRebalance');
    await a.request(
      ApiKey.SyncGroup,
      3,
      syncBody(groupId, 1, aId, [[aId, assignment({ t: [0] })]]),
      'A SyncGroup gen 1',
    );
    await a.request(ApiKey.Heartbeat, 3, { groupId, generationId: 1, memberId: aId, groupInstanceId: null }, 'A hb');
    const aJoin = quiet(a, ApiKey.JoinGroup, 5, joinBody(groupId, { memberId: aId }));
    const [aJoined, bJoined] = await Promise.all([aJoin, bJoin]);
    s.record('A rejoins', aJoined);
    s.record('B JoinGroup with its id', bJoined);
    await a.request(ApiKey.Heartbeat, 3, { groupId, generationId: 2, memberId: aId, groupInstanceId: null }, 'A gen 2');
    const bSync = quiet(b, ApiKey.SyncGroup, 3, syncBody(groupId, 2, bId));
    await s.request(ApiKey.DescribeGroups, 5, { groups: [groupId] }, 'waiting for the assignment');
    const aSync = quiet(a, ApiKey.SyncGroup, 3, syncBody(groupId, 2, aId, [[bId, assignment({ t: [1] })]]));
    const [aSynced, bSynced] = await Promise.all([aSync, bSync]);
    s.record('A SyncGroup gen 2 (assigns B only)', aSynced);
    s.record('B SyncGroup gen 2', bSynced);
  },
  withMemberOrder,
);

scenario(
  'The leader leaves: the other member rejoins and leads the next generation',
  async (s) => {
    const groupId = 'diff-rebalance-leader-leaves';
    const { b, aId, bId } = await twoMembers(s, groupId, 'diff-rebalance-leader-leaves-topic');
    await s.request(ApiKey.LeaveGroup, 3, { groupId, members: [{ memberId: aId, groupInstanceId: null }] }, 'A leaves');
    await b.request(ApiKey.Heartbeat, 4, { groupId, generationId: 2, memberId: bId, groupInstanceId: null }, 'B hb');
    const join = await b.request(ApiKey.JoinGroup, 7, joinBody(groupId, { memberId: bId }), 'B rejoins');
    await b.request(ApiKey.SyncGroup, 5, syncBody(groupId, join.generationId, bId, [[bId, assignment({ t: [0, 1] })]]));
    await s.request(ApiKey.DescribeGroups, 5, { groups: [groupId] });
  },
  withMemberOrder,
);

scenario(
  'Pending members: unknown to Heartbeat and OffsetCommit, free to leave; commits during PreparingRebalance are taken',
  async (s) => {
    const groupId = 'diff-rebalance-pending';
    const topic = 'diff-rebalance-pending-topic';
    await createTopics(s, { [topic]: 2 });
    const { a, b, aId, bId } = await twoMembers(s, groupId, topic);
    const c = await s.connect();
    const d = await s.connect();
    const cId = (await c.request(ApiKey.JoinGroup, 5, joinBody(groupId), 'C JoinGroup')).memberId;
    const dId = (await d.request(ApiKey.JoinGroup, 5, joinBody(groupId), 'D JoinGroup')).memberId;
    await c.request(ApiKey.Heartbeat, 3, { groupId, generationId: 2, memberId: cId, groupInstanceId: null }, 'C hb');
    await c.request(
      ApiKey.OffsetCommit,
      5,
      {
        groupId,
        generationIdOrMemberEpoch: 2,
        memberId: cId,
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] }],
      },
      'C commits',
    );
    await d.request(ApiKey.LeaveGroup, 3, { groupId, members: [{ memberId: dId, groupInstanceId: null }] }, 'D leaves');
    await s.request(ApiKey.DescribeGroups, 5, { groups: [groupId] }, 'still stable');
    const cJoin = quiet(c, ApiKey.JoinGroup, 5, joinBody(groupId, { memberId: cId }));
    await groupState(s, groupId, 'PreparingRebalance');
    await a.request(
      ApiKey.OffsetCommit,
      5,
      {
        groupId,
        generationIdOrMemberEpoch: 2,
        memberId: aId,
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 2, committedMetadata: 'A' }] }],
      },
      'A commits during PreparingRebalance',
    );
    await b.request(ApiKey.Heartbeat, 3, { groupId, generationId: 2, memberId: bId, groupInstanceId: null }, 'B hb');
    // A and B leave instead of rejoining: C alone forms generation 3.
    await s.request(
      ApiKey.LeaveGroup,
      4,
      {
        groupId,
        members: [
          { memberId: aId, groupInstanceId: null },
          { memberId: bId, groupInstanceId: null },
        ],
      },
      'A and B leave',
    );
    s.record('C JoinGroup with its id', await cJoin);
    await s.request(ApiKey.OffsetFetch, 5, { groupId, topics: [{ name: topic, partitionIndexes: [0] }] });
  },
  withMemberOrder,
);

scenario(
  'JoinGroup v0-v3: a second member waits until the first one rejoins',
  async (s) => {
    const groupId = 'diff-rebalance-old-versions';
    await coordinatorReady(s, groupId);
    const a = await s.connect();
    const b = await s.connect();
    const aJoin1 = await a.request(ApiKey.JoinGroup, 3, joinBody(groupId), 'A JoinGroup v3');
    const aId = aJoin1.memberId;
    await a.request(ApiKey.SyncGroup, 2, syncBody(groupId, 1, aId, [[aId, assignment({ t: [0, 1] })]]), 'A SyncGroup');
    const bJoin = quiet(b, ApiKey.JoinGroup, 1, joinBody(groupId));
    await groupState(s, groupId, 'PreparingRebalance');
    await a.request(ApiKey.Heartbeat, 1, { groupId, generationId: 1, memberId: aId }, 'A hb');
    const aJoin = quiet(a, ApiKey.JoinGroup, 2, joinBody(groupId, { memberId: aId }));
    const [aJoined, bJoined] = await Promise.all([aJoin, bJoin]);
    s.record('B JoinGroup v1', bJoined);
    s.record('A rejoins v2', aJoined);
    const bId = bJoined.memberId;
    const aSync = quiet(
      a,
      ApiKey.SyncGroup,
      1,
      syncBody(groupId, 2, aId, [
        [aId, assignment({ t: [0] })],
        [bId, assignment({ t: [1] })],
      ]),
    );
    const bSync = quiet(b, ApiKey.SyncGroup, 0, syncBody(groupId, 2, bId));
    const [aSynced, bSynced] = await Promise.all([aSync, bSync]);
    s.record('A SyncGroup v1', aSynced);
    s.record('B SyncGroup v0', bSynced);
  },
  withMemberOrder,
);
