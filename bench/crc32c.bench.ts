// CRC-32C: pure-JS slicing-by-8 vs @node-rs/crc32 (native), by input size, and the `crc32c`
// dispatcher that picks between them. One process, one core; prints the median of several runs.
// Run: node bench/crc32c.bench.ts
import { crc32c, crc32cJs, crc32cNative, NATIVE_MIN_BYTES } from '../src/protocol/records/crc32c.ts';

const RUNS = 7;

/** Median seconds per call of `fn`, calling it `iterations` times per run. */
function median(fn: () => void, iterations: number): number {
  for (let i = 0; i < Math.min(iterations, 1000); i++) fn();
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9 / iterations);
  }
  times.sort((a, b) => a - b);
  return times[RUNS >> 1]!;
}

function gbps(bytes: number, seconds: number): string {
  return `${(bytes / seconds / 1e9).toFixed(2)} GB/s`;
}

let sink = 0;
const sizes = [100, 128, 192, 256, 1024, 16 * 1024, 1024 * 1024];
console.log(
  `crc32c (native ${crc32cNative === null ? 'NOT loaded' : 'loaded'}; dispatch to native from ${NATIVE_MIN_BYTES} B)`,
);
console.log('size        JS            native        native+subarray  crc32c()');
for (const size of sizes) {
  const backing = Buffer.alloc(size + 16);
  for (let i = 0; i < backing.length; i++) backing[i] = (i * 131 + 7) & 0xff;
  const buf = backing.subarray(0, size);
  const iterations = Math.max(20, Math.floor(200_000_000 / (size + 200) / 8));
  const js = median(() => {
    sink ^= crc32cJs(buf);
  }, iterations);
  const native =
    crc32cNative === null
      ? Number.NaN
      : median(() => {
          sink ^= crc32cNative!(buf);
        }, iterations);
  // What a range inside a larger buffer costs (a batch inside a segment): a subarray per call.
  const nativeRange =
    crc32cNative === null
      ? Number.NaN
      : median(() => {
          sink ^= crc32cNative!(backing.subarray(8, 8 + size));
        }, iterations);
  const dispatched = median(() => {
    sink ^= crc32c(backing, 8, 8 + size);
  }, iterations);
  const label = size >= 1024 ? `${size / 1024} KiB` : `${size} B`;
  console.log(
    `${label.padEnd(12)}${gbps(size, js).padEnd(14)}${gbps(size, native).padEnd(14)}${gbps(size, nativeRange).padEnd(17)}${gbps(size, dispatched)}`,
  );
}
console.log('targets (MACHINE-LIMITS.md, 1 MiB): JS 0.9 GB/s, @node-rs/crc32 6.1 GB/s; at 100 B: 0.9 / 0.69 GB/s');
if (sink === 0.5) console.log(sink);
