/**
 * Odd requests to the group APIs against Kafka and Samsa: names and partitions given twice, empty
 * lists, the protocol vote, rejoins that change nothing, groups that hold only a pending member.
 */
import { after } from 'node:test';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';
import {
  assignment,
  coordinatorReady,
  createTopics,
  groupState,
  joinAndSync,
  joinBody,
  quiet,
  subscription,
  syncBody,
} from './groups-helpers.ts';
import { closeBrokers, scenario } from './harness.ts';
import { groupOrder, memberOrder, offsetPartitionOrder } from './normalise.ts';

after(closeBrokers);

// OffsetFetch v8 with no groups is left out: Kafka 3.9 never answers it (Samsa answers no groups).
scenario(
  'Empty lists: FindCoordinator keys, OffsetCommit topics, LeaveGroup members, DeleteGroups, OffsetDelete',
  async (s) => {
    const groupId = 'diff-edge-empty-lists';
    await coordinatorReady(s, groupId);
    await s.request(ApiKey.FindCoordinator, 4, { keyType: 0, coordinatorKeys: [] });
    await s.request(ApiKey.OffsetCommit, 8, {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [],
    });
    await s.request(ApiKey.LeaveGroup, 3, { groupId, members: [] });
    await s.request(ApiKey.DeleteGroups, 2, { groupsNames: [] });
    await s.request(ApiKey.OffsetDelete, 0, { groupId, topics: [] });
    await s.request(ApiKey.DescribeGroups, 0, { groups: [groupId] }, 'the group was not created');
  },
);

scenario(
  'The same name or partition twice in one request, known and unknown',
  async (s) => {
    const topic = 'diff-edge-twice';
    const unknown = 'diff-edge-twice-unknown';
    const groupId = 'diff-edge-twice';
    await createTopics(s, { [topic]: 2 });
    await coordinatorReady(s, groupId);
    const partition = (partitionIndex: number, committedOffset: number) => ({
      partitionIndex,
      committedOffset,
      committedLeaderEpoch: -1,
      commitTimestamp: -1,
      committedMetadata: `offset ${committedOffset}`,
    });
    await s.request(
      ApiKey.OffsetCommit,
      7,
      {
        groupId,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [
          { name: topic, partitions: [partition(0, 5), partition(0, 6), partition(9, 1)] },
          { name: unknown, partitions: [partition(0, 1), partition(0, 2)] },
          { name: topic, partitions: [partition(1, 7), partition(9, 2)] },
        ],
      },
      'OffsetCommit',
    );
    await s.request(
      ApiKey.OffsetFetch,
      7,
      {
        groupId,
        topics: [
          { name: topic, partitionIndexes: [0, 0, 9] },
          { name: unknown, partitionIndexes: [0, 0] },
          { name: topic, partitionIndexes: [1, 9] },
        ],
        requireStable: false,
      },
      'OffsetFetch',
    );
    await s.request(
      ApiKey.OffsetFetch,
      8,
      {
        groups: [
          { groupId, topics: [{ name: topic, partitionIndexes: [1, 1] }] },
          { groupId, topics: [{ name: topic, partitionIndexes: [0] }] },
        ],
        requireStable: false,
      },
      'OffsetFetch v8, the group twice',
    );
    await s.request(ApiKey.DescribeGroups, 0, { groups: [groupId, groupId] }, 'DescribeGroups');
    await s.request(
      ApiKey.OffsetDelete,
      0,
      {
        groupId,
        topics: [
          { name: topic, partitions: [{ partitionIndex: 0 }, { partitionIndex: 0 }, { partitionIndex: 9 }] },
          { name: unknown, partitions: [{ partitionIndex: 0 }] },
          { name: topic, partitions: [{ partitionIndex: 9 }, { partitionIndex: 0 }] },
        ],
      },
      'OffsetDelete',
    );
    await s.request(
      ApiKey.DeleteGroups,
      2,
      { groupsNames: [groupId, 'diff-edge-twice-none', groupId] },
      'DeleteGroups',
    );
  },
  { rules: [offsetPartitionOrder, groupOrder] },
);

// Ties are left out: Kafka breaks them in the hash order of protocol names (docs/compatibility.md).
scenario(
  'JoinGroup: the protocol vote among the protocols every member supports, by two and then three members',
  async (s) => {
    const groupId = 'diff-edge-vote';
    await coordinatorReady(s, groupId);
    const meta = subscription(['t']);
    const prefs = (...names: string[]) => names.map((name) => ({ name, metadata: meta }));
    const a = await s.connect();
    const b = await s.connect();
    const c = await s.connect();
    const aPrefs = prefs('range', 'roundrobin', 'sticky');
    const { memberId: aId } = await joinAndSync(a, 'A', groupId, 5, 3, { protocols: aPrefs });
    // B lacks range: both vote roundrobin, A's first choice among the candidates.
    const bFirst = await b.request(
      ApiKey.JoinGroup,
      5,
      joinBody(groupId, { protocols: prefs('roundrobin', 'sticky') }),
      'B',
    );
    const bId = bFirst.memberId;
    const bJoin = quiet(
      b,
      ApiKey.JoinGroup,
      5,
      joinBody(groupId, { memberId: bId, protocols: prefs('roundrobin', 'sticky') }),
    );
    await groupState(s, groupId, 'PreparingRebalance');
    const aJoin = quiet(a, ApiKey.JoinGroup, 5, joinBody(groupId, { memberId: aId, protocols: aPrefs }));
    const [aJoined, bJoined] = await Promise.all([aJoin, bJoin]);
    s.record('A rejoins (two members)', aJoined);
    s.record('B JoinGroup with its id (two members)', bJoined);
    // B and C prefer sticky: sticky wins two to one over A's roundrobin.
    const cFirst = await c.request(
      ApiKey.JoinGroup,
      5,
      joinBody(groupId, { protocols: prefs('sticky', 'range') }),
      'C',
    );
    const cId = cFirst.memberId;
    const cPrefs = prefs('sticky', 'roundrobin', 'range');
    const cJoin = quiet(c, ApiKey.JoinGroup, 5, joinBody(groupId, { memberId: cId, protocols: cPrefs }));
    await groupState(s, groupId, 'PreparingRebalance');
    const aJoin2 = quiet(a, ApiKey.JoinGroup, 5, joinBody(groupId, { memberId: aId, protocols: aPrefs }));
    const bJoin2 = quiet(
      b,
      ApiKey.JoinGroup,
      5,
      joinBody(groupId, { memberId: bId, protocols: prefs('sticky', 'roundrobin') }),
    );
    const [a3, b3, c3] = await Promise.all([aJoin2, bJoin2, cJoin]);
    s.record('A rejoins (three members)', a3);
    s.record('B rejoins (three members)', b3);
    s.record('C JoinGroup with its id (three members)', c3);
    // A JoinGroup with a protocol the group cannot agree on is refused.
    await s.request(ApiKey.JoinGroup, 5, joinBody(groupId, { protocols: prefs('range') }), 'D with range only');
  },
  { rules: [memberOrder] },
);

scenario(
  'JoinGroup again with the same metadata: during CompletingRebalance, and a follower while Stable',
  async (s) => {
    const groupId = 'diff-edge-same-metadata';
    await coordinatorReady(s, groupId);
    const a = await s.connect();
    const b = await s.connect();
    const aFirst = await a.request(ApiKey.JoinGroup, 5, joinBody(groupId), 'A');
    const aId = aFirst.memberId;
    await a.request(ApiKey.JoinGroup, 5, joinBody(groupId, { memberId: aId }), 'A with its id');
    await a.request(ApiKey.JoinGroup, 5, joinBody(groupId, { memberId: aId }), 'A again in CompletingRebalance');
    await a.request(ApiKey.SyncGroup, 3, syncBody(groupId, 1, aId, [[aId, assignment({ t: [0] })]]), 'A SyncGroup');
    const bId = (await b.request(ApiKey.JoinGroup, 5, joinBody(groupId), 'B')).memberId;
    const bJoin = quiet(b, ApiKey.JoinGroup, 5, joinBody(groupId, { memberId: bId }));
    await groupState(s, groupId, 'PreparingRebalance');
    const aJoin = quiet(a, ApiKey.JoinGroup, 5, joinBody(groupId, { memberId: aId }));
    const [aJoined, bJoined] = await Promise.all([aJoin, bJoin]);
    s.record('A rejoins', aJoined);
    s.record('B with its id', bJoined);
    const aSync = quiet(a, ApiKey.SyncGroup, 3, syncBody(groupId, 2, aId, [[bId, assignment({ t: [1] })]]));
    const bSync = quiet(b, ApiKey.SyncGroup, 3, syncBody(groupId, 2, bId));
    const [aSynced, bSynced] = await Promise.all([aSync, bSync]);
    s.record('A SyncGroup', aSynced);
    s.record('B SyncGroup', bSynced);
    await b.request(ApiKey.JoinGroup, 5, joinBody(groupId, { memberId: bId }), 'B (follower) again while Stable');
    await s.request(ApiKey.DescribeGroups, 0, { groups: [groupId] }, 'still Stable');
  },
  { rules: [memberOrder] },
);

scenario('A group that holds only a pending member: described Empty, deleted, then the member joins', async (s) => {
  const groupId = 'diff-edge-pending-only';
  await coordinatorReady(s, groupId);
  const first = await s.request(ApiKey.JoinGroup, 5, joinBody(groupId), 'JoinGroup');
  await s.request(ApiKey.DescribeGroups, 5, { groups: [groupId] }, 'DescribeGroups');
  await s.request(ApiKey.Heartbeat, 3, { groupId, generationId: 0, memberId: first.memberId, groupInstanceId: null });
  await s.request(ApiKey.DeleteGroups, 2, { groupsNames: [groupId] });
  await s.request(
    ApiKey.JoinGroup,
    5,
    joinBody(groupId, { memberId: first.memberId }),
    'JoinGroup with the pending id',
  );
  await s.request(ApiKey.JoinGroup, 5, joinBody(groupId), 'JoinGroup afresh');
});

scenario(
  'OffsetCommit of negative and large offsets',
  async (s) => {
    const topic = 'diff-edge-offsets';
    const groupId = 'diff-edge-offsets';
    await createTopics(s, { [topic]: 4 });
    await coordinatorReady(s, groupId);
    const offsets = [-1, -2, 0, 2 ** 53 - 1];
    await s.request(ApiKey.OffsetCommit, 8, {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        {
          name: topic,
          partitions: offsets.map((committedOffset, partitionIndex) => ({
            partitionIndex,
            committedOffset,
            committedLeaderEpoch: -1,
            committedMetadata: null,
          })),
        },
      ],
    });
    await s.request(ApiKey.OffsetFetch, 7, { groupId, topics: [{ name: topic, partitionIndexes: [0, 1, 2, 3] }] });
    await s.request(ApiKey.OffsetFetch, 7, { groupId, topics: null }, 'every partition');
  },
  { rules: [offsetPartitionOrder] },
);
