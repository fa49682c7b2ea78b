import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { ManualClock } from '../../src/common/clock.ts';
import { planRetention } from '../../src/storage/log-retention.ts';
import { batch, openLog, readAll, tempDir } from './helpers.ts';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

test('planRetention: prefix only, size, time, start offset, high watermark, empty active segment', () => {
  const seg = (baseOffset: number, size: number, ts: number) => ({ baseOffset, size, largestTimestamp: () => ts });
  const segs = [seg(0, 100, 10), seg(10, 100, 500), seg(20, 100, 20), seg(30, 0, -1)];
  const base = {
    now: 1000,
    retentionMs: Infinity,
    retentionBytes: Infinity,
    deletePolicy: true,
    logStartOffset: 0,
    logEndOffset: 30,
    highWatermark: 30,
  };
  assert.equal(planRetention(segs, base).count, 0);
  assert.equal(planRetention(segs, { ...base, retentionMs: 600 }).count, 1, 'stops at the first young segment');
  assert.equal(planRetention(segs, { ...base, retentionBytes: 150 }).count, 1);
  assert.equal(planRetention(segs, { ...base, retentionBytes: 0 }).count, 3, 'never the empty active segment');
  assert.equal(planRetention(segs, { ...base, logStartOffset: 20 }).count, 2);
  assert.equal(planRetention(segs, { ...base, logStartOffset: 20, deletePolicy: false, retentionBytes: 0 }).count, 2);
  assert.equal(planRetention(segs, { ...base, retentionBytes: 0, highWatermark: 15 }).count, 1);
});

test('time retention deletes old segments via .deleted after file.delete.delay.ms and moves the log start', async (t) => {
  const dir = tempDir(t);
  const clock = new ManualClock(T0);
  const log = openLog(dir, { clock, config: { segmentBytes: 300, retentionMs: HOUR, fileDeleteDelayMs: 60_000 } });
  for (let i = 0; i < 6; i++) await log.append(batch(2, { timestamp: T0 - 2 * HOUR }));
  for (let i = 0; i < 3; i++) await log.append(batch(2, { timestamp: T0 }));
  const oldSegments = log.segments.filter((s) => s.maxTimestamp < T0).length;
  assert.ok(oldSegments >= 2);
  assert.equal(await log.deleteOldSegments(), oldSegments);
  assert.equal(log.logStartOffset, log.segments[0]!.baseOffset);
  assert.ok(log.logStartOffset > 0);
  assert.ok(readdirSync(dir).some((f) => f.endsWith('.log.deleted')));
  clock.advance(60_000);
  assert.ok(!readdirSync(dir).some((f) => f.endsWith('.deleted')), readdirSync(dir).join(' '));
  assert.equal((await readAll(log)).length, log.logEndOffset - log.logStartOffset);
  await log.close();
});

test('size retention keeps the log at or under retention.bytes, rolling when every segment goes', async (t) => {
  const clock = new ManualClock(T0);
  const log = openLog(tempDir(t), { clock, config: { segmentBytes: 250, retentionBytes: 500 } });
  for (let i = 0; i < 12; i++) await log.append(batch(1, { valueBytes: 40 }));
  await log.deleteOldSegments();
  assert.ok(log.size <= 500 + 250, `${log.size}`);
  assert.ok(log.size >= 500 - 250);
  const leo = log.logEndOffset;
  const everything = openLog(tempDir(t), { clock, config: { segmentBytes: 250, retentionMs: 1 } });
  for (let i = 0; i < 8; i++) await everything.append(batch(1, { timestamp: T0 - 10 }));
  const end = everything.logEndOffset;
  await everything.deleteOldSegments();
  assert.deepEqual([everything.logStartOffset, everything.logEndOffset, everything.size], [end, end, 0]);
  assert.equal((await everything.append(batch(1))).firstOffset, end);
  assert.equal(log.logEndOffset, leo);
  await log.close();
  await everything.close();
});

test('a reader that holds a segment finishes although retention deletes it', async (t) => {
  const dir = tempDir(t);
  const clock = new ManualClock(T0);
  const log = openLog(dir, { clock, config: { segmentBytes: 300, retentionMs: HOUR, fileDeleteDelayMs: 0 } });
  for (let i = 0; i < 6; i++) await log.append(batch(2, { tag: `old${i}`, timestamp: T0 - 2 * HOUR }));
  await log.append(batch(1, { timestamp: T0 }));
  const reading = log.read(0, 1 << 20);
  const deleting = log.deleteOldSegments();
  clock.advance(0);
  const [r] = await Promise.all([reading, deleting]);
  assert.ok(r.records.length > 0);
  assert.equal(r.records.readInt32BE(8) + 12 <= r.records.length, true);
  assert.ok(!existsSync(`${dir}/00000000000000000000.log`));
  await log.close();
});

test('deleteRecordsBefore moves the log start offset; segments below it go at the next retention run', async (t) => {
  const log = openLog(tempDir(t), { config: { segmentBytes: 300 } });
  for (let i = 0; i < 10; i++) await log.append(batch(2));
  assert.equal(await log.deleteRecordsBefore(9), 9);
  assert.equal(log.logStartOffset, 9);
  await assert.rejects(log.read(8, 100), /OFFSET_OUT_OF_RANGE|outside/);
  const first = (await readAll(log))[0]!;
  assert.equal(first.offset, 9);
  await assert.rejects(log.deleteRecordsBefore(100), /high watermark/);
  const before = log.segments.length;
  await log.deleteOldSegments();
  assert.ok(log.segments.length < before);
  assert.ok(log.segments[0]!.baseOffset <= 9);
  await log.close();
});
