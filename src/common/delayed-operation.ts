import type { CoarseTimer } from './coarse-timers.ts';

/** What a watched operation reports back to when it completes (implemented by Purgatory). */
export interface OperationWatcher {
  /** The operation completed: stop watching it. */
  release(op: DelayedOperation): void;
  /** The operation's timer ran out: expire it (the watcher reports errors). */
  expired(op: DelayedOperation): void;
}

/**
 * A request that cannot be answered yet and waits, at most `delayMs`, for a condition: a fetch
 * for enough bytes, a produce for its acks. Subclasses say when they are done and what to do.
 *
 * Lifecycle (each operation completes exactly once):
 *
 *   new ──▶ Purgatory.tryCompleteElseWatch(op, keys)
 *             ├─ tryComplete() is true ───────────────────────────────▶ COMPLETED
 *             └─ otherwise WATCHED under every key, with an expiry timer
 *                  ├─ Purgatory.checkAndComplete(key) → tryComplete() is true ─▶ COMPLETED
 *                  ├─ anyone calls forceComplete() ───────────────────────────▶ COMPLETED
 *                  └─ delayMs passes → onExpiration() ────────────────────────▶ COMPLETED (expired)
 *
 * Completing — by any path — first marks the operation completed, cancels its timer and removes
 * it from every key's watch list, then calls onComplete(). So onComplete() runs exactly once, and
 * a reentrant call (onComplete triggering checkAndComplete on another key that also watches this
 * operation) finds it already completed.
 *
 * Subclass contract:
 * - tryComplete(): check the condition; if met, `return this.forceComplete()`; else `return false`.
 *   It may be called many times, so it should be cheap.
 * - onComplete(): build and send the answer from the current state (also after expiry: a fetch
 *   returns what it has, a produce reports the partitions still waiting as timed out).
 * - onExpiration(): optional; runs just before onComplete() when the timer ends the wait, so
 *   onComplete() can tell (also via `expired`).
 */
export abstract class DelayedOperation {
  /** How long the operation may wait, in milliseconds. */
  readonly delayMs: number;
  private completed = false;
  private timedOut = false;
  private owner: OperationWatcher | null = null;
  private timer: CoarseTimer | null = null;
  /** The keys the operation is watched under (the array given to the purgatory, not copied). */
  private keys: readonly WatchKey[] = NO_KEYS;

  constructor(delayMs: number) {
    this.delayMs = delayMs;
  }

  /** Completes the operation if it can complete now; true if this call completed it. */
  abstract tryComplete(): boolean;

  /** Sends the answer. Called exactly once. */
  abstract onComplete(): void;

  /** Called when the wait timed out, just before onComplete(). */
  onExpiration(): void {}

  get isCompleted(): boolean {
    return this.completed;
  }

  /** True when the operation completed because its time ran out. */
  get expired(): boolean {
    return this.timedOut;
  }

  /** Completes the operation now unless it already completed; true if this call completed it. */
  forceComplete(): boolean {
    if (this.completed) return false;
    this.detach();
    this.onComplete();
    return true;
  }

  /** The expiry path: called by the purgatory's timer (or its close()). */
  expire(): boolean {
    if (this.completed) return false;
    this.timedOut = true;
    this.detach();
    this.onExpiration();
    this.onComplete();
    return true;
  }

  /** The purgatory watching this operation, or null when not watched (or completed). */
  get watcher(): OperationWatcher | null {
    return this.owner;
  }

  /** Keys this operation is watched under; empty when not watched. */
  get watchKeys(): readonly WatchKey[] {
    return this.keys;
  }

  /** Called by the purgatory when it starts watching the operation. */
  attach(watcher: OperationWatcher, keys: readonly WatchKey[], timer: CoarseTimer): void {
    this.owner = watcher;
    this.keys = keys;
    this.timer = timer;
  }

  private detach(): void {
    this.completed = true;
    this.timer?.cancel();
    this.timer = null;
    const w = this.owner;
    this.owner = null;
    if (w !== null) w.release(this);
    this.keys = NO_KEYS;
  }
}

/** A watch key: usually a topic-partition (`topic:partition`) or a group id. */
export type WatchKey = string | number;

const NO_KEYS: readonly WatchKey[] = Object.freeze([]);
