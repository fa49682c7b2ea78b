/**
 * Slow-loris clients against a live broker (issue "Bad input"): sockets that send a frame's size
 * prefix and then nothing, or one byte a second. The broker must keep serving a canary on another
 * connection, close every such socket once it has been quiet for connections.max.idle.ms, and not
 * reserve memory for bytes a client only claims it will send.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  Canary,
  type CanaryReport,
  type LiveBroker,
  logProblems,
  MiB,
  mib,
  startLiveBroker,
  vmStatus,
} from './live-broker-harness.ts';

const SOCKETS = 200;
const IDLE_MS = 2000;
/** What every slow socket claims its frame holds: within socket.request.max.bytes (100 MiB). */
const CLAIMED_BYTES = 50 * MiB;
const CANARY_INTERVAL_MS = 50;

interface Loris {
  readonly socket: Socket;
  /** performance.now() of the last byte written. */
  lastWrite: number;
  /** performance.now() when the broker closed it, or null. */
  closedAt: number | null;
  readonly closed: Promise<void>;
}

async function openLoris(port: number): Promise<Loris> {
  const socket = connect({ port, host: '127.0.0.1', noDelay: true });
  socket.on('error', () => {}); // a reset is one way for the broker to close it
  await once(socket, 'connect');
  const loris: Loris = {
    socket,
    lastWrite: 0,
    closedAt: null,
    closed: once(socket, 'close').then(() => {
      loris.closedAt = performance.now();
    }),
  };
  return loris;
}

/** Writes and resolves once the bytes are handed to the kernel. */
function write(l: Loris, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    l.socket.write(bytes, () => {
      l.lastWrite = performance.now();
      resolve();
    });
  });
}

/** The start of a Produce v9 request claiming `size` bytes: size prefix, API key, version, correlation id. */
function claimHeader(size: number, correlationId: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeInt32BE(size, 0);
  b.writeInt16BE(0, 4);
  b.writeInt16BE(9, 6);
  b.writeInt32BE(correlationId, 8);
  return b;
}

/** A full garbage collection, so that heap figures show what is retained rather than what is garbage. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function assertHealthyCanary(report: CanaryReport, minRounds: number): void {
  assert.deepEqual(report.failures.slice(0, 10), [], 'every canary request answered correctly and in time');
  assert.ok(report.rounds >= minRounds, `the canary ran throughout (${report.rounds} rounds)`);
}

describe('fuzz: slow-loris clients on a live broker', { timeout: 120_000 }, () => {
  // The memory tests first: the 200 sockets of the idle test would otherwise still be garbage
  // to collect, and freed while a memory test measures.
  it(`holds memory for what ${SOCKETS} partial frames sent, not for the ${mib(CLAIMED_BYTES)} each claims`, async (t) => {
    const lb: LiveBroker = await startLiveBroker({ 'connections.max.idle.ms': 60_000 });
    const lorises: Loris[] = [];
    try {
      const canary = new Canary(lb.port, 'canary', CANARY_INTERVAL_MS);
      await canary.start();
      await canary.roundsFromNow(2);
      for (let i = 0; i < SOCKETS; i++) lorises.push(await openLoris(lb.port));
      collectGarbage(); // what earlier tests left must not be freed between the two measurements
      const before = { ...process.memoryUsage(), vm: vmStatus() };
      // Each sends the size prefix and 1 KiB of the frame, then stalls.
      const sent = SOCKETS * (12 + 1024);
      await Promise.all(
        lorises.map((l, i) => write(l, Buffer.concat([claimHeader(CLAIMED_BYTES, i), Buffer.alloc(1024, 0x41)]))),
      );
      // The bytes are in the broker's receive queues before the canary's next requests; two rounds
      // answered means the broker has read them (one event loop runs both ends).
      await canary.roundsFromNow(2);
      collectGarbage();
      const after = { ...process.memoryUsage(), vm: vmStatus() };
      const report = await canary.stop();
      const grew = {
        arrayBuffers: after.arrayBuffers - before.arrayBuffers,
        external: after.external - before.external,
        rss: after.rss - before.rss,
        vmData: after.vm.data - before.vm.data,
      };
      t.diagnostic(
        `${SOCKETS} sockets each claiming ${mib(CLAIMED_BYTES)} and sending 1 KiB (${mib(sent)} in all): ` +
          `ArrayBuffer memory ${mib(before.arrayBuffers)} → ${mib(after.arrayBuffers)} (+${mib(grew.arrayBuffers)}), ` +
          `RSS ${mib(before.rss)} → ${mib(after.rss)} (+${mib(grew.rss)}), ` +
          `VmData ${mib(before.vm.data)} → ${mib(after.vm.data)} (+${mib(grew.vmData)})`,
      );
      assertHealthyCanary(report, 3);
      // Reading a frame in chunks may keep a chunk per socket (64 KiB) and some slack, never the claim.
      const bound = SOCKETS * 64 * 1024 + 16 * MiB;
      assert.ok(
        grew.arrayBuffers <= bound,
        `partial frames hold ${mib(grew.arrayBuffers)} of buffers for ${mib(sent)} received ` +
          `(at most ${mib(bound)} allowed; the claims add up to ${mib(SOCKETS * CLAIMED_BYTES)}): ` +
          'a size prefix must not make the broker allocate the whole frame before its bytes arrive',
      );
      assert.ok(grew.vmData <= bound, `VmData grew by ${mib(grew.vmData)} (at most ${mib(bound)} allowed)`);
    } finally {
      for (const l of lorises) l.socket.destroy();
      await lb.close();
      await lb.dir.remove();
    }
  });

  it('holds memory in proportion to what a partial frame sent when it comes one byte at a time', async (t) => {
    const lb: LiveBroker = await startLiveBroker({ 'connections.max.idle.ms': 60_000 });
    let loris: Loris | null = null;
    try {
      const canary = new Canary(lb.port, 'canary', CANARY_INTERVAL_MS);
      await canary.start();
      loris = await openLoris(lb.port);
      await write(loris, claimHeader(CLAIMED_BYTES, 1));
      await canary.roundsFromNow(1);
      collectGarbage();
      const before = process.memoryUsage();
      // One byte per write, and a turn of the event loop between writes, so the broker reads each
      // byte on its own — as it does from a client that sends one tiny segment at a time.
      const PIECES = 200_000;
      const oneByte = Buffer.from([0x41]);
      const started = performance.now();
      for (let i = 0; i < PIECES; i++) {
        loris.socket.write(oneByte);
        await new Promise((resolve) => setImmediate(resolve));
      }
      await canary.roundsFromNow(1);
      collectGarbage();
      const after = process.memoryUsage();
      const report = await canary.stop();
      const held = after.heapUsed - before.heapUsed + (after.external - before.external);
      t.diagnostic(
        `${PIECES} one-byte pieces of a frame claiming ${mib(CLAIMED_BYTES)}, sent in ${Math.round(performance.now() - started)} ms: ` +
          `heap ${mib(before.heapUsed)} → ${mib(after.heapUsed)}, external ${mib(before.external)} → ${mib(after.external)}, ` +
          `RSS ${mib(before.rss)} → ${mib(after.rss)}: ${Math.round(held / PIECES)} bytes held per byte received`,
      );
      assertHealthyCanary(report, 1);
      assert.equal(loris.closedAt, null, 'the slow socket is still open (it was never idle)');
      // A few bytes of bookkeeping per byte received would be tolerable; hundreds let one client
      // exhaust the heap long before socket.request.max.bytes is reached.
      const bound = 16 * PIECES + 8 * MiB;
      assert.ok(
        held <= bound,
        `a partial frame of ${PIECES} bytes received in one-byte pieces holds ${mib(held)} ` +
          `(${Math.round(held / PIECES)} bytes per byte; at most ${mib(bound)} allowed)`,
      );
    } finally {
      loris?.socket.destroy();
      await lb.close();
      await lb.dir.remove();
    }
  });

  it(`closes ${SOCKETS} sockets that stall inside a frame once they are idle for connections.max.idle.ms, serving a canary meanwhile`, async (t) => {
    const lb: LiveBroker = await startLiveBroker({ 'connections.max.idle.ms': IDLE_MS });
    const lorises: Loris[] = [];
    let trickle: NodeJS.Timeout | undefined;
    try {
      const canary = new Canary(lb.port, 'canary', CANARY_INTERVAL_MS);
      await canary.start();
      for (let i = 0; i < SOCKETS; i++) lorises.push(await openLoris(lb.port));
      const started = performance.now();
      // Half stall after the size prefix and the first header bytes; half go on with one byte a
      // second for 5 seconds (each byte is traffic, so those stay open until 2 s after their last).
      await Promise.all(lorises.map((l, i) => write(l, claimHeader(CLAIMED_BYTES, i))));
      const trickling = lorises.filter((_, i) => i % 2 === 1);
      let ticks = 0;
      const trickled = new Promise<void>((resolve) => {
        trickle = setInterval(() => {
          for (const l of trickling) if (l.closedAt === null) void write(l, Buffer.from([0xff]));
          if (++ticks === 5) {
            clearInterval(trickle);
            resolve();
          }
        }, 1000);
      });
      await trickled;
      // Every one must be closed by the broker: the longest wait is the tricklers' last byte + IDLE_MS.
      const deadline = IDLE_MS + 10_000;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(lorises.map((l) => l.closed)),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, deadline);
        }),
      ]);
      clearTimeout(timer);
      const report = await canary.stop();

      const open = lorises.filter((l) => l.closedAt === null).length;
      const early = lorises.filter((l) => l.closedAt !== null && l.closedAt < l.lastWrite + IDLE_MS - 50);
      const quietFor = lorises
        .filter((l) => l.closedAt !== null)
        .map((l) => Math.round(l.closedAt! - l.lastWrite))
        .sort((a, b) => a - b);
      t.diagnostic(
        `closed ${SOCKETS - open}/${SOCKETS} in ${Math.round(performance.now() - started)} ms; quiet time before the close: ` +
          `min ${quietFor[0]} ms, max ${quietFor[quietFor.length - 1]} ms; canary ${report.rounds} rounds, slowest ${report.maxLatencyMs} ms (${report.slowest})`,
      );
      assert.equal(open, 0, `every slow socket is closed by the broker within ${deadline} ms of its last byte`);
      assert.equal(early.length, 0, `none is closed before it has been quiet for ${IDLE_MS} ms`);
      assert.ok(
        quietFor[quietFor.length - 1]! <= IDLE_MS + 2000,
        `each is closed soon after ${IDLE_MS} ms of quiet (slowest ${quietFor[quietFor.length - 1]} ms)`,
      );
      assertHealthyCanary(report, 50);
      const idleLines = lb.logger.matching(/^INFO closing connection \d+ .*: idle for [\d.]+ ms/);
      assert.ok(idleLines.length >= SOCKETS, `each idle close is logged (${idleLines.length})`);
      assert.deepEqual(logProblems(lb.logger.lines), [], "the broker's log is valid");
    } finally {
      clearInterval(trickle);
      for (const l of lorises) l.socket.destroy();
      await lb.close();
      await lb.dir.remove();
    }
  });
});
