import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, renameSync } from 'node:fs';
import { test } from 'node:test';
import { ManualClock } from '../../src/common/clock.ts';
import { nodeFileIO } from '../../src/storage/file-io.ts';
import { LogCleaner } from '../../src/storage/log-cleaner.ts';
import { MemoryLogger } from '../../src/storage/logger.ts';
import { batch, openLog, readAll, tempDir } from './helpers.ts';

const T0 = 1_700_000_000_000;
const DAY = 86_400_000;

function cleaner(clock: ManualClock) {
  return new LogCleaner({
    clock,
    io: nodeFileIO,
    logger: new MemoryLogger(),
    ioMaxBytesPerSecond: Infinity,
    dedupeBufferSize: 1 << 20,
  });
}

async function compactedLog(dir: string, clock: ManualClock) {
  const log = openLog(dir, {
    clock,
    config: { cleanupPolicy: 'compact', segmentBytes: 400, minCleanableDirtyRatio: 0.1 },
  });
  // Keys k0..k4 written 6 times each; k3 deleted (tombstone) at the end.
  for (let round = 0; round < 6; round++) {
    const keys = ['k0', 'k1', 'k2', 'k3', 'k4'];
    await log.append(batch(5, { keys, values: keys.map((k) => `${k}@${round}`), timestamp: T0 + round }));
  }
  await log.append(batch(1, { keys: ['k3'], values: [null], timestamp: T0 + 10 }));
  await log.append(batch(1, { keys: ['k0'], values: ['k0@last'], timestamp: T0 + 11 }));
  await log.roll();
  return log;
}

test('compaction keeps the newest record per key with its offset; reads still work', async (t) => {
  const clock = new ManualClock(T0 + 1000);
  const log = await compactedLog(tempDir(t), clock);
  const before = await readAll(log);
  const sizeBefore = log.size;
  const cleanedTo = await cleaner(clock).clean(log, 0);
  assert.equal(cleanedTo, log.activeSegment.baseOffset);
  const after = await readAll(log);
  assert.ok(log.size < sizeBefore);
  const newest = new Map<string, number>();
  for (const r of before) newest.set(r.key!, r.offset);
  assert.deepEqual(
    after.map((r) => r.offset),
    [...newest.values()].sort((a, b) => a - b),
  );
  for (const r of after) assert.equal(before.find((b) => b.offset === r.offset)!.value, r.value);
  assert.deepEqual(after.find((r) => r.key === 'k3')!.value, null, 'a young tombstone stays');
  // Gaps are fine: reading from a removed offset returns the next batch that survives.
  const r = await log.read(1, 1 << 20);
  assert.ok(r.records.length > 0);
  assert.ok(!readdirSync(log.dir).some((f) => f.endsWith('.cleaned') || f.endsWith('.swap')));
  await log.close();
});

test('tombstones go once older than delete.retention.ms; nothing is done below the dirty ratio', async (t) => {
  const clock = new ManualClock(T0 + 2 * DAY);
  const log = await compactedLog(tempDir(t), clock);
  const c = cleaner(clock);
  await c.clean(log, 0);
  const after = await readAll(log);
  assert.equal(
    after.find((r) => r.key === 'k3'),
    undefined,
  );
  assert.deepEqual(after.map((r) => r.key).sort(), ['k0', 'k1', 'k2', 'k4']);
  assert.equal(await c.clean(log, log.activeSegment.baseOffset), null, 'nothing dirty');
  await log.close();
});

for (const oldRenamed of [false, true]) {
  test(`a crash after the .swap was written (old segment ${oldRenamed ? 'renamed .deleted' : 'still in place'}) is completed at startup`, async (t) => {
    const dir = tempDir(t);
    const clock = new ManualClock(T0 + 1000);
    const log = await compactedLog(dir, clock);
    const original = await readAll(log);
    const cfg = log.config;
    await log.close();
    // Clean a copy, to get the cleaned first segment as the cleaner wrote it.
    const copyDir = tempDir(t);
    for (const f of readdirSync(dir)) copyFileSync(`${dir}/${f}`, `${copyDir}/${f}`);
    const copy = openLog(copyDir, { clock, config: cfg, hadCleanShutdown: true, recoveryPoint: 1e9 });
    await cleaner(clock).clean(copy, 0);
    const cleaned = await readAll(copy);
    const swapEnd = copy.segments[1]!.baseOffset;
    const name = String(copy.segments[0]!.baseOffset).padStart(20, '0');
    await copy.close();
    // The crash state: the first segment's cleaned copy as .swap beside the old segments.
    for (const ext of ['.log', '.index', '.timeindex']) {
      copyFileSync(`${copyDir}/${name}${ext}`, `${dir}/${name}${ext}.swap`);
      if (oldRenamed) renameSync(`${dir}/${name}${ext}`, `${dir}/${name}${ext}.deleted`);
    }
    const reopened = openLog(dir, { clock, config: cfg, recoveryPoint: 0 });
    const recs = await readAll(reopened);
    assert.deepEqual(recs, [
      ...cleaned.filter((r) => r.offset < swapEnd),
      ...original.filter((r) => r.offset >= swapEnd),
    ]);
    assert.ok(!readdirSync(dir).some((f) => f.endsWith('.swap') || f.endsWith('.deleted')));
    await reopened.close();
  });
}
