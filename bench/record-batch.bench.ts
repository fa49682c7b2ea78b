// RecordBatch v2: encode, full decode (objects and the reusable-view visitor), and header-only
// validation with CRC-32C. One process, one core; each figure is the median of several runs.
// Run: node bench/record-batch.bench.ts
import { decodeRecords, forEachRecord } from '../src/protocol/records/record-decoder.ts';
import { encodeRecordBatch } from '../src/protocol/records/record-encoder.ts';
import type { RecordInput } from '../src/protocol/records/record-types.ts';
import { RecordView } from '../src/protocol/records/record-view.ts';
import { validateBatch } from '../src/protocol/records/validate-batch.ts';

const RUNS = 7;
let sink = 0;

/** Median seconds per call over RUNS runs of `iterations` calls, after a warm-up. */
function median(fn: () => void, iterations: number): number {
  for (let i = 0; i < iterations; i++) fn();
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9 / iterations);
  }
  times.sort((a, b) => a - b);
  return times[RUNS >> 1]!;
}

function report(name: string, perSecond: number, unit: string, target: number): void {
  const verdict = perSecond >= target ? 'ok' : 'BELOW TARGET';
  const fmt = (v: number) => (v >= 1e9 ? `${(v / 1e9).toFixed(2)} G` : `${(v / 1e6).toFixed(2)} M`);
  console.log(`${name.padEnd(52)} ${fmt(perSecond)}${unit}  (target ≥ ${fmt(target)}${unit})  ${verdict}`);
}

function makeRecords(count: number, valueSize: number, keySize: number, headers: number): RecordInput[] {
  const records: RecordInput[] = [];
  const t0 = 1_764_000_000_000;
  for (let i = 0; i < count; i++) {
    const value = Buffer.alloc(valueSize, 0x61 + (i % 26));
    const key = keySize > 0 ? Buffer.alloc(keySize, 0x30 + (i % 10)) : null;
    const hs = [];
    for (let h = 0; h < headers; h++) hs.push({ key: `h${h}`, value: Buffer.from(`v${i}`) });
    records.push({ key, value, timestamp: t0 + i, headers: hs });
  }
  return records;
}

const BATCH = 1000;
console.log(`record batches of ${BATCH} records, uncompressed`);

// 100-byte records: a 100-byte value, null key, no headers (what producers benchmark with).
const plain = makeRecords(BATCH, 100, 0, 0);
const encodeTime = median(() => {
  sink ^= encodeRecordBatch({ records: plain, producerId: 7, producerEpoch: 0, baseSequence: 0 }).length;
}, 300);
report('encode, 100 B value, null key', BATCH / encodeTime, ' records/s', 3e6);

const keyed = makeRecords(BATCH, 100, 16, 1);
const encodeKeyed = median(() => {
  sink ^= encodeRecordBatch({ records: keyed }).length;
}, 300);
report('encode, 100 B value, 16 B key, 1 header', BATCH / encodeKeyed, ' records/s', 3e6);

const batch = encodeRecordBatch({ records: plain });
const decodeTime = median(() => {
  sink ^= decodeRecords(batch).length;
}, 300);
report('decodeRecords (objects, views of key/value)', BATCH / decodeTime, ' records/s', 5e6);

const view = new RecordView();
const visitor = (v: RecordView) => {
  sink ^= v.valueLength;
};
const visitTime = median(() => {
  forEachRecord(batch, visitor, { view });
}, 1000);
report('forEachRecord (reused view)', BATCH / visitTime, ' records/s', 5e6);

const visitCrcTime = median(() => {
  forEachRecord(batch, visitor, { view, verifyCrc: true });
}, 1000);
report('forEachRecord + CRC-32C check', BATCH / visitCrcTime, ' records/s', 5e6);

const keyedBatch = encodeRecordBatch({ records: keyed });
const decodeKeyed = median(() => {
  sink ^= decodeRecords(keyedBatch).length;
}, 300);
report('decodeRecords, 16 B key, 1 header', BATCH / decodeKeyed, ' records/s', 5e6);
const visitKeyed = median(() => {
  forEachRecord(keyedBatch, visitor, { view });
}, 1000);
report('forEachRecord, 16 B key, 1 header', BATCH / visitKeyed, ' records/s', 5e6);

// Header-only validation of a 1 MiB batch, CRC-32C included: what the broker does per produce.
const big = encodeRecordBatch({ records: makeRecords(Math.floor((1 << 20) / 108), 100, 0, 0) });
const validateTime = median(() => {
  sink ^= validateBatch(big).recordCount;
}, 300);
report(
  `validateBatch, ${(big.length / 1048576).toFixed(2)} MiB batch (CRC-32C)`,
  big.length / validateTime,
  'B/s',
  2e9,
);

if (sink === 0.5) console.log(sink);
