/**
 * Regression tests for differences the differential tests (test/differential/groups-*.kafka-test.ts)
 * found between Samsa's group handlers and Kafka 3.9, checked here without Kafka: each test names
 * what Kafka answers. Over the wire against a real in-process broker, as group-apis.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Broker, startBroker } from '../../../src/broker/start-broker.ts';
import { MemoryLogger } from '../../../src/common/logger.ts';
import { CONSUMER_OFFSETS_TOPIC } from '../../../src/controller/topic-names.ts';
import { ErrorCode } from '../../../src/protocol/error-codes.ts';
import type { ApiMessages } from '../../../src/protocol/messages/generated/api-table.ts';
import { ApiKey } from '../../../src/protocol/messages/generated/api-table.ts';
import { makeTempDir, type TempDir, withTimeout } from '../../interop/helpers.ts';
import { destroyAllSockets, RawClient, request } from '../helpers.ts';

const T = { timeout: 30_000 };
const TOPIC = 'parity';

let broker: Broker;
let dir: TempDir;
let client: RawClient;
let correlation = 1;

async function call<K extends keyof ApiMessages>(
  apiKey: K,
  version: number,
  body: ApiMessages[K]['request'],
): Promise<ApiMessages[K]['response']> {
  client.write(request(apiKey, version, correlation++, body, 'parity'));
  return (await client.response(apiKey, version)).body;
}

before(async () => {
  dir = await makeTempDir('samsa-group-parity-');
  broker = await startBroker({
    port: 0,
    host: '127.0.0.1',
    logDirs: [dir.path],
    properties: { 'offsets.topic.num.partitions': 2, 'group.initial.rebalance.delay.ms': 0, 'num.partitions': 2 },
    logger: new MemoryLogger(),
  });
  client = await RawClient.connect(broker.port);
});

after(async () => {
  destroyAllSockets();
  await withTimeout(broker.close(), 10_000, 'broker close').catch(() => {});
  await dir.remove();
});

let readiness: Promise<void> | null = null;

/** Makes __consumer_offsets and TOPIC exist, with every shard loaded (once). */
function ready(): Promise<void> {
  readiness ??= (async () => {
    await call(ApiKey.FindCoordinator, 0, { key: 'any' });
    assert.ok(await broker.services.topics.waitForLeaders([CONSUMER_OFFSETS_TOPIC], 10_000));
    await broker.services.groupCoordinator.loaded();
    await broker.services.topics.autoCreate([TOPIC], { waitMs: 5000 });
    assert.ok(await broker.services.topics.waitForLeaders([TOPIC], 10_000));
  })();
  return readiness;
}

const commitPartition = (partitionIndex: number, committedOffset: number) => ({
  partitionIndex,
  committedOffset,
  committedLeaderEpoch: -1,
  commitTimestamp: -1,
  committedMetadata: `at ${committedOffset}`,
});

describe('group handlers answer as Kafka 3.9 does', () => {
  it('FindCoordinator error messages: "NONE" on success up to v3, empty per key from v4', T, async () => {
    // Regression: Samsa sent a null message, Kafka sends Errors.NONE's text (v1-3) or leaves the
    // per-key message empty (v4+, COORDINATOR_NOT_AVAILABLE included).
    const first = await call(ApiKey.FindCoordinator, 4, { keyType: 0, coordinatorKeys: ['g'] });
    assert.deepEqual(
      first.coordinators!.map((c) => [c.errorCode, c.errorMessage]),
      [[ErrorCode.COORDINATOR_NOT_AVAILABLE, '']],
      'the first lookup creates __consumer_offsets',
    );
    await ready();
    for (const v of [1, 2, 3]) {
      const r = await call(ApiKey.FindCoordinator, v, { key: 'g', keyType: 0 });
      assert.deepEqual([r.errorCode, r.errorMessage], [ErrorCode.NONE, 'NONE'], `v${v}`);
    }
    for (const v of [4, 5, 6]) {
      const r = await call(ApiKey.FindCoordinator, v, { keyType: 0, coordinatorKeys: ['g', 'h'] });
      assert.deepEqual(
        r.coordinators!.map((c) => [c.key, c.errorCode, c.errorMessage]),
        [
          ['g', ErrorCode.NONE, ''],
          ['h', ErrorCode.NONE, ''],
        ],
        `v${v}`,
      );
    }
    const txn = await call(ApiKey.FindCoordinator, 4, { keyType: 1, coordinatorKeys: ['t'] });
    assert.deepEqual(
      txn.coordinators!.map((c) => [c.errorCode, c.errorMessage]),
      [[ErrorCode.COORDINATOR_NOT_AVAILABLE, '']],
    );
    const unknownType = await call(ApiKey.FindCoordinator, 2, { key: 'g', keyType: 7 });
    assert.equal(unknownType.errorCode, ErrorCode.INVALID_REQUEST);
    assert.ok(unknownType.errorMessage, 'a rejected request says why');
  });

  it(
    'OffsetCommit: one entry per topic name; a partition named twice is committed once, with its last offset',
    T,
    async () => {
      // Regression: Samsa answered every requested entry (the topic twice, partition 0 twice) and
      // wrote both commits; Kafka takes the known partitions as a map and answers each once.
      await ready();
      const r = await call(ApiKey.OffsetCommit, 7, {
        groupId: 'parity-commit-twice',
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [
          { name: TOPIC, partitions: [commitPartition(0, 5), commitPartition(0, 6), commitPartition(9, 1)] },
          { name: 'parity-unknown', partitions: [commitPartition(0, 1), commitPartition(0, 2)] },
          { name: TOPIC, partitions: [commitPartition(1, 7), commitPartition(9, 2)] },
        ],
      });
      const answers = r.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode])]);
      const unknown = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      assert.deepEqual(answers, [
        [
          TOPIC,
          [
            [0, 0],
            [9, unknown],
            [1, 0],
            [9, unknown],
          ],
        ],
        [
          'parity-unknown',
          [
            [0, unknown],
            [0, unknown],
          ],
        ],
      ]);
      const fetched = await call(ApiKey.OffsetFetch, 7, {
        groupId: 'parity-commit-twice',
        topics: [{ name: TOPIC, partitionIndexes: [0, 1] }],
        requireStable: true,
      });
      assert.deepEqual(
        fetched.topics![0]!.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata]),
        [
          [0, 6, 'at 6'],
          [1, 7, 'at 7'],
        ],
      );
    },
  );

  it('OffsetFetch answers a partition named twice once, under one entry per topic name', T, async () => {
    // Regression: Samsa answered partition 0 twice.
    await ready();
    const groupId = 'parity-fetch-twice';
    await call(ApiKey.OffsetCommit, 7, {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [{ name: TOPIC, partitions: [commitPartition(0, 3)] }],
    });
    const topics = [
      { name: TOPIC, partitionIndexes: [0, 0, 9] },
      { name: 'parity-unknown', partitionIndexes: [0, 0] },
      { name: TOPIC, partitionIndexes: [1, 9] },
    ];
    const expected = [
      [
        TOPIC,
        [
          [0, 3],
          [9, -1],
          [1, -1],
        ],
      ],
      ['parity-unknown', [[0, -1]]],
    ];
    const v7 = await call(ApiKey.OffsetFetch, 7, { groupId, topics, requireStable: false });
    assert.deepEqual(
      v7.topics!.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.committedOffset])]),
      expected,
    );
    const v8 = await call(ApiKey.OffsetFetch, 8, { groups: [{ groupId, topics }], requireStable: false });
    assert.deepEqual(
      v8.groups![0]!.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.committedOffset])]),
      expected,
    );
  });

  it(
    'OffsetDelete: known partitions named twice are answered once, unknown ones each time; "" is INVALID_GROUP_ID',
    T,
    async () => {
      // Regression: Samsa answered every entry; and it deleted the offsets of the group "" which
      // Kafka refuses for OffsetDelete (it takes "" only for OffsetCommit, OffsetFetch,
      // DescribeGroups and DeleteGroups).
      await ready();
      const groupId = 'parity-delete-twice';
      for (const g of [groupId, '']) {
        await call(ApiKey.OffsetCommit, 7, {
          groupId: g,
          generationIdOrMemberEpoch: -1,
          memberId: '',
          groupInstanceId: null,
          topics: [{ name: TOPIC, partitions: [commitPartition(0, 3), commitPartition(1, 4)] }],
        });
      }
      const topics = [
        { name: TOPIC, partitions: [{ partitionIndex: 0 }, { partitionIndex: 0 }, { partitionIndex: 9 }] },
        { name: 'parity-unknown', partitions: [{ partitionIndex: 0 }] },
        { name: TOPIC, partitions: [{ partitionIndex: 9 }, { partitionIndex: 1 }] },
      ];
      const r = await call(ApiKey.OffsetDelete, 0, { groupId, topics });
      assert.equal(r.errorCode, ErrorCode.NONE);
      const unknown = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      assert.deepEqual(
        r.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode])]),
        [
          [
            TOPIC,
            [
              [0, 0],
              [9, unknown],
              [9, unknown],
              [1, 0],
            ],
          ],
          ['parity-unknown', [[0, unknown]]],
        ],
      );
      const empty = await call(ApiKey.OffsetDelete, 0, { groupId: '', topics });
      assert.deepEqual([empty.errorCode, empty.topics], [ErrorCode.INVALID_GROUP_ID, []]);
      const kept = await call(ApiKey.OffsetFetch, 3, { groupId: '', topics: null });
      assert.equal(kept.topics!.flatMap((t) => t.partitions).length, 2, 'the offsets of group "" are still there');
    },
  );
});
