import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brokerConfigFromProps } from '../../../src/broker/config/broker-config.ts';
import {
  CONFIG_SOURCE,
  describeBrokerConfig,
  describeTopicConfig,
} from '../../../src/broker/config/describe-config.ts';
import {
  resolveTopicConfig,
  resolveTopicConfigDetail,
  validateTopicConfig,
  validateTopicConfigs,
} from '../../../src/broker/config/topic-config.ts';
import { TOPIC_CONFIG_DEFS } from '../../../src/storage/topic-config-defs.ts';

const { DYNAMIC_TOPIC_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG } = CONFIG_SOURCE;

test('validateTopicConfig: null when fine, else a message naming key, value and what is allowed', () => {
  assert.equal(validateTopicConfig('retention.ms', '86400000'), null);
  assert.equal(validateTopicConfig('retention.ms', '-1'), null);
  assert.equal(validateTopicConfig('cleanup.policy', 'compact,delete'), null);
  assert.equal(validateTopicConfig('min.cleanable.dirty.ratio', '0.1'), null);
  assert.equal(validateTopicConfig('message.timestamp.type', 'LogAppendTime'), null);
  assert.equal(
    validateTopicConfig('retention.ms', 'abc'),
    "Invalid value 'abc' for configuration retention.ms: must be an integer of at least -1",
  );
  assert.equal(
    validateTopicConfig('retention.ms', '-2'),
    "Invalid value '-2' for configuration retention.ms: must be an integer of at least -1",
  );
  assert.equal(
    validateTopicConfig('cleanup.policy', 'shred'),
    "Invalid value 'shred' for configuration cleanup.policy: must be a comma-separated list of: compact, delete",
  );
  assert.equal(
    validateTopicConfig('segment.bytes', '13'),
    "Invalid value '13' for configuration segment.bytes: must be an integer between 14 and 2147483647",
  );
  assert.equal(
    validateTopicConfig('compression.type', 'brotli'),
    "Invalid value 'brotli' for configuration compression.type: must be one of: uncompressed, zstd, lz4, snappy, gzip, producer",
  );
  assert.equal(
    validateTopicConfig('min.cleanable.dirty.ratio', '1.5'),
    "Invalid value '1.5' for configuration min.cleanable.dirty.ratio: must be a number between 0 and 1",
  );
  assert.equal(
    validateTopicConfig('unclean.leader.election.enable', 'maybe'),
    "Invalid value 'maybe' for configuration unclean.leader.election.enable: must be true or false",
  );
  assert.equal(
    validateTopicConfig('remote.storage.enable', 'true'),
    "Invalid value 'true' for configuration remote.storage.enable: must be false (Samsa has no tiered storage)",
  );
  assert.equal(validateTopicConfig('log.retention.ms', '1'), 'Unknown topic config name: log.retention.ms');
  assert.equal(validateTopicConfig('retention.ms', null), 'Null value not supported for topic configs: retention.ms');
});

test('validateTopicConfigs checks each config, then the rules between them', () => {
  assert.equal(validateTopicConfigs({ 'retention.ms': '1000', 'cleanup.policy': 'compact' }), null);
  assert.equal(
    validateTopicConfigs([['segment.ms', 'x']]),
    "Invalid value 'x' for configuration segment.ms: must be an integer of at least 1",
  );
  assert.equal(
    validateTopicConfigs({ 'min.compaction.lag.ms': '5000', 'max.compaction.lag.ms': '1000' }),
    'conflict topic config setting min.compaction.lag.ms (5000) > max.compaction.lag.ms (1000)',
  );
  // The broker's default takes part when the set does not override it.
  const broker = brokerConfigFromProps({ 'log.cleaner.max.compaction.lag.ms': '1000' });
  assert.equal(validateTopicConfigs({ 'min.compaction.lag.ms': '5000' }), null);
  assert.equal(
    validateTopicConfigs({ 'min.compaction.lag.ms': '5000' }, broker),
    'conflict topic config setting min.compaction.lag.ms (5000) > max.compaction.lag.ms (1000)',
  );
});

test('resolution: override, else the first broker synonym set (in the topic unit), else the default', () => {
  const broker = brokerConfigFromProps({ 'log.retention.hours': '2', 'log.segment.bytes': '536870912' });
  assert.equal(resolveTopicConfig('retention.ms', {}, broker), 2 * 3_600_000);
  assert.equal(resolveTopicConfig('retention.ms', { 'retention.ms': '5000' }, broker), 5000);
  assert.equal(resolveTopicConfig('segment.bytes', {}, broker), 536870912);
  assert.equal(resolveTopicConfig('segment.ms', {}, broker), 604800000);
  assert.deepEqual(resolveTopicConfig('cleanup.policy', new Map([['cleanup.policy', 'compact']]), broker), ['compact']);
  assert.deepEqual(resolveTopicConfigDetail('retention.ms', {}, broker), {
    def: TOPIC_CONFIG_DEFS.find((d) => d.name === 'retention.ms'),
    value: 7_200_000,
    from: 'broker',
    brokerName: 'log.retention.hours',
  });
  const forever = brokerConfigFromProps({ 'log.retention.minutes': '-5' });
  assert.equal(resolveTopicConfig('retention.ms', {}, forever), -1, "Kafka's logRetentionTimeMillis");
});

test("describeTopicConfig: values, sources and synonyms in Kafka's order", () => {
  const broker = brokerConfigFromProps({
    'log.retention.ms': '1000',
    'log.retention.hours': '1',
    'log.segment.bytes': '536870912',
  });
  const all = describeTopicConfig({ 'cleanup.policy': 'compact,delete', 'retention.ms': '5000' }, broker, {
    includeSynonyms: true,
  });
  assert.deepEqual(
    all.map((e) => e.name),
    TOPIC_CONFIG_DEFS.map((d) => d.name),
    'every topic config, in table order',
  );
  const byName = new Map(all.map((e) => [e.name, e]));

  assert.deepEqual(byName.get('retention.ms'), {
    name: 'retention.ms',
    value: '5000',
    readOnly: false,
    isDefault: false,
    configSource: DYNAMIC_TOPIC_CONFIG,
    isSensitive: false,
    synonyms: [
      { name: 'retention.ms', value: '5000', source: DYNAMIC_TOPIC_CONFIG },
      { name: 'log.retention.ms', value: '1000', source: STATIC_BROKER_CONFIG },
      { name: 'log.retention.hours', value: '1', source: STATIC_BROKER_CONFIG },
      { name: 'log.retention.hours', value: '168', source: DEFAULT_CONFIG },
    ],
    configType: 5,
    documentation: null,
  });
  const segment = byName.get('segment.bytes')!;
  assert.equal(segment.value, '536870912');
  assert.equal(segment.configSource, STATIC_BROKER_CONFIG);
  assert.deepEqual(segment.synonyms, [
    { name: 'log.segment.bytes', value: '536870912', source: STATIC_BROKER_CONFIG },
    { name: 'log.segment.bytes', value: '1073741824', source: DEFAULT_CONFIG },
  ]);
  const policy = byName.get('cleanup.policy')!;
  assert.equal(policy.value, 'compact,delete');
  assert.equal(policy.configType, 7);
  assert.deepEqual(
    policy.synonyms?.map((s) => [s.name, s.source]),
    [
      ['cleanup.policy', DYNAMIC_TOPIC_CONFIG],
      ['log.cleanup.policy', DEFAULT_CONFIG],
    ],
  );
  const ratio = byName.get('min.cleanable.dirty.ratio')!;
  assert.equal(ratio.value, '0.5');
  assert.equal(ratio.configType, 6);
  assert.equal(ratio.configSource, DEFAULT_CONFIG);
  assert.equal(byName.get('flush.messages')!.value, '9223372036854775807');
  // No broker synonym at all: source DEFAULT_CONFIG and no synonyms.
  assert.deepEqual(byName.get('remote.storage.enable')!.synonyms, []);
  assert.equal(byName.get('remote.storage.enable')!.configSource, DEFAULT_CONFIG);
});

test("describeTopicConfig keeps Kafka's quirk: the broker part starts at the first synonym", () => {
  // log.retention.hours is set, but log.retention.ms (the first synonym) is neither set nor has a
  // default, so Kafka reports no broker synonyms and DEFAULT_CONFIG, with the resolved value.
  const broker = brokerConfigFromProps({ 'log.retention.hours': '24', 'log.roll.hours': '1' });
  const entries = describeTopicConfig({}, broker, { names: ['retention.ms', 'segment.ms'], includeSynonyms: true });
  assert.deepEqual(
    entries.map((e) => e.name),
    ['segment.ms', 'retention.ms'],
    'table order, not request order',
  );
  const [segmentMs, retention] = entries;
  assert.equal(retention!.value, '86400000');
  assert.equal(retention!.configSource, DEFAULT_CONFIG);
  assert.deepEqual(retention!.synonyms, []);
  assert.equal(segmentMs!.value, '3600000');
  assert.deepEqual(segmentMs!.synonyms, []);
});

test('describeTopicConfig options: names filter, synonyms and documentation only when asked', () => {
  const broker = brokerConfigFromProps({});
  const entries = describeTopicConfig({}, broker, { names: ['segment.bytes', 'no.such.config'] });
  assert.equal(entries.length, 1);
  assert.deepEqual(entries[0]!.synonyms, []);
  assert.equal(entries[0]!.documentation, null);
  assert.equal(entries[0]!.configSource, DEFAULT_CONFIG);
  assert.equal(entries[0]!.isDefault, true);
  const documented = describeTopicConfig({}, broker, { names: ['segment.bytes'], includeDocumentation: true });
  assert.match(documented[0]!.documentation ?? '', /segment/);
});

test('describeBrokerConfig: static vs default sources, read-only, unknown keys sensitive', () => {
  const broker = brokerConfigFromProps({ 'log.retention.hours': '24', 'num.partitions': ' 3 ', 'custom.secret': 'pw' });
  const entries = describeBrokerConfig(broker, { includeSynonyms: true });
  const byName = new Map(entries.map((e) => [e.name, e]));
  assert.deepEqual(byName.get('log.retention.hours'), {
    name: 'log.retention.hours',
    value: '24',
    readOnly: true,
    isDefault: false,
    configSource: STATIC_BROKER_CONFIG,
    isSensitive: false,
    synonyms: [
      { name: 'log.retention.hours', value: '24', source: STATIC_BROKER_CONFIG },
      { name: 'log.retention.hours', value: '168', source: DEFAULT_CONFIG },
    ],
    configType: 3,
    documentation: null,
  });
  assert.equal(byName.get('num.partitions')!.value, '3');
  assert.equal(byName.get('log.retention.ms')!.value, null);
  assert.equal(byName.get('log.retention.ms')!.configSource, DEFAULT_CONFIG);
  const secret = byName.get('custom.secret')!;
  assert.equal(secret.isSensitive, true);
  assert.equal(secret.value, null);
  assert.deepEqual(secret.synonyms, [{ name: 'custom.secret', value: null, source: STATIC_BROKER_CONFIG }]);
});
