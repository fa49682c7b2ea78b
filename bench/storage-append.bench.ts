// Append throughput, no fsync per append, 1 MiB and 16 KiB batches, against plain Node fs writing
// the same bytes to the same disk in the same run (both a synchronous and an asynchronous loop).
// Target: append ≥ 0.8 of the plain write. Median of RUNS runs each.
// Run: node bench/storage-append.bench.ts   (BENCH_DIR=/path to use another disk; BENCH_MB=total)
import { closeSync, openSync, write, writeSync } from 'node:fs';
import { gbps, makeBatch, median, openBenchLog, removeDir, scratchDir, settle } from './storage-common.ts';

const RUNS = 5;
const TOTAL = Number(process.env.BENCH_MB ?? 512) * 1024 * 1024;

async function plainSync(bufs: Buffer[]): Promise<number> {
  const dir = scratchDir('plain');
  const fd = openSync(`${dir}/plain.bin`, 'w');
  const t0 = performance.now();
  let pos = 0;
  for (let i = 0; pos < TOTAL; i++) {
    const b = bufs[i % bufs.length]!;
    pos += writeSync(fd, b, 0, b.length, pos);
  }
  const ms = performance.now() - t0;
  closeSync(fd);
  removeDir(dir);
  return gbps(pos, ms);
}

async function plainAsync(bufs: Buffer[]): Promise<number> {
  const dir = scratchDir('plain');
  const fd = openSync(`${dir}/plain.bin`, 'w');
  const t0 = performance.now();
  let pos = 0;
  let i = 0;
  while (pos < TOTAL) {
    const b = bufs[i++ % bufs.length]!;
    pos += await new Promise<number>((res, rej) => write(fd, b, 0, b.length, pos, (e, n) => (e ? rej(e) : res(n))));
  }
  const ms = performance.now() - t0;
  closeSync(fd);
  removeDir(dir);
  return gbps(pos, ms);
}

/**
 * Appends with up to `window` appends outstanding (1 = await each). The window is a counter and
 * one waiter, not Promise.race over the pending set: race attaches a reaction to every pending
 * promise on every call, which at 64 in flight costs the loop more than the appends do.
 */
async function samsa(bufs: Buffer[], window: number): Promise<number> {
  const dir = scratchDir('append');
  const log = openBenchLog(dir, { maxMessageBytes: 4 << 20 });
  const t0 = performance.now();
  let bytes = 0;
  let i = 0;
  let inFlight = 0;
  let wake: (() => void) | null = null;
  let failure: unknown = null;
  const done = (): void => {
    inFlight--;
    const w = wake;
    wake = null;
    w?.();
  };
  const failed = (e: unknown): void => {
    failure ??= e;
    done();
  };
  while (bytes < TOTAL && failure === null) {
    if (inFlight >= window) await new Promise<void>((r) => (wake = r));
    const b = bufs[i++ % bufs.length]!;
    bytes += b.length;
    inFlight++;
    log.append(b).then(done, failed);
  }
  while (inFlight > 0) await new Promise<void>((r) => (wake = r));
  if (failure !== null) throw failure;
  const ms = performance.now() - t0;
  await log.close();
  removeDir(dir);
  return gbps(bytes, ms);
}

for (const size of [1024 * 1024, 16 * 1024]) {
  // Distinct buffers so a pipelined append never rewrites a buffer still being written.
  const bufs = Array.from({ length: 128 }, () => makeBatch(size));
  const r = { sync: [] as number[], async: [] as number[], pipelined: [] as number[], serial: [] as number[] };
  for (let run = 0; run < RUNS; run++) {
    settle();
    r.sync.push(await plainSync(bufs));
    settle();
    r.async.push(await plainAsync(bufs));
    settle();
    r.pipelined.push(await samsa(bufs, 64));
    settle();
    r.serial.push(await samsa(bufs, 1));
  }
  const best = Math.max(median(r.sync), median(r.async));
  const fmt = (x: number[]): string => `${median(x).toFixed(2)} GB/s`;
  console.log(`batch ${size / 1024} KiB, ${TOTAL / 1024 / 1024} MiB per run, median of ${RUNS}:`);
  console.log(`  plain fs writeSync loop        ${fmt(r.sync)}`);
  console.log(`  plain fs.write (async) loop    ${fmt(r.async)}`);
  console.log(
    `  Log.append, 64 in flight       ${fmt(r.pipelined)}   ratio to best plain ${(median(r.pipelined) / best).toFixed(2)} (target ≥ 0.8)`,
  );
  console.log(
    `  Log.append, awaiting each      ${fmt(r.serial)}   ratio to async plain ${(median(r.serial) / median(r.async)).toFixed(2)}`,
  );
}
