import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { createPartitions } from '../../../src/broker/handlers/create-partitions.ts';
import { ErrorCode } from '../../../src/protocol/error-codes.ts';
import { ApiKey } from '../../../src/protocol/messages/generated/api-table.ts';
import { dispatch, startTopicCluster, storedAssignment } from '../topic-harness.ts';

const T = { timeout: 20_000 };

async function cluster(t: TestContext, options: Parameters<typeof startTopicCluster>[0] = {}) {
  const c = await startTopicCluster(options);
  t.after(() => c.close());
  return c;
}

describe('CreatePartitions handler', () => {
  it('adds partitions at every version 0-3, automatic or manual, and answers once they are led', T, async (t) => {
    const c = await cluster(t, { brokerIds: [0, 1] });
    for (let v = 0; v <= 3; v++) {
      const name = `grow-v${v}`;
      await c.b0.topics.createTopics([{ name, numPartitions: 1, replicationFactor: 2 }], { timeoutMs: 30_000 });
      const res = await dispatch(c.b0, [createPartitions], ApiKey.CreatePartitions, v, {
        topics: [{ name, count: v % 2 === 0 ? 3 : 2, assignments: v % 2 === 0 ? null : [{ brokerIds: [1, 0] }] }],
        timeoutMs: 30_000,
        validateOnly: false,
      });
      assert.deepEqual(res, { throttleTimeMs: 0, results: [{ name, errorCode: ErrorCode.NONE, errorMessage: null }] });
      const expected = v % 2 === 0 ? 3 : 2;
      assert.equal((await storedAssignment(c.b0.store, name))?.size, expected);
      assert.ok((c.b0.cache.partition(name, expected - 1)?.leader ?? -1) >= 0, `v${v}: led when answered`);
    }
  });

  it('answers errors with messages, once per distinct name, and validateOnly writes nothing', T, async (t) => {
    const c = await cluster(t);
    await c.b0.topics.createTopics([{ name: 't', numPartitions: 2, replicationFactor: 1 }], { timeoutMs: 30_000 });
    const res = await dispatch(c.b0, [createPartitions], ApiKey.CreatePartitions, 1, {
      topics: [
        { name: 't', count: 1, assignments: null },
        { name: 'nope', count: 4, assignments: null },
        { name: 'twice', count: 4, assignments: null },
        { name: 'twice', count: 5, assignments: null },
      ],
      timeoutMs: 30_000,
      validateOnly: true,
    });
    assert.deepEqual(
      res.results.map((r) => [r.name, r.errorCode, r.errorMessage]),
      [
        ['t', ErrorCode.INVALID_PARTITIONS, 'Topic currently has 2 partitions, which is higher than the requested 1.'],
        ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "The topic 'nope' does not exist."],
        ['twice', ErrorCode.INVALID_REQUEST, 'Duplicate topic in request.'],
      ],
    );
    const dry = await dispatch(c.b0, [createPartitions], ApiKey.CreatePartitions, 3, {
      topics: [{ name: 't', count: 6, assignments: null }],
      timeoutMs: 30_000,
      validateOnly: true,
    });
    assert.equal(dry.results[0]!.errorCode, ErrorCode.NONE);
    assert.equal((await storedAssignment(c.b0.store, 't'))?.size, 2);
  });

  it('has an error response with one entry per distinct topic', () => {
    const res = createPartitions.errorResponse!(
      {
        topics: [
          { name: 'a', count: 2, assignments: null },
          { name: 'a', count: 3, assignments: null },
        ],
        timeoutMs: 1,
        validateOnly: false,
      },
      -1,
      undefined as never,
    );
    assert.deepEqual(res, { throttleTimeMs: 0, results: [{ name: 'a', errorCode: -1, errorMessage: null }] });
  });
});
