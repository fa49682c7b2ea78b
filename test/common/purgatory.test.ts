import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/common/clock.ts';
import { CoarseTimers } from '../../src/common/coarse-timers.ts';
import { DelayedOperation } from '../../src/common/delayed-operation.ts';
import { MemoryLogger } from '../../src/common/logger.ts';
import { Purgatory } from '../../src/common/purgatory.ts';

/** Completes once `available()` reaches `need`; records how it ended. */
class WaitFor extends DelayedOperation {
  readonly events: string[] = [];
  private readonly need: number;
  private readonly available: () => number;
  onCompleteHook: (() => void) | null = null;

  constructor(delayMs: number, need: number, available: () => number) {
    super(delayMs);
    this.need = need;
    this.available = available;
  }

  tryComplete(): boolean {
    return this.available() >= this.need ? this.forceComplete() : false;
  }

  onComplete(): void {
    this.events.push(this.expired ? `complete(expired, have ${this.available()})` : 'complete');
    this.onCompleteHook?.();
  }

  override onExpiration(): void {
    this.events.push('expire');
  }
}

function setup() {
  const clock = new ManualClock();
  const logger = new MemoryLogger();
  const timers = new CoarseTimers(clock, { tickMs: 10, logger });
  const purgatory = new Purgatory<WaitFor>('fetch', timers, logger);
  return { clock, logger, timers, purgatory };
}

describe('Purgatory', () => {
  it('completes at once when it can, without watching', () => {
    const { purgatory, timers } = setup();
    const op = new WaitFor(100, 1, () => 5);
    assert.equal(purgatory.tryCompleteElseWatch(op, ['t:0']), true);
    assert.deepEqual(op.events, ['complete']);
    assert.equal(purgatory.size, 0);
    assert.equal(purgatory.watchedKeys, 0);
    assert.equal(timers.size, 0);
  });

  it('watches an operation until checkAndComplete finds it satisfied', () => {
    const { purgatory, timers } = setup();
    let bytes = 0;
    const op = new WaitFor(500, 10, () => bytes);
    assert.equal(purgatory.tryCompleteElseWatch(op, ['t:0']), false);
    assert.equal(purgatory.size, 1);
    assert.equal(timers.size, 1);
    bytes = 5;
    assert.equal(purgatory.checkAndComplete('t:0'), 0);
    assert.deepEqual(op.events, []);
    bytes = 10;
    assert.equal(purgatory.checkAndComplete('t:0'), 1);
    assert.deepEqual(op.events, ['complete']);
    assert.equal(purgatory.size, 0);
    assert.equal(purgatory.watching('t:0'), 0);
    assert.equal(timers.size, 0, 'the expiry timer is cancelled on completion');
    assert.equal(purgatory.checkAndComplete('t:0'), 0);
  });

  it('expires an operation after its delay: onExpiration, then onComplete, exactly once', () => {
    const { purgatory, clock } = setup();
    const op = new WaitFor(500, 10, () => 3);
    purgatory.tryCompleteElseWatch(op, ['t:0', 't:1']);
    clock.advance(499);
    assert.deepEqual(op.events, []);
    clock.advance(20);
    assert.deepEqual(op.events, ['expire', 'complete(expired, have 3)']);
    assert.ok(op.isCompleted && op.expired);
    assert.equal(purgatory.size, 0);
    assert.equal(purgatory.watchedKeys, 0);
    assert.equal(op.forceComplete(), false);
    assert.equal(purgatory.checkAndComplete('t:1'), 0);
    assert.equal(op.events.length, 2);
  });

  it('completes an operation watched under several keys once, and unwatches it everywhere', () => {
    const { purgatory, clock } = setup();
    let ready = false;
    const op = new WaitFor(1000, 1, () => (ready ? 1 : 0));
    const other = new WaitFor(1000, 1, () => 0);
    purgatory.tryCompleteElseWatch(op, ['a', 'b', 'c']);
    purgatory.tryCompleteElseWatch(other, ['b']);
    assert.equal(purgatory.watching('b'), 2);
    ready = true;
    assert.equal(purgatory.checkAndComplete('b'), 1);
    assert.equal(purgatory.checkAndComplete('a'), 0);
    assert.equal(purgatory.checkAndComplete('c'), 0);
    assert.deepEqual(op.events, ['complete']);
    assert.equal(purgatory.watching('a'), 0);
    assert.equal(purgatory.watching('b'), 1);
    assert.equal(purgatory.watchedKeys, 1);
    clock.advance(2000);
    assert.deepEqual(op.events, ['complete']);
    assert.deepEqual(other.events, ['expire', 'complete(expired, have 0)']);
  });

  it('forceComplete is idempotent and wins over a later expiry', () => {
    const { purgatory, clock } = setup();
    const op = new WaitFor(100, 1, () => 0);
    purgatory.tryCompleteElseWatch(op, ['k']);
    assert.equal(op.forceComplete(), true);
    assert.equal(op.forceComplete(), false);
    clock.advance(500);
    assert.deepEqual(op.events, ['complete']);
    assert.equal(purgatory.size, 0);
  });

  it('handles reentrant completion: onComplete triggering checkAndComplete on a shared key', () => {
    const { purgatory } = setup();
    let level = 0;
    const a = new WaitFor(1000, 1, () => level);
    const b = new WaitFor(1000, 2, () => level);
    // a's completion moves the level for b and pokes the keys both watch.
    a.onCompleteHook = () => {
      level = 2;
      purgatory.checkAndComplete('x');
      purgatory.checkAndComplete('y');
    };
    purgatory.tryCompleteElseWatch(a, ['x', 'y']);
    purgatory.tryCompleteElseWatch(b, ['y', 'x']);
    level = 1;
    purgatory.checkAndComplete('x');
    assert.deepEqual(a.events, ['complete']);
    assert.deepEqual(b.events, ['complete']);
    assert.equal(purgatory.size, 0);
    assert.equal(purgatory.watchedKeys, 0);
  });

  it('parks thousands of operations on one key with one clock timer', () => {
    const { purgatory, clock } = setup();
    const ops: WaitFor[] = [];
    let have = 0;
    for (let i = 0; i < 5000; i++) {
      const op = new WaitFor(30_000, i % 2 === 0 ? 1 : 1_000_000, () => have);
      ops.push(op);
      purgatory.tryCompleteElseWatch(op, ['t:0']);
    }
    assert.equal(clock.pendingTimers, 1);
    have = 1;
    assert.equal(purgatory.checkAndComplete('t:0'), 2500);
    assert.equal(purgatory.size, 2500);
    clock.advance(30_010);
    assert.equal(purgatory.size, 0);
    assert.ok(ops.every((op) => op.events.length === (op.expired ? 2 : 1)));
    assert.equal(ops.filter((op) => op.expired).length, 2500);
  });

  it('logs an operation whose check throws and keeps trying the others on the key', () => {
    const { purgatory, logger } = setup();
    let have = 0;
    class Broken extends WaitFor {
      override tryComplete(): boolean {
        if (have > 0) throw new Error('broken check');
        return false;
      }
    }
    const broken = new Broken(100, 1, () => have);
    const fine = new WaitFor(100, 1, () => have);
    purgatory.tryCompleteElseWatch(broken, ['k']);
    purgatory.tryCompleteElseWatch(fine, ['k']);
    have = 1;
    assert.equal(purgatory.checkAndComplete('k'), 1);
    assert.deepEqual(fine.events, ['complete']);
    assert.equal(logger.matching(/ERROR purgatory fetch: Broken failed: Error: broken check/).length, 1);
    assert.equal(purgatory.size, 1, 'the broken one still waits for its expiry');
  });

  it('logs an operation whose onComplete throws during a check, and still completes it once', () => {
    const { purgatory, logger } = setup();
    let have = 0;
    const op = new WaitFor(100, 1, () => have);
    const next = new WaitFor(100, 1, () => have);
    op.onCompleteHook = () => {
      throw new Error('send failed');
    };
    purgatory.tryCompleteElseWatch(op, ['k']);
    purgatory.tryCompleteElseWatch(next, ['k']);
    have = 1;
    assert.equal(purgatory.checkAndComplete('k'), 1);
    assert.ok(op.isCompleted);
    assert.deepEqual(next.events, ['complete']);
    assert.equal(logger.matching(/ERROR purgatory fetch: WaitFor failed: Error: send failed/).length, 1);
    assert.equal(purgatory.size, 0);
  });

  it('close() expires everything waiting and completes later arrivals as expired', () => {
    const { purgatory, timers } = setup();
    const a = new WaitFor(10_000, 1, () => 0);
    const b = new WaitFor(10_000, 1, () => 0);
    purgatory.tryCompleteElseWatch(a, ['x', 'y']);
    purgatory.tryCompleteElseWatch(b, ['y']);
    assert.equal(purgatory.close(), 2);
    assert.deepEqual(a.events, ['expire', 'complete(expired, have 0)']);
    assert.deepEqual(b.events, ['expire', 'complete(expired, have 0)']);
    assert.equal(timers.size, 0);
    const late = new WaitFor(10_000, 1, () => 0);
    assert.equal(purgatory.tryCompleteElseWatch(late, ['x']), false);
    assert.ok(late.expired);
    assert.equal(purgatory.size, 0);
  });
});
