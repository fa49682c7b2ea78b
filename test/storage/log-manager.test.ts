import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { ManualClock } from '../../src/common/clock.ts';
import { OffsetCheckpointFile } from '../../src/storage/checkpoint-file.ts';
import type { StorageError } from '../../src/storage/errors.ts';
import { nodeFileIO } from '../../src/storage/file-io.ts';
import { LogManager } from '../../src/storage/log-manager.ts';
import { MemoryLogger } from '../../src/storage/logger.ts';
import { batch, config, readAll, tempDir } from './helpers.ts';

const T0 = 1_700_000_000_000;

function manager(dirs: string[], o: { clock?: ManualClock; logger?: MemoryLogger; retentionMs?: number } = {}) {
  return LogManager.open({
    config: { logDirs: dirs, retentionCheckIntervalMs: 1000, cleanerEnable: false },
    defaultLogConfig: config({ segmentBytes: 300, retentionMs: o.retentionMs ?? Infinity, fileDeleteDelayMs: 0 }),
    clock: o.clock ?? new ManualClock(T0),
    logger: o.logger ?? new MemoryLogger(),
  });
}

test('new partitions go to the log dir with the fewest; a clean shutdown reopens without recovery', async (t) => {
  const a = `${tempDir(t)}/a`;
  const b = `${tempDir(t)}/b`;
  const m = manager([a, b]);
  for (let p = 0; p < 4; p++) await m.getOrCreateLog('orders', p).append(batch(2, { tag: `p${p}` }));
  assert.equal(existsSync(`${a}/orders-0`) && existsSync(`${b}/orders-1`), true);
  assert.equal(existsSync(`${a}/orders-2`) && existsSync(`${b}/orders-3`), true);
  await m.shutdown();
  assert.ok(existsSync(`${a}/.kafka_cleanshutdown`));
  assert.match(readFileSync(`${a}/recovery-point-offset-checkpoint`, 'utf8'), /^0\n2\norders \d 2\norders \d 2\n$/);
  const logger = new MemoryLogger();
  const again = manager([a, b], { logger });
  assert.ok(!existsSync(`${a}/.kafka_cleanshutdown`), 'the marker goes once the logs are loaded');
  assert.equal(again.allLogs().length, 4);
  assert.deepEqual(
    (await readAll(again.getLog('orders', 3)!)).map((r) => r.value),
    ['p3-0', 'p3-1'],
  );
  assert.ok(!logger.lines.some((l) => /recovery/.test(l)));
  await again.deleteLog('orders', 3);
  assert.ok(!existsSync(`${b}/orders-3`));
  await again.shutdown();
});

test('bad directories: a file in place of a log dir, an unwritable dir, the same partition twice', async (t) => {
  const root = tempDir(t);
  writeFileSync(`${root}/file`, 'x');
  assert.throws(
    () => manager([`${root}/file`]),
    (e: StorageError) => e.code === 'BAD_DIRECTORY' && e.message.includes(`${root}/file`),
  );
  const denied = LogManager.open.bind(null, {
    config: { logDirs: [`${root}/ro`], cleanerEnable: false },
    io: {
      ...nodeFileIO,
      accessWritableSync: (p) => {
        throw Object.assign(new Error(`EACCES: ${p}`), { code: 'EACCES' });
      },
    },
    logger: new MemoryLogger(),
  });
  assert.throws(
    denied,
    (e: StorageError) => e.code === 'BAD_DIRECTORY' && e.message.includes(`${root}/ro`) && /writable/.test(e.message),
  );
  mkdirSync(`${root}/x/t-0`, { recursive: true });
  mkdirSync(`${root}/y/t-0`, { recursive: true });
  assert.throws(
    () => manager([`${root}/x`, `${root}/y`]),
    (e: StorageError) => /both/.test(e.message),
  );
  const logger = new MemoryLogger();
  mkdirSync(`${root}/z/not-a-partition`, { recursive: true });
  writeFileSync(`${root}/z/stray.bin`, 'x');
  const m = manager([`${root}/z`, `${root}/missing`], { logger });
  assert.ok(existsSync(`${root}/missing`), 'a missing log dir is created');
  assert.ok(logger.lines.some((l) => l.includes(`${root}/z/not-a-partition`)));
  assert.ok(logger.lines.some((l) => l.includes(`${root}/z/stray.bin`)));
  await m.shutdown();
});

test('retention runs on the retention check interval, driven by the clock', async (t) => {
  const clock = new ManualClock(T0);
  const m = manager([tempDir(t)], { clock, retentionMs: 60_000 });
  const log = m.getOrCreateLog('events', 0);
  for (let i = 0; i < 8; i++) await log.append(batch(2, { timestamp: T0 - 120_000 }));
  await log.append(batch(1, { timestamp: T0 }));
  const segments = log.segments.length;
  clock.advance(999);
  assert.equal(log.segments.length, segments);
  clock.advance(1);
  await log.truncateTo(log.logEndOffset); // a queued no-op: runs after the retention run
  await m.checkpointLogStartOffsets();
  assert.ok(log.segments.length < segments);
  assert.ok(log.logStartOffset > 0);
  await m.shutdown();
});

test('after a crash (no marker) the checkpointed log start offset holds and the tail is recovered', async (t) => {
  const dir = tempDir(t);
  const m = manager([dir]);
  const log = m.getOrCreateLog('t', 0);
  for (let i = 0; i < 5; i++) await log.append(batch(2));
  await log.deleteRecordsBefore(3);
  await m.checkpointLogStartOffsets();
  await log.close(); // no shutdown: no marker, stale recovery point
  const logger = new MemoryLogger();
  const again = manager([dir], { logger });
  const l = again.getLog('t', 0)!;
  assert.deepEqual([l.logStartOffset, l.logEndOffset], [3, 10]);
  const cp = new OffsetCheckpointFile(nodeFileIO, `${dir}/log-start-offset-checkpoint`).read();
  assert.equal(cp.get('t-0'), 3);
  await again.shutdown();
});

test('a batch damaged on disk after a clean shutdown is never served, and the next start recovers the valid prefix', async (t) => {
  const dir = `${tempDir(t)}/a`;
  const m = manager([dir]);
  const log = m.getOrCreateLog('t', 0);
  for (let i = 0; i < 12; i++) await log.append(batch(2, { tag: `b${i}` }));
  const segments = log.segments.map((s) => s.baseOffset);
  assert.ok(segments.length >= 3, `${segments}`);
  await m.shutdown();
  // Flip a byte inside the second segment's first batch (past its 61-byte header).
  const victim = `${dir}/t-0/${String(segments[1]).padStart(20, '0')}.log`;
  const bytes = readFileSync(victim);
  bytes[70]! ^= 0x55;
  writeFileSync(victim, bytes);

  const logger = new MemoryLogger();
  const again = manager([dir], { logger });
  const opened = again.getLog('t', 0)!;
  assert.equal(opened.logEndOffset, 24, 'a clean shutdown: opened without re-reading anything');
  // Reads serve the valid prefix, then refuse the damaged batch every time.
  const served = (await readAll(opened, segments[1])).map((r) => r.value);
  assert.equal(served.length, segments[1]);
  await assert.rejects(opened.read(segments[1]!, 1 << 20), (e: StorageError) => e.code === 'CORRUPT_BATCH');
  await assert.rejects(opened.read(segments[1]!, 1 << 20), (e: StorageError) => e.code === 'CORRUPT_BATCH');
  assert.equal(logger.lines.filter((l) => /damaged on disk/.test(l)).length, 1, logger.lines.join('\n'));
  assert.equal(opened.needsRecovery, true);
  assert.ok(opened.recoveryPoint <= segments[1]!);
  // Reading past the damage still works: the later segments are whole.
  assert.ok((await opened.read(segments[2]!, 1 << 20)).records.length > 0);
  await again.shutdown();
  assert.ok(!existsSync(`${dir}/.kafka_cleanshutdown`), 'no marker: the next start must recover');

  const recoveredLogger = new MemoryLogger();
  const third = manager([dir], { logger: recoveredLogger });
  const recovered = third.getLog('t', 0)!;
  assert.equal(recovered.logEndOffset, segments[1], 'the damaged batch and everything after it went');
  assert.deepEqual(
    (await readAll(recovered)).map((r) => r.value),
    served,
  );
  assert.ok(
    recoveredLogger.lines.some((l) => /recovery of/.test(l)),
    recoveredLogger.lines.join('\n'),
  );
  assert.equal((await recovered.append(batch(1, { tag: 'after' }))).firstOffset, segments[1]);
  await third.shutdown();
});
