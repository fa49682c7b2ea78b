import type { CoarseTimers } from '../common/coarse-timers.ts';
import { DelayedOperation } from '../common/delayed-operation.ts';
import type { Logger } from '../common/logger.ts';
import { Purgatory } from '../common/purgatory.ts';
import type { MetadataCache } from '../metadata/metadata-cache.ts';

/** Every wait is watched under this one key: a cache update may concern any of them. */
const CACHE_KEY = 'metadata';

/**
 * A wait for the metadata cache to reach a state — every partition of a new topic has a leader,
 * a deleted topic is gone, a broker is alive — as Kafka's DelayedCreatePartitions and
 * DelayedDeleteTopics. Completes when `ready()` holds (tried at once, then after every cache
 * update) or when `delayMs` passes; either way it resolves with `ready()` at that moment.
 */
class DelayedMetadataCondition extends DelayedOperation {
  private readonly ready: () => boolean;
  private readonly done: (ready: boolean) => void;

  constructor(delayMs: number, ready: () => boolean, done: (ready: boolean) => void) {
    super(delayMs);
    this.ready = ready;
    this.done = done;
  }

  tryComplete(): boolean {
    return this.ready() ? this.forceComplete() : false;
  }

  onComplete(): void {
    this.done(this.ready());
  }
}

/**
 * Parks requests until the metadata cache shows what they wait for. One cache listener and one
 * purgatory serve every waiter; timeouts run on the broker's CoarseTimers (so a ManualClock
 * drives them in tests). No polling: conditions are re-checked only when the cache changes.
 *
 * Lifecycle: created with the cache (it subscribes at once) → close(), which answers every
 * parked wait with the state at that moment and unsubscribes; later waits answer at once.
 */
export class MetadataWaiter {
  private readonly purgatory: Purgatory<DelayedMetadataCondition>;
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(cache: MetadataCache, timers: CoarseTimers, logger: Logger) {
    this.purgatory = new Purgatory('metadata-wait', timers, logger);
    this.unsubscribe = cache.onUpdate(() => this.purgatory.checkAndComplete(CACHE_KEY));
  }

  /** Waits parked now. */
  get waiting(): number {
    return this.purgatory.size;
  }

  /**
   * Resolves true as soon as `ready()` holds, or with `ready()` once `timeoutMs` has passed.
   * A timeout ≤ 0 answers at once.
   */
  waitUntil(ready: () => boolean, timeoutMs: number): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    if (timeoutMs <= 0 || this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.purgatory.tryCompleteElseWatch(new DelayedMetadataCondition(timeoutMs, ready, resolve), [CACHE_KEY]);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.purgatory.close();
  }
}
