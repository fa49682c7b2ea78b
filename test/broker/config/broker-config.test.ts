import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { brokerConfigFromProps } from '../../../src/broker/config/broker-config.ts';
import { BROKER_CONFIG_DEFS } from '../../../src/broker/config/broker-config-defs.ts';
import { parseProperties } from '../../../src/broker/config/properties-format.ts';
import { ConfigError, parseConfigValue } from '../../../src/common/config-def.ts';
import { MemoryLogger } from '../../../src/common/logger.ts';
import { TOPIC_CONFIG_DEFS } from '../../../src/storage/topic-config-defs.ts';

const HOUR = 3_600_000;
const FIXTURE = new URL('./fixtures/server-0.8.properties', import.meta.url);

/** Asserts that `props` is rejected with exactly `message` (and, when given, the key at fault). */
function rejects(props: Record<string, string>, message: string, key?: string): void {
  assert.throws(
    () => brokerConfigFromProps(props),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
      assert.equal(e.message, message);
      if (key !== undefined) assert.equal(e.key, key);
      return true;
    },
  );
}

test('no properties at all: broker 0 on :9092 advertised as localhost, ./samsa-data, embedded store', () => {
  const logger = new MemoryLogger();
  const c = brokerConfigFromProps({}, { logger });
  assert.equal(c.brokerId, 0);
  assert.deepEqual(c.listeners, [{ name: 'PLAINTEXT', host: '', port: 9092, securityProtocol: 'PLAINTEXT' }]);
  assert.deepEqual(c.advertisedListeners, [
    { name: 'PLAINTEXT', host: 'localhost', port: 9092, securityProtocol: 'PLAINTEXT' },
  ]);
  assert.equal(c.interBrokerListenerName, 'PLAINTEXT');
  assert.deepEqual(c.logDirs, ['./samsa-data']);
  assert.deepEqual(c.logManager.logDirs, ['./samsa-data']);
  assert.equal(c.zookeeper, null);
  assert.equal(c.logDefaults.retentionMs, 168 * HOUR);
  assert.equal(c.logDefaults.segmentBytes, 1073741824);
  assert.equal(c.numPartitions, 1);
  assert.equal(c.defaultReplicationFactor, 1);
  assert.equal(c.offsetsTopicReplicationFactor, 1, "Samsa's single-node default");
  assert.equal(c.autoCreateTopicsEnable, true);
  assert.equal(c.socketRequestMaxBytes, 104857600);
  assert.equal(c.connectionsMaxIdleMs, 600000);
  assert.equal(c.offsetsRetentionMs, 7 * 24 * HOUR);
  assert.equal(c.originals.size, 0);
  assert.equal(c.values.get('log.retention.hours'), 168);
  assert.equal(c.values.get('log.retention.ms'), null);
  assert.deepEqual(logger.lines, []);
});

test("Kafka 0.8's example file starts, with one warning line per key Samsa does not use", () => {
  const props = parseProperties(readFileSync(FIXTURE, 'utf8'));
  const seedKeys = [
    'broker.id',
    'port',
    'host.name',
    'advertised.host.name',
    'advertised.port',
    'num.network.threads',
    'num.io.threads',
    'socket.send.buffer.bytes',
    'socket.receive.buffer.bytes',
    'socket.request.max.bytes',
    'log.dir',
    'log.dirs',
    'num.partitions',
    'log.flush.interval.messages',
    'log.flush.interval.ms',
    'log.retention.hours',
    'log.retention.bytes',
    'log.segment.bytes',
    'log.cleanup.interval.mins',
    'num.replica.fetchers',
    'zookeeper.connect',
    'zookeeper.connection.timeout.ms',
    'kafka.metrics.polling.interval.secs',
    'kafka.metrics.reporters',
    'kafka.csv.metrics.dir',
    'kafka.csv.metrics.reporter.enabled',
  ];
  assert.deepEqual([...props.keys()].sort(), [...seedKeys].sort(), 'the fixture sets every key of the seed file');
  for (const key of seedKeys) assert.ok(BROKER_CONFIG_DEFS.has(key), `${key} is in the table`);

  const logger = new MemoryLogger();
  const c = brokerConfigFromProps(props, { logger });
  assert.deepEqual(logger.lines, [
    'WARN Configuration num.network.threads is not used by Samsa; ignoring it',
    'WARN Configuration num.io.threads is not used by Samsa; ignoring it',
    'WARN Configuration socket.receive.buffer.bytes is not used by Samsa; ignoring it',
    'WARN Configuration kafka.metrics.polling.interval.secs is not used by Samsa; ignoring it',
    'WARN Configuration kafka.metrics.reporters is not used by Samsa; ignoring it',
    'WARN Configuration kafka.csv.metrics.dir is not used by Samsa; ignoring it',
    'WARN Configuration kafka.csv.metrics.reporter.enabled is not used by Samsa; ignoring it',
    'WARN Configuration log.dir is ignored because log.dirs is set',
  ]);
  assert.equal(c.brokerId, 0);
  assert.deepEqual(
    c.listeners.map((l) => [l.name, l.host, l.port]),
    [['PLAINTEXT', 'localhost', 9092]],
  );
  assert.deepEqual(
    c.advertisedListeners.map((l) => [l.host, l.port]),
    [['localhost', 9092]],
  );
  assert.deepEqual(c.logDirs, ['/tmp/kafka-logs']);
  assert.equal(c.numPartitions, 2);
  assert.equal(c.socketSendBufferBytes, 1048576);
  assert.equal(c.socketRequestMaxBytes, 104857600);
  assert.equal(c.logDefaults.flushMessages, 10000);
  assert.equal(c.logDefaults.flushMs, 1000);
  assert.equal(c.logDefaults.retentionMs, 168 * HOUR);
  assert.equal(c.logDefaults.retentionBytes, 1073741824);
  assert.equal(c.logDefaults.segmentBytes, 536870912);
  assert.equal(c.logManager.retentionCheckIntervalMs, 60_000, 'log.cleanup.interval.mins=1');
  assert.equal(c.numReplicaFetchers, 1);
  assert.deepEqual(c.zookeeper, { connect: 'localhost:2181', sessionTimeoutMs: 18000, connectionTimeoutMs: 1000000 });
  assert.equal(c.originals.get('kafka.csv.metrics.dir'), '/tmp/kafka_metrics');
});

test('unknown keys are accepted with exactly one warning line each', () => {
  const logger = new MemoryLogger();
  const props = new Map([
    ['zookeeper.sync.time.ms', '2000'],
    ['retention.ms', '1000'],
    ['my.custom.key', 'x'],
  ]);
  const c = brokerConfigFromProps(props, { logger });
  assert.deepEqual(logger.lines, [
    'WARN Unknown configuration zookeeper.sync.time.ms; ignoring it',
    'WARN Unknown configuration retention.ms; ignoring it (a topic config; the broker default is log.retention.ms)',
    'WARN Unknown configuration my.custom.key; ignoring it',
  ]);
  assert.equal(c.logDefaults.retentionMs, 168 * HOUR, 'a topic-level name does not change the broker default');
  assert.equal(c.originals.get('my.custom.key'), 'x');
});

test('a bad value stops with a message naming the key, the value and what is allowed', () => {
  rejects(
    { port: 'abc' },
    "Invalid value 'abc' for configuration port: must be an integer between 0 and 65535",
    'port',
  );
  rejects({ port: '70000' }, "Invalid value '70000' for configuration port: must be an integer between 0 and 65535");
  rejects(
    { 'num.partitions': '0' },
    "Invalid value '0' for configuration num.partitions: must be an integer between 1 and 2147483647",
  );
  rejects(
    { 'auto.create.topics.enable': 'yes' },
    "Invalid value 'yes' for configuration auto.create.topics.enable: must be true or false",
  );
  rejects(
    { 'log.cleanup.policy': 'shred' },
    "Invalid value 'shred' for configuration log.cleanup.policy: must be a comma-separated list of: compact, delete",
  );
  rejects(
    { 'log.message.timestamp.type': 'Now' },
    "Invalid value 'Now' for configuration log.message.timestamp.type: must be one of: CreateTime, LogAppendTime",
  );
  rejects(
    { 'log.retention.bytes': '1.5' },
    "Invalid value '1.5' for configuration log.retention.bytes: must be a 64-bit integer",
  );
  rejects(
    { 'log.retention.ms': '0' },
    "Invalid value '0' for configuration log.retention.ms: must be -1 (unlimited) or an integer of at least 1",
  );
  rejects(
    { 'log.cleaner.min.cleanable.ratio': '2' },
    "Invalid value '2' for configuration log.cleaner.min.cleanable.ratio: must be a number between 0 and 1",
  );
  rejects(
    { 'log.segment.bytes': '10' },
    "Invalid value '10' for configuration log.segment.bytes: must be an integer between 14 and 2147483647",
  );
  rejects(
    { 'compression.type': 'brotli' },
    "Invalid value 'brotli' for configuration compression.type: must be one of: uncompressed, zstd, lz4, snappy, gzip, producer",
  );
  rejects(
    { 'security.inter.broker.protocol': 'SSL' },
    "Invalid value 'SSL' for configuration security.inter.broker.protocol: must be one of: PLAINTEXT",
  );
  // Keys Samsa ignores are still checked: Kafka would reject these too.
  rejects(
    { 'num.io.threads': 'many' },
    "Invalid value 'many' for configuration num.io.threads: must be an integer between 1 and 2147483647",
  );
});

test('retention: log.retention.ms, else .minutes, else .hours; negative means forever', () => {
  const ms = (props: Record<string, string>): number => brokerConfigFromProps(props).logDefaults.retentionMs;
  assert.equal(ms({ 'log.retention.hours': '2' }), 2 * HOUR);
  assert.equal(ms({ 'log.retention.hours': '2', 'log.retention.minutes': '30' }), 30 * 60_000);
  assert.equal(ms({ 'log.retention.hours': '2', 'log.retention.minutes': '30', 'log.retention.ms': '1234' }), 1234);
  assert.equal(
    ms({ 'log.retention.ms': '1234', 'log.retention.hours': '2' }),
    1234,
    'order in the file does not matter',
  );
  assert.equal(ms({ 'log.retention.ms': '-1' }), Infinity);
  assert.equal(ms({ 'log.retention.hours': '-1' }), Infinity);
  assert.equal(brokerConfigFromProps({ 'log.roll.hours': '1' }).logDefaults.segmentMs, HOUR);
  assert.equal(brokerConfigFromProps({ 'log.roll.hours': '1', 'log.roll.ms': '500' }).logDefaults.segmentMs, 500);
  // Kafka: flush.ms falls back to log.flush.scheduler.interval.ms.
  assert.equal(brokerConfigFromProps({ 'log.flush.scheduler.interval.ms': '700' }).logDefaults.flushMs, 700);
});

test('listeners: explicit, 0.8 host.name/port, advertised forms, custom names', () => {
  const logger = new MemoryLogger();
  const c = brokerConfigFromProps({ listeners: 'PLAINTEXT://127.0.0.1:0', port: '9093' }, { logger });
  assert.deepEqual(logger.lines, ['WARN Configuration port is ignored because listeners is set']);
  assert.deepEqual(
    c.listeners.map((l) => [l.host, l.port]),
    [['127.0.0.1', 0]],
  );
  assert.deepEqual(
    c.advertisedListeners.map((l) => [l.host, l.port]),
    [['127.0.0.1', 0]],
  );

  const old = brokerConfigFromProps({ port: '9094', 'advertised.host.name': 'kafka.example' });
  assert.deepEqual(
    old.listeners.map((l) => [l.host, l.port]),
    [['', 9094]],
  );
  assert.deepEqual(
    old.advertisedListeners.map((l) => [l.host, l.port]),
    [['kafka.example', 9094]],
  );

  const wild = brokerConfigFromProps({ listeners: 'plaintext://0.0.0.0:9092' });
  assert.equal(wild.listeners[0]!.name, 'PLAINTEXT');
  assert.equal(wild.advertisedListeners[0]!.host, 'localhost');

  const two = brokerConfigFromProps({
    listeners: 'INTERNAL://:9092, EXTERNAL://[::1]:9093',
    'advertised.listeners': 'INTERNAL://broker1:9092,EXTERNAL://public.example:19093',
    'listener.security.protocol.map': 'INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT',
    'inter.broker.listener.name': 'INTERNAL',
  });
  assert.deepEqual(
    two.listeners.map((l) => [l.name, l.host, l.port]),
    [
      ['INTERNAL', '', 9092],
      ['EXTERNAL', '::1', 9093],
    ],
  );
  assert.deepEqual(
    two.advertisedListeners.map((l) => l.host),
    ['broker1', 'public.example'],
  );
  assert.equal(two.interBrokerListenerName, 'INTERNAL');

  rejects(
    { listeners: 'localhost:9092' },
    "Invalid value 'localhost:9092' for configuration listeners: must be a comma-separated list of NAME://host:port with a port from 0 to 65535 ('localhost:9092' is not)",
  );
  rejects(
    { listeners: 'SSL://:9093' },
    "Invalid value 'SSL://:9093' for configuration listeners: Samsa serves PLAINTEXT listeners only, not SSL",
  );
  rejects(
    { listeners: 'SECURE://:9093', 'listener.security.protocol.map': 'SECURE:SASL_SSL' },
    "Invalid value 'SECURE://:9093' for configuration listeners: Samsa serves PLAINTEXT listeners only, not SECURE, which uses SASL_SSL",
  );
  rejects(
    { listeners: 'A://:1' },
    "Invalid value 'A://:1' for configuration listeners: no security protocol for listener A in listener.security.protocol.map",
  );
  rejects(
    {
      listeners: 'PLAINTEXT://:9092,OTHER://:9092',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,OTHER:PLAINTEXT',
    },
    "Invalid value 'PLAINTEXT://:9092,OTHER://:9092' for configuration listeners: each listener must have a different port",
  );
  rejects(
    { 'advertised.listeners': 'PLAINTEXT://0.0.0.0:9092' },
    "Invalid value 'PLAINTEXT://0.0.0.0:9092' for configuration advertised.listeners: cannot use the nonroutable meta-address 0.0.0.0; use a routable address",
  );
  rejects(
    { 'advertised.listeners': 'OTHER://h:1', 'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,OTHER:PLAINTEXT' },
    'advertised.listeners names OTHER, which is not in listeners (PLAINTEXT)',
    'advertised.listeners',
  );
});

test('a Kafka 3.9 KRaft server.properties: controller listeners are left out, KRaft keys ignored', () => {
  const logger = new MemoryLogger();
  const c = brokerConfigFromProps(
    {
      'process.roles': 'broker,controller',
      'node.id': '1',
      'controller.quorum.voters': '1@localhost:9093',
      listeners: 'PLAINTEXT://:9092,CONTROLLER://:9093',
      'advertised.listeners': 'PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093',
      'controller.listener.names': 'CONTROLLER',
      'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      'log.dirs': '/tmp/kraft-combined-logs',
      'offsets.topic.replication.factor': '1',
    },
    { logger },
  );
  assert.equal(c.brokerId, 1);
  assert.deepEqual(
    c.listeners.map((l) => l.name),
    ['PLAINTEXT'],
  );
  assert.deepEqual(
    c.advertisedListeners.map((l) => `${l.host}:${l.port}`),
    ['localhost:9092'],
  );
  assert.deepEqual(logger.lines, [
    'WARN Configuration process.roles is not used by Samsa; ignoring it',
    'WARN Configuration controller.quorum.voters is not used by Samsa; ignoring it',
  ]);
});

test('broker.id and node.id, log.dirs and log.dir, and other cross-checks', () => {
  assert.equal(brokerConfigFromProps({ 'node.id': '7' }).brokerId, 7);
  assert.equal(brokerConfigFromProps({ 'broker.id': '7', 'node.id': '7' }).brokerId, 7);
  rejects({ 'broker.id': '1', 'node.id': '2' }, 'node.id (2) must equal broker.id (1) when both are set', 'node.id');
  rejects(
    { 'broker.id': '-1' },
    "Invalid value '-1' for configuration broker.id: must be an integer between 0 and 2147483647",
  );

  assert.deepEqual(brokerConfigFromProps({ 'log.dir': '/one' }).logDirs, ['/one']);
  assert.deepEqual(brokerConfigFromProps({ 'log.dirs': ' /a , /b ' }).logDirs, ['/a', '/b']);
  rejects({ 'log.dirs': ' , ' }, "Invalid value ',' for configuration log.dirs: must name at least one directory");

  rejects(
    { 'replica.fetch.wait.max.ms': '40000' },
    'replica.socket.timeout.ms should always be at least replica.fetch.wait.max.ms to prevent unnecessary socket timeouts',
  );
  const zk = brokerConfigFromProps({
    'zookeeper.connect': 'z1:2181,z2:2181/samsa',
    'zookeeper.session.timeout.ms': '6000',
  });
  assert.deepEqual(zk.zookeeper, {
    connect: 'z1:2181,z2:2181/samsa',
    sessionTimeoutMs: 6000,
    connectionTimeoutMs: 6000,
  });
});

test('typed values from code are accepted as well as text', () => {
  const c = brokerConfigFromProps({
    'num.partitions': 4,
    'auto.create.topics.enable': false,
    'log.cleanup.policy': ['compact', 'delete'],
    'log.flush.interval.messages': 1,
  });
  assert.equal(c.numPartitions, 4);
  assert.equal(c.autoCreateTopicsEnable, false);
  assert.equal(c.logDefaults.cleanupPolicy, 'compact,delete');
  assert.equal(c.logDefaults.flushMessages, 1);
  assert.equal(c.originals.get('log.cleanup.policy'), 'compact,delete');
});

test('the tables are consistent: defaults obey their own rules; every topic synonym is a broker property', () => {
  for (const def of [...BROKER_CONFIG_DEFS.values(), ...TOPIC_CONFIG_DEFS]) {
    if (def.default === null) continue;
    assert.doesNotThrow(() => parseConfigValue(def, def.default as never), `default of ${def.name}`);
  }
  for (const def of TOPIC_CONFIG_DEFS) {
    for (const syn of def.synonyms) {
      const broker = BROKER_CONFIG_DEFS.get(syn.name);
      assert.ok(broker, `${def.name}'s synonym ${syn.name} is a broker property`);
      if (syn.unit === 1 && broker.default !== null) {
        assert.deepEqual(broker.default, def.default, `${syn.name} and ${def.name} share a default`);
      }
    }
  }
});
