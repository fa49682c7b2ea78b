import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { nodeFileIO } from '../../src/storage/file-io.ts';
import { OffsetIndex } from '../../src/storage/offset-index.ts';
import { TimeIndex } from '../../src/storage/time-index.ts';
import { tempDir } from './helpers.ts';

test('offset index: floor lookup, truncation, persistence and byte layout', (t) => {
  const dir = tempDir(t);
  const path = `${dir}/00000000000000000100.index`;
  const idx = new OffsetIndex(nodeFileIO, path, 100, 1024);
  assert.deepEqual(idx.lookup(150), { offset: 100, position: 0 });
  idx.append(110, 1000);
  idx.append(120, 2000);
  idx.append(130, 3000);
  assert.deepEqual(idx.lookup(109), { offset: 100, position: 0 });
  assert.deepEqual(idx.lookup(110), { offset: 110, position: 1000 });
  assert.deepEqual(idx.lookup(129), { offset: 120, position: 2000 });
  assert.deepEqual(idx.lookup(10_000), { offset: 130, position: 3000 });
  idx.flush(true);
  // 8 bytes an entry: int32 relative offset, int32 position, big-endian.
  const bytes = readFileSync(path);
  assert.equal(bytes.length, 24);
  assert.equal(bytes.readInt32BE(8), 20);
  assert.equal(bytes.readInt32BE(12), 2000);
  idx.truncateTo(120);
  assert.equal(idx.entries, 1);
  assert.equal(statSync(path).size, 8);
  const reopened = new OffsetIndex(nodeFileIO, path, 100, 1024);
  assert.equal(reopened.entries, 1);
  assert.deepEqual(reopened.lookup(500), { offset: 110, position: 1000 });
  assert.equal(reopened.sanityCheck(5000, undefined), null);
  assert.match(reopened.sanityCheck(500, undefined) ?? '', /past the log size/);
});

test('offset index: a zeroed file fails the sanity check; a torn entry is ignored', (t) => {
  const dir = tempDir(t);
  const path = `${dir}/00000000000000000000.index`;
  writeFileSync(path, Buffer.alloc(8 * 4 + 3));
  const idx = new OffsetIndex(nodeFileIO, path, 0, 1024);
  assert.equal(idx.entries, 4);
  assert.match(idx.sanityCheck(1000, undefined) ?? '', /not above/);
});

test('offset index: full at segment.index.bytes', (t) => {
  const idx = new OffsetIndex(nodeFileIO, `${tempDir(t)}/x.index`, 0, 8 * 3);
  idx.append(1, 10);
  idx.append(2, 20);
  assert.equal(idx.isFull(), false);
  idx.append(3, 30);
  assert.equal(idx.isFull(), true);
  assert.throws(() => idx.append(4, 40));
});

test('offset index lookup matches a linear search (property)', (t) => {
  const dir = tempDir(t);
  let n = 0;
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.integer({ min: 0, max: 100_000 }), { maxLength: 200 }),
      fc.array(fc.integer({ min: -10, max: 110_000 }), { minLength: 1, maxLength: 20 }),
      (offsetsRaw, targets) => {
        const offsets = [...offsetsRaw].sort((a, b) => a - b);
        const idx = new OffsetIndex(nodeFileIO, `${dir}/${n++}.index`, 0, 1 << 20);
        offsets.forEach((o, i) => {
          idx.append(o, i * 7);
        });
        for (const target of targets) {
          let want = { offset: 0, position: 0 };
          offsets.forEach((o, i) => {
            if (o <= target) want = { offset: o, position: i * 7 };
          });
          assert.deepEqual(idx.lookup(target), want);
        }
      },
    ),
    { numRuns: 100 },
  );
});

test('time index: only growing timestamps, floor lookup, final entry, layout', (t) => {
  const dir = tempDir(t);
  const path = `${dir}/00000000000000000050.timeindex`;
  const idx = new TimeIndex(nodeFileIO, path, 50, 12 * 3);
  idx.maybeAppend(1000, 55);
  idx.maybeAppend(1000, 60); // not above: ignored
  idx.maybeAppend(900, 61); // not above: ignored
  idx.maybeAppend(2000, 70);
  assert.equal(idx.entries, 2);
  assert.equal(idx.isFull(), true, 'the last slot is reserved for the final entry');
  idx.maybeAppend(3000, 80);
  assert.equal(idx.entries, 2);
  idx.maybeAppend(3000, 80, true);
  assert.equal(idx.entries, 3);
  assert.deepEqual(idx.lookup(999), { timestamp: -1, offset: 50 });
  assert.deepEqual(idx.lookup(1500), { timestamp: 1000, offset: 55 });
  assert.deepEqual(idx.lookup(99_999), { timestamp: 3000, offset: 80 });
  idx.flush(true);
  // 12 bytes an entry: int64 timestamp, int32 relative offset.
  const bytes = readFileSync(path);
  assert.equal(bytes.length, 36);
  assert.equal(Number(bytes.readBigInt64BE(12)), 2000);
  assert.equal(bytes.readInt32BE(20), 20);
  const reopened = new TimeIndex(nodeFileIO, path, 50, 1024);
  assert.deepEqual(reopened.lastEntry(), { timestamp: 3000, offset: 80 });
  reopened.truncateTo(70);
  assert.deepEqual(reopened.lastEntry(), { timestamp: 1000, offset: 55 });
  assert.equal(reopened.sanityCheck(undefined), null);
});
