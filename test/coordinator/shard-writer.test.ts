import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/common/clock.ts';
import { ShardWriter } from '../../src/coordinator/shard-writer.ts';
import { ErrorCode } from '../../src/protocol/error-codes.ts';
import { MemoryOffsetsLog, settle } from './harness.ts';

const record = (n: number) => ({ key: Buffer.from(`k${n}`), value: Buffer.alloc(100) });

describe('ShardWriter', () => {
  it('appends at once when idle, then coalesces what queues behind an append in flight', async () => {
    const log = new MemoryOffsetsLog();
    log.host(0);
    const w = new ShardWriter({ log, partition: 0, clock: new ManualClock(), timeoutMs: 1000 });
    log.hold();
    const first = w.write([record(0)]);
    const rest = [w.write([record(1), record(2)]), w.write([record(3)])];
    assert.equal(log.appends, 1, 'the first write went alone');
    log.release();
    await first;
    await settle();
    log.release();
    const [a, b] = await Promise.all(rest);
    assert.equal(log.appends, 2, 'the two queued writes shared one append');
    assert.deepEqual(await first, { errorCode: 0, firstOffset: 0 });
    assert.deepEqual(a, { errorCode: 0, firstOffset: 1 });
    assert.deepEqual(b, { errorCode: 0, firstOffset: 3 }, 'each write learns where its own records are');
  });

  it('keeps coalesced batches under maxBatchBytes (a bigger write goes alone)', async () => {
    const log = new MemoryOffsetsLog();
    log.host(0);
    const w = new ShardWriter({ log, partition: 0, clock: new ManualClock(), timeoutMs: 1000, maxBatchBytes: 300 });
    log.hold();
    const writes = [w.write([record(0)])];
    for (let i = 1; i <= 5; i++) writes.push(w.write([record(i)]));
    writes.push(w.write([record(6), record(7), record(8), record(9)]));
    for (let i = 0; i < 10 && w.pendingWrites > 0; i++) {
      log.release();
      log.hold();
      await settle();
    }
    log.release();
    const results = await Promise.all(writes);
    assert.ok(results.every((r) => r.errorCode === 0));
    // 1 alone, then 5 small ones in batches of at most 2 (~130 bytes each), then the big one alone.
    assert.equal(log.appends, 1 + 3 + 1);
    assert.deepEqual(
      results.map((r) => r.firstOffset),
      [0, 1, 2, 3, 4, 5, 6],
    );
  });

  it('gives every write of a failed batch the error, and refuses writes once closed', async () => {
    const log = new MemoryOffsetsLog();
    log.host(0);
    const w = new ShardWriter({ log, partition: 0, clock: new ManualClock(), timeoutMs: 1000 });
    log.failWith = ErrorCode.NOT_ENOUGH_REPLICAS;
    assert.deepEqual(await w.write([record(0)]), { errorCode: ErrorCode.NOT_ENOUGH_REPLICAS, firstOffset: -1 });
    log.failWith = 0;
    log.hold();
    const inFlight = w.write([record(1)]);
    const queued = w.write([record(2)]);
    w.close();
    assert.deepEqual(await queued, { errorCode: ErrorCode.NOT_COORDINATOR, firstOffset: -1 });
    log.release();
    assert.equal((await inFlight).errorCode, 0, 'the append in flight ends as the log says');
    assert.deepEqual(await w.write([record(3)]), { errorCode: ErrorCode.NOT_COORDINATOR, firstOffset: -1 });
  });
});
