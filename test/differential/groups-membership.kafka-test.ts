/**
 * The classic rebalance protocol against Kafka and Samsa: JoinGroup (member id round trip, old
 * versions, protocol and session-timeout checks, static members), SyncGroup, Heartbeat and
 * LeaveGroup, with one or two members. Each member has its own connection, since a JoinGroup
 * waits while the rebalance waits for the others; answers that arrive together are recorded in
 * member order (A, then B), never in order of arrival.
 */
import { after } from 'node:test';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';
import {
  assignment,
  coordinatorReady,
  createTopics,
  joinAndSync,
  joinBody,
  subscription,
  syncBody,
  twoMembers,
} from './groups-helpers.ts';
import { closeBrokers, scenario } from './harness.ts';
import { memberOrder } from './normalise.ts';

after(closeBrokers);

const withMemberOrder = { rules: [memberOrder] };

const JOIN_TO_SYNC: Record<number, number> = { 0: 0, 1: 0, 2: 1, 3: 2, 4: 3, 5: 3, 6: 4, 7: 5, 8: 5, 9: 5 };

scenario(
  'JoinGroup v4-v9: an empty member id gets MEMBER_ID_REQUIRED and an id, the join with it forms generation 1',
  async (s) => {
    for (const v of [4, 5, 6, 7, 8, 9]) {
      const groupId = `diff-join-required-v${v}`;
      await coordinatorReady(s, groupId);
      const { memberId } = await joinAndSync(s, 'A', groupId, v, JOIN_TO_SYNC[v]!);
      await s.request(ApiKey.Heartbeat, v >= 6 ? 4 : 3, { groupId, generationId: 1, memberId, groupInstanceId: null });
    }
  },
);

scenario('JoinGroup v0-v3: a member joins without a member id round trip', async (s) => {
  for (const v of [0, 1, 2, 3]) {
    const groupId = `diff-join-old-v${v}`;
    await coordinatorReady(s, groupId);
    const { memberId } = await joinAndSync(s, 'A', groupId, v, JOIN_TO_SYNC[v]!);
    await s.request(ApiKey.Heartbeat, Math.min(v, 2), { groupId, generationId: 1, memberId });
  }
});

scenario(
  'JoinGroup: another protocol type, no common protocol, or none at all is INCONSISTENT_GROUP_PROTOCOL',
  async (s) => {
    const groupId = 'diff-join-inconsistent';
    await coordinatorReady(s, groupId);
    // An Empty group takes any non-empty protocol type with at least one protocol.
    await s.request(
      ApiKey.JoinGroup,
      3,
      joinBody('diff-join-inconsistent-empty-type', { protocolType: '' }),
      'empty protocol type',
    );
    await s.request(
      ApiKey.JoinGroup,
      3,
      joinBody('diff-join-inconsistent-no-protocols', { protocols: [] }),
      'no protocols',
    );
    await joinAndSync(s, 'A', groupId, 5, 3);
    await s.request(
      ApiKey.JoinGroup,
      5,
      joinBody(groupId, { protocolType: 'connect' }),
      'B with protocol type connect',
    );
    await s.request(
      ApiKey.JoinGroup,
      5,
      joinBody(groupId, { protocols: [{ name: 'roundrobin', metadata: subscription(['t']) }] }),
      'B with roundrobin only',
    );
    await s.request(
      ApiKey.JoinGroup,
      3,
      joinBody(groupId, { protocolType: 'connect' }),
      'B at v3 with protocol type connect',
    );
    await s.request(ApiKey.DescribeGroups, 0, { groups: [groupId] }, 'the group is still stable with A alone');
  },
);

scenario(
  'JoinGroup with a session timeout outside group.min/max.session.timeout.ms is INVALID_SESSION_TIMEOUT',
  async (s) => {
    const groupId = 'diff-join-session-timeout';
    await coordinatorReady(s, groupId);
    await s.request(ApiKey.JoinGroup, 5, joinBody(groupId, { sessionTimeoutMs: 5999 }), 'below the minimum');
    await s.request(ApiKey.JoinGroup, 5, joinBody(groupId, { sessionTimeoutMs: 1_800_001 }), 'above the maximum');
    await s.request(
      ApiKey.JoinGroup,
      0,
      joinBody(groupId, { sessionTimeoutMs: 0, memberId: 'someone' }),
      'v0, zero, with a member id',
    );
    await s.request(ApiKey.JoinGroup, 5, joinBody(groupId, { sessionTimeoutMs: 6000 }), 'the minimum itself');
  },
);

scenario('JoinGroup with a member id the group does not know is UNKNOWN_MEMBER_ID', async (s) => {
  const groupId = 'diff-join-unknown-member';
  await coordinatorReady(s, groupId);
  await s.request(
    ApiKey.JoinGroup,
    5,
    joinBody('diff-join-unknown-member-nogroup', { memberId: 'nobody' }),
    'no such group',
  );
  await s.request(
    ApiKey.JoinGroup,
    2,
    joinBody('diff-join-unknown-member-nogroup', { memberId: 'nobody' }),
    'no such group, v2',
  );
  await joinAndSync(s, 'A', groupId, 5, 3);
  await s.request(ApiKey.JoinGroup, 5, joinBody(groupId, { memberId: 'nobody' }), 'made-up member id');
  await s.request(ApiKey.JoinGroup, 7, joinBody(groupId, { memberId: 'nobody' }), 'made-up member id, v7');
});

scenario(
  'Static membership v5: a rejoin with the same group instance id replaces the member id, the old id is fenced',
  async (s) => {
    const groupId = 'diff-static-rejoin-v5';
    await coordinatorReady(s, groupId);
    const { memberId: first } = await joinAndSync(s, 'A', groupId, 5, 3, { groupInstanceId: 'instance-a' });
    const rejoin = await s.request(
      ApiKey.JoinGroup,
      5,
      joinBody(groupId, { groupInstanceId: 'instance-a' }),
      'A restarts: JoinGroup with its instance id, no member id',
    );
    const second = rejoin.memberId;
    await s.request(
      ApiKey.Heartbeat,
      3,
      { groupId, generationId: 1, memberId: first, groupInstanceId: 'instance-a' },
      'old id',
    );
    await s.request(
      ApiKey.Heartbeat,
      3,
      { groupId, generationId: 1, memberId: second, groupInstanceId: 'instance-a' },
      'new id',
    );
    await s.request(
      ApiKey.SyncGroup,
      3,
      syncBody(groupId, 1, second, [], { groupInstanceId: 'instance-a' }),
      'new id gets its assignment back',
    );
    await s.request(
      ApiKey.JoinGroup,
      5,
      joinBody(groupId, { memberId: first, groupInstanceId: 'instance-a' }),
      'old id joins again',
    );
    await s.request(ApiKey.DescribeGroups, 4, { groups: [groupId], includeAuthorizedOperations: false });
  },
);

scenario(
  'Static membership v9: the rejoining static leader learns it leads but must skip the assignment',
  async (s) => {
    const groupId = 'diff-static-rejoin-v9';
    await coordinatorReady(s, groupId);
    await joinAndSync(s, 'A', groupId, 9, 5, { groupInstanceId: 'instance-a' });
    await s.request(ApiKey.JoinGroup, 9, joinBody(groupId, { groupInstanceId: 'instance-a' }), 'A restarts');
    await s.request(
      ApiKey.JoinGroup,
      9,
      joinBody(groupId, { groupInstanceId: 'instance-a', topics: ['t', 'u'] }),
      'A restarts again with another subscription',
    );
  },
);

scenario(
  'SyncGroup: the leader assigns, each member gets its own part; heartbeats during the rebalance',
  async (s) => {
    const { a, b, aId, bId } = await twoMembers(s, 'diff-sync-two-members', 'diff-sync-two-members-topic');
    const groupId = 'diff-sync-two-members';
    await a.request(ApiKey.Heartbeat, 4, { groupId, generationId: 2, memberId: aId, groupInstanceId: null }, 'A');
    await b.request(ApiKey.Heartbeat, 4, { groupId, generationId: 2, memberId: bId, groupInstanceId: null }, 'B');
    await s.request(ApiKey.DescribeGroups, 5, { groups: [groupId], includeAuthorizedOperations: true });
  },
  withMemberOrder,
);

scenario('SyncGroup with a generation other than the current one is ILLEGAL_GENERATION', async (s) => {
  const groupId = 'diff-sync-generation';
  await coordinatorReady(s, groupId);
  const { memberId } = await joinAndSync(s, 'A', groupId, 5, 3);
  await s.request(ApiKey.SyncGroup, 3, syncBody(groupId, 2, memberId), 'next generation');
  await s.request(ApiKey.SyncGroup, 3, syncBody(groupId, 0, memberId), 'generation 0');
  await s.request(ApiKey.SyncGroup, 0, syncBody(groupId, -1, memberId), 'v0, generation -1');
  await s.request(ApiKey.SyncGroup, 3, syncBody(groupId, 1, memberId), 'current generation');
});

scenario('SyncGroup from a member or group the coordinator does not know is UNKNOWN_MEMBER_ID', async (s) => {
  const groupId = 'diff-sync-unknown';
  await coordinatorReady(s, groupId);
  await s.request(ApiKey.SyncGroup, 3, syncBody('diff-sync-unknown-nogroup', 1, 'nobody'), 'no such group');
  await joinAndSync(s, 'A', groupId, 5, 3);
  await s.request(ApiKey.SyncGroup, 3, syncBody(groupId, 1, 'nobody'), 'made-up member id');
  await s.request(ApiKey.SyncGroup, 1, syncBody(groupId, 1, ''), 'v1, empty member id');
});

scenario(
  'SyncGroup v5 with another protocol type or name, or without them, is INCONSISTENT_GROUP_PROTOCOL',
  async (s) => {
    const groupId = 'diff-sync-protocol';
    await coordinatorReady(s, groupId);
    const { memberId } = await joinAndSync(s, 'A', groupId, 7, 5);
    await s.request(ApiKey.SyncGroup, 5, syncBody(groupId, 1, memberId, [], { protocolType: 'connect' }), 'other type');
    await s.request(
      ApiKey.SyncGroup,
      5,
      syncBody(groupId, 1, memberId, [], { protocolName: 'roundrobin' }),
      'other name',
    );
    await s.request(ApiKey.SyncGroup, 5, syncBody(groupId, 1, memberId, [], { protocolType: null }), 'no type');
    await s.request(ApiKey.SyncGroup, 5, syncBody(groupId, 1, memberId, [], { protocolName: null }), 'no name');
    await s.request(
      ApiKey.SyncGroup,
      5,
      syncBody('diff-sync-protocol-nogroup', 1, 'nobody', [], { protocolType: null }),
      'no type, no such group',
    );
    await s.request(ApiKey.SyncGroup, 5, syncBody(groupId, 1, memberId), 'both right');
  },
);

scenario(
  'Heartbeat v0-v4: current member, during CompletingRebalance, stale generation, unknown member and group',
  async (s) => {
    const groupId = 'diff-heartbeat';
    await coordinatorReady(s, groupId);
    const first = await s.request(ApiKey.JoinGroup, 5, joinBody(groupId), 'JoinGroup');
    const join = await s.request(
      ApiKey.JoinGroup,
      5,
      joinBody(groupId, { memberId: first.memberId }),
      'JoinGroup with id',
    );
    const memberId = join.memberId;
    await s.request(
      ApiKey.Heartbeat,
      3,
      { groupId, generationId: 1, memberId, groupInstanceId: null },
      'before SyncGroup',
    );
    await s.request(ApiKey.SyncGroup, 3, syncBody(groupId, 1, memberId, [[memberId, assignment({ t: [0] })]]));
    for (const v of [0, 1, 2, 3, 4]) {
      await s.request(
        ApiKey.Heartbeat,
        v,
        { groupId, generationId: 1, memberId, groupInstanceId: null },
        `v${v} current`,
      );
    }
    await s.request(ApiKey.Heartbeat, 4, { groupId, generationId: 0, memberId, groupInstanceId: null }, 'generation 0');
    await s.request(ApiKey.Heartbeat, 4, { groupId, generationId: 2, memberId, groupInstanceId: null }, 'generation 2');
    await s.request(
      ApiKey.Heartbeat,
      4,
      { groupId, generationId: 1, memberId: 'nobody', groupInstanceId: null },
      'unknown',
    );
    await s.request(
      ApiKey.Heartbeat,
      4,
      { groupId, generationId: 1, memberId, groupInstanceId: 'not-static' },
      'an instance id the group does not know',
    );
    await s.request(
      ApiKey.Heartbeat,
      4,
      { groupId: 'diff-heartbeat-nogroup', generationId: 1, memberId, groupInstanceId: null },
      'no such group',
    );
    await s.request(
      ApiKey.Heartbeat,
      4,
      { groupId: '', generationId: 1, memberId, groupInstanceId: null },
      'empty group id',
    );
  },
);

scenario('LeaveGroup v0-v2: one member leaves, then leaves again, then from a group that does not exist', async (s) => {
  for (const v of [0, 1, 2]) {
    const groupId = `diff-leave-v${v}`;
    await coordinatorReady(s, groupId);
    const { memberId } = await joinAndSync(s, 'A', groupId, 3, 2);
    await s.request(ApiKey.LeaveGroup, v, { groupId, memberId }, `v${v} leave`);
    await s.request(ApiKey.LeaveGroup, v, { groupId, memberId }, `v${v} leave again`);
    await s.request(ApiKey.LeaveGroup, v, { groupId: `${groupId}-nogroup`, memberId }, `v${v} no such group`);
    await s.request(ApiKey.DescribeGroups, 0, { groups: [groupId] }, `v${v} the group is empty`);
  }
});

scenario(
  'LeaveGroup v3-v5: a batch of members, one of them unknown, answered per member',
  async (s) => {
    for (const v of [3, 4, 5]) {
      const groupId = `diff-leave-batch-v${v}`;
      const { aId, bId } = await twoMembers(s, groupId, `${groupId}-topic`);
      await s.request(
        ApiKey.LeaveGroup,
        v,
        {
          groupId,
          members: [
            { memberId: aId, groupInstanceId: null, reason: 'done' },
            { memberId: 'nobody', groupInstanceId: null, reason: null },
            { memberId: bId, groupInstanceId: null, reason: null },
          ],
        },
        `v${v} leave`,
      );
      await s.request(
        ApiKey.LeaveGroup,
        v,
        { groupId: `${groupId}-nogroup`, members: [{ memberId: aId, groupInstanceId: null }] },
        `v${v} no such group`,
      );
      await s.request(ApiKey.DescribeGroups, 0, { groups: [groupId] }, `v${v} the group is empty`);
    }
  },
  withMemberOrder,
);

scenario('LeaveGroup v4: static members leave by group instance id; a wrong member id is fenced', async (s) => {
  const groupId = 'diff-leave-static';
  await coordinatorReady(s, groupId);
  const { memberId } = await joinAndSync(s, 'A', groupId, 5, 3, { groupInstanceId: 'instance-a' });
  await s.request(
    ApiKey.LeaveGroup,
    4,
    {
      groupId,
      members: [
        { memberId: 'not-a', groupInstanceId: 'instance-a' },
        { memberId: '', groupInstanceId: 'instance-unknown' },
        { memberId: '', groupInstanceId: 'instance-a' },
      ],
    },
    'leave',
  );
  await s.request(ApiKey.LeaveGroup, 4, { groupId, members: [{ memberId, groupInstanceId: 'instance-a' }] }, 'again');
  await s.request(ApiKey.DescribeGroups, 4, { groups: [groupId] }, 'the group is empty');
});

scenario('JoinGroup v5 with topics created: the group stays the same on both brokers', async (s) => {
  // A consumer subscription to real topics changes nothing in the group protocol: the broker
  // does not read it (except for OffsetDelete), and the assignment bytes come back as sent.
  await createTopics(s, { 'diff-join-real-topics': 2 });
  const groupId = 'diff-join-real-topics';
  await coordinatorReady(s, groupId);
  await joinAndSync(s, 'A', groupId, 5, 3, { topics: ['diff-join-real-topics'] });
  await s.request(ApiKey.DescribeGroups, 1, { groups: [groupId] });
});

scenario(
  'Static members: odd group instance ids, commits with the instance id, a leader assigning unknown members',
  async (s) => {
    const groupId = 'diff-static-misc';
    const topic = 'diff-static-misc-topic';
    await createTopics(s, { [topic]: 1 });
    await coordinatorReady(s, groupId);
    await s.request(ApiKey.JoinGroup, 5, joinBody(`${groupId}-empty`, { groupInstanceId: '' }), 'empty instance id');
    await s.request(ApiKey.JoinGroup, 5, joinBody(`${groupId}-slash`, { groupInstanceId: 'a/b c' }), 'odd instance id');
    const first = await s.request(ApiKey.JoinGroup, 5, joinBody(groupId, { groupInstanceId: 'inst', topics: [topic] }));
    const memberId = first.memberId;
    await s.request(
      ApiKey.SyncGroup,
      3,
      syncBody(
        groupId,
        1,
        memberId,
        [
          ['someone-else', assignment({ [topic]: [0] })],
          [memberId, assignment({ [topic]: [0] })],
        ],
        { groupInstanceId: 'inst' },
      ),
      'SyncGroup assigning an unknown member too',
    );
    const commit = (label: string, id: string, instance: string | null) =>
      s.request(
        ApiKey.OffsetCommit,
        7,
        {
          groupId,
          generationIdOrMemberEpoch: 1,
          memberId: id,
          groupInstanceId: instance,
          topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 3, committedMetadata: null }] }],
        },
        label,
      );
    await commit('commit with the instance id', memberId, 'inst');
    await commit('commit without it', memberId, null);
    await commit('commit with another member id', 'other', 'inst');
    await commit('commit with another instance id', memberId, 'other');
    await s.request(ApiKey.DescribeGroups, 4, { groups: [groupId] });
  },
);
