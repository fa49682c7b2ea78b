import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, renameSync } from 'node:fs';
import { test } from 'node:test';
import { ManualClock } from '../../src/common/clock.ts';
import { BatchCursor } from '../../src/protocol/records/batch-cursor.ts';
import { readBatchHeader } from '../../src/protocol/records/batch-header.ts';
import { encodeRecordBatch } from '../../src/protocol/records/record-encoder.ts';
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

test('a tombstone lives delete.retention.ms from the pass that first kept it, however old its timestamp', async (t) => {
  // The records are two days old already; the delete horizon starts at the first pass (KIP-534).
  const clock = new ManualClock(T0 + 2 * DAY);
  const log = await compactedLog(tempDir(t), clock);
  const c = cleaner(clock);
  await c.clean(log, 0);
  const tombstone = (await readAll(log)).find((r) => r.key === 'k3');
  assert.deepEqual(tombstone && [tombstone.value, tombstone.timestamp], [null, T0 + 10], 'kept, timestamp intact');
  const stamped = headersOf(await log.read(tombstone!.offset, 1 << 20)).find((h) => h.lastOffset >= tombstone!.offset)!;
  assert.equal(stamped.hasDeleteHorizon, true);
  assert.equal(stamped.baseTimestamp, T0 + 3 * DAY, 'horizon = first pass + delete.retention.ms');
  // Before the horizon a pass keeps it; after it, the pass drops it.
  clock.advance(DAY - 1);
  await c.clean(log, 0);
  assert.ok((await readAll(log)).some((r) => r.key === 'k3'));
  clock.advance(1);
  await c.clean(log, 0);
  const after = await readAll(log);
  assert.equal(
    after.find((r) => r.key === 'k3'),
    undefined,
  );
  assert.deepEqual(after.map((r) => r.key).sort(), ['k0', 'k1', 'k2', 'k4']);
  assert.equal(await c.clean(log, log.activeSegment.baseOffset), null, 'nothing dirty: nothing is done');
  await log.close();
});

test("an active producer's last batch stays as an empty batch when compaction empties it", async (t) => {
  const dir = tempDir(t);
  const clock = new ManualClock(T0);
  const log = openLog(dir, { clock, config: { cleanupPolicy: 'compact', minCleanableDirtyRatio: 0.1 } });
  const idempotent = (producerId: number, baseSequence: number, key: string, value: string) =>
    encodeRecordBatch({
      producerId,
      producerEpoch: 3,
      baseSequence,
      records: [0, 1].map((i) => ({ key: Buffer.from(`${key}${i}`), value: Buffer.from(value), timestamp: T0 })),
    });
  await log.append(idempotent(7, 0, 'a', 'old')); // 0-1: producer 7's first batch
  await log.append(idempotent(8, 0, 'b', 'old')); // 2-3: producer 8's first batch
  await log.append(idempotent(7, 2, 'b', 'new')); // 4-5: producer 7's last batch
  await log.append(idempotent(8, 2, 'a', 'new')); // 6-7: producer 8's last batch
  await log.append(batch(2, { keys: ['b0', 'b1'], values: ['newest', 'newest'], timestamp: T0 })); // 8-9
  await log.roll();
  // Producer 8 has expired: only producer 7 is active, its last data batch ends at offset 5.
  log.activeProducerLastOffsets = () => new Map([[7, 5]]);
  await cleaner(clock).clean(log, 0);
  const headers = headersOf(await log.read(0, 1 << 20));
  assert.deepEqual(
    headers.map((h) => [h.baseOffset, h.lastOffset, h.recordCount, h.producerId, h.baseSequence]),
    [
      [4, 5, 0, 7, 2],
      [6, 7, 2, 8, 2],
      [8, 9, 2, -1, -1],
    ],
    "7's emptied last batch stays, with its offsets and sequence; 7's and 8's emptied first batches go",
  );
  await log.close();
  // The empty batch is a valid batch for recovery.
  const again = openLog(dir, { clock, config: log.config, recoveryPoint: 0 });
  assert.equal(again.logEndOffset, 10);
  assert.deepEqual(
    (await readAll(again)).map((r) => [r.offset, r.value]),
    [
      [6, 'new'],
      [7, 'new'],
      [8, 'newest'],
      [9, 'newest'],
    ],
  );
  await again.close();
});

function headersOf(r: { records: Buffer }) {
  const out: ReturnType<typeof readBatchHeader>[] = [];
  const c = new BatchCursor(r.records);
  while (c.next()) out.push(readBatchHeader(r.records, c.position));
  return out;
}

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
