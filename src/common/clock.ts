/**
 * Time for everything in Samsa. Nothing reads `Date.now()` or calls `setTimeout` directly: it
 * asks a Clock, so purgatory, sessions, flush intervals and retention can be tested with a
 * ManualClock that only moves when the test says so.
 */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Wall-clock milliseconds since the epoch (timestamps, retention). */
  now(): number;
  /** Monotonic milliseconds (durations, timeouts); never goes backwards. */
  monotonic(): number;
  /** Calls `fn` once after `ms` milliseconds. */
  schedule(ms: number, fn: () => void): Timer;
}

/** The real clock. Timers are unref'd so they never keep a process alive on their own. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  monotonic(): number {
    return performance.now();
  }

  schedule(ms: number, fn: () => void): Timer {
    // A due time already passed (e.g. a coarse timer tick computed a moment late) is "now":
    // Node would run it too, but also print a TimeoutNegativeWarning on the process's stderr.
    const handle = setTimeout(fn, Math.max(0, ms));
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  }
}

export const systemClock: Clock = new SystemClock();

interface PendingTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock for tests: time stands still until `advance()`, which fires every timer that falls due,
 * in due-time order (ties in scheduling order), including timers scheduled by those timers.
 */
export class ManualClock implements Clock {
  private wall: number;
  private mono = 0;
  private seq = 0;
  private timers: PendingTimer[] = [];

  constructor(startWallMs = 1_700_000_000_000) {
    this.wall = startWallMs;
  }

  now(): number {
    return this.wall;
  }

  monotonic(): number {
    return this.mono;
  }

  schedule(ms: number, fn: () => void): Timer {
    const t: PendingTimer = { at: this.mono + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.timers.push(t);
    return {
      cancel: () => {
        t.cancelled = true;
      },
    };
  }

  /** Number of timers still waiting. */
  get pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, firing due timers as their time is reached. */
  advance(ms: number): void {
    const target = this.mono + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      let next: PendingTimer | undefined;
      for (const t of this.timers) {
        if (t.at <= target && (next === undefined || t.at < next.at || (t.at === next.at && t.seq < next.seq)))
          next = t;
      }
      if (next === undefined) break;
      this.wall += next.at - this.mono;
      this.mono = next.at;
      next.cancelled = true;
      next.fn();
    }
    this.wall += target - this.mono;
    this.mono = target;
  }
}
