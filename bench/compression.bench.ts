// Compression codecs on 1 MiB of log-like JSON: compress and decompress throughput of each codec
// through compress()/decompress() (which add the Kafka framings and the output cap), beside the
// bare package calls, and the MACHINE-LIMITS.md figures. One process, one core; medians.
// Run: node bench/compression.bench.ts
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import { compress, decompress } from '../src/protocol/records/compression.ts';

const require = createRequire(import.meta.url);
const RUNS = 7;
const MiB = 1 << 20;
let sink = 0;

/** Median seconds per call. */
function median(fn: () => void, iterations: number): number {
  for (let i = 0; i < Math.max(2, iterations >> 2); i++) fn();
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9 / iterations);
  }
  times.sort((a, b) => a - b);
  return times[RUNS >> 1]!;
}

/** Deterministic pseudo-random log lines: timestamps, levels, ids, paths, latencies, trace ids. */
function logLikeJson(size: number): Buffer {
  let seed = 12345;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const levels = ['info', 'info', 'info', 'debug', 'warn', 'error'];
  const services = ['checkout', 'payments', 'inventory', 'search', 'auth', 'gateway', 'orders'];
  const verbs = ['GET', 'GET', 'POST', 'PUT', 'DELETE'];
  const lines: string[] = [];
  let total = 0;
  for (let i = 0; total < size; i++) {
    const line = JSON.stringify({
      ts: new Date(1_764_000_000_000 + i * 17 + rand(17)).toISOString(),
      level: levels[rand(levels.length)],
      service: services[rand(services.length)],
      host: `ip-10-0-${rand(16)}-${rand(256)}`,
      trace: rand(0x7fffffff).toString(16).padStart(8, '0') + rand(0x7fffffff).toString(16).padStart(8, '0'),
      method: verbs[rand(verbs.length)],
      path: `/api/v2/${services[rand(services.length)]}/${rand(100000)}`,
      status: rand(20) === 0 ? 500 : 200,
      latency_ms: rand(2000) / 10,
      user: `user-${rand(50000)}`,
      msg: rand(4) === 0 ? 'cache miss, fetched from upstream' : 'request completed',
    });
    lines.push(line);
    total += line.length + 1;
  }
  return Buffer.from(`${lines.join('\n')}\n`).subarray(0, size);
}

const input = logLikeJson(MiB);
const mbps = (seconds: number) => `${(input.length / seconds / 1e6).toFixed(0)} MB/s`.padStart(10);

const limits: Record<string, string> = {
  'gzip (level 1)': '253 / 650',
  'gzip (level 6, default)': '',
  'snappy raw': '227 / 379',
  'snappy xerial': '',
  lz4: '275 / 352 (frame), 526 / 2670 (block)',
  'zstd (level 3, default)': '',
  'zstd (level 1)': '620 / 1662',
};

const cases: { name: string; codec: number; options?: Parameters<typeof compress>[2] }[] = [
  { name: 'gzip (level 1)', codec: 1, options: { level: 1 } },
  { name: 'gzip (level 6, default)', codec: 1 },
  { name: 'snappy raw', codec: 2 },
  { name: 'snappy xerial', codec: 2, options: { xerialSnappy: true } },
  { name: 'lz4', codec: 3 },
  { name: 'zstd (level 3, default)', codec: 4 },
  { name: 'zstd (level 1)', codec: 4, options: { level: 1 } },
];

console.log(`1 MiB of log-like JSON; compress / decompress through compress() and decompress()`);
console.log(
  `${'codec'.padEnd(26)}${'ratio'.padStart(7)}${'compress'.padStart(12)}${'decompress'.padStart(12)}   MACHINE-LIMITS.md`,
);
for (const c of cases) {
  const packed = compress(c.codec, input, c.options);
  const check = decompress(c.codec, packed, 4 * MiB);
  if (!check.equals(input)) throw new Error(`${c.name} does not round-trip`);
  const iterations = c.codec === 1 ? 10 : 40;
  const ct = median(() => {
    sink ^= compress(c.codec, input, c.options).length;
  }, iterations);
  const dt = median(() => {
    sink ^= decompress(c.codec, packed, 4 * MiB).length;
  }, iterations);
  const ratio = (packed.length / input.length).toFixed(3);
  console.log(
    `${c.name.padEnd(26)}${ratio.padStart(7)}${mbps(ct).padStart(12)}${mbps(dt).padStart(12)}   ${limits[c.name]}`,
  );
}

// The bare package calls, to show what our framing and output-cap checks cost.
const snappy = require('snappy') as {
  compressSync(b: Buffer): Buffer;
  uncompressSync(b: Buffer, o: { asBuffer: true }): Buffer;
};
const lz4 = require('lz4-napi') as {
  compressFrameSync(b: Buffer): Buffer;
  decompressFrameSync(b: Buffer): Buffer;
  compressSync(b: Buffer): Buffer;
  uncompressSync(b: Buffer): Buffer;
};
const hy = require('hysnappy') as {
  snappyCompressor(): (b: Uint8Array) => Uint8Array;
  snappyUncompressor(): (b: Uint8Array, n: number) => Uint8Array;
};
const hyCompress = hy.snappyCompressor();
const hyUncompress = hy.snappyUncompressor();
console.log('\nbare package calls (no Kafka framing, no output cap)');
const bare: { name: string; c: () => Buffer; d: (b: Buffer) => Buffer }[] = [
  {
    name: 'snappy compressSync',
    c: () => snappy.compressSync(input),
    d: (b) => snappy.uncompressSync(b, { asBuffer: true }),
  },
  {
    name: 'hysnappy (wasm)',
    c: () => Buffer.from(hyCompress(input)),
    d: (b) => Buffer.from(hyUncompress(b, input.length)),
  },
  { name: 'lz4-napi frame', c: () => lz4.compressFrameSync(input), d: (b) => lz4.decompressFrameSync(b) },
  { name: 'lz4-napi block', c: () => lz4.compressSync(input), d: (b) => lz4.uncompressSync(b) },
  { name: 'zlib gzip L1 / gunzip', c: () => zlib.gzipSync(input, { level: 1 }), d: (b) => zlib.gunzipSync(b) },
];
for (const b of bare) {
  const packed = b.c();
  const ct = median(() => {
    sink ^= b.c().length;
  }, 20);
  const dt = median(() => {
    sink ^= b.d(packed).length;
  }, 20);
  console.log(`${b.name.padEnd(33)}${mbps(ct).padStart(12)}${mbps(dt).padStart(12)}`);
}
if (sink === 0.5) console.log(sink);
