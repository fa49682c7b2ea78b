// Offset commit throughput (issue 6): OffsetCommit requests (v8, one partition each, simple
// commits with generation -1) pipelined over several connections to a broker in a child process;
// each is answered only once its record is committed in __consumer_offsets (acks=all). Many
// groups spread over the offsets topic's partitions, as many consumers would.
// Target: ≥ 20,000 commits/s. Median of RUNS runs. A last figure calls the coordinator of a broker
// in this process directly (GroupCoordinator.commitOffsets, 128 concurrent callers, same acks=all
// appends): the coordinator and log alone, without the request path.
// Run: npm run build && node bench/group-commit.bench.ts

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker } from '../src/broker/start-broker.ts';
import { MemoryLogger } from '../src/common/logger.ts';
import { CONSUMER_OFFSETS_TOPIC } from '../src/controller/topic-names.ts';
import { decodeResponseFrame, encodeRequestFrame } from '../src/protocol/request.ts';
import { type BrokerProcess, startBrokerProcess } from './lib/broker-process.ts';
import { RawClient } from './lib/raw-client.ts';

const RUNS = 3;
const COMMITS = 60_000;
const GROUPS = 200;
const WINDOW = 128;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function commitFrame(group: string, offset: number): Buffer {
  return encodeRequestFrame(
    { apiKey: 8, correlationId: 1, clientId: 'bench' },
    {
      groupId: group,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        {
          name: 'bench-commit',
          partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: '' }],
        },
      ],
    },
    8,
  );
}

function check(frame: Buffer): void {
  const code = decodeResponseFrame(8, 8, frame).body.topics[0]!.partitions[0]!.errorCode;
  if (code !== 0) throw new Error(`OffsetCommit failed with error ${code}`);
}

async function setUp(): Promise<BrokerProcess> {
  const broker = await startBrokerProcess({ 'num.partitions': '1' });
  const c = await RawClient.connect(broker.port);
  // A first commit creates __consumer_offsets (and the topic is auto-created by a Metadata request).
  const metadata = encodeRequestFrame(
    { apiKey: 3, correlationId: 1, clientId: 'bench' },
    { topics: [{ name: 'bench-commit' }], allowAutoTopicCreation: true },
    4,
  );
  for (let i = 0; i < 200; i++) {
    const m = decodeResponseFrame(3, 4, await c.request(metadata)).body;
    if (m.topics[0]?.errorCode === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const find = encodeRequestFrame({ apiKey: 10, correlationId: 1, clientId: 'bench' }, { key: 'g0', keyType: 0 }, 2);
  for (let i = 0; i < 500; i++) {
    if (decodeResponseFrame(10, 2, await c.request(find)).body.errorCode === 0) {
      const probe = decodeResponseFrame(8, 8, await c.request(commitFrame('g0', 0))).body.topics[0]!.partitions[0]!
        .errorCode;
      if (probe === 0) break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  c.close();
  return broker;
}

async function run(broker: BrokerProcess, connections: number): Promise<number> {
  const clients = await Promise.all(Array.from({ length: connections }, () => RawClient.connect(broker.port)));
  const perClient = Math.floor(COMMITS / connections);
  // Frames are made before the clock starts: the figure is the broker's.
  const frames = clients.map((_, c) =>
    Array.from({ length: perClient }, (_, i) => commitFrame(`g${(c * 7919 + i) % GROUPS}`, i)),
  );
  const t0 = performance.now();
  await Promise.all(clients.map((client, c) => client.pipeline(perClient, WINDOW, (i) => frames[c]![i]!, check)));
  const ms = performance.now() - t0;
  for (const c of clients) c.close();
  return (perClient * connections) / (ms / 1000);
}

const broker = await setUp();
try {
  for (const connections of [1, 8]) {
    const rates: number[] = [];
    for (let r = 0; r < RUNS; r++) rates.push(await run(broker, connections));
    console.log(
      `offset commits, ${connections} connection(s) × ${WINDOW} in flight, ${GROUPS} groups: ` +
        `median ${Math.round(median(rates)).toLocaleString('en')} commits/s ` +
        `(runs: ${rates.map((x) => Math.round(x).toLocaleString('en')).join(', ')})   target ≥ 20,000 commits/s`,
    );
  }
} finally {
  await broker.stop();
}

/** The coordinator alone: commitOffsets on an in-process broker, `concurrency` callers. */
async function inProcess(concurrency: number): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-commit-'));
  const b = await startBroker({
    port: 0,
    host: '127.0.0.1',
    logDirs: [dir],
    logger: new MemoryLogger(),
    properties: { 'num.partitions': 1 },
  });
  try {
    const s = b.services;
    await s.topics.autoCreate([CONSUMER_OFFSETS_TOPIC, 'bench-commit'], { waitMs: 10_000 });
    await s.groupCoordinator.loaded();
    const rates: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < COMMITS) {
            const i = next++;
            const [code] = await s.groupCoordinator.commitOffsets({
              groupId: `g${i % GROUPS}`,
              memberId: '',
              groupInstanceId: null,
              generationId: -1,
              entries: [
                {
                  topic: 'bench-commit',
                  partition: 0,
                  offset: i,
                  leaderEpoch: -1,
                  metadata: '',
                  commitTimestamp: 0,
                  expireTimestamp: -1,
                },
              ],
            });
            if (code !== 0) throw new Error(`commit failed with error ${code}`);
          }
        }),
      );
      rates.push(COMMITS / ((performance.now() - t0) / 1000));
    }
    return rates;
  } finally {
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const alone = await inProcess(WINDOW);
console.log(
  `offset commits, coordinator alone (in-process, ${WINDOW} concurrent, no request path): ` +
    `median ${Math.round(median(alone)).toLocaleString('en')} commits/s ` +
    `(runs: ${alone.map((x) => Math.round(x).toLocaleString('en')).join(', ')})`,
);
