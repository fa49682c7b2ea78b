/**
 * A connection flood against a live broker (issue "Bad input"): 1,000 sockets opened at once,
 * each asking ApiVersions. Every one must be answered, correctly; then they all close, and the
 * broker must let go of every one of its sockets (no file descriptor leak) while a canary on
 * another connection is served throughout.
 *
 * The broker runs in this process, so the process holds both ends of every connection: it needs
 * room for 2 × 1,000 descriptors. Node raises its soft limit to the hard limit at start; the test
 * fails (saying so) if the hard limit is too low.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { FrameSplitter } from '../../src/protocol/framing.ts';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';
import { decodeResponseFrame, encodeRequestFrame } from '../../src/protocol/request.ts';
import { servedVersions } from './live-broker-frames.ts';
import {
  Canary,
  eventually,
  fileLimits,
  type LiveBroker,
  logProblems,
  openFds,
  socketFds,
  startLiveBroker,
} from './live-broker-harness.ts';

const SOCKETS = 1000;
/** Per socket, from connect() to its answer: generous, since SYNs beyond the listen backlog are retried after 1 s. */
const ANSWER_WITHIN_MS = 15_000;

/** How long the broker may take to close its end after the client closed its own. */
const CLOSE_WITHIN_MS = 5_000;

/** Resolves true when the socket closes, false if it is still open after `ms` (whatever errors it sees). */
function closesWithin(socket: Socket, ms: number): Promise<boolean> {
  if (socket.closed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Whether `condition()` holds within `ms`; see eventually(). */
function holdsWithin(condition: () => boolean, ms: number): Promise<boolean> {
  return eventually(condition, ms, () => '').then(
    () => true,
    () => false,
  );
}

interface Flooder {
  socket: Socket;
  ms: number;
}

/** Connects, asks ApiVersions v3 with correlation id `id`, checks the answer; leaves the socket open. */
function askApiVersions(port: number, id: number, served: [number, number, number][]): Promise<Flooder> {
  const started = performance.now();
  const socket = connect({ port, host: '127.0.0.1', noDelay: true });
  return new Promise<Flooder>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`socket ${id}: no answer within ${ANSWER_WITHIN_MS} ms`)),
      ANSWER_WITHIN_MS,
    );
    const fail = (e: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    };
    const splitter = new FrameSplitter(1 << 20, (frame) => {
      clearTimeout(timer);
      try {
        const res = decodeResponseFrame(ApiKey.ApiVersions, 3, frame);
        assert.equal(res.correlationId, id);
        assert.equal(res.body.errorCode, 0);
        assert.deepEqual(
          res.body.apiKeys.map((k) => [k.apiKey, k.minVersion, k.maxVersion]),
          [...served].sort((a, b) => a[0] - b[0]),
        );
      } catch (e) {
        fail(new Error(`socket ${id}: bad ApiVersions answer: ${(e as Error).message}`));
        return;
      }
      resolve({ socket, ms: performance.now() - started });
    });
    socket.on('data', (chunk: Buffer) => {
      if (!splitter.push(chunk)) fail(new Error(`socket ${id}: malformed frame: ${splitter.error?.message}`));
    });
    socket.on('error', (e) => fail(new Error(`socket ${id}: ${e.message}`)));
    socket.on('close', () => fail(new Error(`socket ${id}: closed by the broker before it answered`)));
    socket.once('connect', () => {
      socket.write(
        encodeRequestFrame(
          { apiKey: ApiKey.ApiVersions, correlationId: id, clientId: `flood-${id}` },
          { clientSoftwareName: 'samsa-flood', clientSoftwareVersion: '1' },
          3,
        ),
      );
    });
  });
}

describe('fuzz: a connection flood on a live broker', { timeout: 120_000 }, () => {
  it(`answers ${SOCKETS} connections opened at once, then releases every one (and ${SOCKETS} that hang up), serving a canary throughout`, async (t) => {
    const { hard } = fileLimits();
    const need = openFds() + 2 * SOCKETS + 200;
    assert.ok(
      hard >= need,
      `this test needs ${need} open files (both ends of ${SOCKETS} connections) but the hard limit is ${hard}: ` +
        `raise it (ulimit -Hn ${need}) for the test run`,
    );
    const lb: LiveBroker = await startLiveBroker();
    const flooders: Flooder[] = [];
    try {
      const canary = new Canary(lb.port, 'canary', 20);
      await canary.start();
      await canary.roundsFromNow(1);
      const socketsBefore = socketFds();
      const served = servedVersions();

      const started = performance.now();
      const settled = await Promise.allSettled(
        Array.from({ length: SOCKETS }, (_, i) => askApiVersions(lb.port, i + 1, served)),
      );
      const answeredIn = Math.round(performance.now() - started);
      for (const s of settled) if (s.status === 'fulfilled') flooders.push(s.value);
      const failed = settled.flatMap((s) => (s.status === 'rejected' ? [(s.reason as Error).message] : []));
      const peak = socketFds();
      const latencies = flooders.map((f) => f.ms).sort((a, b) => a - b);
      const pct = (p: number) =>
        Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? -1);
      await canary.roundsFromNow(2);

      // All close; the broker must close its end of each, and release it.
      const closeStarted = performance.now();
      const closedByBroker = await Promise.all(
        flooders.map((f) => {
          f.socket.end();
          return closesWithin(f.socket, CLOSE_WITHIN_MS);
        }),
      );
      const released = await holdsWithin(() => socketFds() <= socketsBefore, CLOSE_WITHIN_MS);
      const afterFlood = socketFds();
      const releasedIn = Math.round(performance.now() - closeStarted);
      await canary.roundsFromNow(2);

      // Then as many that hang up at once: a third with a reset, a third after half a request,
      // a third after a whole request they do not wait for.
      const request = encodeRequestFrame(
        { apiKey: ApiKey.Metadata, correlationId: 1, clientId: 'flood' },
        { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false },
        12,
      );
      const hungUp = await Promise.all(
        Array.from({ length: SOCKETS }, async (_, i) => {
          const socket = connect({ port: lb.port, host: '127.0.0.1' });
          // A reset is fine here (some of these overflow the listen backlog); only 'close' matters.
          socket.on('error', () => {});
          socket.resume(); // read, or the broker's FIN is never seen
          const closed = closesWithin(socket, CLOSE_WITHIN_MS + ANSWER_WITHIN_MS);
          await Promise.race([closed, once(socket, 'connect').catch(() => {})]);
          if (!socket.destroyed) {
            if (i % 3 === 0) socket.resetAndDestroy();
            else socket.end(i % 3 === 1 ? request.subarray(0, request.length >> 1) : request);
          }
          return closed;
        }),
      );
      const releasedAgain = await holdsWithin(() => socketFds() <= socketsBefore, CLOSE_WITHIN_MS);
      const afterHangUps = socketFds();
      await canary.roundsFromNow(2);
      const report = await canary.stop();
      t.diagnostic(
        `${flooders.length}/${SOCKETS} answered within ${answeredIn} ms (p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, ` +
          `max ${pct(1)} ms); socket descriptors ${socketsBefore} → ${peak} → ${afterFlood} (released in ${releasedIn} ms) ` +
          `→ ${afterHangUps} after ${SOCKETS} hang-ups; canary ${report.rounds} rounds, slowest ${report.maxLatencyMs} ms (${report.slowest})`,
      );

      assert.deepEqual(failed.slice(0, 10), [], 'every flooding socket gets its answer');
      assert.ok(
        peak - socketsBefore >= 2 * SOCKETS,
        `all ${SOCKETS} connections were open at once (${peak - socketsBefore} descriptors)`,
      );
      const lingering = closedByBroker.filter((c) => !c).length;
      assert.equal(
        lingering,
        0,
        `the broker closes its end within ${CLOSE_WITHIN_MS} ms of the client's (${lingering} did not)`,
      );
      assert.ok(
        released,
        `no descriptor leak: ${afterFlood - socketsBefore} sockets still open after the flood closed`,
      );
      const stuck = hungUp.filter((c) => !c).length;
      assert.equal(stuck, 0, `every client that hung up is closed (${stuck} were not)`);
      assert.ok(
        releasedAgain,
        `no descriptor leak: ${afterHangUps - socketsBefore} sockets still open after ${SOCKETS} clients hung up`,
      );
      assert.deepEqual(report.failures.slice(0, 10), [], 'every canary request answered correctly and in time');
      assert.ok(report.rounds >= 5, `the canary ran throughout (${report.rounds} rounds)`);
      // Still up: a new connection is served.
      const again = await askApiVersions(lb.port, 424242, served);
      again.socket.destroy();
      assert.deepEqual(logProblems(lb.logger.lines), [], "the broker's log is valid");
    } finally {
      for (const f of flooders) f.socket.destroy();
      await lb.close();
      await lb.dir.remove();
    }
  });
});
