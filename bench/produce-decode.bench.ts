// Produce request decode: a 1 MiB Produce request (v7 and v11) carrying one record batch, decoded
// from its frame the way the broker does it — header, body, and the records field as a view of
// the frame (no copy, no record decoding, no CRC). Median of several runs, one core.
// Run: node bench/produce-decode.bench.ts
import { encodeRecordBatch } from '../src/protocol/records/record-encoder.ts';
import { validateBatch } from '../src/protocol/records/validate-batch.ts';
import { decodeRequestFrame, encodeRequestFrame } from '../src/protocol/request.ts';

const RUNS = 9;
const ITERATIONS = 2000;
const TARGET_US = 50;

// ~1 MiB batch of 100-byte records.
const records = Array.from({ length: 9600 }, (_, i) => ({
  value: Buffer.alloc(100, 0x61 + (i % 26)),
  timestamp: 1_764_000_000_000 + i,
}));
const batch = encodeRecordBatch({ records });

let sink = 0;
for (const version of [3, 7, 9, 11]) {
  const frame = encodeRequestFrame(
    { apiKey: 0, correlationId: 1, clientId: 'bench-producer' },
    {
      transactionalId: null,
      acks: 1,
      timeoutMs: 30000,
      topicData: [{ name: 'bench-topic', partitionData: [{ index: 0, records: batch }] }],
    },
    version,
  ).subarray(4);
  const times: number[] = [];
  for (let r = -1; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < ITERATIONS; i++) {
      const req = decodeRequestFrame(frame);
      sink ^= (req.body as { topicData: { partitionData: { records: Buffer }[] }[] }).topicData[0]!.partitionData[0]!
        .records.length;
    }
    if (r >= 0) times.push(Number(process.hrtime.bigint() - t0) / 1e3 / ITERATIONS);
  }
  times.sort((a, b) => a - b);
  const us = times[RUNS >> 1]!;
  console.log(
    `Produce v${String(version).padEnd(2)} decode, ${(frame.length / 1048576).toFixed(2)} MiB, one batch: ${us.toFixed(2)} µs median  (target < ${TARGET_US} µs)  ${us < TARGET_US ? 'ok' : 'ABOVE TARGET'}`,
  );
}

// For scale: what the broker's header validation with CRC32C costs on the same batch.
const vt: number[] = [];
for (let r = 0; r < RUNS; r++) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 200; i++) sink ^= validateBatch(batch).recordCount;
  vt.push(Number(process.hrtime.bigint() - t0) / 1e3 / 200);
}
vt.sort((a, b) => a - b);
console.log(
  `for scale: validateBatch (header + CRC32C) of the same ${(batch.length / 1048576).toFixed(2)} MiB batch: ${vt[RUNS >> 1]!.toFixed(1)} µs`,
);
if (sink === 0.5) console.log(sink);
