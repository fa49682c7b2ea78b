/**
 * The consumer group APIs end to end over sockets, against a real broker (startBroker), at every
 * version each of them serves: FindCoordinator 0-6, JoinGroup 0-9, SyncGroup 0-5, Heartbeat 0-4,
 * LeaveGroup 0-5, OffsetCommit 0-9, OffsetFetch 0-9, DescribeGroups 0-5, ListGroups 0-5,
 * DeleteGroups 0-2, OffsetDelete 0 — each version decoded and answered in its own shape — plus
 * the bad-input answers and commits surviving a broker restart.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type Broker, startBroker } from '../../../src/broker/start-broker.ts';
import { MemoryLogger } from '../../../src/common/logger.ts';
import { CONSUMER_OFFSETS_TOPIC } from '../../../src/controller/topic-names.ts';
import { ErrorCode } from '../../../src/protocol/error-codes.ts';
import { encodeAssignment, encodeSubscription } from '../../../src/protocol/messages/consumer-protocol.ts';
import type { ApiMessages } from '../../../src/protocol/messages/generated/api-table.ts';
import { ApiKey } from '../../../src/protocol/messages/generated/api-table.ts';
import { makeTempDir, type TempDir, withTimeout } from '../../interop/helpers.ts';
import { destroyAllSockets, RawClient, request } from '../helpers.ts';

const T = { timeout: 30_000 };
const PROPS = {
  'offsets.topic.num.partitions': 3,
  'group.initial.rebalance.delay.ms': 0,
  'group.min.session.timeout.ms': 1000,
  'num.partitions': 2,
};

let correlation = 1;
async function call<K extends keyof ApiMessages>(
  c: RawClient,
  apiKey: K,
  version: number,
  body: ApiMessages[K]['request'],
): Promise<ApiMessages[K]['response']> {
  c.write(request(apiKey, version, correlation++, body, 'group-apis'));
  return (await c.response(apiKey, version)).body;
}

interface Running {
  broker: Broker;
  dir: TempDir;
  client: RawClient;
}

const open: Running[] = [];
after(async () => {
  destroyAllSockets();
  for (const r of open) await withTimeout(r.broker.close(), 10_000, 'broker close').catch(() => {});
  for (const r of open) await r.dir.remove();
});

async function start(dir?: TempDir): Promise<Running> {
  const d = dir ?? (await makeTempDir('samsa-groups-'));
  const broker = await startBroker({
    port: 0,
    host: '127.0.0.1',
    logDirs: [d.path],
    properties: PROPS,
    logger: new MemoryLogger(),
  });
  const client = await RawClient.connect(broker.port);
  const r = { broker, dir: d, client };
  open.push(r);
  return r;
}

/** Makes the offsets topic exist, with every shard loaded. */
async function offsetsTopicReady(r: Running): Promise<void> {
  const first = await call(r.client, ApiKey.FindCoordinator, 0, { key: 'any' });
  if (first.errorCode !== ErrorCode.NONE) assert.equal(first.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  assert.ok(await r.broker.services.topics.waitForLeaders([CONSUMER_OFFSETS_TOPIC], 10_000));
  await r.broker.services.groupCoordinator.loaded();
}

const subscription = (topics: string[]) => encodeSubscription({ topics, userData: null }, 0);

/** A JoinGroup body for `version` (fields outside the version left out). */
function joinBody(version: number, groupId: string, memberId: string, topics: string[]) {
  return {
    groupId,
    sessionTimeoutMs: 6000,
    memberId,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(topics) }],
    ...(version >= 1 ? { rebalanceTimeoutMs: 10_000 } : {}),
    ...(version >= 5 ? { groupInstanceId: null } : {}),
    ...(version >= 8 ? { reason: 'test' } : {}),
  };
}

interface Profile {
  name: string;
  find: number;
  join: number;
  sync: number;
  heartbeat: number;
  commit: number;
  fetch: number;
  leave: number;
}

/** Version sets as clients send them (NOTES.md §2), plus in-between ones so every version runs. */
const PROFILES: Profile[] = [
  { name: 'oldest', find: 0, join: 0, sync: 0, heartbeat: 0, commit: 0, fetch: 0, leave: 0 },
  { name: 'kafka-python 2.0.2', find: 0, join: 2, sync: 1, heartbeat: 1, commit: 2, fetch: 1, leave: 1 },
  { name: 'v1 set', find: 1, join: 1, sync: 1, heartbeat: 1, commit: 1, fetch: 2, leave: 2 },
  { name: 'v3 set', find: 3, join: 3, sync: 2, heartbeat: 2, commit: 3, fetch: 3, leave: 2 },
  { name: 'v4 set', find: 4, join: 4, sync: 3, heartbeat: 3, commit: 4, fetch: 5, leave: 3 },
  { name: 'kafkajs 2.2.4', find: 2, join: 5, sync: 3, heartbeat: 3, commit: 5, fetch: 4, leave: 3 },
  { name: 'librdkafka 2.0.2', find: 2, join: 5, sync: 3, heartbeat: 3, commit: 7, fetch: 7, leave: 1 },
  { name: 'v6 set', find: 5, join: 6, sync: 4, heartbeat: 4, commit: 6, fetch: 6, leave: 4 },
  { name: 'v7 set', find: 6, join: 7, sync: 5, heartbeat: 4, commit: 8, fetch: 8, leave: 5 },
  { name: 'v8 set', find: 6, join: 8, sync: 5, heartbeat: 4, commit: 8, fetch: 8, leave: 5 },
  { name: '@platformatic/kafka 2.12.1', find: 6, join: 9, sync: 5, heartbeat: 4, commit: 9, fetch: 9, leave: 5 },
];

describe('consumer group APIs over the wire', () => {
  it(
    'FindCoordinator creates __consumer_offsets on first use, then names this broker (v0-6, batched keys v4+)',
    T,
    async () => {
      const r = await start();
      const first = await call(r.client, ApiKey.FindCoordinator, 1, { key: 'g', keyType: 0 });
      assert.equal(first.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE, 'the topic is being created');
      assert.equal(first.errorMessage, 'The coordinator is not available.');
      assert.equal(first.nodeId, -1);
      await offsetsTopicReady(r);
      assert.equal(r.broker.services.metadataCache.topic(CONSUMER_OFFSETS_TOPIC)!.partitions.size, 3);
      for (let v = 0; v <= 3; v++) {
        const res = await call(r.client, ApiKey.FindCoordinator, v, { key: 'g', ...(v >= 1 ? { keyType: 0 } : {}) });
        assert.deepEqual([res.errorCode, res.nodeId, res.port], [0, 0, r.broker.port], `v${v}`);
        assert.equal(res.host, '127.0.0.1');
      }
      for (let v = 4; v <= 6; v++) {
        const res = await call(r.client, ApiKey.FindCoordinator, v, { keyType: 0, coordinatorKeys: ['a', 'b', 'c'] });
        assert.deepEqual(
          res.coordinators!.map((c) => [c.key, c.errorCode, c.nodeId, c.port]),
          ['a', 'b', 'c'].map((k) => [k, 0, 0, r.broker.port]),
          `v${v}`,
        );
      }
      const txn = await call(r.client, ApiKey.FindCoordinator, 2, { key: 'txn', keyType: 1 });
      assert.equal(txn.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE, 'no transaction coordinator yet');
      const bad = await call(r.client, ApiKey.FindCoordinator, 2, { key: 'x', keyType: 7 });
      assert.equal(bad.errorCode, ErrorCode.INVALID_REQUEST);
    },
  );

  for (const p of PROFILES) {
    it(`one member's life at ${p.name}: join, sync, heartbeat, commit, fetch, leave`, T, async () => {
      const r = open[0] ?? (await start());
      if (open.length === 1 && r.broker.services.metadataCache.topic(CONSUMER_OFFSETS_TOPIC) === undefined) {
        await offsetsTopicReady(r);
      }
      const c = r.client;
      const groupId = `group-${p.name}`;
      const topic = `topic-${p.join}`;
      await r.broker.services.topics.autoCreate([topic], { waitMs: 5000 });

      const found = await call(
        c,
        ApiKey.FindCoordinator,
        p.find,
        p.find >= 4 ? { keyType: 0, coordinatorKeys: [groupId] } : { key: groupId },
      );
      assert.equal(p.find >= 4 ? found.coordinators![0]!.errorCode : found.errorCode, 0);

      let join = await call(c, ApiKey.JoinGroup, p.join, joinBody(p.join, groupId, '', [topic]));
      if (p.join >= 4) {
        assert.equal(join.errorCode, ErrorCode.MEMBER_ID_REQUIRED, 'KIP-394 round trip');
        assert.ok(join.memberId.length > 0);
        join = await call(c, ApiKey.JoinGroup, p.join, joinBody(p.join, groupId, join.memberId, [topic]));
      }
      assert.equal(join.errorCode, 0);
      assert.equal(join.generationId, 1);
      assert.equal(join.leader, join.memberId);
      assert.equal(join.protocolName, 'range');
      if (p.join >= 7) assert.equal(join.protocolType, 'consumer');
      assert.deepEqual(join.members[0]!.metadata, subscription([topic]));
      const memberId = join.memberId;

      const assignment = encodeAssignment({ assignedPartitions: [{ topic, partitions: [0, 1] }], userData: null }, 0);
      const sync = await call(c, ApiKey.SyncGroup, p.sync, {
        groupId,
        generationId: 1,
        memberId,
        assignments: [{ memberId, assignment }],
        ...(p.sync >= 3 ? { groupInstanceId: null } : {}),
        ...(p.sync >= 5 ? { protocolType: 'consumer', protocolName: 'range' } : {}),
      });
      assert.equal(sync.errorCode, 0);
      assert.deepEqual(sync.assignment, assignment);
      if (p.sync >= 5) assert.deepEqual([sync.protocolType, sync.protocolName], ['consumer', 'range']);

      const hb = await call(c, ApiKey.Heartbeat, p.heartbeat, {
        groupId,
        generationId: 1,
        memberId,
        ...(p.heartbeat >= 3 ? { groupInstanceId: null } : {}),
      });
      assert.equal(hb.errorCode, 0);
      const stale = await call(c, ApiKey.Heartbeat, p.heartbeat, { groupId, generationId: 0, memberId });
      assert.equal(stale.errorCode, ErrorCode.ILLEGAL_GENERATION);

      // v0 commits carry no member: only a simple (Empty) group takes them.
      const commitGroup = p.commit === 0 ? `${groupId}-simple` : groupId;
      const commit = await call(c, ApiKey.OffsetCommit, p.commit, {
        groupId: commitGroup,
        ...(p.commit >= 1 ? { generationIdOrMemberEpoch: 1, memberId } : {}),
        ...(p.commit >= 7 ? { groupInstanceId: null } : {}),
        ...(p.commit >= 2 && p.commit <= 4 ? { retentionTimeMs: -1 } : {}),
        topics: [
          {
            name: topic,
            partitions: [
              {
                partitionIndex: 0,
                committedOffset: 42,
                committedMetadata: 'meta',
                ...(p.commit >= 6 ? { committedLeaderEpoch: 0 } : {}),
              },
              { partitionIndex: 9, committedOffset: 1, committedMetadata: null },
            ],
          },
          { name: 'no-such-topic', partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] },
        ],
      });
      assert.deepEqual(
        commit.topics.map((t) => [t.name, t.partitions.map((x) => x.errorCode)]),
        [
          [topic, [0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]],
          ['no-such-topic', [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]],
        ],
        `OffsetCommit v${p.commit}`,
      );

      const partitions = [{ name: topic, partitionIndexes: [0, 1] }];
      const fetched =
        p.fetch >= 8
          ? (
              await call(c, ApiKey.OffsetFetch, p.fetch, {
                groups: [
                  { groupId: commitGroup, topics: partitions },
                  { groupId: 'unknown', topics: null },
                ],
                requireStable: true,
              })
            ).groups!
          : [
              {
                ...(await call(c, ApiKey.OffsetFetch, p.fetch, {
                  groupId: commitGroup,
                  topics: partitions,
                  ...(p.fetch >= 7 ? { requireStable: true } : {}),
                })),
                groupId: commitGroup,
              },
            ];
      const parts = fetched[0]!.topics![0]!.partitions;
      assert.deepEqual(
        parts.map((x) => [x.partitionIndex, x.committedOffset, x.metadata, x.errorCode]),
        [
          [0, 42, 'meta', 0],
          [1, -1, '', 0],
        ],
        `OffsetFetch v${p.fetch}`,
      );
      if (p.fetch >= 5) assert.equal(parts[0]!.committedLeaderEpoch, p.commit >= 6 ? 0 : -1);
      if (p.fetch >= 8)
        assert.deepEqual([fetched[1]!.groupId, fetched[1]!.errorCode, fetched[1]!.topics?.length], ['unknown', 0, 0]);
      if (p.fetch >= 2) {
        const all =
          p.fetch >= 8
            ? (await call(c, ApiKey.OffsetFetch, p.fetch, { groups: [{ groupId: commitGroup, topics: null }] }))
                .groups![0]!.topics
            : (await call(c, ApiKey.OffsetFetch, p.fetch, { groupId: commitGroup, topics: null })).topics!;
        assert.deepEqual(
          all.map((t) => [t.name, t.partitions.map((x) => x.committedOffset)]),
          [[topic, [42]]],
          'null topics: all',
        );
      }

      const leave =
        p.leave >= 3
          ? await call(c, ApiKey.LeaveGroup, p.leave, {
              groupId,
              members: [
                { memberId, groupInstanceId: null, ...(p.leave >= 5 ? { reason: 'done' } : {}) },
                { memberId: 'x', groupInstanceId: null },
              ],
            })
          : await call(c, ApiKey.LeaveGroup, p.leave, { groupId, memberId });
      assert.equal(leave.errorCode, 0);
      if (p.leave >= 3)
        assert.deepEqual(
          leave.members!.map((m) => m.errorCode),
          [0, ErrorCode.UNKNOWN_MEMBER_ID],
        );
      const gone = await call(c, ApiKey.Heartbeat, p.heartbeat, { groupId, generationId: 1, memberId });
      assert.equal(gone.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    });
  }

  it(
    'DescribeGroups v0-5, ListGroups v0-5 (state and type filters), DeleteGroups v0-2, OffsetDelete v0',
    T,
    async () => {
      const r = open[0] ?? (await start());
      if (r.broker.services.metadataCache.topic(CONSUMER_OFFSETS_TOPIC) === undefined) await offsetsTopicReady(r);
      const c = r.client;
      await r.broker.services.topics.autoCreate(['admin-t'], { waitMs: 5000 });
      // A stable one-member group.
      const m = await RawClient.connect(r.broker.port);
      const j1 = await call(m, ApiKey.JoinGroup, 5, joinBody(5, 'stable-g', '', ['admin-t']));
      const j = await call(m, ApiKey.JoinGroup, 5, joinBody(5, 'stable-g', j1.memberId, ['admin-t']));
      const assignment = encodeAssignment(
        { assignedPartitions: [{ topic: 'admin-t', partitions: [0] }], userData: null },
        0,
      );
      await call(m, ApiKey.SyncGroup, 3, {
        groupId: 'stable-g',
        generationId: j.generationId,
        memberId: j.memberId,
        groupInstanceId: null,
        assignments: [{ memberId: j.memberId, assignment }],
      });
      // An empty group with offsets.
      await call(c, ApiKey.OffsetCommit, 2, {
        groupId: 'empty-g',
        generationIdOrMemberEpoch: -1,
        memberId: '',
        retentionTimeMs: -1,
        topics: [
          {
            name: 'admin-t',
            partitions: [
              { partitionIndex: 0, committedOffset: 5, committedMetadata: null },
              { partitionIndex: 1, committedOffset: 6, committedMetadata: null },
            ],
          },
        ],
      });

      for (let v = 0; v <= 5; v++) {
        const d = await call(c, ApiKey.DescribeGroups, v, {
          groups: ['stable-g', 'empty-g', 'nope'],
          ...(v >= 3 ? { includeAuthorizedOperations: true } : {}),
        });
        const [s, e, n] = d.groups;
        assert.deepEqual(
          [s!.groupState, s!.protocolType, s!.protocolData, s!.members.length],
          ['Stable', 'consumer', 'range', 1],
          `v${v}`,
        );
        assert.equal(s!.members[0]!.clientId, 'group-apis');
        assert.equal(s!.members[0]!.clientHost, '/127.0.0.1');
        assert.deepEqual(s!.members[0]!.memberAssignment, assignment);
        assert.deepEqual(s!.members[0]!.memberMetadata, subscription(['admin-t']));
        assert.deepEqual([e!.groupState, e!.protocolType, e!.members.length], ['Empty', '', 0]);
        assert.deepEqual([n!.errorCode, n!.groupState], [0, 'Dead']);
        if (v >= 3) assert.equal(s!.authorizedOperations, (1 << 3) | (1 << 6) | (1 << 8));
      }
      for (let v = 0; v <= 5; v++) {
        const l = await call(c, ApiKey.ListGroups, v, {
          ...(v >= 4 ? { statesFilter: [] } : {}),
          ...(v >= 5 ? { typesFilter: [] } : {}),
        });
        assert.equal(l.errorCode, 0);
        const listed = new Map(l.groups.map((g) => [g.groupId, g]));
        assert.equal(listed.get('stable-g')!.protocolType, 'consumer', `v${v}`);
        if (v >= 4) assert.equal(listed.get('stable-g')!.groupState, 'Stable');
        if (v >= 5) assert.equal(listed.get('stable-g')!.groupType, 'classic');
      }
      const stableOnly = await call(c, ApiKey.ListGroups, 4, { statesFilter: ['stable'] });
      assert.ok(stableOnly.groups.every((g) => g.groupState === 'Stable'));
      assert.ok(stableOnly.groups.some((g) => g.groupId === 'stable-g'));
      const consumerType = await call(c, ApiKey.ListGroups, 5, { statesFilter: [], typesFilter: ['consumer'] });
      assert.equal(consumerType.groups.length, 0, 'no KIP-848 groups');

      const od = await call(c, ApiKey.OffsetDelete, 0, {
        groupId: 'stable-g',
        topics: [
          { name: 'admin-t', partitions: [{ partitionIndex: 0 }] },
          { name: 'nope', partitions: [{ partitionIndex: 0 }] },
        ],
      });
      assert.deepEqual(
        od.topics.map((t) => t.partitions[0]!.errorCode),
        [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      );
      const od2 = await call(c, ApiKey.OffsetDelete, 0, {
        groupId: 'empty-g',
        topics: [{ name: 'admin-t', partitions: [{ partitionIndex: 0 }] }],
      });
      assert.deepEqual([od2.errorCode, od2.topics[0]!.partitions[0]!.errorCode], [0, 0]);
      const od3 = await call(c, ApiKey.OffsetDelete, 0, { groupId: 'missing-g', topics: [] });
      assert.equal(od3.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);

      for (let v = 0; v <= 2; v++) {
        const del = await call(c, ApiKey.DeleteGroups, v, {
          groupsNames: v === 0 ? ['empty-g', 'stable-g', 'empty-g'] : ['missing-g'],
        });
        if (v === 0) {
          assert.deepEqual(
            del.results.map((x) => [x.groupId, x.errorCode]),
            [
              ['empty-g', 0],
              ['stable-g', ErrorCode.NON_EMPTY_GROUP],
            ],
          );
        } else {
          assert.deepEqual(
            del.results.map((x) => x.errorCode),
            [ErrorCode.GROUP_ID_NOT_FOUND],
            `v${v}`,
          );
        }
      }
      const after = await call(c, ApiKey.OffsetFetch, 1, {
        groupId: 'empty-g',
        topics: [{ name: 'admin-t', partitionIndexes: [1] }],
      });
      assert.equal(after.topics![0]!.partitions[0]!.committedOffset, -1, 'deleted with its offsets');
      m.destroy();
    },
  );

  it('answers bad input with the right errors', T, async () => {
    const r = open[0] ?? (await start());
    if (r.broker.services.metadataCache.topic(CONSUMER_OFFSETS_TOPIC) === undefined) await offsetsTopicReady(r);
    const c = r.client;
    const sync = await call(c, ApiKey.SyncGroup, 5, {
      groupId: 'g',
      generationId: 1,
      memberId: 'm',
      groupInstanceId: null,
      assignments: [],
    });
    assert.equal(sync.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL, 'v5 needs protocol type and name');
    const badSession = await call(c, ApiKey.JoinGroup, 5, { ...joinBody(5, 'g', '', ['t']), sessionTimeoutMs: 10 });
    assert.equal(badSession.errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
    const huge = await call(c, ApiKey.JoinGroup, 5, {
      ...joinBody(5, 'g', '', ['t']),
      protocols: [{ name: 'range', metadata: Buffer.alloc(1024 * 1024 + 1) }],
    });
    assert.equal(huge.errorCode, ErrorCode.INVALID_REQUEST);
    const emptyId = await call(c, ApiKey.Heartbeat, 3, {
      groupId: '',
      generationId: 1,
      memberId: 'm',
      groupInstanceId: null,
    });
    assert.equal(emptyId.errorCode, ErrorCode.INVALID_GROUP_ID);
    const unknownType = await call(c, ApiKey.JoinGroup, 9, { ...joinBody(9, 'g2', '', ['t']), protocols: [] });
    assert.equal(unknownType.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    assert.equal(unknownType.protocolName, null, 'v7+: null protocol name');
    const meta = await call(c, ApiKey.OffsetCommit, 8, {
      groupId: 'g3',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        {
          name: CONSUMER_OFFSETS_TOPIC,
          partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: 'x'.repeat(4097) }],
        },
      ],
    });
    assert.equal(meta.topics[0]!.partitions[0]!.errorCode, ErrorCode.OFFSET_METADATA_TOO_LARGE);
  });

  it('a broker stopping answers a parked JoinGroup with NOT_COORDINATOR (it does not hold the close)', T, async () => {
    const r = await start();
    await offsetsTopicReady(r);
    const first = await RawClient.connect(r.broker.port);
    const second = await RawClient.connect(r.broker.port);
    const body = (memberId: string) => ({ ...joinBody(3, 'parked', memberId, ['t']), rebalanceTimeoutMs: 60_000 });
    const a = await call(first, ApiKey.JoinGroup, 3, body(''));
    await call(first, ApiKey.SyncGroup, 2, {
      groupId: 'parked',
      generationId: a.generationId,
      memberId: a.memberId,
      assignments: [],
    });
    // A second member joins: the rebalance waits (up to 60 s) for the first one to rejoin.
    second.write(request(ApiKey.JoinGroup, 3, correlation++, body(''), 'group-apis'));
    const parked = second.response(ApiKey.JoinGroup, 3);
    // The first member learns of the rebalance from its heartbeat, as clients do: then the join is parked.
    for (let i = 0; i < 200; i++) {
      const hb = await call(first, ApiKey.Heartbeat, 2, {
        groupId: 'parked',
        generationId: a.generationId,
        memberId: a.memberId,
      });
      if (hb.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) break;
    }
    assert.equal(r.broker.services.groupCoordinator.group('parked')!.state, 'PreparingRebalance');
    const closing = r.broker.close();
    assert.equal((await parked).body.errorCode, ErrorCode.NOT_COORDINATOR);
    await withTimeout(closing, 20_000, 'broker close');
    open.splice(open.indexOf(r), 1);
    await r.dir.remove();
  });

  it('committed offsets and group metadata survive a broker restart on the same log dir', T, async () => {
    const first = await start();
    await offsetsTopicReady(first);
    await first.broker.services.topics.autoCreate(['restart-t'], { waitMs: 5000 });
    const commit = await call(first.client, ApiKey.OffsetCommit, 8, {
      groupId: 'durable',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        { name: 'restart-t', partitions: [{ partitionIndex: 0, committedOffset: 1234, committedMetadata: 'kept' }] },
      ],
    });
    assert.equal(commit.topics[0]!.partitions[0]!.errorCode, 0);
    first.client.destroy();
    await withTimeout(first.broker.close(), 10_000, 'close');
    open.splice(open.indexOf(first), 1);

    const second = await start(first.dir);
    await second.broker.services.topics.waitForLeaders([CONSUMER_OFFSETS_TOPIC, 'restart-t'], 10_000);
    await second.broker.services.groupCoordinator.loaded();
    const fetched = await call(second.client, ApiKey.OffsetFetch, 4, {
      groupId: 'durable',
      topics: [{ name: 'restart-t', partitionIndexes: [0] }],
    });
    assert.deepEqual(
      [
        fetched.errorCode,
        fetched.topics![0]!.partitions[0]!.committedOffset,
        fetched.topics![0]!.partitions[0]!.metadata,
      ],
      [0, 1234, 'kept'],
    );
  });
});
