import type { Clock, Timer } from './clock.ts';
import { describeError, type Logger } from './logger.ts';

/** A timer from CoarseTimers. */
export interface CoarseTimer {
  /** Stops the timer if it has not fired; harmless afterwards. */
  cancel(): void;
  /** True until it fires or is cancelled. */
  readonly active: boolean;
}

/** setTimeout's largest delay (about 24.8 days). */
const MAX_DELAY_MS = 2 ** 31 - 1;

class Entry implements CoarseTimer {
  owner: CoarseTimers | null;
  readonly tick: number;
  readonly fn: (arg: unknown) => void;
  readonly arg: unknown;

  constructor(owner: CoarseTimers, tick: number, fn: (arg: unknown) => void, arg: unknown) {
    this.owner = owner;
    this.tick = tick;
    this.fn = fn;
    this.arg = arg;
  }

  get active(): boolean {
    return this.owner !== null;
  }

  cancel(): void {
    const owner = this.owner;
    if (owner === null) return;
    this.owner = null;
    owner.remove(this);
  }
}

/**
 * Many cheap timers on one Clock timer, for things that are numerous and need no precision:
 * parked fetches and produces in purgatory, idle connections.
 *
 * Time is cut into ticks of `tickMs`. A timer due at time d goes into the bucket of tick
 * `floor(d / tickMs) + 1`, so it fires after d, at most one tick late, and never early. Buckets
 * are Sets keyed by tick (cancel is O(1)); a min-heap holds the ticks that have buckets. Only the
 * earliest bucket has a Clock timer, so ten thousand parked fetches with the same timeout cost
 * one setTimeout per tick that has work, not ten thousand.
 *
 * Lifecycle: schedule() and cancel() at any time, also from a firing callback (a timer scheduled
 * from a callback always lands in a later tick, so a sweep ends). close() cancels everything and
 * refuses new timers. Callbacks must not throw; one that does is logged and the sweep goes on.
 */
export class CoarseTimers {
  readonly tickMs: number;
  private readonly clock: Clock;
  private readonly logger: Logger | null;
  private readonly buckets = new Map<number, Set<Entry>>();
  /** Ticks that have (or had: entries may all be cancelled since) a bucket; a binary min-heap. */
  private readonly heap: number[] = [];
  private armedTick = -1;
  private armed: Timer | null = null;
  private count = 0;
  private closed = false;

  constructor(clock: Clock, options: { tickMs?: number; logger?: Logger } = {}) {
    this.clock = clock;
    this.tickMs = options.tickMs ?? 10;
    this.logger = options.logger ?? null;
    if (!(this.tickMs > 0)) throw new RangeError(`tickMs must be positive, got ${this.tickMs}`);
  }

  /** Number of timers waiting. */
  get size(): number {
    return this.count;
  }

  /** Calls `fn(arg)` once, `delayMs` or up to one tick later. Passing `arg` avoids a closure per timer. */
  schedule<A>(delayMs: number, fn: (arg: A) => void, arg: A): CoarseTimer {
    if (this.closed) throw new Error('CoarseTimers is closed');
    // Negative and NaN delays fire on the next tick; huge ones are capped like setTimeout's.
    const due = this.clock.monotonic() + (delayMs >= 0 ? Math.min(delayMs, MAX_DELAY_MS) : 0);
    const tick = Math.floor(due / this.tickMs) + 1;
    let bucket = this.buckets.get(tick);
    if (bucket === undefined) {
      bucket = new Set();
      this.buckets.set(tick, bucket);
      heapPush(this.heap, tick);
    }
    const entry = new Entry(this, tick, fn as (arg: unknown) => void, arg);
    bucket.add(entry);
    this.count++;
    if (this.armedTick === -1 || tick < this.armedTick) this.arm(tick);
    return entry;
  }

  /** Cancels every timer and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const bucket of this.buckets.values()) for (const e of bucket) e.owner = null;
    this.buckets.clear();
    this.heap.length = 0;
    this.count = 0;
    this.disarm();
  }

  /** Called by Entry.cancel(). */
  remove(entry: Entry): void {
    const bucket = this.buckets.get(entry.tick);
    if (bucket === undefined || !bucket.delete(entry)) return;
    this.count--;
    // The heap keeps the stale tick; arm() and fire() skip ticks without a bucket.
    if (bucket.size === 0) this.buckets.delete(entry.tick);
    if (this.count === 0) {
      // Every tick left in the heap is stale; dropping them keeps schedule-then-cancel workloads
      // (fetches answered before their timeout) from growing the heap.
      this.heap.length = 0;
      this.disarm();
    }
  }

  private arm(tick: number): void {
    this.disarm();
    this.armedTick = tick;
    this.armed = this.clock.schedule(tick * this.tickMs - this.clock.monotonic(), () => this.fire());
  }

  private disarm(): void {
    this.armed?.cancel();
    this.armed = null;
    this.armedTick = -1;
  }

  private fire(): void {
    this.armed = null;
    this.armedTick = -1;
    const nowTick = Math.floor(this.clock.monotonic() / this.tickMs);
    const heap = this.heap;
    while (heap.length > 0 && heap[0]! <= nowTick) {
      const tick = heapPop(heap);
      const bucket = this.buckets.get(tick);
      if (bucket === undefined) continue;
      // The bucket stays in the map during the sweep so a callback can cancel a later entry of it.
      for (const entry of bucket) {
        if (entry.owner === null) continue;
        entry.owner = null;
        this.count--;
        try {
          entry.fn(entry.arg);
        } catch (e) {
          this.logger?.error(`timer callback failed: ${describeError(e)}`);
        }
      }
      this.buckets.delete(tick);
    }
    if (this.closed) return;
    while (heap.length > 0 && !this.buckets.has(heap[0]!)) heapPop(heap);
    // Callbacks may have armed a later tick already; the earliest remaining bucket wins.
    if (heap.length > 0 && (this.armedTick === -1 || heap[0]! < this.armedTick)) this.arm(heap[0]!);
  }
}

function heapPush(h: number[], v: number): void {
  let i = h.length;
  h.push(v);
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (h[p]! <= v) break;
    h[i] = h[p]!;
    i = p;
  }
  h[i] = v;
}

function heapPop(h: number[]): number {
  const top = h[0]!;
  const last = h.pop()!;
  const n = h.length;
  if (n > 0) {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r]! < h[l]! ? r : l;
      if (h[c]! >= last) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
  return top;
}
