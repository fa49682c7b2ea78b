import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { ConfigResourceType } from '../../../src/broker/admin-error.ts';
import { CONFIG_SOURCE } from '../../../src/broker/config/describe-config.ts';
import { describeConfigs } from '../../../src/broker/handlers/describe-configs.ts';
import { ErrorCode } from '../../../src/protocol/error-codes.ts';
import { ApiKey } from '../../../src/protocol/messages/generated/api-table.ts';
import { dispatch, startTopicCluster } from '../topic-harness.ts';

const T = { timeout: 20_000 };

async function withTopic(t: TestContext) {
  const c = await startTopicCluster({ props: { 'log.retention.hours': 48 } });
  t.after(() => c.close());
  await c.b0.topics.createTopics(
    [{ name: 't', numPartitions: 1, replicationFactor: 1, configs: new Map([['segment.ms', '1000']]) }],
    { timeoutMs: 30_000 },
  );
  return c;
}

describe('DescribeConfigs handler', () => {
  it('describes a topic at every version 0-4 with the fields each version has', T, async (t) => {
    const c = await withTopic(t);
    for (let v = 0; v <= 4; v++) {
      const res = await dispatch(c.b0, [describeConfigs], ApiKey.DescribeConfigs, v, {
        resources: [{ resourceType: ConfigResourceType.TOPIC, resourceName: 't', configurationKeys: null }],
        ...(v >= 1 ? { includeSynonyms: true } : {}),
        ...(v >= 3 ? { includeDocumentation: true } : {}),
      });
      const [r] = res.results;
      // Regression: Kafka 3.9 sends the empty string as a successful result's message (Samsa sent null).
      assert.deepEqual([r!.errorCode, r!.errorMessage, r!.resourceType, r!.resourceName], [0, '', 2, 't']);
      const byName = new Map(r!.configs.map((e) => [e.name, e]));
      const segment = byName.get('segment.ms')!;
      const retention = byName.get('retention.ms')!;
      assert.equal(segment.value, '1000');
      assert.equal(retention.value, String(48 * 3600 * 1000));
      if (v === 0) {
        assert.equal(segment.isDefault, false);
        assert.equal(byName.get('cleanup.policy')!.isDefault, true);
      } else {
        assert.equal(segment.configSource, CONFIG_SOURCE.DYNAMIC_TOPIC_CONFIG);
        assert.equal(segment.synonyms![0]!.source, CONFIG_SOURCE.DYNAMIC_TOPIC_CONFIG);
      }
      if (v >= 3) {
        assert.equal(segment.configType, 5, 'LONG');
        assert.ok(segment.documentation);
      }
    }
  });

  it('leaves synonyms and documentation out unless asked', T, async (t) => {
    const c = await withTopic(t);
    const res = await dispatch(c.b0, [describeConfigs], ApiKey.DescribeConfigs, 4, {
      resources: [{ resourceType: ConfigResourceType.TOPIC, resourceName: 't', configurationKeys: ['segment.ms'] }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    const [entry] = res.results[0]!.configs;
    assert.deepEqual([entry!.name, entry!.synonyms, entry!.documentation], ['segment.ms', [], null]);
  });

  it('answers each resource separately: broker, unknown topic, other broker', T, async (t) => {
    const c = await withTopic(t);
    const res = await dispatch(c.b0, [describeConfigs], ApiKey.DescribeConfigs, 2, {
      resources: [
        { resourceType: ConfigResourceType.BROKER, resourceName: '0', configurationKeys: ['num.partitions'] },
        { resourceType: ConfigResourceType.TOPIC, resourceName: 'missing', configurationKeys: null },
        { resourceType: ConfigResourceType.BROKER, resourceName: '1', configurationKeys: null },
      ],
      includeSynonyms: false,
    });
    assert.deepEqual(
      res.results.map((r) => [r.resourceName, r.errorCode, r.configs.map((e) => [e.name, e.value, e.readOnly])]),
      [
        ['0', ErrorCode.NONE, [['num.partitions', '1', true]]],
        ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, []],
        ['1', ErrorCode.INVALID_REQUEST, []],
      ],
    );
  });

  it('answers an unknown topic with the empty message, as Kafka 3.9 does', T, async (t) => {
    const c = await withTopic(t);
    const res = await dispatch(c.b0, [describeConfigs], ApiKey.DescribeConfigs, 4, {
      resources: [{ resourceType: ConfigResourceType.TOPIC, resourceName: 'missing', configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    assert.deepEqual(
      res.results.map((r) => [r.errorCode, r.errorMessage]),
      [[ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, '']],
    );
  });

  it(
    'fails every resource with INVALID_REQUEST when one has a type without configs here (GROUP, UNKNOWN)',
    T,
    async (t) => {
      const c = await withTopic(t);
      for (const odd of [ConfigResourceType.GROUP, ConfigResourceType.UNKNOWN, 99]) {
        const res = await dispatch(c.b0, [describeConfigs], ApiKey.DescribeConfigs, 4, {
          resources: [
            { resourceType: ConfigResourceType.TOPIC, resourceName: 't', configurationKeys: null },
            { resourceType: odd, resourceName: 'g', configurationKeys: null },
          ],
          includeSynonyms: false,
          includeDocumentation: false,
        });
        assert.deepEqual(
          res.results.map((r) => [r.resourceName, r.errorCode, r.configs.length]),
          [
            ['t', ErrorCode.INVALID_REQUEST, 0],
            ['g', ErrorCode.INVALID_REQUEST, 0],
          ],
          `type ${odd}`,
        );
      }
      // CLIENT_METRICS is answered on its own: the topic next to it is described.
      const res = await dispatch(c.b0, [describeConfigs], ApiKey.DescribeConfigs, 4, {
        resources: [
          { resourceType: ConfigResourceType.TOPIC, resourceName: 't', configurationKeys: ['segment.ms'] },
          { resourceType: ConfigResourceType.CLIENT_METRICS, resourceName: 'm', configurationKeys: null },
        ],
        includeSynonyms: false,
        includeDocumentation: false,
      });
      assert.deepEqual(
        res.results.map((r) => [r.errorCode, r.configs.length]),
        [
          [ErrorCode.NONE, 1],
          [ErrorCode.INVALID_REQUEST, 0],
        ],
      );
    },
  );

  it('has an error response per resource', () => {
    const res = describeConfigs.errorResponse!(
      { resources: [{ resourceType: 2, resourceName: 'x', configurationKeys: null }] },
      -1,
      undefined as never,
    );
    assert.deepEqual(res, {
      throttleTimeMs: 0,
      results: [{ errorCode: -1, errorMessage: null, resourceType: 2, resourceName: 'x', configs: [] }],
    });
  });
});
