import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock, SystemClock } from '../../src/common/clock.ts';

describe('ManualClock', () => {
  it('fires timers in due order as time advances, including ones they schedule', () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.schedule(30, () => fired.push(`b@${clock.monotonic()}`));
    clock.schedule(10, () => {
      fired.push(`a@${clock.monotonic()}`);
      clock.schedule(5, () => fired.push(`c@${clock.monotonic()}`));
    });
    const cancelled = clock.schedule(20, () => fired.push('never'));
    cancelled.cancel();
    clock.advance(12);
    assert.deepEqual(fired, ['a@10']);
    clock.advance(100);
    assert.deepEqual(fired, ['a@10', 'c@15', 'b@30']);
    assert.equal(clock.monotonic(), 112);
    assert.equal(clock.now(), 1112);
    assert.equal(clock.pendingTimers, 0);
  });

  it('fires timers scheduled at the same time in scheduling order', () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    for (let i = 0; i < 5; i++) clock.schedule(7, () => fired.push(i));
    clock.advance(7);
    assert.deepEqual(fired, [0, 1, 2, 3, 4]);
  });
});

describe('SystemClock', () => {
  // Regression: CoarseTimers arms its timer for `tick * tickMs - monotonic()`, which is slightly
  // negative when the tick is already due; Node then printed "TimeoutNegativeWarning: -0.0047 is
  // a negative number" on the broker's stderr (seen under Kafka's console consumer).
  it('runs a timer due in the past at once, without a TimeoutNegativeWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(`${w.name}: ${w.message}`);
    };
    process.on('warning', onWarning);
    try {
      const clock = new SystemClock();
      await new Promise<void>((resolve) => clock.schedule(-0.0047, resolve));
      await new Promise<void>((resolve) => clock.schedule(-5, resolve));
      // Warnings are emitted on process.nextTick; let them arrive before looking.
      await new Promise<void>((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings, []);
  });
});
