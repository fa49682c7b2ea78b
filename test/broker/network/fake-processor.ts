import type { ConnectionLimits } from '../../../src/broker/network/connection.ts';
import type {
  ConnectionInfo,
  ProcessOutcome,
  RequestProcessor,
} from '../../../src/broker/network/request-processor.ts';
import { NetworkServer } from '../../../src/broker/network/server.ts';
import { ManualClock } from '../../../src/common/clock.ts';
import { CoarseTimers } from '../../../src/common/coarse-timers.ts';
import { MemoryLogger } from '../../../src/common/logger.ts';
import { deferred } from '../helpers.ts';

/** A request frame for the fake processor: `[size][int32 id]`. */
export function frameOf(id: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeInt32BE(4, 0);
  b.writeInt32BE(id, 4);
  return b;
}

/** Response frames carry the request id back: `[size][int32 id]`. */
export const reply = frameOf;

export const idOf = (frame: Buffer): number => frame.readInt32BE(0);

type Behaviour = (id: number) => ProcessOutcome | 'hold';

/**
 * A RequestProcessor for connection tests: each frame is `[int32 id]`; `behaviour` decides the
 * outcome, or 'hold' parks it until the test calls release(id).
 */
export class FakeProcessor implements RequestProcessor {
  readonly seen: number[] = [];
  /** Most requests held (dispatched and unanswered) at the same time. */
  maxConcurrent = 0;
  private readonly held = new Map<number, (o: ProcessOutcome) => void>();
  private readonly waiters: { n: number; resolve: () => void }[] = [];
  behaviour: Behaviour;

  constructor(behaviour: Behaviour = (id) => reply(id)) {
    this.behaviour = behaviour;
  }

  process(frame: Buffer, _c: ConnectionInfo): ProcessOutcome | Promise<ProcessOutcome> {
    const id = idOf(frame);
    this.seen.push(id);
    const out = this.behaviour(id);
    let result: ProcessOutcome | Promise<ProcessOutcome>;
    if (out === 'hold') {
      const d = deferred<ProcessOutcome>();
      this.held.set(id, d.resolve);
      this.maxConcurrent = Math.max(this.maxConcurrent, this.held.size);
      result = d.promise;
    } else {
      result = out;
    }
    for (const w of this.waiters.filter((w) => this.seen.length >= w.n)) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve();
    }
    return result;
  }

  get holding(): number {
    return this.held.size;
  }

  /** Answers a held request (with its reply frame unless told otherwise). */
  release(id: number, outcome: ProcessOutcome = reply(id)): void {
    const r = this.held.get(id);
    if (r === undefined) throw new Error(`request ${id} is not held`);
    this.held.delete(id);
    r(outcome);
  }

  /** Resolves once `n` requests have been processed in total. */
  calls(n: number): Promise<void> {
    if (this.seen.length >= n) return Promise.resolve();
    const d = deferred();
    this.waiters.push({ n, resolve: d.resolve });
    return d.promise;
  }
}

/** A NetworkServer on 127.0.0.1:0 with a ManualClock and a MemoryLogger. */
export async function startServer(
  processor: RequestProcessor,
  limits: Partial<ConnectionLimits> = {},
  sendBufferBytes?: number,
) {
  const clock = new ManualClock();
  const logger = new MemoryLogger();
  const timers = new CoarseTimers(clock, { logger });
  const server = new NetworkServer({
    listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }],
    processor,
    clock,
    timers,
    logger,
    limits: { maxRequestBytes: 1 << 20, maxInFlightRequests: 1000, idleTimeoutMs: 60_000, ...limits },
    ...(sendBufferBytes !== undefined ? { sendBufferBytes } : {}),
  });
  const [bound] = await server.start();
  const only = () => {
    const all = [...server.connections];
    if (all.length !== 1) throw new Error(`expected one connection, have ${all.length}`);
    return all[0]!;
  };
  return { server, clock, logger, timers, port: bound!.port, connection: only };
}
