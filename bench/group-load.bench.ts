// Coordinator load time (issue 6): 100,000 committed offsets (1,000 groups × 100 partitions) in
// __consumer_offsets; the broker is closed and started again on the same log dir, and the figure
// is the time from startBroker() until every offsets partition is loaded (all groups and offsets
// in memory, requests served) — and, separately, the longest single-partition load the
// coordinator logged. Broker in this process (the load is what is measured, not the network).
// Once with every group in one offsets partition, once spread over 50 (the default).
// Target: < 2 s. Median of RUNS restarts.
// Run: node bench/group-load.bench.ts

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Broker, startBroker } from '../src/broker/start-broker.ts';
import { MemoryLogger } from '../src/common/logger.ts';
import { CONSUMER_OFFSETS_TOPIC } from '../src/controller/topic-names.ts';
import type { OffsetCommitEntry } from '../src/coordinator/group-types.ts';

const RUNS = 3;
const GROUPS = 1000;
const PARTITIONS = 100;
const TOPIC = 'load-t';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

async function start(dir: string, offsetsPartitions: number, logger: MemoryLogger): Promise<Broker> {
  return startBroker({
    port: 0,
    host: '127.0.0.1',
    logDirs: [dir],
    logger,
    properties: { 'offsets.topic.num.partitions': offsetsPartitions, 'num.partitions': PARTITIONS },
  });
}

async function bench(offsetsPartitions: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-load-'));
  try {
    let broker = await start(dir, offsetsPartitions, new MemoryLogger());
    const s = broker.services;
    await s.topics.autoCreate([CONSUMER_OFFSETS_TOPIC, TOPIC], { waitMs: 10_000 });
    await s.groupCoordinator.loaded();
    const now = s.clock.now();
    const commits: Promise<number[]>[] = [];
    for (let g = 0; g < GROUPS; g++) {
      const entries: OffsetCommitEntry[] = [];
      for (let p = 0; p < PARTITIONS; p++) {
        entries.push({
          topic: TOPIC,
          partition: p,
          offset: g * 1000 + p,
          leaderEpoch: 0,
          metadata: '',
          commitTimestamp: now,
          expireTimestamp: -1,
        });
      }
      commits.push(
        s.groupCoordinator.commitOffsets({
          groupId: `group-${g}`,
          memberId: '',
          groupInstanceId: null,
          generationId: -1,
          entries,
        }),
      );
    }
    for (const r of await Promise.all(commits)) if (r.some((e) => e !== 0)) throw new Error(`commit failed: ${r}`);
    await broker.close();

    const total: number[] = [];
    const longest: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const logger = new MemoryLogger();
      const t0 = performance.now();
      broker = await start(dir, offsetsPartitions, logger);
      await broker.services.topics.waitForLeaders([CONSUMER_OFFSETS_TOPIC], 10_000);
      await broker.services.groupCoordinator.loaded();
      total.push(performance.now() - t0);
      const loads = logger.matching(
        /Finished loading offsets and group metadata .* in (\d+) ms: (\d+) groups, (\d+) offsets/,
      );
      const offsets = loads.reduce((n, l) => n + Number(/(\d+) offsets/.exec(l)![1]), 0);
      if (offsets !== GROUPS * PARTITIONS)
        throw new Error(`loaded ${offsets} offsets, expected ${GROUPS * PARTITIONS}`);
      longest.push(Math.max(...loads.map((l) => Number(/ in (\d+) ms/.exec(l)![1]))));
      await broker.close();
    }
    console.log(
      `coordinator load of ${(GROUPS * PARTITIONS).toLocaleString('en')} offsets in ${offsetsPartitions} offsets partition(s): ` +
        `median ${Math.round(median(total))} ms from startBroker() to all loaded, longest partition load ${median(longest)} ms ` +
        `(runs: ${total.map((t) => Math.round(t)).join(', ')} ms)   target < 2000 ms`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await bench(1);
await bench(50);
