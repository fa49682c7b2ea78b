import assert from 'node:assert/strict';
import { mkdirSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { ManualClock } from '../../src/common/clock.ts';
import { BatchCursor } from '../../src/protocol/records/batch-cursor.ts';
import { readBatchHeader } from '../../src/protocol/records/batch-header.ts';
import type { StorageError } from '../../src/storage/errors.ts';
import { batch, openLog, readAll, recordsOf, tempDir } from './helpers.ts';

const T0 = 1_700_000_000_000;

test('append assigns offsets in place and read returns whole stored batches', async (t) => {
  const log = openLog(tempDir(t));
  const b1 = batch(3, { tag: 'a' });
  const r1 = await log.append(b1, { leaderEpoch: 7 });
  assert.deepEqual([r1.firstOffset, r1.lastOffset, r1.recordCount, r1.logAppendTime], [0, 2, 3, -1]);
  const r2 = await log.append(Buffer.concat([batch(2, { tag: 'b' }), batch(1, { tag: 'c' })]));
  assert.deepEqual([r2.firstOffset, r2.lastOffset], [3, 5]);
  assert.equal(log.logEndOffset, 6);
  assert.equal(readBatchHeader(b1).partitionLeaderEpoch, 7);
  const all = await readAll(log);
  assert.deepEqual(
    all.map((r) => `${r.offset}:${r.value}`),
    ['0:a-0', '1:a-1', '2:a-2', '3:b-0', '4:b-1', '5:c-0'],
  );
  // From the middle of a batch: the whole batch that holds it, as Kafka does.
  const mid = await log.read(4, 1 << 20);
  assert.equal(recordsOf(mid.records)[0]!.offset, 3);
  assert.equal((await log.read(6, 100)).records.length, 0);
  await assert.rejects(log.read(7, 100), (e: StorageError) => e.code === 'OFFSET_OUT_OF_RANGE');
  await log.close();
});

test('read: at least one batch beyond maxBytes, whole batches only, never past maxOffset', async (t) => {
  const log = openLog(tempDir(t));
  for (let i = 0; i < 5; i++) await log.append(batch(2, { tag: `b${i}`, valueBytes: 100 }));
  const size = batch(2, { valueBytes: 100 }).length;
  assert.equal(recordsOf((await log.read(0, 10)).records).length, 2, 'one whole batch though maxBytes is 10');
  assert.equal((await log.read(0, 10, undefined, false)).records.length, 0);
  assert.equal((await log.read(0, size * 2 + size / 2)).records.length, size * 2, 'cut at a batch boundary');
  const hw = await log.read(0, 1 << 20, 4);
  assert.deepEqual(
    recordsOf(hw.records).map((r) => r.offset),
    [0, 1, 2, 3],
  );
  assert.equal((await log.read(4, 1 << 20, 4)).records.length, 0);
  await log.close();
});

test('appends are validated: corrupt CRC, too large, trailing garbage', async (t) => {
  const log = openLog(tempDir(t), { config: { maxMessageBytes: 500 } });
  const bad = batch(2);
  bad[bad.length - 1]! ^= 0xff;
  await assert.rejects(log.append(bad), (e: StorageError) => e.code === 'CORRUPT_BATCH' && /CRC/.test(e.message));
  await assert.rejects(log.append(batch(10, { valueBytes: 100 })), (e: StorageError) => e.code === 'BATCH_TOO_LARGE');
  await assert.rejects(
    log.append(Buffer.concat([batch(1), Buffer.from([1, 2, 3])])),
    (e: StorageError) => e.code === 'CORRUPT_BATCH',
  );
  assert.equal(log.logEndOffset, 0);
  assert.equal(log.size, 0);
  await log.close();
});

test('a corrupt append queued among valid ones is refused alone; the others get contiguous offsets', async (t) => {
  // CRCs are checked in the queue, just before the write (while the previous group is written),
  // so a corrupt batch sits in the queue next to good ones until then.
  const log = openLog(tempDir(t));
  const bad = batch(2, { tag: 'bad' });
  bad[bad.length - 1]! ^= 0x01;
  const settled = await Promise.allSettled([
    log.append(batch(2, { tag: 'a' })),
    log.append(batch(1, { tag: 'b' })),
    log.append(bad),
    log.append(batch(3, { tag: 'c' })),
  ]);
  assert.deepEqual(
    settled.map((s) => (s.status === 'fulfilled' ? s.value.firstOffset : (s.reason as StorageError).code)),
    [0, 2, 'CORRUPT_BATCH', 3],
  );
  assert.equal(log.logEndOffset, 6);
  assert.deepEqual(
    (await readAll(log)).map((r) => `${r.offset}:${r.value}`),
    ['0:a-0', '1:a-1', '2:b-0', '3:c-0', '4:c-1', '5:c-2'],
  );
  await log.close();
});

test('concurrent appends are serialized in call order and share writes', async (t) => {
  const log = openLog(tempDir(t));
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(batch(2, { tag: `p${i}` }))));
  assert.deepEqual(
    results.map((r) => r.firstOffset),
    results.map((_, i) => i * 2),
  );
  const all = await readAll(log);
  assert.equal(all.length, 100);
  assert.equal(all[99]!.value, 'p49-1');
  await log.close();
});

test('rolls on segment.bytes, reads across segments, reopens after a clean close', async (t) => {
  const dir = tempDir(t);
  const cfg = { segmentBytes: 1024, indexIntervalBytes: 200 };
  const log = openLog(dir, { config: cfg });
  for (let i = 0; i < 40; i++) await log.append(batch(2, { tag: `r${i}`, valueBytes: 50 }));
  assert.ok(log.segments.length > 5, `${log.segments.length} segments`);
  for (const s of log.segments.slice(0, -1)) assert.ok(s.size <= 1024);
  const files = readdirSync(dir).sort();
  assert.ok(files.includes('00000000000000000000.log'));
  assert.ok(files.includes(`${String(log.activeSegment.baseOffset).padStart(20, '0')}.timeindex`));
  for (let o = 0; o < 80; o += 7) {
    const r = await log.read(o, 1);
    const recs = recordsOf(r.records);
    assert.ok(recs[0]!.offset <= o && recs.at(-1)!.offset >= o, `offset ${o}`);
  }
  await log.flush();
  await log.close();
  const again = openLog(dir, { config: cfg, hadCleanShutdown: true, recoveryPoint: 80 });
  assert.equal(again.logEndOffset, 80);
  assert.equal((await readAll(again)).length, 80);
  await again.close();
});

test('rolls on segment.ms measured from the first batch timestamp, and when an index is full', async (t) => {
  const clock = new ManualClock(T0);
  const log = openLog(tempDir(t), { clock, config: { segmentMs: 1000 } });
  await log.append(batch(1, { timestamp: T0 }));
  await log.append(batch(1, { timestamp: T0 + 1000 }));
  assert.equal(log.segments.length, 1);
  await log.append(batch(1, { timestamp: T0 + 1001 }));
  assert.equal(log.segments.length, 2);
  assert.equal(log.activeSegment.baseOffset, 2);
  await log.close();

  const small = openLog(tempDir(t), { config: { segmentIndexBytes: 8 * 2, indexIntervalBytes: 0 } });
  for (let i = 0; i < 10; i++) await small.append(batch(1));
  assert.ok(small.segments.length >= 3, `${small.segments.length} segments`);
  for (const s of small.segments) assert.ok(s.offsetIndex.entries <= 2);
  assert.equal((await readAll(small)).length, 10);
  await small.close();
});

test('fetchOffset: earliest, latest, by timestamp (record level), max timestamp', async (t) => {
  const log = openLog(tempDir(t), { config: { segmentBytes: 300, indexIntervalBytes: 1 } });
  for (let i = 0; i < 10; i++) {
    const b = batch(3, { timestamp: T0 + i * 100 });
    await log.append(b);
  }
  assert.deepEqual(log.fetchOffset('earliest'), { timestamp: -1, offset: 0 });
  assert.deepEqual(log.fetchOffset('latest'), { timestamp: -1, offset: 30 });
  assert.deepEqual(log.fetchOffset({ timestamp: T0 + 250 }), { timestamp: T0 + 300, offset: 9 });
  assert.deepEqual(log.fetchOffset({ timestamp: T0 }), { timestamp: T0, offset: 0 });
  assert.equal(log.fetchOffset({ timestamp: T0 + 901 }), null);
  assert.deepEqual(log.fetchOffset('maxTimestamp'), { timestamp: T0 + 900, offset: 29 });
  await log.close();
});

test('LogAppendTime stamps the broker clock and keeps the CRC valid', async (t) => {
  const clock = new ManualClock(T0 + 5);
  const log = openLog(tempDir(t), { clock, config: { messageTimestampType: 'LogAppendTime' } });
  const r = await log.append(batch(2, { timestamp: 1 }));
  assert.equal(r.logAppendTime, T0 + 5);
  const recs = await readAll(log); // decodes with verifyCrc
  assert.deepEqual(
    recs.map((x) => x.timestamp),
    [T0 + 5, T0 + 5],
  );
  await log.close();
});

test('truncateTo drops whole batches at and above the offset; truncateFullyAndStartAt restarts', async (t) => {
  const dir = tempDir(t);
  const log = openLog(dir, { config: { segmentBytes: 400 } });
  for (let i = 0; i < 20; i++) await log.append(batch(2, { tag: `x${i}` }));
  const segsBefore = log.segments.length;
  await log.truncateTo(13);
  assert.equal(log.logEndOffset, 13);
  assert.ok(log.segments.length < segsBefore);
  assert.deepEqual((await readAll(log)).map((r) => r.offset).at(-1), 11);
  const r = await log.append(batch(1, { tag: 'after' }));
  assert.equal(r.firstOffset, 13);
  await log.truncateFullyAndStartAt(1000);
  assert.deepEqual([log.logStartOffset, log.logEndOffset, log.segments.length], [1000, 1000, 1]);
  assert.equal((await log.append(batch(1))).firstOffset, 1000);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith('.log')),
    ['00000000000000001000.log'],
  );
  await log.close();
});

test('follower appends keep offsets and refuse going backwards', async (t) => {
  const log = openLog(tempDir(t));
  await log.appendAsFollower(batch(2, { baseOffset: 0 }));
  await log.appendAsFollower(batch(2, { baseOffset: 5 }));
  assert.equal(log.logEndOffset, 7);
  await assert.rejects(
    log.appendAsFollower(batch(1, { baseOffset: 3 })),
    (e: StorageError) => e.code === 'INVALID_OFFSET',
  );
  assert.deepEqual(
    (await readAll(log)).map((r) => r.offset),
    [0, 1, 5, 6],
  );
  await log.close();
});

test('flush.messages moves the recovery point with each append', async (t) => {
  const log = openLog(tempDir(t), { config: { flushMessages: 1 } });
  await log.append(batch(3));
  assert.equal(log.recoveryPoint, 3);
  const other = openLog(tempDir(t));
  await other.append(batch(3));
  assert.equal(other.recoveryPoint, 0);
  await other.flush();
  assert.equal(other.recoveryPoint, 3);
  await log.close();
  await other.close();
});

test('random appends and reads agree with a model (property)', async (t) => {
  const dir = tempDir(t);
  let run = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ n: fc.integer({ min: 1, max: 5 }), bytes: fc.integer({ min: 0, max: 300 }) }), {
        minLength: 1,
        maxLength: 30,
      }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 2000 })), { maxLength: 10 }),
      async (appends, reads) => {
        const sub = `${dir}/r${run++}`;
        mkdirSync(sub);
        const l = openLog(sub, { config: { segmentBytes: 700, indexIntervalBytes: 150 } });
        const batches: { first: number; last: number }[] = [];
        for (const a of appends) {
          const r = await l.append(batch(a.n, { valueBytes: a.bytes }));
          batches.push({ first: r.firstOffset, last: r.lastOffset });
        }
        for (const [o, maxBytes] of reads) {
          const offset = o % l.logEndOffset;
          const res = await l.read(offset, maxBytes);
          const c = new BatchCursor(res.records);
          assert.ok(c.next(), 'at least one batch');
          const want = batches.find((b) => b.last >= offset)!;
          assert.equal(c.baseOffset, want.first);
          let prev = c.lastOffset;
          while (c.next()) {
            assert.equal(c.baseOffset, prev + 1);
            prev = c.lastOffset;
          }
          assert.ok(res.records.length <= maxBytes || recordsOf(res.records).length === want.last - want.first + 1);
        }
        await l.close();
      },
    ),
    { numRuns: 25 },
  );
});

test('operations on a closed log fail with LOG_CLOSED', async (t) => {
  const log = openLog(tempDir(t));
  await log.close();
  await assert.rejects(log.append(batch(1)), (e: StorageError) => e.code === 'LOG_CLOSED');
  await assert.rejects(log.read(0, 10), (e: StorageError) => e.code === 'LOG_CLOSED');
});
