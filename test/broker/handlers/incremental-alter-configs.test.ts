import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { AlterConfigOpType, ConfigResourceType } from '../../../src/broker/admin-error.ts';
import { incrementalAlterConfigs } from '../../../src/broker/handlers/incremental-alter-configs.ts';
import { ErrorCode } from '../../../src/protocol/error-codes.ts';
import { ApiKey } from '../../../src/protocol/messages/generated/api-table.ts';
import type { IncrementalAlterConfigsResponse } from '../../../src/protocol/messages/generated/incremental-alter-configs.ts';
import { dispatch, startTopicCluster, storedConfig } from '../topic-harness.ts';

const T = { timeout: 20_000 };
const { TOPIC, BROKER_LOGGER } = ConfigResourceType;

async function withTopic(t: TestContext) {
  const c = await startTopicCluster();
  t.after(() => c.close());
  await c.b0.topics.createTopics([{ name: 't', numPartitions: 1, replicationFactor: 1 }], { timeoutMs: 30_000 });
  return c;
}

describe('IncrementalAlterConfigs handler', () => {
  it('applies SET, APPEND, SUBTRACT and DELETE at v0 and v1', T, async (t) => {
    const c = await withTopic(t);
    const steps: [number, number, string, string | null, Map<string, string>][] = [
      [0, AlterConfigOpType.SET, 'retention.ms', '100', new Map([['retention.ms', '100']])],
      [
        1,
        AlterConfigOpType.APPEND,
        'cleanup.policy',
        'compact',
        new Map([
          ['retention.ms', '100'],
          ['cleanup.policy', 'delete,compact'],
        ]),
      ],
      [
        0,
        AlterConfigOpType.SUBTRACT,
        'cleanup.policy',
        'delete',
        new Map([
          ['retention.ms', '100'],
          ['cleanup.policy', 'compact'],
        ]),
      ],
      [1, AlterConfigOpType.DELETE, 'retention.ms', null, new Map([['cleanup.policy', 'compact']])],
    ];
    for (const [v, configOperation, name, value, expected] of steps) {
      const res = await dispatch(c.b0, [incrementalAlterConfigs], ApiKey.IncrementalAlterConfigs, v, {
        resources: [{ resourceType: TOPIC, resourceName: 't', configs: [{ name, configOperation, value }] }],
        validateOnly: false,
      });
      assert.deepEqual(res.responses, [{ errorCode: 0, errorMessage: null, resourceType: TOPIC, resourceName: 't' }]);
      assert.deepEqual(await storedConfig(c.b0.store, 't'), expected);
    }
    assert.equal(c.b0.topics.logConfig('t').cleanupPolicy, 'compact');
  });

  it('answers per resource; log levels are refused', T, async (t) => {
    const c = await withTopic(t);
    const res = await dispatch(c.b0, [incrementalAlterConfigs], ApiKey.IncrementalAlterConfigs, 1, {
      resources: [
        { resourceType: TOPIC, resourceName: 't', configs: [{ name: 'x.y', configOperation: 0, value: '1' }] },
        {
          resourceType: BROKER_LOGGER,
          resourceName: '0',
          configs: [{ name: 'root', configOperation: 0, value: 'DEBUG' }],
        },
      ],
      validateOnly: false,
    });
    assert.deepEqual(
      res.responses.map((r) => [r.errorCode, r.errorMessage]),
      [
        [ErrorCode.INVALID_CONFIG, 'Unknown topic config name: x.y'],
        [ErrorCode.INVALID_REQUEST, res.responses[1]!.errorMessage],
      ],
    );
    assert.match(res.responses[1]!.errorMessage!, /log levels/);
  });

  it('has an error response per resource', () => {
    const res = incrementalAlterConfigs.errorResponse!(
      { resources: [{ resourceType: 4, resourceName: '0', configs: [] }], validateOnly: false },
      -1,
      undefined as never,
    ) as IncrementalAlterConfigsResponse;
    assert.deepEqual(res.responses, [{ errorCode: -1, errorMessage: null, resourceType: 4, resourceName: '0' }]);
  });
});
