/**
 * The Metadata handler on an in-process cluster (topic-harness): which topics are answered, in
 * which order, and what auto-creation answers — each case a difference from Kafka 3.9 that the
 * differential scenarios (test/differential/admin.kafka-test.ts) found and that is fixed.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { metadata } from '../../../src/broker/handlers/metadata.ts';
import { ErrorCode } from '../../../src/protocol/error-codes.ts';
import { ApiKey } from '../../../src/protocol/messages/generated/api-table.ts';
import type { MetadataRequest } from '../../../src/protocol/messages/generated/metadata.ts';
import { ZERO_UUID } from '../../../src/protocol/primitives/reader.ts';
import { dispatch, startTopicCluster, type TopicCluster } from '../topic-harness.ts';

const T = { timeout: 20_000 };
const NOT_REQUESTED = -2147483648;
const ALL_TOPIC_OPERATIONS = 3576;

async function cluster(t: TestContext, props: Record<string, string | number | boolean> = {}): Promise<TopicCluster> {
  const c = await startTopicCluster({ props: { 'offsets.topic.replication.factor': 1, ...props } });
  t.after(() => c.close());
  return c;
}

async function withTopics(t: TestContext, ...names: string[]): Promise<TopicCluster> {
  const c = await cluster(t);
  const results = await c.b0.topics.createTopics(
    names.map((name) => ({ name, numPartitions: 2, replicationFactor: 1 })),
    { timeoutMs: 30_000 },
  );
  assert.deepEqual(
    results.map((r) => r.errorCode),
    names.map(() => ErrorCode.NONE),
  );
  return c;
}

const ask = (c: TopicCluster, version: number, body: MetadataRequest) =>
  dispatch(c.b0, [metadata], ApiKey.Metadata, version, body);

const byName = (...names: string[]) => names.map((name) => ({ name, topicId: ZERO_UUID }));

describe('Metadata handler', () => {
  it('answers a topic it starts creating with LEADER_NOT_AVAILABLE and no partitions, then the topic', T, async (t) => {
    const c = await cluster(t);
    const first = await ask(c, 12, {
      topics: byName('fresh'),
      allowAutoTopicCreation: true,
      includeTopicAuthorizedOperations: false,
    });
    // Regression: Samsa waited for the leaders and answered the topic; Kafka never does in the
    // answer that starts the creation.
    assert.deepEqual(
      first.topics.map((x) => [x.name, x.errorCode, x.topicId, x.partitions.length]),
      [['fresh', ErrorCode.LEADER_NOT_AVAILABLE, ZERO_UUID, 0]],
    );
    assert.ok(await c.b0.topics.waitForLeaders(['fresh'], 60_000));
    const later = await ask(c, 12, {
      topics: byName('fresh'),
      allowAutoTopicCreation: true,
      includeTopicAuthorizedOperations: false,
    });
    assert.deepEqual(
      later.topics.map((x) => [x.name, x.errorCode, x.partitions.length]),
      [['fresh', ErrorCode.NONE, 1]],
    );
    assert.notEqual(later.topics[0]!.topicId, ZERO_UUID);
  });

  it('auto-creates the internal topics too, and flags them isInternal even while unknown', T, async (t) => {
    const c = await cluster(t);
    const unknown = await ask(c, 9, {
      topics: [{ name: '__consumer_offsets' }, { name: '__transaction_state' }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    assert.deepEqual(
      unknown.topics.map((x) => [x.name, x.errorCode, x.isInternal]),
      [
        ['__consumer_offsets', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, true],
        ['__transaction_state', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, true],
      ],
    );
    const creating = await ask(c, 9, {
      topics: [{ name: '__consumer_offsets' }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    assert.deepEqual(
      creating.topics.map((x) => [x.name, x.errorCode, x.isInternal]),
      [['__consumer_offsets', ErrorCode.LEADER_NOT_AVAILABLE, true]],
    );
    assert.ok(await c.b0.topics.waitForLeaders(['__consumer_offsets'], 60_000));
    assert.equal(c.b0.cache.topic('__consumer_offsets')?.partitions.size, 50);
  });

  it(
    'answers each topic once: unknown ids, known names, then unknown names with the illegal ones first',
    T,
    async (t) => {
      const c = await withTopics(t, 'known');
      const dup = await ask(c, 4, { topics: byName('nope', 'known', 'nope', 'known'), allowAutoTopicCreation: false });
      assert.deepEqual(
        dup.topics.map((x) => [x.name, x.errorCode]),
        [
          ['known', ErrorCode.NONE],
          ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        ],
      );
      const mixed = await ask(c, 4, { topics: byName('to-create', 'a/b', 'known'), allowAutoTopicCreation: true });
      assert.deepEqual(
        mixed.topics.map((x) => [x.name, x.errorCode]),
        [
          ['known', ErrorCode.NONE],
          ['a/b', ErrorCode.INVALID_TOPIC_EXCEPTION],
          ['to-create', ErrorCode.LEADER_NOT_AVAILABLE],
        ],
      );
      // Without auto-creation the unknown names keep the request order.
      const plain = await ask(c, 4, { topics: byName('nope', 'a/b'), allowAutoTopicCreation: false });
      assert.deepEqual(
        plain.topics.map((x) => x.name),
        ['nope', 'a/b'],
      );
    },
  );

  it('reports authorized operations, when asked, on the topics in error as well', T, async (t) => {
    const c = await withTopics(t, 'known');
    const res = await ask(c, 9, {
      topics: [{ name: 'known' }, { name: 'nope' }, { name: '' }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: true,
    });
    assert.deepEqual(
      res.topics.map((x) => [x.name, x.errorCode, x.topicAuthorizedOperations]),
      [
        ['known', ErrorCode.NONE, ALL_TOPIC_OPERATIONS],
        ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ALL_TOPIC_OPERATIONS],
        ['', ErrorCode.INVALID_TOPIC_EXCEPTION, ALL_TOPIC_OPERATIONS],
      ],
    );
  });

  it('fails a v10 or v11 request naming a topic id or no name as a whole, with INVALID_REQUEST', T, async (t) => {
    const c = await withTopics(t, 'known');
    const id = c.b0.cache.topic('known')!.topicId;
    for (const [v, topics] of [
      [10, [{ name: 'known', topicId: id }]],
      [11, [{ name: null, topicId: id }]],
    ] as const) {
      const res = await ask(c, v, {
        topics: [...topics],
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
      });
      assert.deepEqual([res.brokers, res.clusterId, res.controllerId], [[], null, -1], `v${v}`);
      assert.deepEqual(
        res.topics.map((x) => [x.name, x.topicId, x.errorCode, x.partitions]),
        [[topics[0]!.name ?? '', id, ErrorCode.INVALID_REQUEST, []]],
      );
    }
    const byNameV10 = await ask(c, 10, {
      topics: byName('known'),
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    assert.equal(byNameV10.topics[0]!.errorCode, ErrorCode.NONE);
  });

  it('looks v12 topics up by id once any entry has one, ignoring the entries without', T, async (t) => {
    const c = await withTopics(t, 'one', 'two');
    const id = c.b0.cache.topic('one')!.topicId;
    const unknownId = 'AAAAAAAAAAAAAAAAAAAAAQ';
    const res = await ask(c, 12, {
      topics: [
        { name: null, topicId: unknownId },
        { name: null, topicId: id },
        ...byName('two'),
        { name: null, topicId: id },
      ],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: true,
    });
    assert.deepEqual(
      res.topics.map((x) => [x.name, x.topicId, x.errorCode, x.topicAuthorizedOperations]),
      [
        [null, unknownId, ErrorCode.UNKNOWN_TOPIC_ID, NOT_REQUESTED],
        ['one', id, ErrorCode.NONE, ALL_TOPIC_OPERATIONS],
      ],
    );
  });

  it('has the error response Kafka sends for a failed request', () => {
    const res = metadata.errorResponse!(
      {
        topics: [
          { name: 'a', topicId: ZERO_UUID },
          { name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' },
        ],
      },
      ErrorCode.UNKNOWN_SERVER_ERROR,
      undefined as never,
    ) as { brokers: unknown[]; clusterId: unknown; controllerId: number; topics: { name: string }[] };
    assert.deepEqual([res.brokers, res.clusterId, res.controllerId], [[], null, -1]);
    assert.deepEqual(
      res.topics.map((x) => x.name),
      ['a', ''],
    );
  });
});
