import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { ConfigResourceType } from '../../../src/broker/admin-error.ts';
import { alterConfigs } from '../../../src/broker/handlers/alter-configs.ts';
import { ErrorCode } from '../../../src/protocol/error-codes.ts';
import type { AlterConfigsResponse } from '../../../src/protocol/messages/generated/alter-configs.ts';
import { ApiKey } from '../../../src/protocol/messages/generated/api-table.ts';
import { dispatch, startTopicCluster, storedConfig } from '../topic-harness.ts';

const T = { timeout: 20_000 };
const { TOPIC, BROKER } = ConfigResourceType;

async function withTopic(t: TestContext) {
  const c = await startTopicCluster();
  t.after(() => c.close());
  await c.b0.topics.createTopics([{ name: 't', numPartitions: 1, replicationFactor: 1 }], { timeoutMs: 30_000 });
  return c;
}

describe('AlterConfigs handler', () => {
  it('replaces topic overrides at every version 0-2', T, async (t) => {
    const c = await withTopic(t);
    for (let v = 0; v <= 2; v++) {
      const value = String(1000 * (v + 1));
      const res = await dispatch(c.b0, [alterConfigs], ApiKey.AlterConfigs, v, {
        resources: [{ resourceType: TOPIC, resourceName: 't', configs: [{ name: 'retention.ms', value }] }],
        validateOnly: false,
      });
      assert.deepEqual(res, {
        throttleTimeMs: 0,
        responses: [{ errorCode: 0, errorMessage: null, resourceType: TOPIC, resourceName: 't' }],
      });
      assert.deepEqual(await storedConfig(c.b0.store, 't'), new Map([['retention.ms', value]]));
      assert.equal(c.b0.topics.logConfig('t').retentionMs, Number(value));
    }
  });

  it('answers per resource: bad config, unknown topic, broker; validateOnly writes nothing', T, async (t) => {
    const c = await withTopic(t);
    const res = await dispatch(c.b0, [alterConfigs], ApiKey.AlterConfigs, 1, {
      resources: [
        { resourceType: TOPIC, resourceName: 't', configs: [{ name: 'retention.ms', value: '5' }] },
        { resourceType: TOPIC, resourceName: 'u', configs: [] },
        { resourceType: TOPIC, resourceName: 't2', configs: [] },
        { resourceType: BROKER, resourceName: '0', configs: [{ name: 'log.retention.ms', value: '5' }] },
      ],
      validateOnly: true,
    });
    assert.deepEqual(
      res.responses.map((r) => [r.resourceName, r.errorCode]),
      [
        ['t', ErrorCode.NONE],
        ['u', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        ['t2', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        ['0', ErrorCode.INVALID_REQUEST],
      ],
    );
    assert.match(res.responses[3]!.errorMessage!, /Samsa does not support dynamic broker configs/);
    assert.equal((await storedConfig(c.b0.store, 't'))?.size ?? 0, 0);
    const bad = await dispatch(c.b0, [alterConfigs], ApiKey.AlterConfigs, 2, {
      resources: [{ resourceType: TOPIC, resourceName: 't', configs: [{ name: 'segment.bytes', value: '1' }] }],
      validateOnly: false,
    });
    assert.equal(bad.responses[0]!.errorCode, ErrorCode.INVALID_CONFIG);
    assert.match(bad.responses[0]!.errorMessage!, /segment\.bytes/);
  });

  it('has an error response per resource', () => {
    const res = alterConfigs.errorResponse!(
      { resources: [{ resourceType: 2, resourceName: 'x', configs: [] }], validateOnly: false },
      -1,
      undefined as never,
    ) as AlterConfigsResponse;
    assert.deepEqual(res.responses, [{ errorCode: -1, errorMessage: null, resourceType: 2, resourceName: 'x' }]);
  });
});
