/**
 * The fuzz harness pointed at a live broker over TCP (issue "Bad input"): 100,000 frames —
 * random bytes, mutated requests of every API version the broker serves, truncated frames, size
 * prefixes that lie (negative, above socket.request.max.bytes, off by a few, promising bytes that
 * never come) — over several connections at once, a closed connection replaced by a new one.
 *
 * Throughout, a canary connection produces and fetches; every answer must be right and come within
 * ANSWER_DEADLINE_MS. Afterwards: a new connection is served, the canary's records read back
 * intact and in order, every batch of every partition checks out (CRC, structure, contiguous
 * offsets), the broker's log lines are valid (logProblems), and after a restart on the same log
 * dir every partition holds exactly what it held before.
 *
 * SAMSA_FUZZ_SEED and SAMSA_FUZZ_FRAMES override the seed and the number of frames. A failure
 * names the frames involved (number and hex); frame #i is rebuilt from the seed and i alone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecodeError } from '../../src/protocol/decode-error.ts';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';
import { decodeRequestFrame } from '../../src/protocol/request.ts';
import { buildLiveCorpus, describeFrame, drive, FrameSource, servedVersions } from './live-broker-frames.ts';
import {
  Canary,
  createTopic,
  type LiveBroker,
  logProblems,
  readPartition,
  snapshotAllPartitions,
  startLiveBroker,
  WireClient,
} from './live-broker-harness.ts';

const SEED = Number(process.env['SAMSA_FUZZ_SEED'] ?? 20261127);
const FRAMES = Number(process.env['SAMSA_FUZZ_FRAMES'] ?? 100_000);
const MAX_REQUEST_BYTES = 104_857_600; // Kafka's default socket.request.max.bytes
const CANARY_INTERVAL_MS = 20;

/**
 * The frames behind invalid log lines, in hex: those an ERROR line names (by correlation id, which
 * is the frame number), and, when a line shows a decoder failing with something other than a
 * DecodeError, the first frames of served API versions that fail that way when decoded here.
 */
function framesNamedIn(lines: readonly string[], source: FrameSource): string {
  const ids = new Set<number>();
  for (const l of lines) for (const m of l.matchAll(/correlation id (\d+)/g)) ids.add(Number(m[1]));
  if (lines.some((l) => /does not decode: (?![A-Z_]+: )/.test(l))) {
    const served = servedVersions();
    for (let i = 0; i < FRAMES && ids.size < 10; i++) {
      const f = source.frame(i);
      if (f.envelope !== 'exact' || f.bytes.length < 12) continue;
      const key = f.bytes.readInt16BE(4);
      const version = f.bytes.readInt16BE(6);
      if (!served.some(([k, min, max]) => k === key && version >= min && version <= max)) continue;
      try {
        decodeRequestFrame(f.bytes.subarray(4));
      } catch (e) {
        if (!(e instanceof DecodeError)) ids.add(i);
      }
    }
  }
  return [...ids]
    .slice(0, 10)
    .map((i) => `\n  ${describeFrame(source.frame(i), SEED)}`)
    .join('');
}

describe('fuzz: a live broker over TCP', { timeout: 240_000 }, () => {
  it(`stays up and serves a canary through ${FRAMES} random, mutated, truncated and lying frames`, async (t) => {
    const first: LiveBroker = await startLiveBroker({ 'socket.request.max.bytes': MAX_REQUEST_BYTES });
    let second: LiveBroker | null = null;
    try {
      const setup = await WireClient.connect(first.port);
      const targetId = await createTopic(setup, 'fuzz-target');
      setup.close();
      const corpus = buildLiveCorpus(SEED, 'fuzz-target', targetId);
      const source = new FrameSource(SEED, corpus, MAX_REQUEST_BYTES);

      const canary = new Canary(first.port, 'canary', CANARY_INTERVAL_MS);
      await canary.start();
      const stats = await drive({
        port: first.port,
        source,
        frames: FRAMES,
        concurrency: 8,
        burstMax: 8,
        stallMs: 3000,
        seed: SEED,
      });
      const report = await canary.stop();
      t.diagnostic(
        `${stats.delivered} frames delivered in ${stats.ms} ms over ${stats.connections} connections ` +
          `(${stats.framesWritten} written, ${stats.bytesWritten} bytes, ${stats.responses} answers, ` +
          `${stats.stalled.length} held past 3 s); size prefixes ${JSON.stringify(stats.envelopes)}`,
      );
      t.diagnostic(
        `canary: ${report.rounds} rounds, ${report.requests} requests, slowest answer ${report.maxLatencyMs} ms (${report.slowest})`,
      );

      assert.equal(stats.delivered, FRAMES, 'every frame reached the broker');
      assert.deepEqual(stats.violations.slice(0, 10), [], 'answers on fuzzed connections are well-formed and in order');
      assert.deepEqual(report.failures.slice(0, 10), [], 'every canary request answered correctly and in time');
      assert.ok(report.rounds >= 20, `the canary ran throughout (${report.rounds} rounds)`);
      assert.ok(
        stats.stalled.length <= FRAMES / 1000,
        `few connections held by the broker past 3 s (${stats.stalled.length}; first: ${JSON.stringify(stats.stalled.slice(0, 3))})`,
      );
      const servedCount = servedVersions().reduce((n, [, min, max]) => n + max - min + 1, 0);
      assert.equal(stats.seeds.size, servedCount, 'requests of every served API version were fuzzed');
      for (const kind of ['exact', 'negative', 'huge', 'over', 'under', 'cut', 'pending'] as const) {
        assert.ok(stats.envelopes[kind] > 0, `some frames had size prefix '${kind}'`);
      }

      // Still up: a new connection is served.
      const after = await WireClient.connect(first.port);
      const versions = await after.send(ApiKey.ApiVersions, 3, {
        clientSoftwareName: 'samsa-fuzz',
        clientSoftwareVersion: '1',
      });
      assert.equal(versions.errorCode, 0);
      // The canary's log: every acknowledged record, in order, nothing else.
      const canaryLog = await readPartition(after, 'canary', 0);
      after.close();
      assert.equal(canaryLog.records.length, report.acknowledged.length);
      assert.deepEqual(canaryLog.records, report.acknowledged, 'the canary reads back intact and in order');

      // Every partition (the fuzz auto-created many) checks out, and survives a restart unchanged.
      const before = await snapshotAllPartitions(first.port);
      t.diagnostic(`${before.size} partitions after the fuzz`);
      assert.ok(before.has('canary-0') && before.has('fuzz-target-0'));
      await first.close();
      second = await startLiveBroker({ 'socket.request.max.bytes': MAX_REQUEST_BYTES }, first.dir);
      const reopened = await snapshotAllPartitions(second.port);
      assert.deepEqual(Object.fromEntries(reopened), Object.fromEntries(before), 'the same data after a restart');
      const recoveryLines = second.logger.matching(/^(WARN|ERROR) /);
      assert.deepEqual(recoveryLines, [], 'a clean restart: nothing to recover, truncate or rebuild');
      assert.deepEqual(logProblems(second.logger.lines), []);

      // Last, so that everything above is checked whatever the log says.
      const problems = logProblems(first.logger.lines);
      assert.deepEqual(
        problems,
        [],
        `the broker's log has invalid lines; frames named in them:${framesNamedIn(problems, source)}`,
      );
      assert.ok(
        first.logger.matching(/^WARN closing connection \d+ .*does not decode/).length > 0,
        'undecodable requests are logged (WARN) and their connections closed',
      );
    } finally {
      await second?.close();
      await first.close();
      await first.dir.remove();
    }
  });
});
