import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import type { StorageError } from '../../src/storage/errors.ts';
import { MemoryLogger } from '../../src/storage/logger.ts';
import { batch, openLog, readAll, recordsOf, tempDir } from './helpers.ts';

const CFG = { segmentBytes: 600, indexIntervalBytes: 100 };

/** A closed log of 3+ segments with 60 records (20 batches of 3) and what it holds. */
async function build(dir: string): Promise<string[]> {
  const log = openLog(dir, { config: CFG });
  for (let i = 0; i < 20; i++) await log.append(batch(3, { tag: `b${i}`, timestamp: 1_700_000_000_000 + i }));
  await log.close();
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort();
}

async function reopen(dir: string, logger = new MemoryLogger()) {
  const log = openLog(dir, { config: CFG, logger, recoveryPoint: 0, hadCleanShutdown: false });
  const recs = await readAll(log);
  // Offsets dense from the start; values match what was appended at that offset.
  recs.forEach((r, i) => {
    assert.equal(r.offset, i);
    assert.equal(r.value, `b${Math.floor(i / 3)}-${i % 3}`);
  });
  assert.equal(log.logEndOffset, recs.length);
  return { log, recs, logger };
}

test('garbage appended to the last segment is cut off and reported', async (t) => {
  const dir = tempDir(t);
  const logs = await build(dir);
  appendFileSync(`${dir}/${logs.at(-1)}`, Buffer.from('this is not a batch at all, really not'));
  const { log, recs, logger } = await reopen(dir);
  assert.equal(recs.length, 60);
  assert.ok(
    logger.lines.some((l) => /recovery of .*dropped \d+ bytes/.test(l)),
    logger.lines.join('\n'),
  );
  assert.equal((await log.append(batch(1))).firstOffset, 60);
  await log.close();
});

test('a segment truncated mid-batch loses that batch and every later segment', async (t) => {
  const dir = tempDir(t);
  const logs = await build(dir);
  const victim = `${dir}/${logs[1]}`;
  truncateSync(victim, statSync(victim).size - 20);
  const { log, recs, logger } = await reopen(dir);
  assert.ok(recs.length < 60 && recs.length > 0);
  assert.equal(log.segments.length, 2);
  assert.ok(
    logger.lines.some((l) => /torn batch/.test(l) && /later segment/.test(l)),
    logger.lines.join('\n'),
  );
  await log.close();
});

test('a CRC flipped in the middle keeps the valid prefix', async (t) => {
  const dir = tempDir(t);
  const logs = await build(dir);
  assert.equal(logs.length, 4);
  const victim = `${dir}/${logs[1]}`;
  const bytes = readFileSync(victim);
  bytes[Math.floor(bytes.length / 2)]! ^= 0x55;
  writeFileSync(victim, bytes);
  const { log, recs, logger } = await reopen(dir);
  assert.ok(recs.length >= 3 && recs.length < 60);
  assert.ok(
    logger.lines.some((l) => /recovery of .* dropped \d+ bytes there and 2 later/.test(l)),
    logger.lines.join('\n'),
  );
  assert.equal(log.segments.length, 2);
  await log.close();
});

test('zeroed and deleted indexes are rebuilt, even after a clean shutdown', async (t) => {
  const dir = tempDir(t);
  const logs = await build(dir);
  const first = logs[0]!.replace('.log', '');
  const zeroed = `${dir}/${first}.index`;
  writeFileSync(zeroed, Buffer.alloc(statSync(zeroed).size || 64));
  unlinkSync(`${dir}/${logs[1]!.replace('.log', '.timeindex')}`);
  const logger = new MemoryLogger();
  const log = openLog(dir, { config: CFG, logger, hadCleanShutdown: true, recoveryPoint: 60 });
  const recs = await readAll(log);
  assert.equal(recs.length, 60);
  for (let o = 0; o < 60; o += 5) {
    const r = await log.read(o, 1);
    assert.ok(r.records.length > 0);
  }
  assert.ok(
    logger.lines.some((l) => /rebuilding the indexes/.test(l)),
    logger.lines.join('\n'),
  );
  assert.ok(
    logger.lines.some((l) => /rebuilding missing index/.test(l)),
    logger.lines.join('\n'),
  );
  await log.close();
});

test('unknown files are reported; leftovers of deletion and compaction are removed', async (t) => {
  const dir = tempDir(t);
  await build(dir);
  writeFileSync(`${dir}/notes.txt`, 'hello');
  writeFileSync(`${dir}/00000000000000000999.log.deleted`, 'x');
  writeFileSync(`${dir}/00000000000000000999.log.cleaned`, 'x');
  writeFileSync(`${dir}/00000000000000000777.index`, 'x');
  const { log, logger } = await reopen(dir);
  assert.ok(logger.lines.some((l) => l.includes(`${dir}/notes.txt`)));
  const files = readdirSync(dir);
  assert.ok(
    !files.some((f) => f.endsWith('.deleted') || f.endsWith('.cleaned') || f.startsWith('00000000000000000777')),
  );
  await log.close();
});

test('after a clean shutdown a damaged batch is found on first read: the batches before it are served, it is not', async (t) => {
  const dir = tempDir(t);
  const logs = await build(dir);
  const victim = `${dir}/${logs[1]}`;
  const bytes = readFileSync(victim);
  const second = bytes.readInt32BE(8) + 12; // where the segment's second batch starts
  bytes[second + 70]! ^= 0x55; // inside its records, covered by its CRC
  writeFileSync(victim, bytes);
  const logger = new MemoryLogger();
  const log = openLog(dir, { config: CFG, logger, recoveryPoint: 1e9, hadCleanShutdown: true });
  const base = log.segments[1]!.baseOffset;
  const first = await log.read(base, 1 << 20);
  assert.deepEqual(
    recordsOf(first.records).map((r) => r.offset),
    [base, base + 1, base + 2],
    'the good batch before the damage, and nothing after it',
  );
  await assert.rejects(log.read(base + 3, 1 << 20), (e: StorageError) => e.code === 'CORRUPT_BATCH');
  assert.ok(
    logger.lines.some((l) => l.includes(`${logs[1]}: the batch at byte ${second} was damaged`)),
    logger.lines.join('\n'),
  );
  assert.deepEqual([log.needsRecovery, log.recoveryPoint], [true, base]);
  await log.close();
  // Recovery from there keeps the valid prefix: up to the damaged batch.
  const { log: recovered, recs } = await reopen(dir);
  assert.equal(recs.length, base + 3);
  await recovered.close();
});
