// Single-node broker benchmarks (issue 5). The broker runs in a child process (as `samsa server`
// would); this process is the load generator, sending pre-encoded requests over one pipelined
// connection, so the figures are the broker's. Median of RUNS runs where it says so.
// Batches of ~1 MiB stay under the default message.max.bytes (1,048,588).
// Run: npm run build && node bench/broker.bench.ts [startup|produce|fetch|latency]   (default: all)

import { BatchCursor } from '../src/protocol/records/batch-cursor.ts';
import { forEachRecord } from '../src/protocol/records/record-decoder.ts';
import { encodeRecordBatch } from '../src/protocol/records/record-encoder.ts';
import { decodeResponseFrame, encodeRequestFrame } from '../src/protocol/request.ts';
import { type BrokerProcess, startBrokerProcess } from './lib/broker-process.ts';
import { RawClient } from './lib/raw-client.ts';

const only = process.argv[2];
const RUNS = 3;
const MiB = 1024 * 1024;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function produceFrame(topic: string, batch: Buffer, acks = 1): Buffer {
  return encodeRequestFrame(
    { apiKey: 0, correlationId: 7, clientId: 'bench' },
    {
      transactionalId: null,
      acks,
      timeoutMs: 30000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }],
    },
    7,
  );
}

function checkProduce(frame: Buffer): void {
  const r = decodeResponseFrame(0, 7, frame).body.responses[0]!.partitionResponses[0]!;
  if (r.errorCode !== 0) throw new Error(`produce failed with error ${r.errorCode}`);
}

function fetchFrame(topic: string, offset: number, maxBytes: number, maxWaitMs = 0, minBytes = 1): Buffer {
  return encodeRequestFrame(
    { apiKey: 1, correlationId: 9, clientId: 'bench' },
    {
      replicaId: -1,
      maxWaitMs,
      minBytes,
      maxBytes,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: -1,
              fetchOffset: offset,
              logStartOffset: -1,
              partitionMaxBytes: maxBytes,
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    },
    11,
  );
}

function fetchRecords(frame: Buffer): Buffer {
  const p = decodeResponseFrame(1, 11, frame).body.responses[0]!.partitions[0]!;
  if (p.errorCode !== 0) throw new Error(`fetch failed with error ${p.errorCode}`);
  return p.records ?? Buffer.alloc(0);
}

/** Offset after the last whole batch in `records`, or `from` if there is none. */
function nextOffset(records: Buffer, from: number): number {
  const c = new BatchCursor(records);
  let next = from;
  while (c.next()) next = c.lastOffset + 1;
  return next;
}

async function withBroker<T>(
  fn: (b: BrokerProcess, c: RawClient) => Promise<T>,
  overrides?: Record<string, string>,
): Promise<T> {
  const b = await startBrokerProcess(overrides);
  const c = await RawClient.connect(b.port);
  try {
    return await fn(b, c);
  } finally {
    c.close();
    await b.stop();
  }
}

async function startup(): Promise<void> {
  const ready: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < 5; i++) {
    await withBroker(async (b) => {
      ready.push(b.readyMs);
      await new Promise((r) => setTimeout(r, 1000));
      rss.push(b.rssBytes());
    });
  }
  console.log(
    `start to first answered request: median ${median(ready).toFixed(0)} ms (${ready.map((x) => x.toFixed(0)).join(', ')})  target < 300 ms`,
  );
  console.log(`idle RSS: median ${(median(rss) / MiB).toFixed(1)} MiB  target < 80 MB`);
}

async function produce(): Promise<void> {
  const big = encodeRecordBatch({
    records: Array.from({ length: 1000 }, (_, i) => ({ value: Buffer.alloc(1024, 97 + (i % 26)) })),
  });
  const small = encodeRecordBatch({
    records: Array.from({ length: 600 }, (_, i) => ({ value: Buffer.alloc(100, 97 + (i % 26)) })),
  });
  const mbps: number[] = [];
  const rps: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    await withBroker(async (_b, c) => {
      await c.createTopic('big');
      await c.createTopic('small');
      const bigFrame = produceFrame('big', big);
      const n = 512;
      let t0 = performance.now();
      await c.pipeline(n, 8, () => bigFrame, checkProduce);
      mbps.push((n * big.length) / MiB / ((performance.now() - t0) / 1000));
      const smallFrame = produceFrame('small', small);
      const m = 3000;
      t0 = performance.now();
      await c.pipeline(m, 32, () => smallFrame, checkProduce);
      rps.push((m * 600) / ((performance.now() - t0) / 1000));
    });
  }
  console.log(
    `produce, 1 partition, acks=1, 1 MiB batches: median ${median(mbps).toFixed(0)} MB/s (${mbps.map((x) => x.toFixed(0)).join(', ')})  target ≥ 500 MB/s`,
  );
  console.log(
    `produce, 100-byte records in ~64 KiB batches: median ${(median(rps) / 1e6).toFixed(2)} M records/s (${rps.map((x) => (x / 1e6).toFixed(2)).join(', ')})  target ≥ 1 M records/s`,
  );
}

async function fetch(): Promise<void> {
  const big = encodeRecordBatch({
    records: Array.from({ length: 1000 }, (_, i) => ({ value: Buffer.alloc(1024, 97 + (i % 26)) })),
  });
  const rates: number[] = [];
  await withBroker(async (_b, c) => {
    await c.createTopic('data');
    const frame = produceFrame('data', big);
    await c.pipeline(1024, 8, () => frame, checkProduce); // ~1 GiB, in the page cache now
    for (let run = 0; run < RUNS; run++) {
      let offset = 0;
      let bytes = 0;
      const t0 = performance.now();
      for (;;) {
        const records = fetchRecords(await c.request(fetchFrame('data', offset, 8 * MiB)));
        if (records.length === 0) break;
        bytes += records.length;
        offset = nextOffset(records, offset);
      }
      rates.push(bytes / MiB / ((performance.now() - t0) / 1000));
    }
  });
  console.log(
    `fetch from page cache, one consumer, 8 MiB fetches: median ${median(rates).toFixed(0)} MB/s (${rates.map((x) => x.toFixed(0)).join(', ')})  target ≥ 1 GB/s`,
  );
}

async function latency(): Promise<void> {
  const p50s: number[] = [];
  const p99s: number[] = [];
  const p999s: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    await withBroker(async (b, producer) => {
      await producer.createTopic('lat');
      const consumer = await RawClient.connect(b.port);
      const rate = 10_000;
      const seconds = 6;
      const total = rate * seconds;
      const samples: number[] = [];
      let offset = 0;
      let stop = false;
      const consuming = (async () => {
        while (!stop || samples.length < total) {
          const records = fetchRecords(await consumer.request(fetchFrame('lat', offset, MiB, 500, 1)));
          const now = performance.now();
          for (const batch of splitBatches(records)) {
            forEachRecord(batch, (v) => {
              samples.push(now - v.buf.readDoubleBE(v.valueStart));
            });
          }
          offset = nextOffset(records, offset);
          if (stop && samples.length >= total) break;
        }
      })();
      // Like a producer with linger.ms=0: whatever records fell due while the previous send was
      // being handled go out together in one batch. Each record carries the time it fell due, so
      // its wait in the producer is part of the latency measured.
      const start = performance.now();
      let sent = 0;
      await new Promise<void>((resolve) => {
        const tick = (): void => {
          const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
          if (due > sent) {
            const records = [];
            for (; sent < due; sent++) {
              const value = Buffer.alloc(100);
              value.writeDoubleBE(start + (sent * 1000) / rate, 0);
              records.push({ value });
            }
            void producer.request(produceFrame('lat', encodeRecordBatch({ records }))).then(checkProduce);
          }
          if (sent >= total) resolve();
          else setImmediate(tick);
        };
        tick();
      });
      stop = true;
      await consuming;
      consumer.close();
      // The first second is warm-up (JIT, page faults on new segments); measure the rest.
      samples.splice(0, rate);
      samples.sort((a, b) => a - b);
      p50s.push(quantile(samples, 0.5));
      p99s.push(quantile(samples, 0.99));
      p999s.push(quantile(samples, 0.999));
    });
  }
  console.log(
    `produce-to-consume latency at 10,000 records/s (acks=1, records due since the last send batched together, long-poll fetch): p50 ${median(p50s).toFixed(2)} ms, p99 ${median(p99s).toFixed(2)} ms, p99.9 ${median(p999s).toFixed(2)} ms  targets p50 < 1 ms, p99 < 5 ms`,
  );
}

function* splitBatches(records: Buffer): Generator<Buffer> {
  const c = new BatchCursor(records);
  while (c.next()) yield c.bytes();
}

const sections: Record<string, () => Promise<void>> = { startup, produce, fetch, latency };
for (const [name, fn] of Object.entries(sections)) {
  if (only === undefined || only === name) await fn();
}
