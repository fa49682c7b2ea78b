// Property tests of the log's state-changing operations against simple models: truncation,
// size retention, and compaction (newest record per key, offsets kept, tombstones by horizon).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { ManualClock } from '../../src/common/clock.ts';
import { nodeFileIO } from '../../src/storage/file-io.ts';
import { LogCleaner } from '../../src/storage/log-cleaner.ts';
import { MemoryLogger } from '../../src/storage/logger.ts';
import { batch, openLog, readAll, tempDir } from './helpers.ts';

const T0 = 1_700_000_000_000;
const DAY = 86_400_000;

/** A fresh sub-directory per property run. */
function runDirs(t: { after(fn: () => void): void }): () => string {
  const root = tempDir(t);
  let n = 0;
  return () => {
    const d = `${root}/r${n++}`;
    mkdirSync(d);
    return d;
  };
}

/** A batch of `a.n` records whose values start with `tag-`, padded to about `a.bytes`. */
function tagged(a: { n: number; bytes: number }, tag: string): Buffer {
  return batch(a.n, { values: Array.from({ length: a.n }, (_, k) => `${tag}-${k}-${'x'.repeat(a.bytes)}`) });
}

const appendsArb = fc.array(fc.record({ n: fc.integer({ min: 1, max: 4 }), bytes: fc.integer({ min: 0, max: 200 }) }), {
  minLength: 1,
  maxLength: 25,
});

test('truncateTo removes the batches holding the offset and after, the LEO becomes the offset; appends and reopening follow (property)', async (t) => {
  const next = runDirs(t);
  await fc.assert(
    fc.asyncProperty(appendsArb, fc.nat(), appendsArb, async (before, cutSeed, after) => {
      const dir = next();
      const cfg = { segmentBytes: 600, indexIntervalBytes: 100 };
      const log = openLog(dir, { config: cfg });
      const model: { first: number; last: number; tag: string }[] = [];
      for (const [i, a] of before.entries()) {
        const r = await log.append(tagged(a, `a${i}`));
        model.push({ first: r.firstOffset, last: r.lastOffset, tag: `a${i}` });
      }
      const cut = cutSeed % (log.logEndOffset + 1);
      await log.truncateTo(cut);
      // As Kafka: the LEO becomes the offset asked for, even when that cut a batch (wholly removed).
      const kept = model.filter((b) => b.last < cut);
      assert.equal(log.logEndOffset, cut);
      for (const [i, a] of after.entries()) {
        const r = await log.append(tagged(a, `b${i}`));
        kept.push({ first: r.firstOffset, last: r.lastOffset, tag: `b${i}` });
      }
      const want = kept.flatMap((b) => Array.from({ length: b.last - b.first + 1 }, (_, k) => [b.first + k, b.tag]));
      const got = (await readAll(log)).map((r) => [r.offset, r.value!.split('-')[0]]);
      assert.deepEqual(got, want);
      assert.ok(
        log.segments.every((s, i) => i === 0 || s.baseOffset > log.segments[i - 1]!.baseOffset),
        'segments in order',
      );
      await log.close();
      const again = openLog(dir, { config: cfg, recoveryPoint: 0 });
      assert.deepEqual(
        (await readAll(again)).map((r) => [r.offset, r.value!.split('-')[0]]),
        want,
      );
      await again.close();
    }),
    { numRuns: 30 },
  );
});

test('size retention deletes the oldest segments while the rest still reach retention.bytes (property)', async (t) => {
  const next = runDirs(t);
  await fc.assert(
    fc.asyncProperty(appendsArb, fc.integer({ min: 100, max: 3000 }), async (appends, retentionBytes) => {
      const log = openLog(next(), { config: { segmentBytes: 500, retentionBytes } });
      for (const a of appends) await log.append(batch(a.n, { valueBytes: a.bytes }));
      const leo = log.logEndOffset;
      const sizes = log.segments.map((s) => s.size);
      await log.deleteOldSegments();
      // Kafka's rule: drop the oldest while what is left stays at or above retention.bytes.
      let total = sizes.reduce((x, y) => x + y, 0);
      let dropped = 0;
      while (dropped < sizes.length - 1 && total - sizes[dropped]! >= retentionBytes) total -= sizes[dropped++]!;
      assert.equal(log.size, total);
      assert.equal(log.logEndOffset, leo, 'the log end never moves');
      const recs = await readAll(log);
      assert.equal(recs[0]?.offset ?? leo, log.logStartOffset, 'the log starts at its first record');
      assert.equal(recs.at(-1)?.offset ?? leo - 1, leo - 1, 'a suffix of the log is left');
      await log.close();
    }),
    { numRuns: 30 },
  );
});

test('compaction keeps the newest record of each key at its offset; tombstones go after their horizon (property)', async (t) => {
  const next = runDirs(t);
  const op = fc.record({ key: fc.integer({ min: 0, max: 5 }), del: fc.boolean() });
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 20 }),
      async (batches) => {
        const dir = next();
        const clock = new ManualClock(T0);
        const cfg = { cleanupPolicy: 'compact' as const, segmentBytes: 400, minCleanableDirtyRatio: 0 };
        const log = openLog(dir, { clock, config: cfg });
        const written: { offset: number; key: string; value: string | null }[] = [];
        for (const [i, ops] of batches.entries()) {
          const keys = ops.map((o) => `k${o.key}`);
          const values = ops.map((o, j) => (o.del ? null : `v${i}.${j}`));
          const r = await log.append(batch(ops.length, { keys, values, timestamp: T0 }));
          for (let j = 0; j < ops.length; j++) {
            written.push({ offset: r.firstOffset + j, key: keys[j]!, value: values[j] ?? null });
          }
        }
        await log.roll();
        const newest = new Map<string, { offset: number; key: string; value: string | null }>();
        for (const w of written) newest.set(w.key, w);
        const model = [...newest.values()].sort((a, b) => a.offset - b.offset);
        const cleaner = new LogCleaner({
          clock,
          io: nodeFileIO,
          logger: new MemoryLogger(),
          ioMaxBytesPerSecond: Number.POSITIVE_INFINITY,
          dedupeBufferSize: 1 << 20,
        });
        const view = async () => (await readAll(log)).map((r) => ({ offset: r.offset, key: r.key!, value: r.value }));
        await cleaner.clean(log, 0);
        assert.deepEqual(await view(), model, 'first pass: newest per key, tombstones kept');
        clock.advance(DAY);
        await cleaner.clean(log, 0);
        assert.deepEqual(
          await view(),
          model.filter((r) => r.value !== null),
          'after the horizon: tombstones gone',
        );
        assert.equal(log.logEndOffset, written.length);
        await log.close();
        const again = openLog(dir, { clock, config: cfg, recoveryPoint: 0 });
        assert.deepEqual(
          (await readAll(again)).map((r) => r.offset),
          model.filter((r) => r.value !== null).map((r) => r.offset),
        );
        await again.close();
      },
    ),
    { numRuns: 30 },
  );
});
