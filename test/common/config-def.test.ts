import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type ConfigDefinition,
  ConfigError,
  checkConfigValue,
  describeAllowed,
  formatConfigValue,
  LONG_MAX,
  parseConfigValue,
} from '../../src/common/config-def.ts';

const def = (d: Partial<ConfigDefinition> & Pick<ConfigDefinition, 'type'>): ConfigDefinition => ({
  name: 'x.y',
  default: null,
  doc: '',
  used: true,
  ...d,
});

test('integers: trimmed decimal text with a sign, within the Java type and the rule', () => {
  const port = def({ name: 'port', type: 'int', min: 0, max: 65535 });
  assert.equal(parseConfigValue(port, ' 9092 '), 9092);
  assert.equal(parseConfigValue(port, '+80'), 80);
  assert.equal(parseConfigValue(port, 443), 443);
  for (const bad of ['abc', '', '1.5', '0x10', '1e3', '70000', '-1']) {
    assert.throws(
      () => parseConfigValue(port, bad),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.code === 'INVALID_VALUE' &&
        e.key === 'port' &&
        e.message === `Invalid value '${bad}' for configuration port: must be an integer between 0 and 65535`,
    );
  }
  const int = def({ type: 'int' });
  assert.equal(checkConfigValue(int, '2147483647'), null);
  assert.match(checkConfigValue(int, '2147483648')!, /must be an integer between -2147483648 and 2147483647$/);
  const short = def({ type: 'short', min: 1 });
  assert.match(checkConfigValue(short, '40000')!, /must be an integer between 1 and 32767$/);
  assert.throws(() => parseConfigValue(int, 1.5), /must be an integer/);
  assert.throws(() => parseConfigValue(int, true), /must be an integer/);
});

test('longs: 64-bit range, Long.MAX_VALUE kept as 2^63 and written back exactly', () => {
  const long = def({ type: 'long' });
  assert.equal(parseConfigValue(long, '9223372036854775807'), LONG_MAX);
  assert.equal(parseConfigValue(long, '-9223372036854775808'), -LONG_MAX);
  assert.equal(parseConfigValue(long, Infinity), LONG_MAX);
  assert.equal(
    checkConfigValue(long, '9223372036854775808'),
    "Invalid value '9223372036854775808' for configuration x.y: must be a 64-bit integer",
  );
  assert.equal(formatConfigValue('long', LONG_MAX), '9223372036854775807');
  assert.equal(formatConfigValue('long', -LONG_MAX), '-9223372036854775808');
  assert.equal(formatConfigValue('long', 604800000), '604800000');
  assert.equal(describeAllowed(def({ type: 'long', min: -1 })), 'must be an integer of at least -1');
});

test('doubles, booleans, strings, lists', () => {
  const ratio = def({ type: 'double', min: 0, max: 1 });
  assert.equal(parseConfigValue(ratio, '0.25'), 0.25);
  assert.equal(parseConfigValue(ratio, '1'), 1);
  assert.equal(
    checkConfigValue(ratio, '1.5'),
    "Invalid value '1.5' for configuration x.y: must be a number between 0 and 1",
  );
  assert.match(checkConfigValue(ratio, 'half')!, /must be a number between 0 and 1$/);
  assert.equal(formatConfigValue('double', 0.5), '0.5');
  assert.equal(formatConfigValue('double', 1), '1.0');
  assert.equal(formatConfigValue('double', Number.MAX_VALUE), '1.7976931348623157E308');

  const flag = def({ type: 'boolean' });
  assert.equal(parseConfigValue(flag, ' TRUE '), true);
  assert.equal(parseConfigValue(flag, 'False'), false);
  assert.equal(checkConfigValue(flag, 'yes'), "Invalid value 'yes' for configuration x.y: must be true or false");

  const type = def({ type: 'string', oneOf: ['CreateTime', 'LogAppendTime'] });
  assert.equal(parseConfigValue(type, ' LogAppendTime '), 'LogAppendTime');
  assert.equal(
    checkConfigValue(type, 'createtime'),
    "Invalid value 'createtime' for configuration x.y: must be one of: CreateTime, LogAppendTime",
  );
  assert.equal(parseConfigValue(def({ type: 'string', oneOf: ['a'], ignoreCase: true }), 'A'), 'A');

  const policy = def({ type: 'list', oneOf: ['compact', 'delete'] });
  assert.deepEqual(parseConfigValue(policy, 'compact , delete'), ['compact', 'delete']);
  assert.deepEqual(parseConfigValue(policy, ''), []);
  assert.deepEqual(parseConfigValue(policy, ['delete']), ['delete']);
  assert.equal(
    checkConfigValue(policy, 'compact,,delete'),
    "Invalid value 'compact,,delete' for configuration x.y: must be a comma-separated list of: compact, delete",
  );
  assert.equal(formatConfigValue('list', ['compact', 'delete']), 'compact,delete');
  assert.equal(formatConfigValue('list', []), '');
  assert.equal(formatConfigValue('string', null), null);
});

test('a custom rule reports its own wording', () => {
  const level = def({
    type: 'int',
    check: (v) => v === -1 || ((v as number) >= 1 && (v as number) <= 9),
    allowed: 'must be an integer between 1 and 9, or -1',
  });
  assert.equal(parseConfigValue(level, '-1'), -1);
  assert.equal(
    checkConfigValue(level, '0'),
    "Invalid value '0' for configuration x.y: must be an integer between 1 and 9, or -1",
  );
});
