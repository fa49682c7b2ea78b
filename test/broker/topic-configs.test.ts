import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { AlterConfigOpType, ConfigResourceType } from '../../src/broker/admin-error.ts';
import { CONFIG_SOURCE } from '../../src/broker/config/describe-config.ts';
import { TopicService } from '../../src/broker/topic-service.ts';
import { MemoryLogger } from '../../src/common/logger.ts';
import { createTopic } from '../../src/controller/topic-admin.ts';
import { ErrorCode } from '../../src/protocol/error-codes.ts';
import { startTopicCluster, storedConfig } from './topic-harness.ts';

const T = { timeout: 20_000 };
const { TOPIC, BROKER, BROKER_LOGGER } = ConfigResourceType;
const { SET, DELETE, APPEND, SUBTRACT } = AlterConfigOpType;

async function cluster(t: TestContext, options: Parameters<typeof startTopicCluster>[0] = {}) {
  const c = await startTopicCluster(options);
  t.after(() => c.close());
  return c;
}

/** A cluster with topic `t` (retention.ms=1000 override) ready on broker 0. */
async function withTopic(t: TestContext, options: Parameters<typeof startTopicCluster>[0] = {}) {
  const c = await cluster(t, options);
  const [r] = await c.b0.topics.createTopics(
    [{ name: 't', numPartitions: 1, replicationFactor: 1, configs: new Map([['retention.ms', '1000']]) }],
    { timeoutMs: 30_000 },
  );
  assert.equal(r!.errorCode, ErrorCode.NONE);
  return c;
}

/** The next config change a service reports. */
function nextChange(topics: TopicService): Promise<[string, ReadonlyMap<string, string>]> {
  return new Promise((resolve) => {
    const off = topics.onTopicConfigChange((topic, overrides) => {
      off();
      resolve([topic, overrides]);
    });
  });
}

const set = (name: string, value: string | null, configOperation: number = SET) => ({ name, value, configOperation });

describe('TopicService.describeConfigs', () => {
  it('describes a topic: its overrides over the broker defaults, with sources and synonyms', T, async (t) => {
    const c = await withTopic(t, { props: { 'log.segment.bytes': 4096 } });
    const [r] = await c.b0.topics.describeConfigs(
      [{ resourceType: TOPIC, resourceName: 't', configurationKeys: null }],
      { includeSynonyms: true },
    );
    assert.equal(r!.errorCode, ErrorCode.NONE);
    const byName = new Map(r!.configs.map((e) => [e.name, e]));
    assert.equal(byName.get('retention.ms')?.value, '1000');
    assert.equal(byName.get('retention.ms')?.configSource, CONFIG_SOURCE.DYNAMIC_TOPIC_CONFIG);
    assert.equal(byName.get('segment.bytes')?.value, '4096');
    assert.equal(byName.get('segment.bytes')?.configSource, CONFIG_SOURCE.STATIC_BROKER_CONFIG);
    assert.deepEqual(
      byName.get('segment.bytes')?.synonyms?.map((s) => s.name),
      ['log.segment.bytes', 'log.segment.bytes'],
    );
    assert.equal(byName.get('cleanup.policy')?.isDefault, true);
  });

  it('lists only the keys asked for', T, async (t) => {
    const c = await withTopic(t);
    const [r] = await c.b0.topics.describeConfigs([
      { resourceType: TOPIC, resourceName: 't', configurationKeys: ['retention.ms', 'no.such.key'] },
    ]);
    assert.deepEqual(
      r!.configs.map((e) => [e.name, e.value]),
      [['retention.ms', '1000']],
    );
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION, INVALID_TOPIC_EXCEPTION and INVALID_REQUEST per resource', T, async (t) => {
    const c = await cluster(t);
    const results = await c.b0.topics.describeConfigs([
      { resourceType: TOPIC, resourceName: 'missing', configurationKeys: null },
      { resourceType: TOPIC, resourceName: 'bad name', configurationKeys: null },
      { resourceType: BROKER, resourceName: '7', configurationKeys: null },
      { resourceType: BROKER, resourceName: 'zero', configurationKeys: null },
      { resourceType: BROKER_LOGGER, resourceName: '', configurationKeys: null },
      { resourceType: BROKER_LOGGER, resourceName: '3', configurationKeys: null },
      { resourceType: 32, resourceName: 'group', configurationKeys: null },
      { resourceType: 99, resourceName: 'x', configurationKeys: null },
    ]);
    assert.deepEqual(
      results.map((r) => [r.errorCode, r.errorMessage, r.configs.length]),
      [
        [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null, 0],
        [ErrorCode.INVALID_TOPIC_EXCEPTION, results[1]!.errorMessage, 0],
        [ErrorCode.INVALID_REQUEST, 'Unexpected broker id, expected 0 or empty string, but received 7', 0],
        [ErrorCode.INVALID_REQUEST, 'Broker id must be an integer, but it is: zero', 0],
        [ErrorCode.INVALID_REQUEST, 'Broker id must not be empty', 0],
        [ErrorCode.INVALID_REQUEST, 'Unexpected broker id, expected 0 but received 3', 0],
        [ErrorCode.INVALID_REQUEST, 'Unsupported resource type: GROUP', 0],
        [ErrorCode.INVALID_REQUEST, 'Unsupported resource type: UNKNOWN', 0],
      ],
    );
    assert.match(results[1]!.errorMessage!, /illegal/);
  });

  it('describes this broker (read-only), its empty cluster default and its loggers', T, async (t) => {
    const c = await cluster(t, { props: { 'num.partitions': 4 } });
    const [broker, defaults, loggers] = await c.b0.topics.describeConfigs([
      { resourceType: BROKER, resourceName: '0', configurationKeys: ['num.partitions', 'log.retention.hours'] },
      { resourceType: BROKER, resourceName: '', configurationKeys: null },
      { resourceType: BROKER_LOGGER, resourceName: '0', configurationKeys: null },
    ]);
    assert.deepEqual(
      new Map(broker!.configs.map((e) => [e.name, [e.value, e.readOnly, e.configSource]])),
      new Map([
        ['log.retention.hours', ['168', true, CONFIG_SOURCE.DEFAULT_CONFIG]],
        ['num.partitions', ['4', true, CONFIG_SOURCE.STATIC_BROKER_CONFIG]],
      ]),
    );
    assert.deepEqual([defaults!.errorCode, defaults!.configs], [ErrorCode.NONE, []]);
    assert.deepEqual([loggers!.errorCode, loggers!.configs], [ErrorCode.NONE, []]);
  });
});

describe('TopicService.alterConfigs', () => {
  it('replaces the overrides, tells the listeners, and the logs get the new config', T, async (t) => {
    const c = await withTopic(t);
    const heard = nextChange(c.b0.topics);
    const [r] = await c.b0.topics.alterConfigs(
      [{ resourceType: TOPIC, resourceName: 't', configs: [{ name: 'segment.ms', value: '60000' }] }],
      false,
    );
    assert.deepEqual(r, { errorCode: ErrorCode.NONE, errorMessage: null });
    assert.deepEqual(await storedConfig(c.b0.store, 't'), new Map([['segment.ms', '60000']]));
    const [topic, overrides] = await heard;
    assert.equal(topic, 't');
    assert.deepEqual(overrides, new Map([['segment.ms', '60000']]));
    // retention.ms was not listed: back to the default.
    assert.equal(c.b0.topics.logConfig('t').segmentMs, 60000);
    assert.equal(c.b0.topics.logConfig('t').retentionMs, c.b0.config.logDefaults.retentionMs);
  });

  it('validateOnly checks and writes nothing', T, async (t) => {
    const c = await withTopic(t);
    const results = await c.b0.topics.alterConfigs(
      [
        { resourceType: TOPIC, resourceName: 't', configs: [{ name: 'segment.ms', value: '60000' }] },
        { resourceType: TOPIC, resourceName: 'missing', configs: [] },
      ],
      true,
    );
    assert.deepEqual(
      results.map((r) => r.errorCode),
      [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    );
    assert.deepEqual(await storedConfig(c.b0.store, 't'), new Map([['retention.ms', '1000']]));
  });

  it('answers INVALID_CONFIG, UNKNOWN_TOPIC_OR_PARTITION and INVALID_REQUEST with Kafka messages', T, async (t) => {
    const c = await withTopic(t);
    await c.b0.topics.createTopics([{ name: 'u', numPartitions: 1, replicationFactor: 1 }], { timeoutMs: 30_000 });
    const topic = (name: string, configs: { name: string; value: string | null }[]) => ({
      resourceType: TOPIC,
      resourceName: name,
      configs,
    });
    const results = await c.b0.topics.alterConfigs(
      [
        topic('t', [{ name: 'no.such.config', value: '1' }]),
        topic('u', [{ name: 'retention.ms', value: 'forever' }]),
        topic('missing', [{ name: 'retention.ms', value: '1' }]),
        topic('', []),
        { resourceType: BROKER, resourceName: '0', configs: [{ name: 'num.partitions', value: '3' }] },
        { resourceType: BROKER, resourceName: '5', configs: [] },
        { resourceType: BROKER_LOGGER, resourceName: '0', configs: [] },
      ],
      false,
    );
    assert.deepEqual(
      results.map((r) => [r.errorCode, r.errorMessage]),
      [
        [ErrorCode.INVALID_CONFIG, 'Unknown topic config name: no.such.config'],
        [ErrorCode.INVALID_CONFIG, results[1]!.errorMessage],
        [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "The topic 'missing' does not exist."],
        [ErrorCode.INVALID_REQUEST, 'Default topic resources are not allowed.'],
        [ErrorCode.INVALID_REQUEST, results[4]!.errorMessage],
        [ErrorCode.INVALID_REQUEST, 'Unexpected broker id, expected 0, but received 5'],
        [
          ErrorCode.INVALID_REQUEST,
          'AlterConfigs is only supported for topics and brokers, but resource type is BROKER_LOGGER',
        ],
      ],
    );
    assert.match(
      results[1]!.errorMessage!,
      /^Invalid config value for resource ConfigResource\(type=TOPIC, name='u'\): .*forever.*retention\.ms/,
    );
    assert.match(results[4]!.errorMessage!, /does not support dynamic broker configs/);
    assert.deepEqual(await storedConfig(c.b0.store, 't'), new Map([['retention.ms', '1000']]));
  });

  it('refuses a resource named twice, a key given twice and null values (INVALID_REQUEST)', T, async (t) => {
    const c = await withTopic(t);
    const results = await c.b0.topics.alterConfigs(
      [
        { resourceType: TOPIC, resourceName: 't', configs: [] },
        { resourceType: BROKER, resourceName: '0', configs: [] },
        { resourceType: TOPIC, resourceName: 't', configs: [] },
      ],
      false,
    );
    assert.deepEqual(
      results.map((r) => [r.errorCode, r.errorMessage]),
      [
        [ErrorCode.INVALID_REQUEST, 'Each resource must appear at most once.'],
        [ErrorCode.INVALID_REQUEST, results[1]!.errorMessage],
        [ErrorCode.INVALID_REQUEST, 'Each resource must appear at most once.'],
      ],
    );
    const [dupKeys, nulls] = await Promise.all([
      c.b0.topics.alterConfigs(
        [
          {
            resourceType: TOPIC,
            resourceName: 't',
            configs: [
              { name: 'retention.ms', value: '1' },
              { name: 'retention.ms', value: '2' },
            ],
          },
        ],
        false,
      ),
      c.b0.topics.alterConfigs(
        [{ resourceType: TOPIC, resourceName: 't', configs: [{ name: 'retention.ms', value: null }] }],
        false,
      ),
    ]);
    assert.deepEqual(dupKeys[0], {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Error due to duplicate config keys',
    });
    assert.deepEqual(nulls[0], {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Null value not supported for : retention.ms',
    });
  });
});

describe('TopicService.incrementalAlterConfigs', () => {
  it('SETs and DELETEs single configs, keeping the others', T, async (t) => {
    const c = await withTopic(t);
    const [r] = await c.b0.topics.incrementalAlterConfigs(
      [
        {
          resourceType: TOPIC,
          resourceName: 't',
          configs: [set('segment.ms', '5000'), set('retention.ms', null, DELETE)],
        },
      ],
      false,
    );
    assert.equal(r!.errorCode, ErrorCode.NONE);
    assert.deepEqual(await storedConfig(c.b0.store, 't'), new Map([['segment.ms', '5000']]));
    assert.equal(c.b0.topics.topicOverrides('t').get('segment.ms'), '5000');
  });

  it('APPENDs to and SUBTRACTs from list configs, starting from the default', T, async (t) => {
    const c = await withTopic(t);
    const alter = async (op: number, value: string) => {
      const [r] = await c.b0.topics.incrementalAlterConfigs(
        [{ resourceType: TOPIC, resourceName: 't', configs: [set('cleanup.policy', value, op)] }],
        false,
      );
      assert.equal(r!.errorCode, ErrorCode.NONE, r!.errorMessage ?? '');
      return (await storedConfig(c.b0.store, 't'))?.get('cleanup.policy');
    };
    assert.equal(await alter(APPEND, 'compact'), 'delete,compact');
    assert.equal(c.b0.topics.logConfig('t').cleanupPolicy, 'compact,delete');
    assert.equal(await alter(APPEND, 'compact'), 'delete,compact');
    assert.equal(await alter(SUBTRACT, 'delete'), 'compact');
    assert.equal(c.b0.topics.logConfig('t').cleanupPolicy, 'compact');
  });

  it('answers INVALID_CONFIG for APPEND/SUBTRACT on non-list or unknown configs and bad values', T, async (t) => {
    const c = await withTopic(t);
    const results = await Promise.all(
      [
        [set('retention.ms', '5', APPEND)],
        [set('retention.ms', '5', SUBTRACT)],
        [set('no.such', 'x', APPEND)],
        [set('no.such', 'x')],
        [set('cleanup.policy', 'shred', APPEND)],
      ].map(
        async (configs) =>
          (await c.b0.topics.incrementalAlterConfigs([{ resourceType: TOPIC, resourceName: 't', configs }], false))[0]!,
      ),
    );
    assert.deepEqual(
      results.map((r) => [r.errorCode, r.errorMessage]),
      [
        [ErrorCode.INVALID_CONFIG, 'Config value append is not allowed for config key: retention.ms'],
        [ErrorCode.INVALID_CONFIG, 'Config value subtract is not allowed for config key: retention.ms'],
        [ErrorCode.INVALID_CONFIG, 'Unknown topic config name: no.such'],
        [ErrorCode.INVALID_CONFIG, 'Unknown topic config name: no.such'],
        [ErrorCode.INVALID_CONFIG, results[4]!.errorMessage],
      ],
    );
    assert.match(results[4]!.errorMessage!, /shred/);
    assert.deepEqual(await storedConfig(c.b0.store, 't'), new Map([['retention.ms', '1000']]));
  });

  it('answers INVALID_REQUEST for nulls, duplicates, unknown operations and broker resources', T, async (t) => {
    const c = await withTopic(t);
    const results = await c.b0.topics.incrementalAlterConfigs(
      [
        { resourceType: TOPIC, resourceName: 't', configs: [set('retention.ms', null)] },
        { resourceType: BROKER, resourceName: '0', configs: [set('num.partitions', '2')] },
        { resourceType: BROKER_LOGGER, resourceName: '0', configs: [set('kafka', 'DEBUG')] },
        { resourceType: BROKER_LOGGER, resourceName: '1', configs: [set('kafka', 'DEBUG')] },
        { resourceType: 32, resourceName: 'g', configs: [] },
      ],
      false,
    );
    assert.deepEqual(
      results.map((r) => r.errorCode),
      results.map(() => ErrorCode.INVALID_REQUEST),
    );
    assert.equal(results[0]!.errorMessage, 'Null value not supported for : retention.ms');
    assert.match(results[1]!.errorMessage!, /dynamic broker configs/);
    assert.match(results[2]!.errorMessage!, /log levels/);
    assert.equal(results[3]!.errorMessage, 'Unexpected broker id, expected 0 but received 1');
    const [badOp] = await c.b0.topics.incrementalAlterConfigs(
      [{ resourceType: TOPIC, resourceName: 't', configs: [set('retention.ms', '1', 9)] }],
      false,
    );
    assert.deepEqual(badOp, {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Unknown configuration operation type: 9',
    });
    const [dup] = await c.b0.topics.incrementalAlterConfigs(
      [
        {
          resourceType: TOPIC,
          resourceName: 't',
          configs: [set('retention.ms', '1'), set('retention.ms', null, DELETE)],
        },
      ],
      true,
    );
    assert.equal(dup!.errorMessage, 'Error due to duplicate config keys');
  });

  it('loses no change when two brokers alter the same topic at once (conditional writes)', T, async (t) => {
    const c = await withTopic(t, { brokerIds: [0, 1] });
    await c.settle();
    const alter = (b: number, name: string, value: string) =>
      c.brokers[b]!.topics.incrementalAlterConfigs(
        [{ resourceType: TOPIC, resourceName: 't', configs: [set(name, value)] }],
        false,
      );
    const results = await Promise.all([alter(0, 'segment.ms', '111'), alter(1, 'flush.ms', '222')]);
    assert.deepEqual(
      results.map(([r]) => r!.errorCode),
      [ErrorCode.NONE, ErrorCode.NONE],
    );
    assert.deepEqual(
      await storedConfig(c.b0.store, 't'),
      new Map([
        ['retention.ms', '1000'],
        ['segment.ms', '111'],
        ['flush.ms', '222'],
      ]),
    );
    await c.settle();
    for (const b of c.brokers) assert.equal(b.topics.logConfig('t').flushMs, 222, `broker ${b.id}`);
  });

  it('validateOnly checks and writes nothing', T, async (t) => {
    const c = await withTopic(t);
    const [ok] = await c.b0.topics.incrementalAlterConfigs(
      [{ resourceType: TOPIC, resourceName: 't', configs: [set('retention.ms', '5')] }],
      true,
    );
    assert.equal(ok!.errorCode, ErrorCode.NONE);
    assert.deepEqual(await storedConfig(c.b0.store, 't'), new Map([['retention.ms', '1000']]));
  });
});

describe('Topic config changes across brokers', () => {
  it('a change made through another broker reaches this broker’s listeners and logConfig', T, async (t) => {
    const c = await withTopic(t, { brokerIds: [0, 1] });
    const b1 = c.brokers[1]!;
    await c.settle();
    assert.equal(b1.topics.logConfig('t').retentionMs, 1000, 'broker 1 saw the topic created by broker 0');
    const heard = nextChange(b1.topics);
    const [r] = await c.b0.topics.incrementalAlterConfigs(
      [{ resourceType: TOPIC, resourceName: 't', configs: [set('retention.ms', '2500')] }],
      false,
    );
    assert.equal(r!.errorCode, ErrorCode.NONE);
    assert.deepEqual(await heard, ['t', new Map([['retention.ms', '2500']])]);
    assert.equal(b1.topics.logConfig('t').retentionMs, 2500);
    // A second change: the one-shot watch was armed again.
    const again = nextChange(b1.topics);
    await c.b0.topics.alterConfigs([{ resourceType: TOPIC, resourceName: 't', configs: [] }], false);
    assert.deepEqual(await again, ['t', new Map()]);
    assert.equal(b1.topics.logConfig('t').retentionMs, b1.config.logDefaults.retentionMs);
  });

  it('a topic created elsewhere with overrides is heard; one without is not', T, async (t) => {
    const c = await cluster(t, { brokerIds: [0, 1] });
    const b1 = c.brokers[1]!;
    const heard: string[] = [];
    b1.topics.onTopicConfigChange((topic) => heard.push(topic));
    const created = nextChange(b1.topics);
    await c.b0.topics.createTopics(
      [
        { name: 'plain', numPartitions: 1, replicationFactor: 1 },
        { name: 'tuned', numPartitions: 1, replicationFactor: 1, configs: new Map([['segment.ms', '777']]) },
      ],
      { timeoutMs: 30_000 },
    );
    assert.equal((await created)[0], 'tuned');
    await c.settle();
    assert.deepEqual(heard, ['tuned']);
    assert.equal(b1.topics.logConfig('tuned').segmentMs, 777);
  });

  it('a broker starting later loads every override without calling listeners', T, async (t) => {
    const c = await withTopic(t);
    await createTopic(c.b0.store, 'raw', new Map([[0, [0]]]), new Map([['segment.ms', '123']]));
    const session = c.tree.connect();
    const logger = new MemoryLogger();
    const late = new TopicService({ ...c.b0.services, store: session, metadataCache: c.b0.cache, logger });
    const heard: string[] = [];
    late.onTopicConfigChange((topic) => heard.push(topic));
    await late.start();
    t.after(async () => {
      late.close();
      await session.close();
    });
    assert.equal(late.logConfig('t').retentionMs, 1000);
    assert.equal(late.logConfig('raw').segmentMs, 123);
    assert.equal(late.minInsyncReplicas('t'), 1);
    assert.deepEqual(heard, []);
  });

  it('reports min.insync.replicas from the override, else the broker', T, async (t) => {
    const c = await cluster(t, { props: { 'min.insync.replicas': 2 } });
    await c.b0.topics.createTopics(
      [
        { name: 'a', numPartitions: 1, replicationFactor: 1 },
        { name: 'b', numPartitions: 1, replicationFactor: 1, configs: new Map([['min.insync.replicas', '1']]) },
      ],
      { timeoutMs: 30_000 },
    );
    assert.equal(c.b0.topics.minInsyncReplicas('a'), 2);
    assert.equal(c.b0.topics.minInsyncReplicas('b'), 1);
  });
});
