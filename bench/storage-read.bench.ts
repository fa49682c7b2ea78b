// Sequential read throughput from the page cache: Log.read in 1 MiB fetches from offset 0 to the
// end of a 512 MiB log of 16 KiB batches (as a consumer would fetch). Target ≥ 1 GB/s.
// Also random offset lookups in a log of 1,000 segments (target: median < 50 µs), measured as
// the full Log.read of one batch and as the offset → position translation alone.
// Run: node bench/storage-read.bench.ts
import { BatchCursor } from '../src/protocol/records/batch-cursor.ts';
import { makeBatch, median, openBenchLog, removeDir, scratchDir, settle } from './storage-common.ts';

const RUNS = 5;

async function sequentialRead(): Promise<void> {
  const dir = scratchDir('read');
  const log = openBenchLog(dir);
  const bufs = Array.from({ length: 64 }, () => makeBatch(16 * 1024));
  let bytes = 0;
  for (let i = 0; bytes < 512 * 1024 * 1024; i++) {
    const b = bufs[i % bufs.length]!;
    bytes += b.length;
    await log.append(b);
  }
  settle();
  const results: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const t0 = performance.now();
    let offset = 0;
    let read = 0;
    while (offset < log.logEndOffset) {
      const r = await log.read(offset, 1024 * 1024);
      read += r.records.length;
      const c = new BatchCursor(r.records);
      while (c.next()) offset = c.lastOffset + 1;
    }
    results.push(read / (performance.now() - t0) / 1e6);
  }
  console.log(`sequential read, 1 MiB fetches of 16 KiB batches, ${(bytes / 2 ** 20).toFixed(0)} MiB:`);
  console.log(`  median ${median(results).toFixed(2)} GB/s   (target ≥ 1 GB/s)`);
  await log.close();
  removeDir(dir);
}

async function randomLookups(): Promise<void> {
  const dir = scratchDir('lookup');
  // 1,000 segments of ~64 KiB, batches of ~1 KiB (one record each).
  const log = openBenchLog(dir, { segmentBytes: 64 * 1024 });
  const b = makeBatch(1024);
  while (log.segments.length < 1000) await log.append(b);
  const end = log.logEndOffset;
  await log.close();
  // Reopen as after a clean shutdown (no index loaded yet); a warm-up pass loads them.
  const t0 = performance.now();
  const reopened = openBenchLog(dir, { segmentBytes: 64 * 1024 }, { hadCleanShutdown: true, recoveryPoint: end });
  const openMs = performance.now() - t0;
  const offsets = Array.from({ length: 20_000 }, () => Math.floor(Math.random() * end));
  for (const o of offsets.slice(0, 5000)) await reopened.read(o, 1);
  const readUs: number[] = [];
  for (const o of offsets) {
    const s = performance.now();
    await reopened.read(o, 1);
    readUs.push((performance.now() - s) * 1000);
  }
  const findUs: number[] = [];
  const segs = reopened.segments;
  for (const o of offsets) {
    const s = performance.now();
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (segs[mid]!.baseOffset <= o) lo = mid;
      else hi = mid - 1;
    }
    segs[lo]!.findBatch(o);
    findUs.push((performance.now() - s) * 1000);
  }
  console.log(`random offset lookup, ${segs.length} segments, ${end} batches of ~1 KiB:`);
  console.log(`  Log.read(offset, 1) median ${median(readUs).toFixed(1)} µs   (target < 50 µs)`);
  console.log(`  offset → position only median ${median(findUs).toFixed(1)} µs`);
  console.log(`  open after a clean shutdown (${segs.length} segments): ${openMs.toFixed(1)} ms   (target < 200 ms)`);
  await reopened.close();
  removeDir(dir);
}

await sequentialRead();
await randomLookups();
