import type { CoarseTimers } from './coarse-timers.ts';
import type { DelayedOperation, OperationWatcher, WatchKey } from './delayed-operation.ts';
import { describeError, LineLogger, type Logger } from './logger.ts';

/**
 * Where delayed operations wait (Kafka's DelayedOperationPurgatory): a watch list per key and an
 * expiry timer per operation, on shared CoarseTimers.
 *
 * - tryCompleteElseWatch(op, keys): try once; if the operation cannot complete yet, watch it
 *   under each key and start its timer.
 * - checkAndComplete(key): something changed for `key` (a produce appended to a partition, the
 *   high watermark moved); try every operation watched under it.
 * - When an operation completes by any path it removes itself from all its keys' lists at once
 *   (lists are Sets), so no background purge is needed and watch lists never hold completed
 *   operations.
 *
 * Node runs this on one thread, so Kafka's second tryComplete() after watching (which closes a
 * race between threads) is not needed: nothing can change between the check and the watch.
 *
 * Errors thrown by an operation's callbacks are logged; they never stop the other operations on
 * the same key and never reach the caller of checkAndComplete().
 *
 * Lifecycle: open until close(), which expires every waiting operation (their onExpiration and
 * onComplete run, so the requests are answered) and completes any later one immediately as
 * expired. Used for graceful shutdown.
 */
export class Purgatory<T extends DelayedOperation = DelayedOperation> implements OperationWatcher {
  readonly name: string;
  private readonly timers: CoarseTimers;
  private readonly logger: Logger;
  private readonly watchers = new Map<WatchKey, Set<T>>();
  private waiting = 0;
  private closed = false;

  constructor(name: string, timers: CoarseTimers, logger?: Logger) {
    this.name = name;
    this.timers = timers;
    this.logger = logger ?? new LineLogger('error');
  }

  /** Operations waiting (watched and not completed). */
  get size(): number {
    return this.waiting;
  }

  /** Keys with at least one waiting operation. */
  get watchedKeys(): number {
    return this.watchers.size;
  }

  /** Operations waiting under `key`. */
  watching(key: WatchKey): number {
    return this.watchers.get(key)?.size ?? 0;
  }

  /**
   * Completes `op` now if it can; otherwise watches it under every key in `keys` (which must not
   * change afterwards) until it completes or `op.delayMs` passes. True if it completed now.
   */
  tryCompleteElseWatch(op: T, keys: readonly WatchKey[]): boolean {
    if (op.isCompleted) return false;
    if (op.tryComplete()) return true;
    if (op.isCompleted) return false; // completed some other way while trying
    if (this.closed) {
      this.guard(op, () => op.expire());
      return false;
    }
    op.attach(this, keys, this.timers.schedule(op.delayMs, expireFromTimer, op));
    for (const key of keys) {
      let set = this.watchers.get(key);
      if (set === undefined) {
        set = new Set();
        this.watchers.set(key, set);
      }
      set.add(op);
    }
    this.waiting++;
    return false;
  }

  /** Tries every operation watched under `key`; returns how many completed. */
  checkAndComplete(key: WatchKey): number {
    const set = this.watchers.get(key);
    if (set === undefined) return 0;
    let completed = 0;
    // Set iteration tolerates operations removing themselves (they do, on completion). One
    // watched under this key meanwhile (reentrantly) is visited too: tried once more, harmless.
    for (const op of set) {
      try {
        if (op.tryComplete()) completed++;
      } catch (e) {
        this.report(op, e);
      }
    }
    return completed;
  }

  /** Expires every waiting operation and refuses to park new ones (they complete as expired). */
  close(): number {
    this.closed = true;
    const all = new Set<T>();
    for (const set of this.watchers.values()) for (const op of set) all.add(op);
    let n = 0;
    for (const op of all) if (this.guard(op, () => op.expire())) n++;
    return n;
  }

  /** OperationWatcher: the operation completed; forget it. */
  release(op: DelayedOperation): void {
    for (const key of op.watchKeys) {
      const set = this.watchers.get(key);
      if (set === undefined) continue;
      set.delete(op as T);
      if (set.size === 0) this.watchers.delete(key);
    }
    this.waiting--;
  }

  /** OperationWatcher: the operation's timer ran out. */
  expired(op: DelayedOperation): void {
    this.guard(op as T, () => op.expire());
  }

  private guard(op: T, fn: () => boolean): boolean {
    try {
      return fn();
    } catch (e) {
      this.report(op, e);
      return false;
    }
  }

  private report(op: T, e: unknown): void {
    this.logger.error(`purgatory ${this.name}: ${op.constructor.name} failed: ${describeError(e)}`);
  }
}

function expireFromTimer(op: DelayedOperation): void {
  op.watcher?.expired(op);
}
