import type { Socket } from 'node:net';
import type { Clock } from '../../common/clock.ts';
import type { CoarseTimer, CoarseTimers } from '../../common/coarse-timers.ts';
import { Fifo } from '../../common/fifo.ts';
import { describeError, type Logger } from '../../common/logger.ts';
import { FrameSplitter } from '../../protocol/framing.ts';
import {
  CloseConnection,
  type ConnectionInfo,
  NO_RESPONSE,
  type ProcessOutcome,
  type RequestProcessor,
  type ResponseChunks,
} from './request-processor.ts';

/** Per-connection limits (Kafka property names in brackets). */
export interface ConnectionLimits {
  /** [socket.request.max.bytes] Largest request frame; a larger one closes the connection. */
  readonly maxRequestBytes: number;
  /** Requests dispatched and not yet answered before the connection stops reading. */
  readonly maxInFlightRequests: number;
  /** [connections.max.idle.ms] Close a connection with nothing in flight after this long without traffic. */
  readonly idleTimeoutMs: number;
}

export interface ConnectionDeps {
  readonly processor: RequestProcessor;
  readonly clock: Clock;
  readonly timers: CoarseTimers;
  readonly logger: Logger;
}

/** One request's place in the response order. */
class Slot {
  readonly produce: boolean;
  constructor(produce: boolean) {
    this.produce = produce;
  }
  done = false;
  response: Buffer | ResponseChunks | null = null;
  close: CloseConnection | null = null;
}

/** API key 0: Produce. A frame too short to tell is not one (it fails in the dispatcher). */
function isProduce(frame: Buffer): boolean {
  return frame.length >= 2 && frame[0] === 0 && frame[1] === 0;
}

/** Frames read ahead while earlier requests run; past this the socket is paused. */
const DEFERRED_HIGH_WATER = 64;

const OPEN = 0;
/** No more reading or dispatching; answer what was dispatched (up to a close marker), then end. */
const CLOSING = 1;
const CLOSED = 2;
type State = typeof OPEN | typeof CLOSING | typeof CLOSED;

/**
 * One client socket: frames in, responses out, in request order.
 *
 *            socket 'data' ──▶ FrameSplitter ──▶ frame
 *                                                 │ over a limit? ──▶ deferred (FIFO of frames; socket paused)
 *                                                 ▼
 *     slots:  [ s0 done | s1 pending | s2 done | s3 pending ]  ◀── process(frame) → outcome (now or later)
 *               ▲ head: written when done, then s1 once it is, ...
 *
 * Every dispatched request takes a slot at the tail. Handlers settle slots in any order; flush()
 * writes from the head while the head is done, so responses leave strictly in request order. A
 * response is one Buffer or, for Fetch, a list of chunks (record sets uncopied) written
 * back to back under one cork, so a frame's chunks are never split by another frame. A
 * slot settled with NO_RESPONSE (Produce acks=0) is released in its turn without writing. A slot
 * settled with CloseConnection closes the connection when it reaches the head: the responses
 * before it are written, the ones after it dropped.
 *
 * Order of effects: as in Kafka, a request starts only after every earlier request on the
 * connection has finished, so it sees their effects (a ListOffsets after a Produce sees the new
 * log end; an OffsetFetch after an OffsetCommit sees the commit). The one exception is a run of
 * Produce requests: they may overlap, because their appends are ordered by each partition's log
 * anyway — that is what keeps a pipelining producer fast.
 *
 * Backpressure: a frame is dispatched only while fewer than maxInFlightRequests slots exist and
 * the socket does not need a drain (its writable buffer is below the high-water mark set by the
 * server). Otherwise frames already read wait in `deferred` and the socket is paused; they are
 * dispatched, oldest first, as slots free up and the socket drains, and then reading resumes.
 *
 * States: OPEN → CLOSING (protocol violation, oversized frame, server shutdown) → CLOSED (socket
 * 'close'); OPEN → CLOSED directly on socket errors, idle timeout and destroy(). A peer that
 * half-closes (allowHalfOpen) stays OPEN until everything it sent is answered, then the socket
 * ends. Once CLOSED, late outcomes are ignored.
 *
 * Idle: a coarse timer checks every connections.max.idle.ms; a connection with no slots and no
 * traffic (bytes read, responses written, drains) for that long is closed.
 */
export class Connection implements ConnectionInfo {
  readonly id: number;
  readonly listenerName: string;
  readonly clientHost: string;
  readonly clientPort: number;
  /** Resolves when the socket has closed. */
  readonly closed: Promise<void>;

  private readonly socket: Socket;
  private readonly limits: ConnectionLimits;
  private readonly deps: ConnectionDeps;
  private readonly splitter: FrameSplitter;
  private readonly slots = new Fifo<Slot>();
  private readonly deferred = new Fifo<Buffer>();
  /** Dispatched requests not finished yet, and how many of them are not Produce. */
  private running = 0;
  private runningNonProduce = 0;
  private state: State = OPEN;
  private readPaused = false;
  private pumping = false;
  private peerEnded = false;
  private ending = false;
  private lastActivity: number;
  private idleTimer: CoarseTimer | null = null;
  private reason: string | null = null;
  private resolveClosed!: () => void;

  constructor(socket: Socket, id: number, listenerName: string, limits: ConnectionLimits, deps: ConnectionDeps) {
    this.socket = socket;
    this.id = id;
    this.listenerName = listenerName;
    this.clientHost = socket.remoteAddress ?? 'unknown';
    this.clientPort = socket.remotePort ?? 0;
    this.limits = limits;
    this.deps = deps;
    this.lastActivity = deps.clock.monotonic();
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.splitter = new FrameSplitter(limits.maxRequestBytes, (frame) => this.onFrame(frame));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('end', () => this.onEnd());
    socket.on('error', (e) => this.onError(e));
    socket.on('close', () => this.onClose());
    this.scheduleIdleCheck(limits.idleTimeoutMs);
  }

  get isClosed(): boolean {
    return this.state === CLOSED;
  }

  /** Requests dispatched and not yet written (or released). */
  get inFlight(): number {
    return this.slots.length;
  }

  /** Frames read but waiting for room to be dispatched. */
  get queuedFrames(): number {
    return this.deferred.length;
  }

  /** True while the socket is paused for backpressure or closing. */
  get isReadPaused(): boolean {
    return this.readPaused;
  }

  /** Why the connection is closing or closed, if it was the server's decision. */
  get closeReason(): string | null {
    return this.reason;
  }

  /** `connection 7 from 127.0.0.1:53412` */
  toString(): string {
    return `connection ${this.id} from ${this.clientHost}:${this.clientPort}`;
  }

  /** Stops reading; answers what was dispatched, then closes. For graceful shutdown. */
  shutdown(reason = 'server shutting down'): void {
    this.beginClosing(reason);
  }

  /** Closes the socket now, dropping anything not yet written. */
  destroy(reason: string): void {
    if (this.state === CLOSED) return;
    this.reason ??= reason;
    this.socket.destroy();
    this.onClose();
  }

  /** The idle timer's callback. */
  checkIdle(): void {
    this.idleTimer = null;
    if (this.state === CLOSED) return;
    const idleMs = this.limits.idleTimeoutMs;
    const quietFor = this.deps.clock.monotonic() - this.lastActivity;
    if (this.slots.length === 0 && quietFor >= idleMs) {
      this.deps.logger.info(
        `closing ${this}: idle for ${Math.round(quietFor)} ms (connections.max.idle.ms = ${idleMs})`,
      );
      this.destroy('idle');
      return;
    }
    this.scheduleIdleCheck(this.slots.length === 0 ? idleMs - quietFor : idleMs);
  }

  private scheduleIdleCheck(ms: number): void {
    if (this.limits.idleTimeoutMs > 0) this.idleTimer = this.deps.timers.schedule(ms, checkIdle, this);
  }

  private onData(chunk: Buffer): void {
    if (this.state !== OPEN) return;
    this.lastActivity = this.deps.clock.monotonic();
    // Corked for the whole chunk: the answers of its synchronously handled requests leave in one
    // write instead of one syscall each.
    this.socket.cork();
    let ok: boolean;
    try {
      ok = this.splitter.push(chunk);
    } finally {
      this.socket.uncork();
    }
    if (!ok) {
      const why = this.splitter.error?.message ?? 'bad frame';
      this.deps.logger.warn(`closing ${this}: ${why} (socket.request.max.bytes = ${this.limits.maxRequestBytes})`);
      this.beginClosing(why);
    }
  }

  private onFrame(frame: Buffer): void {
    if (this.state !== OPEN) return;
    if (this.deferred.length > 0 || this.overLimit() || this.mustWait(frame)) {
      this.deferred.push(frame);
      if (this.deferred.length >= DEFERRED_HIGH_WATER || this.overLimit()) this.pauseReading();
      return;
    }
    this.dispatch(frame);
  }

  /** True while an earlier request is still running whose effects this one could miss. */
  private mustWait(frame: Buffer): boolean {
    if (this.running === 0) return false;
    return !(isProduce(frame) && this.runningNonProduce === 0);
  }

  private overLimit(): boolean {
    return this.slots.length >= this.limits.maxInFlightRequests || this.socket.writableNeedDrain;
  }

  private dispatch(frame: Buffer): void {
    const slot = new Slot(isProduce(frame));
    this.slots.push(slot);
    this.running++;
    if (!slot.produce) this.runningNonProduce++;
    let outcome: ProcessOutcome | Promise<ProcessOutcome>;
    try {
      outcome = this.deps.processor.process(frame, this);
    } catch (e) {
      this.deps.logger.error(`request processing threw on ${this}: ${describeError(e)}`);
      outcome = new CloseConnection('request processing failed');
    }
    if (outcome instanceof Promise) {
      outcome.then(
        (o) => this.settle(slot, o),
        (e) => {
          this.deps.logger.error(`request processing rejected on ${this}: ${describeError(e)}`);
          this.settle(slot, new CloseConnection('request processing failed'));
        },
      );
    } else {
      this.settle(slot, outcome);
    }
    if (this.state === OPEN && this.overLimit()) this.pauseReading();
  }

  private settle(slot: Slot, outcome: ProcessOutcome): void {
    if (this.state === CLOSED) return;
    slot.done = true;
    this.running--;
    if (!slot.produce) this.runningNonProduce--;
    if (outcome instanceof CloseConnection) {
      slot.close = outcome;
      // Stop taking requests now; the responses before this one still go out.
      this.beginClosing(outcome.reason);
    } else if (outcome !== NO_RESPONSE) {
      slot.response = outcome;
    }
    if (slot === this.slots.peek()) this.flush();
    else this.pump();
  }

  /** Writes done slots from the head, in order. */
  private flush(): void {
    const socket = this.socket;
    let wrote = false;
    for (let head = this.slots.peek(); head?.done; head = this.slots.peek()) {
      this.slots.shift();
      if (head.close !== null) {
        this.slots.clear(); // later requests are dropped with the connection
        break;
      }
      if (head.response !== null && !socket.destroyed) {
        if (!wrote) socket.cork();
        wrote = true;
        const response = head.response;
        // A chunked frame (Fetch) is several writes under the same cork: one writev, in order,
        // and the socket's buffered byte count (backpressure) covers every chunk.
        if (Array.isArray(response)) for (const chunk of response) socket.write(chunk);
        else socket.write(response as Buffer);
      }
    }
    if (wrote) {
      socket.uncork();
      this.lastActivity = this.deps.clock.monotonic();
    }
    this.pump();
  }

  /** Dispatches deferred frames while there is room; resumes reading when all are dispatched. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (
        this.state === OPEN &&
        this.deferred.length > 0 &&
        !this.overLimit() &&
        !this.mustWait(this.deferred.peek()!)
      ) {
        this.dispatch(this.deferred.shift()!);
      }
    } finally {
      this.pumping = false;
    }
    if (this.state === OPEN && this.readPaused && this.deferred.length < DEFERRED_HIGH_WATER && !this.overLimit()) {
      this.readPaused = false;
      this.socket.resume();
    }
    this.maybeEnd();
  }

  private pauseReading(): void {
    if (this.readPaused) return;
    this.readPaused = true;
    this.socket.pause();
  }

  private onDrain(): void {
    this.lastActivity = this.deps.clock.monotonic();
    this.pump();
  }

  private beginClosing(reason: string): void {
    if (this.state !== OPEN) return;
    this.state = CLOSING;
    this.reason ??= reason;
    this.deferred.clear();
    this.pauseReading();
    this.maybeEnd();
  }

  /** Ends the socket once there is nothing left to answer. */
  private maybeEnd(): void {
    if (this.ending || this.state === CLOSED || this.slots.length > 0) return;
    if (this.state === CLOSING || (this.peerEnded && this.deferred.length === 0)) {
      this.ending = true;
      // end() flushes what was written, then the callback releases the socket; a peer that
      // never reads is cut off by the idle timer.
      this.socket.end(() => this.socket.destroy());
    }
  }

  private onEnd(): void {
    // The client half-closed (allowHalfOpen): answer everything it sent, then close.
    this.peerEnded = true;
    this.maybeEnd();
  }

  private onError(e: Error): void {
    const code = (e as NodeJS.ErrnoException).code;
    this.deps.logger.debug(`${this}: socket error ${code ?? describeError(e)}`);
  }

  private onClose(): void {
    if (this.state === CLOSED) return;
    this.state = CLOSED;
    this.idleTimer?.cancel();
    this.idleTimer = null;
    this.slots.clear();
    this.deferred.clear();
    this.resolveClosed();
  }
}

function checkIdle(c: Connection): void {
  c.checkIdle();
}
