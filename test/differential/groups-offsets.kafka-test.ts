/**
 * Committed offsets against Kafka and Samsa: OffsetCommit (simple commits, members and
 * generations, unknown partitions, metadata, retention time, flexible versions) and OffsetFetch
 * (chosen partitions, all partitions, unknown groups, many groups at once, require_stable).
 */
import { after } from 'node:test';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';
import type { OffsetCommitRequest } from '../../src/protocol/messages/generated/offset-commit.ts';
import { assignment, coordinatorReady, createTopics, joinBody, syncBody } from './groups-helpers.ts';
import { closeBrokers, type Session, scenario } from './harness.ts';
import { type Normaliser, offsetPartitionOrder, zookeeperOffsetMetadata } from './normalise.ts';

after(closeBrokers);

/** Offset answers list topic-partitions in hash order on Kafka: every scenario here sorts them. */
function offsetScenario(name: string, script: (s: Session) => Promise<void>, rules: Normaliser[] = []): void {
  scenario(name, script, { rules: [offsetPartitionOrder, ...rules] });
}

/** An OffsetCommit body: `offsets` as [topic, partition, offset, metadata]. */
function commitBody(
  groupId: string,
  offsets: [string, number, number, string | null][],
  o: {
    generationId?: number;
    memberId?: string;
    groupInstanceId?: string | null;
    retentionTimeMs?: number;
    leaderEpoch?: number;
  } = {},
): OffsetCommitRequest {
  const topics = new Map<string, OffsetCommitRequest['topics'][number]>();
  for (const [name, partitionIndex, committedOffset, committedMetadata] of offsets) {
    let t = topics.get(name);
    if (t === undefined) {
      t = { name, partitions: [] };
      topics.set(name, t);
    }
    t.partitions.push({
      partitionIndex,
      committedOffset,
      committedLeaderEpoch: o.leaderEpoch ?? -1,
      commitTimestamp: -1,
      committedMetadata,
    });
  }
  return {
    groupId,
    generationIdOrMemberEpoch: o.generationId ?? -1,
    memberId: o.memberId ?? '',
    groupInstanceId: o.groupInstanceId ?? null,
    retentionTimeMs: o.retentionTimeMs ?? -1,
    topics: [...topics.values()],
  };
}

offsetScenario(
  'OffsetCommit v1-v9 outside group management (generation -1, no member id), each read back',
  async (s) => {
    const topic = 'diff-commit-simple';
    await createTopics(s, { [topic]: 2 });
    for (let v = 1; v <= 9; v++) {
      const groupId = `diff-commit-simple-v${v}`;
      await coordinatorReady(s, groupId);
      await s.request(
        ApiKey.OffsetCommit,
        v,
        commitBody(groupId, [
          [topic, 0, 100 + v, `v${v}`],
          [topic, 1, 200 + v, null],
        ]),
      );
      const fetchVersion = Math.min(v, 7);
      await s.request(ApiKey.OffsetFetch, fetchVersion, {
        groupId,
        topics: [{ name: topic, partitionIndexes: [0, 1] }],
        requireStable: false,
      });
    }
  },
);

offsetScenario(
  'OffsetCommit v0 and OffsetFetch v0',
  async (s) => {
    const topic = 'diff-commit-v0';
    const groupId = 'diff-commit-v0';
    await createTopics(s, { [topic]: 1 });
    await coordinatorReady(s, groupId);
    await s.request(ApiKey.OffsetCommit, 0, commitBody(groupId, [[topic, 0, 7, 'zero']]));
    await s.request(ApiKey.OffsetFetch, 0, { groupId, topics: [{ name: topic, partitionIndexes: [0] }] });
  },
  [zookeeperOffsetMetadata],
);

offsetScenario(
  'OffsetCommit by a member: during CompletingRebalance, with its generation, a stale one, unknown members',
  async (s) => {
    const topic = 'diff-commit-member';
    const groupId = 'diff-commit-member';
    await createTopics(s, { [topic]: 1 });
    await coordinatorReady(s, groupId);
    const first = await s.request(ApiKey.JoinGroup, 5, joinBody(groupId, { topics: [topic] }), 'JoinGroup');
    const join = await s.request(ApiKey.JoinGroup, 5, joinBody(groupId, { memberId: first.memberId, topics: [topic] }));
    const memberId = join.memberId;
    const commit = (label: string, offset: number, o: Parameters<typeof commitBody>[2], v = 7) =>
      s.request(ApiKey.OffsetCommit, v, commitBody(groupId, [[topic, 0, offset, label]], o), label);
    await commit('before SyncGroup', 1, { generationId: 1, memberId });
    await s.request(ApiKey.SyncGroup, 3, syncBody(groupId, 1, memberId, [[memberId, assignment({ [topic]: [0] })]]));
    await commit('current generation', 2, { generationId: 1, memberId });
    await commit('generation 0', 3, { generationId: 0, memberId });
    await commit('generation 2', 4, { generationId: 2, memberId });
    await commit('unknown member', 5, { generationId: 1, memberId: 'nobody' });
    await commit('no member id, generation 1', 6, { generationId: 1 });
    await commit('no member id, generation -1 (simple commit into a group with members)', 7, {});
    await commit('member id, generation -1', 8, { memberId });
    await commit('an instance id the group does not know', 9, { generationId: 1, memberId, groupInstanceId: 'inst' });
    await commit('v2, current generation', 10, { generationId: 1, memberId }, 2);
    await commit('v1, stale generation', 11, { generationId: 0, memberId }, 1);
    await s.request(ApiKey.OffsetFetch, 5, { groupId, topics: [{ name: topic, partitionIndexes: [0] }] }, 'committed');
    // Everyone leaves: the group is Empty with generation 1.
    await s.request(ApiKey.LeaveGroup, 1, { groupId, memberId });
    await commit('empty group, the former member with its generation', 12, { generationId: 1, memberId });
    await commit('empty group, a member id with generation -1', 13, { memberId: 'someone' });
    await commit('empty group, generation 1 without member id', 14, { generationId: 1 });
    await commit('empty group, simple commit', 15, {});
    await s.request(ApiKey.OffsetFetch, 5, { groupId, topics: [{ name: topic, partitionIndexes: [0] }] }, 'in the end');
  },
);

offsetScenario('OffsetCommit with a generation to a group that does not exist is ILLEGAL_GENERATION', async (s) => {
  const topic = 'diff-commit-nogroup';
  await createTopics(s, { [topic]: 1 });
  const groupId = 'diff-commit-nogroup';
  await coordinatorReady(s, groupId);
  await s.request(
    ApiKey.OffsetCommit,
    7,
    commitBody(groupId, [[topic, 0, 1, null]], { generationId: 3, memberId: 'm' }),
  );
  await s.request(ApiKey.OffsetCommit, 7, commitBody(`${groupId}-2`, [[topic, 0, 1, null]], { memberId: 'm' }));
  await s.request(ApiKey.OffsetFetch, 7, { groupId, topics: null, requireStable: false });
  await s.request(ApiKey.OffsetFetch, 7, { groupId: `${groupId}-2`, topics: null, requireStable: false });
});

offsetScenario(
  'OffsetCommit to partitions that do not exist: UNKNOWN_TOPIC_OR_PARTITION for those, the rest committed',
  async (s) => {
    const topic = 'diff-commit-unknown-partition';
    const groupId = 'diff-commit-unknown-partition';
    await createTopics(s, { [topic]: 1 });
    await coordinatorReady(s, groupId);
    await s.request(
      ApiKey.OffsetCommit,
      8,
      commitBody(groupId, [
        [topic, 0, 5, null],
        [topic, 1, 6, null],
        ['diff-commit-no-such-topic', 0, 7, null],
        [topic, -1, 8, null],
      ]),
    );
    await s.request(
      ApiKey.OffsetFetch,
      7,
      {
        groupId,
        topics: [
          { name: topic, partitionIndexes: [0, 1] },
          { name: 'diff-commit-no-such-topic', partitionIndexes: [0] },
        ],
        requireStable: false,
      },
      'the partitions asked for',
    );
    await s.request(ApiKey.OffsetFetch, 7, { groupId, topics: null, requireStable: false }, 'every partition');
    await s.request(
      ApiKey.OffsetCommit,
      8,
      commitBody(`${groupId}-only-unknown`, [['diff-commit-no-such-topic', 0, 1, null]]),
    );
  },
);

offsetScenario('OffsetCommit metadata: null, empty, text, at and above offset.metadata.max.bytes', async (s) => {
  const topic = 'diff-commit-metadata';
  const groupId = 'diff-commit-metadata';
  await createTopics(s, { [topic]: 5 });
  await coordinatorReady(s, groupId);
  await s.request(
    ApiKey.OffsetCommit,
    8,
    commitBody(groupId, [
      [topic, 0, 1, null],
      [topic, 1, 2, ''],
      [topic, 2, 3, 'some text, ünïcödé ✓'],
      [topic, 3, 4, 'x'.repeat(4096)],
      [topic, 4, 5, 'x'.repeat(4097)],
    ]),
  );
  await s.request(ApiKey.OffsetFetch, 1, { groupId, topics: [{ name: topic, partitionIndexes: [0, 1, 2, 3, 4] }] });
  await s.request(ApiKey.OffsetCommit, 8, commitBody(groupId, [[topic, 4, 5, 'x'.repeat(5000)]]), 'only too large');
});

offsetScenario('OffsetCommit v2-v4 with a retention time, v5+ without one', async (s) => {
  const topic = 'diff-commit-retention';
  const groupId = 'diff-commit-retention';
  await createTopics(s, { [topic]: 4 });
  await coordinatorReady(s, groupId);
  await s.request(ApiKey.OffsetCommit, 2, commitBody(groupId, [[topic, 0, 1, 'a']], { retentionTimeMs: 3_600_000 }));
  await s.request(ApiKey.OffsetCommit, 3, commitBody(groupId, [[topic, 1, 2, 'b']], { retentionTimeMs: -1 }));
  await s.request(ApiKey.OffsetCommit, 4, commitBody(groupId, [[topic, 2, 3, 'c']], { retentionTimeMs: 1 }));
  await s.request(ApiKey.OffsetCommit, 5, commitBody(groupId, [[topic, 3, 4, 'd']]));
  await s.request(ApiKey.OffsetFetch, 3, { groupId, topics: [{ name: topic, partitionIndexes: [0, 1, 2, 3] }] });
});

offsetScenario('OffsetCommit v8-v9 (flexible) with leader epochs, OffsetFetch v5-v7 returning them', async (s) => {
  const topic = 'diff-commit-flexible';
  const groupId = 'diff-commit-flexible';
  await createTopics(s, { [topic]: 2 });
  await coordinatorReady(s, groupId);
  await s.request(ApiKey.OffsetCommit, 8, commitBody(groupId, [[topic, 0, 42, 'eight']], { leaderEpoch: 3 }));
  await s.request(ApiKey.OffsetCommit, 9, commitBody(groupId, [[topic, 1, 43, 'nine']], { leaderEpoch: -1 }));
  for (const v of [5, 6, 7]) {
    await s.request(ApiKey.OffsetFetch, v, {
      groupId,
      topics: [{ name: topic, partitionIndexes: [0, 1] }],
      requireStable: false,
    });
  }
});

offsetScenario(
  'OffsetFetch v1-v7 of chosen partitions: committed, not committed, of a topic that does not exist',
  async (s) => {
    const topic = 'diff-fetch-chosen';
    const groupId = 'diff-fetch-chosen';
    await createTopics(s, { [topic]: 3 });
    await coordinatorReady(s, groupId);
    await s.request(ApiKey.OffsetCommit, 5, commitBody(groupId, [[topic, 1, 11, 'one']]));
    for (let v = 1; v <= 7; v++) {
      await s.request(ApiKey.OffsetFetch, v, {
        groupId,
        topics: [
          { name: topic, partitionIndexes: [0, 1, 7] },
          { name: 'diff-fetch-no-such-topic', partitionIndexes: [0] },
        ],
        requireStable: false,
      });
    }
    await s.request(ApiKey.OffsetFetch, 3, { groupId, topics: [] }, 'no topics');
  },
);

offsetScenario('OffsetFetch v2-v7 of every committed partition (null topics)', async (s) => {
  const topics = ['diff-fetch-all-a', 'diff-fetch-all-b'];
  const groupId = 'diff-fetch-all';
  await createTopics(s, { [topics[0]!]: 3, [topics[1]!]: 1 });
  await coordinatorReady(s, groupId);
  await s.request(ApiKey.OffsetCommit, 6, commitBody(groupId, [[topics[0]!, 2, 12, 'a2']]));
  await s.request(ApiKey.OffsetCommit, 6, commitBody(groupId, [[topics[1]!, 0, 20, 'b0']]));
  await s.request(ApiKey.OffsetCommit, 6, commitBody(groupId, [[topics[0]!, 0, 10, 'a0']]));
  for (let v = 2; v <= 7; v++) await s.request(ApiKey.OffsetFetch, v, { groupId, topics: null, requireStable: false });
});

offsetScenario('OffsetFetch v1-v7 for a group that does not exist', async (s) => {
  const groupId = 'diff-fetch-nogroup';
  await coordinatorReady(s, groupId);
  for (let v = 1; v <= 7; v++) {
    await s.request(ApiKey.OffsetFetch, v, {
      groupId,
      topics: [{ name: 'diff-fetch-nogroup-topic', partitionIndexes: [0] }],
      requireStable: false,
    });
  }
  await s.request(ApiKey.OffsetFetch, 7, { groupId, topics: null, requireStable: false }, 'all partitions');
});

offsetScenario('OffsetFetch v8-v9 for several groups at once', async (s) => {
  const topic = 'diff-fetch-multi';
  const groups = ['diff-fetch-multi-a', 'diff-fetch-multi-b', 'diff-fetch-multi-none'];
  await createTopics(s, { [topic]: 2 });
  for (const g of groups) await coordinatorReady(s, g);
  await s.request(ApiKey.OffsetCommit, 8, commitBody(groups[0]!, [[topic, 0, 1, 'a']]));
  await s.request(ApiKey.OffsetCommit, 8, commitBody(groups[1]!, [[topic, 1, 2, 'b']]));
  for (const v of [8, 9]) {
    await s.request(ApiKey.OffsetFetch, v, {
      groups: [
        { groupId: groups[0]!, memberId: null, memberEpoch: -1, topics: [{ name: topic, partitionIndexes: [0, 1] }] },
        { groupId: groups[1]!, memberId: null, memberEpoch: -1, topics: null },
        { groupId: groups[2]!, memberId: null, memberEpoch: -1, topics: [{ name: topic, partitionIndexes: [0] }] },
      ],
      requireStable: v === 9,
    });
  }
});

offsetScenario('OffsetFetch v7 with require_stable after the commits completed', async (s) => {
  const topic = 'diff-fetch-stable';
  const groupId = 'diff-fetch-stable';
  await createTopics(s, { [topic]: 1 });
  await coordinatorReady(s, groupId);
  await s.request(ApiKey.OffsetCommit, 7, commitBody(groupId, [[topic, 0, 9, null]]));
  await s.request(ApiKey.OffsetFetch, 7, {
    groupId,
    topics: [{ name: topic, partitionIndexes: [0] }],
    requireStable: true,
  });
  await s.request(ApiKey.OffsetFetch, 7, { groupId, topics: null, requireStable: true });
});
