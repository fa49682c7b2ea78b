import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/common/clock.ts';
import { CoarseTimers } from '../../src/common/coarse-timers.ts';
import { MemoryLogger } from '../../src/common/logger.ts';

describe('CoarseTimers', () => {
  it('fires a timer after its delay, at most one tick late, never early', () => {
    const clock = new ManualClock();
    const timers = new CoarseTimers(clock, { tickMs: 10 });
    const fired: number[] = [];
    clock.advance(3);
    timers.schedule(25, (at) => fired.push(at), 28);
    clock.advance(24); // t = 27, due at 28
    assert.deepEqual(fired, []);
    clock.advance(1); // t = 28: due, but the bucket is tick 3 (t = 30)
    assert.deepEqual(fired, []);
    clock.advance(2); // t = 30
    assert.deepEqual(fired, [28]);
    assert.equal(timers.size, 0);
  });

  it('uses one clock timer for many timers in the same tick', () => {
    const clock = new ManualClock();
    const timers = new CoarseTimers(clock, { tickMs: 10 });
    let fired = 0;
    for (let i = 0; i < 10_000; i++) timers.schedule(500 + (i % 10), () => fired++, null);
    assert.equal(timers.size, 10_000);
    assert.equal(clock.pendingTimers, 1);
    clock.advance(509);
    assert.equal(fired, 0);
    clock.advance(11);
    assert.equal(fired, 10_000);
    assert.equal(clock.pendingTimers, 0);
  });

  it('fires buckets in time order and re-arms for an earlier bucket', () => {
    const clock = new ManualClock();
    const timers = new CoarseTimers(clock, { tickMs: 5 });
    const fired: string[] = [];
    timers.schedule(100, (s) => fired.push(s), 'late');
    timers.schedule(20, (s) => fired.push(s), 'early');
    timers.schedule(50, (s) => fired.push(s), 'middle');
    clock.advance(30);
    assert.deepEqual(fired, ['early']);
    clock.advance(100);
    assert.deepEqual(fired, ['early', 'middle', 'late']);
  });

  it('cancels in O(1) and disarms the clock when nothing is left', () => {
    const clock = new ManualClock();
    const timers = new CoarseTimers(clock);
    const fired: number[] = [];
    const a = timers.schedule(30, (n) => fired.push(n), 1);
    const b = timers.schedule(30, (n) => fired.push(n), 2);
    assert.ok(a.active);
    a.cancel();
    a.cancel();
    assert.ok(!a.active);
    assert.equal(timers.size, 1);
    b.cancel();
    assert.equal(timers.size, 0);
    assert.equal(clock.pendingTimers, 0);
    clock.advance(100);
    assert.deepEqual(fired, []);
  });

  it('keeps a cancelled bucket from delaying a later one', () => {
    const clock = new ManualClock();
    const timers = new CoarseTimers(clock, { tickMs: 10 });
    const fired: string[] = [];
    const early = timers.schedule(10, (s) => fired.push(s), 'early');
    timers.schedule(40, (s) => fired.push(s), 'later');
    early.cancel();
    clock.advance(50);
    assert.deepEqual(fired, ['later']);
  });

  it('lets callbacks schedule and cancel; a timer scheduled while firing lands in a later tick', () => {
    const clock = new ManualClock();
    const timers = new CoarseTimers(clock, { tickMs: 10 });
    const fired: string[] = [];
    let victim: { cancel(): void } | null = null;
    timers.schedule(
      5,
      () => {
        fired.push(`first@${clock.monotonic()}`);
        victim?.cancel(); // same bucket, not yet run in this sweep
        timers.schedule(0, () => fired.push(`again@${clock.monotonic()}`), null);
      },
      null,
    );
    victim = timers.schedule(5, (s) => fired.push(s), 'victim');
    timers.schedule(5, (s) => fired.push(s), 'survivor');
    clock.advance(10);
    assert.deepEqual(fired, ['first@10', 'survivor']);
    assert.equal(timers.size, 1);
    clock.advance(10);
    assert.deepEqual(fired, ['first@10', 'survivor', 'again@20']);
    assert.equal(timers.size, 0);
  });

  it('arms the earliest remaining bucket even when a callback armed a later one', () => {
    const clock = new ManualClock();
    const timers = new CoarseTimers(clock, { tickMs: 10 });
    const fired: string[] = [];
    timers.schedule(5, () => timers.schedule(1000, (s) => fired.push(s), 'far'), null);
    timers.schedule(30, (s) => fired.push(s), 'near');
    clock.advance(10);
    clock.advance(30);
    assert.deepEqual(fired, ['near']);
    clock.advance(1000);
    assert.deepEqual(fired, ['near', 'far']);
  });

  it('logs a throwing callback and still runs the rest of the sweep', () => {
    const clock = new ManualClock();
    const logger = new MemoryLogger();
    const timers = new CoarseTimers(clock, { logger });
    const fired: number[] = [];
    timers.schedule(
      1,
      () => {
        throw new Error('boom');
      },
      null,
    );
    timers.schedule(1, (n) => fired.push(n), 2);
    clock.advance(20);
    assert.deepEqual(fired, [2]);
    assert.equal(logger.matching(/ERROR timer callback failed: Error: boom/).length, 1);
  });

  it('does not grow while timers are scheduled and cancelled before they fire', () => {
    const clock = new ManualClock();
    const timers = new CoarseTimers(clock, { tickMs: 1 });
    for (let i = 0; i < 1000; i++) {
      timers.schedule(500, () => {}, null).cancel();
      clock.advance(1);
    }
    // The heap is private; its length is what would leak. Reach in for the check.
    assert.equal((timers as unknown as { heap: number[] }).heap.length, 0);
  });

  it('close() cancels everything and refuses new timers', () => {
    const clock = new ManualClock();
    const timers = new CoarseTimers(clock);
    let fired = 0;
    const t = timers.schedule(10, () => fired++, null);
    timers.close();
    assert.ok(!t.active);
    clock.advance(100);
    assert.equal(fired, 0);
    assert.throws(() => timers.schedule(1, () => {}, null), /closed/);
  });
});
