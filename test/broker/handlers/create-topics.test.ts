import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { CONFIG_SOURCE } from '../../../src/broker/config/describe-config.ts';
import { createTopics } from '../../../src/broker/handlers/create-topics.ts';
import { ErrorCode } from '../../../src/protocol/error-codes.ts';
import { ApiKey } from '../../../src/protocol/messages/generated/api-table.ts';
import type { CreateTopicsRequestCreatableTopic } from '../../../src/protocol/messages/generated/create-topics.ts';
import { ZERO_UUID } from '../../../src/protocol/primitives/reader.ts';
import { dispatch, startTopicCluster, storedAssignment } from '../topic-harness.ts';

const T = { timeout: 20_000 };

async function cluster(t: TestContext, options: Parameters<typeof startTopicCluster>[0] = {}) {
  const c = await startTopicCluster(options);
  t.after(() => c.close());
  return c;
}

function topic(
  name: string,
  extra: Partial<CreateTopicsRequestCreatableTopic> = {},
): CreateTopicsRequestCreatableTopic {
  return { name, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [], ...extra };
}

describe('CreateTopics handler', () => {
  it('creates topics at every version 0-7, with v5+ details and the v7 topic id', T, async (t) => {
    const c = await cluster(t);
    for (let v = 0; v <= 7; v++) {
      const name = `created-v${v}`;
      const res = await dispatch(c.b0, [createTopics], ApiKey.CreateTopics, v, {
        topics: [topic(name, { configs: [{ name: 'retention.ms', value: '60000' }] })],
        timeoutMs: 30_000,
        validateOnly: false,
      });
      assert.equal(res.topics.length, 1);
      const r = res.topics[0]!;
      assert.equal(r.name, name);
      assert.equal(r.errorCode, ErrorCode.NONE, `v${v}`);
      if (v >= 1) assert.equal(r.errorMessage, null);
      if (v >= 2) assert.equal(res.throttleTimeMs, 0);
      if (v >= 5) {
        assert.equal(r.numPartitions, 2);
        assert.equal(r.replicationFactor, 1);
        const retention = r.configs?.find((e) => e.name === 'retention.ms');
        assert.deepEqual(retention, {
          name: 'retention.ms',
          value: '60000',
          readOnly: false,
          configSource: CONFIG_SOURCE.DYNAMIC_TOPIC_CONFIG,
          isSensitive: false,
        });
      }
      if (v >= 7) assert.equal(r.topicId, c.b0.cache.topic(name)?.topicId);
      assert.equal(c.b0.cache.partition(name, 1)?.leader, 0, `v${v}: led when answered`);
    }
  });

  it('honours validateOnly from v1 and defaults (-1) at any version', T, async (t) => {
    const c = await cluster(t, { props: { 'num.partitions': 3 } });
    const dry = await dispatch(c.b0, [createTopics], ApiKey.CreateTopics, 1, {
      topics: [topic('dry')],
      timeoutMs: 30_000,
      validateOnly: true,
    });
    assert.equal(dry.topics[0]!.errorCode, ErrorCode.NONE);
    assert.equal(await storedAssignment(c.b0.store, 'dry'), null);
    const v6 = await dispatch(c.b0, [createTopics], ApiKey.CreateTopics, 6, {
      topics: [topic('dry6', { numPartitions: -1, replicationFactor: -1 })],
      timeoutMs: 30_000,
      validateOnly: true,
    });
    assert.deepEqual([v6.topics[0]!.numPartitions, v6.topics[0]!.replicationFactor], [3, 1]);
    assert.equal(v6.topics[0]!.topicId, ZERO_UUID);
    const v0 = await dispatch(c.b0, [createTopics], ApiKey.CreateTopics, 0, {
      topics: [topic('defaults', { numPartitions: -1, replicationFactor: -1 })],
      timeoutMs: 30_000,
    });
    assert.equal(v0.topics[0]!.errorCode, ErrorCode.NONE);
    assert.equal((await storedAssignment(c.b0.store, 'defaults'))?.size, 3);
  });

  it('answers per topic with codes and messages; failed entries report -1 and no configs', T, async (t) => {
    const c = await cluster(t);
    const res = await dispatch(c.b0, [createTopics], ApiKey.CreateTopics, 5, {
      topics: [
        topic('ok'),
        topic('x', { replicationFactor: 4 }),
        topic('dup'),
        topic('dup'),
        topic('manual', {
          numPartitions: -1,
          replicationFactor: -1,
          assignments: [{ partitionIndex: 0, brokerIds: [0] }],
        }),
        topic('cfg', { configs: [{ name: 'cleanup.policy', value: null }] }),
      ],
      timeoutMs: 30_000,
      validateOnly: false,
    });
    assert.deepEqual(
      res.topics.map((r) => [r.name, r.errorCode, r.errorMessage, r.numPartitions, r.configs?.length === 0]),
      [
        ['ok', ErrorCode.NONE, null, 2, false],
        [
          'x',
          ErrorCode.INVALID_REPLICATION_FACTOR,
          'Replication factor: 4 larger than available brokers: 1.',
          -1,
          true,
        ],
        ['dup', ErrorCode.INVALID_REQUEST, 'Found multiple entries for this topic.', -1, true],
        ['dup', ErrorCode.INVALID_REQUEST, 'Found multiple entries for this topic.', -1, true],
        ['manual', ErrorCode.NONE, null, 1, false],
        ['cfg', ErrorCode.INVALID_CONFIG, 'Null value not supported for topic configs: cleanup.policy', -1, true],
      ],
    );
  });

  it('answers REQUEST_TIMED_OUT when leaders do not come in time', T, async (t) => {
    const c = await cluster(t);
    await c.stopControllers();
    const pending = dispatch(c.b0, [createTopics], ApiKey.CreateTopics, 4, {
      topics: [topic('slow')],
      timeoutMs: 1000,
      validateOnly: false,
    });
    await c.settle();
    c.clock.advance(1100);
    const res = await pending;
    assert.equal(res.topics[0]!.errorCode, ErrorCode.REQUEST_TIMED_OUT);
  });

  it('has an error response naming every topic', () => {
    const res = createTopics.errorResponse!(
      { topics: [topic('a'), topic('b')], timeoutMs: 1 },
      ErrorCode.UNKNOWN_SERVER_ERROR,
      undefined as never,
    ) as { topics: { name: string; errorCode: number }[] };
    assert.deepEqual(
      res.topics.map((r) => [r.name, r.errorCode]),
      [
        ['a', -1],
        ['b', -1],
      ],
    );
  });
});
