// Recovery time of a 1 GiB unflushed tail: a log of 16 KiB batches opened without the clean-
// shutdown marker and with recovery point 0, so every batch is re-read, CRC-checked and indexed.
// (The open time after a clean shutdown with 1,000 segments is in storage-read.bench.ts.)
// Run: node bench/storage-recovery.bench.ts   (BENCH_MB to change the size)
import { makeBatch, median, openBenchLog, removeDir, scratchDir, settle } from './storage-common.ts';

const RUNS = 3;
const TOTAL = Number(process.env.BENCH_MB ?? 1024) * 1024 * 1024;

const dir = scratchDir('recovery');
const log = openBenchLog(dir);
const bufs = Array.from({ length: 64 }, () => makeBatch(16 * 1024));
let bytes = 0;
const pending: Promise<unknown>[] = [];
for (let i = 0; bytes < TOTAL; i++) {
  const b = bufs[i % bufs.length]!;
  bytes += b.length;
  pending.push(log.append(Buffer.from(b)));
  if (pending.length >= 64) await Promise.all(pending.splice(0));
}
await Promise.all(pending);
const end = log.logEndOffset;
await log.close();
settle();
const ms: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const t0 = performance.now();
  const recovered = openBenchLog(dir, {}, { hadCleanShutdown: false, recoveryPoint: 0 });
  ms.push(performance.now() - t0);
  if (recovered.logEndOffset !== end) throw new Error(`recovered to ${recovered.logEndOffset}, expected ${end}`);
  await recovered.close();
}
const m = median(ms);
console.log(`recovery of a ${(bytes / 2 ** 20).toFixed(0)} MiB unflushed tail (page cache warm), median of ${RUNS}:`);
console.log(`  ${m.toFixed(0)} ms  = ${(bytes / m / 1e6).toFixed(2)} GB/s`);
removeDir(dir);
