import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { OffsetCheckpointFile } from '../../src/storage/checkpoint-file.ts';
import { DEFAULT_LOG_CONFIG, logConfigFromProps, logManagerConfigFromProps } from '../../src/storage/config.ts';
import type { StorageError } from '../../src/storage/errors.ts';
import { nodeFileIO } from '../../src/storage/file-io.ts';
import { tempDir } from './helpers.ts';

test("Kafka's defaults and property names, broker level then topic overrides", () => {
  assert.equal(DEFAULT_LOG_CONFIG.segmentBytes, 1073741824);
  assert.equal(DEFAULT_LOG_CONFIG.retentionMs, 168 * 3600 * 1000);
  assert.equal(DEFAULT_LOG_CONFIG.indexIntervalBytes, 4096);
  assert.equal(DEFAULT_LOG_CONFIG.retentionBytes, Infinity);
  const c = logConfigFromProps(
    {
      'log.retention.hours': 1,
      'log.retention.minutes': '5',
      'log.roll.hours': 2,
      'log.flush.interval.messages': '9223372036854775807',
      'log.retention.bytes': -1,
    },
    { 'segment.bytes': '2048', 'cleanup.policy': 'delete,compact' },
  );
  assert.equal(c.retentionMs, 5 * 60_000, 'minutes win over hours');
  assert.equal(c.segmentMs, 2 * 3600_000);
  assert.equal(c.segmentBytes, 2048);
  assert.equal(c.flushMessages, Infinity);
  assert.equal(c.retentionBytes, Infinity);
  assert.equal(c.cleanupPolicy, 'compact,delete');
  assert.throws(
    () => logConfigFromProps({}, { 'cleanup.policy': 'shred' }),
    (e: StorageError) => e.code === 'INVALID_CONFIG',
  );
  assert.throws(() => logConfigFromProps({ 'log.segment.bytes': 'lots' }), /not a number/);
  const m = logManagerConfigFromProps({ 'log.dirs': '/a, /b', 'log.cleanup.interval.mins': 2 });
  assert.deepEqual(m.logDirs, ['/a', '/b']);
  assert.equal(m.retentionCheckIntervalMs, 120_000, 'the old log.cleanup.interval.mins still works');
});

test('checkpoint files: Kafka layout, round trip, clear errors for damage', async (t) => {
  const dir = tempDir(t);
  const f = new OffsetCheckpointFile(nodeFileIO, `${dir}/recovery-point-offset-checkpoint`);
  assert.equal(f.read().size, 0);
  await f.write(
    new Map([
      ['a-b-0', { topic: 'a-b', partition: 0, offset: 42 }],
      ['x-3', { topic: 'x', partition: 3, offset: 7 }],
    ]),
  );
  assert.equal(readFileSync(f.path, 'utf8'), '0\n2\na-b 0 42\nx 3 7\n');
  assert.deepEqual(
    [...f.read()],
    [
      ['a-b-0', 42],
      ['x-3', 7],
    ],
  );
  await nodeFileIO.writeFileDurable(f.path, Buffer.from('0\n2\na-b 0 42\n'));
  assert.throws(
    () => f.read(),
    (e: StorageError) => e.code === 'BAD_FILE' && e.message.includes(f.path),
  );
});
