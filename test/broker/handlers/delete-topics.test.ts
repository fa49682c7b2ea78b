import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { deleteTopics } from '../../../src/broker/handlers/delete-topics.ts';
import { ErrorCode } from '../../../src/protocol/error-codes.ts';
import { ApiKey } from '../../../src/protocol/messages/generated/api-table.ts';
import { ZERO_UUID } from '../../../src/protocol/primitives/reader.ts';
import { dispatch, startTopicCluster } from '../topic-harness.ts';

const T = { timeout: 20_000 };

async function cluster(t: TestContext, options: Parameters<typeof startTopicCluster>[0] = {}) {
  const c = await startTopicCluster(options);
  t.after(() => c.close());
  return c;
}

async function create(c: Awaited<ReturnType<typeof cluster>>, ...names: string[]) {
  const results = await c.b0.topics.createTopics(
    names.map((name) => ({ name, numPartitions: 1, replicationFactor: 1 })),
    { timeoutMs: 30_000 },
  );
  for (const r of results) assert.equal(r.errorCode, ErrorCode.NONE);
  return results;
}

describe('DeleteTopics handler', () => {
  it('deletes by name at v0-5 and by name or id at v6', T, async (t) => {
    const c = await cluster(t);
    for (let v = 0; v <= 5; v++) {
      await create(c, `del-v${v}`);
      const res = await dispatch(c.b0, [deleteTopics], ApiKey.DeleteTopics, v, {
        topicNames: [`del-v${v}`, 'unknown'],
        timeoutMs: 30_000,
      });
      assert.deepEqual(
        res.responses.map((r) => [r.name, r.errorCode]),
        [
          [`del-v${v}`, ErrorCode.NONE],
          ['unknown', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        ],
      );
      if (v >= 5) assert.equal(res.responses[0]!.errorMessage, null);
      assert.equal(c.b0.cache.topic(`del-v${v}`), undefined, `v${v}: gone when answered`);
    }
    const [byId] = await create(c, 'by-id', 'by-name');
    const res = await dispatch(c.b0, [deleteTopics], ApiKey.DeleteTopics, 6, {
      topics: [
        { name: null, topicId: byId!.topicId },
        { name: 'by-name', topicId: ZERO_UUID },
        { name: null, topicId: 'AAAAAAAAAAAAAAAAAAAABQ' },
      ],
      timeoutMs: 30_000,
    });
    assert.deepEqual(
      res.responses.map((r) => [r.name, r.topicId, r.errorCode]),
      [
        ['by-id', byId!.topicId, ErrorCode.NONE],
        ['by-name', ZERO_UUID, ErrorCode.NONE],
        [null, 'AAAAAAAAAAAAAAAAAAAABQ', ErrorCode.UNKNOWN_TOPIC_ID],
      ],
    );
    assert.deepEqual(c.b0.cache.topicNames(), []);
  });

  it('refuses a v6 entry with both a name and an id: the whole request is INVALID_REQUEST', T, async (t) => {
    const c = await cluster(t);
    const [a] = await create(c, 'a', 'b');
    const res = await dispatch(c.b0, [deleteTopics], ApiKey.DeleteTopics, 6, {
      topics: [
        { name: 'a', topicId: a!.topicId },
        { name: 'b', topicId: ZERO_UUID },
      ],
      timeoutMs: 30_000,
    });
    assert.deepEqual(
      res.responses.map((r) => r.errorCode),
      [ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST],
    );
    assert.deepEqual(c.b0.cache.topicNames(), ['a', 'b']);
  });

  it('answers INVALID_REQUEST before v3 and TOPIC_DELETION_DISABLED from v3 when deletion is off', T, async (t) => {
    const c = await cluster(t, { props: { 'delete.topic.enable': false } });
    await create(c, 'kept');
    for (const [v, code] of [
      [0, ErrorCode.INVALID_REQUEST],
      [2, ErrorCode.INVALID_REQUEST],
      [3, ErrorCode.TOPIC_DELETION_DISABLED],
      [5, ErrorCode.TOPIC_DELETION_DISABLED],
    ] as const) {
      const res = await dispatch(c.b0, [deleteTopics], ApiKey.DeleteTopics, v, { topicNames: ['kept'], timeoutMs: 1 });
      assert.equal(res.responses[0]!.errorCode, code, `v${v}`);
    }
    const v6 = await dispatch(c.b0, [deleteTopics], ApiKey.DeleteTopics, 6, {
      topics: [{ name: 'kept', topicId: ZERO_UUID }],
      timeoutMs: 1,
    });
    assert.equal(v6.responses[0]!.errorCode, ErrorCode.TOPIC_DELETION_DISABLED);
    assert.deepEqual(c.b0.cache.topicNames(), ['kept']);
  });

  it('has an error response for each entry of the version asked', () => {
    const ctx = (apiVersion: number) => ({ apiVersion }) as never;
    assert.deepEqual(deleteTopics.errorResponse!({ topicNames: ['x'], timeoutMs: 1 }, -1, ctx(1)), {
      throttleTimeMs: 0,
      responses: [{ name: 'x', topicId: ZERO_UUID, errorCode: -1, errorMessage: null }],
    });
    assert.deepEqual(
      deleteTopics.errorResponse!(
        { topics: [{ name: null, topicId: 'AAAAAAAAAAAAAAAAAAAABQ' }], timeoutMs: 1 },
        -1,
        ctx(6),
      ),
      {
        throttleTimeMs: 0,
        responses: [{ name: null, topicId: 'AAAAAAAAAAAAAAAAAAAABQ', errorCode: -1, errorMessage: null }],
      },
    );
  });
});
