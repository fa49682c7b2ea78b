import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brokerConfigFromProps } from '../../../src/broker/config/broker-config.ts';
import { resolveBrokerOptions } from '../../../src/broker/config/broker-options.ts';
import { ManualClock } from '../../../src/common/clock.ts';
import { ConfigError } from '../../../src/common/config-def.ts';
import { MemoryLogger } from '../../../src/common/logger.ts';

test('shorthands for tests: port, host, logDirs, brokerId', () => {
  const { config } = resolveBrokerOptions({
    port: 0,
    logDirs: ['/tmp/a', '/tmp/b'],
    brokerId: 4,
    logger: new MemoryLogger(),
  });
  assert.deepEqual(
    config.listeners.map((l) => [l.name, l.host, l.port]),
    [['PLAINTEXT', '', 0]],
  );
  assert.deepEqual(
    config.advertisedListeners.map((l) => [l.host, l.port]),
    [['localhost', 0]],
  );
  assert.deepEqual(config.logDirs, ['/tmp/a', '/tmp/b']);
  assert.equal(config.brokerId, 4);
  const local = resolveBrokerOptions({ host: '127.0.0.1', logger: new MemoryLogger() }).config;
  assert.deepEqual(
    local.listeners.map((l) => [l.host, l.port]),
    [['127.0.0.1', 9092]],
  );
});

test('properties from code, with the shorthands on top; warnings go to the given logger', () => {
  const logger = new MemoryLogger();
  const clock = new ManualClock();
  const r = resolveBrokerOptions({
    properties: { 'num.partitions': 3, listeners: 'PLAINTEXT://:1234', 'num.io.threads': '2', 'x.y': undefined },
    port: 0,
    logger,
    clock,
  });
  assert.equal(r.config.numPartitions, 3);
  assert.equal(r.config.listeners[0]!.port, 0, 'the port shorthand wins over properties');
  assert.equal(r.logger, logger);
  assert.equal(r.clock, clock);
  assert.deepEqual(logger.lines, ['WARN Configuration num.io.threads is not used by Samsa; ignoring it']);
  assert.throws(() => resolveBrokerOptions({ properties: { port: 'x' }, logger }), ConfigError);
});

test('a resolved config is used as is, and cannot be mixed with properties or shorthands', () => {
  const config = brokerConfigFromProps({ 'broker.id': '9' });
  assert.equal(resolveBrokerOptions({ config }).config, config);
  assert.throws(() => resolveBrokerOptions({ config, port: 0 }), TypeError);
  assert.throws(() => resolveBrokerOptions({ config, properties: {} }), TypeError);
});

test('no options at all: the same defaults as a start with no file', () => {
  const { config, logger, clock } = resolveBrokerOptions();
  assert.equal(config.brokerId, 0);
  assert.equal(config.listeners[0]!.port, 9092);
  assert.deepEqual(config.logDirs, ['./samsa-data']);
  assert.ok(logger);
  assert.ok(clock);
});
