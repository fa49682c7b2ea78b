import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.ts';
import { readBatchHeader } from '../../src/protocol/records/batch-header.ts';
import { encodeRecordBatch } from '../../src/protocol/records/record-encoder.ts';
import { type FileIO, nodeFileIO } from '../../src/storage/file-io.ts';
import { LogCleaner } from '../../src/storage/log-cleaner.ts';
import {
  batch,
  closeBroker,
  crashBroker,
  fetchReq,
  lead,
  openBroker,
  produce,
  T0,
  tempDir,
  values,
} from './helpers.ts';

const PID = 7000;

/** An idempotent batch of `n` records from producer PID. */
function idem(seq: number, n = 1, epoch = 0, tag = `s${seq}`): Buffer {
  return batch(n, { producerId: PID, producerEpoch: epoch, baseSequence: seq, tag });
}

describe('idempotent producer', () => {
  it('answers a retried batch with its original offsets and writes nothing', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't');
    assert.equal((await produce(b, 't', 0, idem(0, 3))).baseOffset, 0);
    assert.equal((await produce(b, 't', 0, batch(2))).baseOffset, 3, 'a non-idempotent batch in between');
    assert.equal((await produce(b, 't', 0, idem(3, 2))).baseOffset, 5);
    const leo = b.rm.partitionFor('t', 0)!.logEndOffset;

    const retry = await produce(b, 't', 0, idem(0, 3));
    assert.deepEqual([retry.errorCode, retry.baseOffset], [0, 0]);
    const retry2 = await produce(b, 't', 0, idem(3, 2), -1);
    assert.deepEqual([retry2.errorCode, retry2.baseOffset], [0, 5], 'also with acks=-1');
    assert.equal(b.rm.partitionFor('t', 0)!.logEndOffset, leo, 'nothing written');
    const [f] = await b.rm.fetchMessages(fetchReq([{ topic: 't', partition: 0, fetchOffset: 0 }]));
    assert.deepEqual(values([f!]), ['s0-0', 's0-1', 's0-2', 'v-0', 'v-1', 's3-0', 's3-1']);
  });

  // Regression: found by the differential tests. Kafka answers a duplicate with the batch's
  // timestamp as its append time, whatever the topic's timestamp type.
  it('answers a duplicate with the batch timestamp as logAppendTime', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't');
    assert.equal((await produce(b, 't', 0, idem(0))).logAppendTime, -1, 'CreateTime: no append time');
    const retry = await produce(b, 't', 0, idem(0));
    assert.deepEqual([retry.errorCode, retry.baseOffset, retry.logAppendTime], [0, 0, T0]);
  });

  // Regression: found by the differential tests. Sequence and epoch errors carry the partition's
  // log start offset (only framing, size and partition errors come without it, as in Kafka).
  it('answers sequence and epoch errors with the log start offset', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't');
    await produce(b, 't', 0, idem(0, 2, 1));
    const gap = await produce(b, 't', 0, idem(5, 1, 1));
    const fenced = await produce(b, 't', 0, idem(2, 1, 0));
    assert.deepEqual(
      [gap, fenced].map((r) => [r.errorCode, r.baseOffset, r.logStartOffset]),
      [
        [ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, -1, 0],
        [ErrorCode.INVALID_PRODUCER_EPOCH, -1, 0],
      ],
    );
  });

  // Regression: a retry with a bad CRC is refused as corrupt, not answered as a duplicate (Kafka
  // validates the batch before it looks at the producer state).
  it('checks the CRC of a retried batch before deduplicating it', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't');
    await produce(b, 't', 0, idem(0));
    const corrupt = idem(0);
    corrupt[corrupt.length - 1]! ^= 0xff;
    assert.equal((await produce(b, 't', 0, corrupt)).errorCode, ErrorCode.CORRUPT_MESSAGE);
  });

  it('remembers the last 5 batches; an older retry is out of order', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't');
    for (let seq = 0; seq < 6; seq++) assert.equal((await produce(b, 't', 0, idem(seq))).baseOffset, seq);
    assert.equal((await produce(b, 't', 0, idem(1))).baseOffset, 1, 'batch 1 is one of the last 5');
    assert.equal((await produce(b, 't', 0, idem(0))).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert.equal(b.rm.partitionFor('t', 0)!.logEndOffset, 6);
  });

  it('rejects a sequence gap with OUT_OF_ORDER_SEQUENCE_NUMBER and writes nothing', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't');
    await produce(b, 't', 0, idem(0, 2));
    const gap = await produce(b, 't', 0, idem(5));
    assert.equal(gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert.match(gap.errorMessage!, /sequence 5 after 1/);
    assert.equal(b.rm.partitionFor('t', 0)!.logEndOffset, 2);
    assert.equal((await produce(b, 't', 0, idem(2))).baseOffset, 2, 'the right sequence still goes in');
  });

  it('fences an older producer epoch (INVALID_PRODUCER_EPOCH); a new epoch starts at sequence 0', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't');
    await produce(b, 't', 0, idem(0, 1, 1));
    assert.equal((await produce(b, 't', 0, idem(1, 1, 0))).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
    assert.equal((await produce(b, 't', 0, idem(4, 1, 2))).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert.equal((await produce(b, 't', 0, idem(0, 1, 2))).baseOffset, 1);
    assert.equal((await produce(b, 't', 0, idem(0, 1, 1))).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH, 'old retry');
    assert.equal(b.rm.partitionFor('t', 0)!.logEndOffset, 2);
  });

  it('accepts any first sequence from an unknown producer and wraps sequences at Int32 max', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't');
    const max = 0x7fffffff;
    assert.equal((await produce(b, 't', 0, idem(max - 1, 3))).errorCode, 0, 'sequences max-1, max, 0');
    assert.equal(b.rm.partitionFor('t', 0)!.producerState.lastEntry(PID)!.batches[0]!.lastSeq, 0);
    assert.equal((await produce(b, 't', 0, idem(2))).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert.equal((await produce(b, 't', 0, idem(1))).baseOffset, 3);
    assert.equal((await produce(b, 't', 0, idem(max - 1, 3))).baseOffset, 0, 'the wrapped batch is a duplicate');
  });

  it('writes racing retries of one batch only once', async (t) => {
    const b = openBroker(tempDir(t));
    await lead(b, 't');
    await produce(b, 't', 0, idem(0));
    const original = idem(1, 4);
    const results = await Promise.all([
      produce(b, 't', 0, Buffer.from(original)),
      produce(b, 't', 0, Buffer.from(original)),
      produce(b, 't', 0, Buffer.from(original)),
    ]);
    assert.deepEqual(
      results.map((r) => [r.errorCode, r.baseOffset]),
      [
        [0, 1],
        [0, 1],
        [0, 1],
      ],
    );
    assert.equal(b.rm.partitionFor('t', 0)!.logEndOffset, 5);
    // Pipelined in-order batches are all accepted.
    const next = await Promise.all([
      produce(b, 't', 0, idem(5)),
      produce(b, 't', 0, idem(6)),
      produce(b, 't', 0, idem(7)),
    ]);
    assert.deepEqual(
      next.map((r) => r.baseOffset),
      [5, 6, 7],
    );
  });

  it('answers a disk failure with KAFKA_STORAGE_ERROR and forgets the batch, so its retry goes in', async (t) => {
    let failWrites = false;
    const io: FileIO = {
      ...nodeFileIO,
      writev: async (fd, bufs, position) => {
        if (failWrites) throw Object.assign(new Error('ENOSPC: injected'), { code: 'ENOSPC' });
        return nodeFileIO.writev(fd, bufs, position);
      },
    };
    const b = openBroker(tempDir(t), { io });
    await lead(b, 't');
    await produce(b, 't', 0, idem(0));
    failWrites = true;
    const failed = await produce(b, 't', 0, idem(1, 2));
    assert.equal(failed.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
    assert.match(failed.errorMessage!, /ENOSPC/);
    failWrites = false;
    const retry = await produce(b, 't', 0, idem(1, 2));
    assert.deepEqual([retry.errorCode, retry.baseOffset], [0, 1]);
    assert.equal(b.rm.partitionFor('t', 0)!.logEndOffset, 3);
  });

  it('expires producers after producer.id.expiration.ms of silence', async (t) => {
    const b = openBroker(tempDir(t), {
      rm: { producerIdExpirationMs: 60_000, producerIdExpirationCheckIntervalMs: 10_000 },
    });
    await lead(b, 't');
    await produce(b, 't', 0, idem(0, 1, 0));
    const state = b.rm.partitionFor('t', 0)!.producerState;
    b.clock.advance(50_000);
    assert.ok(state.lastEntry(PID), 'still within the expiration time');
    b.clock.advance(20_000);
    assert.equal(state.lastEntry(PID), undefined);
    assert.equal((await produce(b, 't', 0, idem(42))).errorCode, 0, 'an unknown producer again');
  });
});

describe('idempotent producer state across restarts', () => {
  it('survives a clean shutdown through a snapshot at the log end offset', async (t) => {
    const dir = tempDir(t);
    let b = openBroker(dir);
    await lead(b, 't');
    await produce(b, 't', 0, idem(0, 2));
    await produce(b, 't', 0, idem(2, 1));
    await closeBroker(b);
    assert.ok(readdirSync(`${dir}/t-0`).includes('00000000000000000003.snapshot'));

    b = openBroker(dir);
    await lead(b, 't');
    assert.ok(!b.logger.lines.some((l) => l.includes('rebuilt')), 'nothing to replay');
    assert.deepEqual((await produce(b, 't', 0, idem(0, 2))).baseOffset, 0, 'duplicate of a batch before the restart');
    assert.equal((await produce(b, 't', 0, idem(4))).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert.equal((await produce(b, 't', 0, idem(3))).baseOffset, 3);
  });

  it('rebuilds the state after a crash by replaying the log', async (t) => {
    const dir = tempDir(t);
    let b = openBroker(dir);
    await lead(b, 't');
    await produce(b, 't', 0, idem(0, 2));
    await produce(b, 't', 0, batch(1));
    await produce(b, 't', 0, idem(2, 3));
    await crashBroker(b);
    assert.deepEqual(
      readdirSync(`${dir}/t-0`).filter((n) => n.endsWith('.snapshot')),
      [],
    );

    b = openBroker(dir);
    await lead(b, 't');
    assert.match(b.logger.lines.join('\n'), /producer state rebuilt from the log start by replaying offsets 0\.\.6/);
    assert.equal((await produce(b, 't', 0, idem(2, 3))).baseOffset, 3, 'retry after the crash');
    assert.equal((await produce(b, 't', 0, idem(0, 2))).baseOffset, 0);
    assert.equal((await produce(b, 't', 0, idem(6))).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert.equal((await produce(b, 't', 0, idem(5))).baseOffset, 6);
  });

  it('replays only the log after the newest snapshot, and drops snapshots beyond the log end', async (t) => {
    const dir = tempDir(t);
    let b = openBroker(dir);
    await lead(b, 't');
    await produce(b, 't', 0, idem(0, 2, 0, 'before'));
    await closeBroker(b);

    b = openBroker(dir);
    await lead(b, 't');
    await produce(b, 't', 0, idem(2, 2, 0, 'after'));
    await crashBroker(b);

    b = openBroker(dir);
    await lead(b, 't');
    assert.match(b.logger.lines.join('\n'), /rebuilt from snapshot 2 by replaying offsets 2\.\.4/);
    assert.equal((await produce(b, 't', 0, idem(2, 2))).baseOffset, 2);
    assert.equal((await produce(b, 't', 0, idem(0, 2))).baseOffset, 0);
    assert.equal((await produce(b, 't', 0, idem(4))).baseOffset, 4);
  });

  it('takes a snapshot when the log rolls a segment, and prunes old ones', async (t) => {
    const dir = tempDir(t);
    const b = openBroker(dir, { log: { segmentBytes: 200 } });
    await lead(b, 't');
    for (let seq = 0; seq < 8; seq++) await produce(b, 't', 0, idem(seq, 1, 0, `x${'y'.repeat(60)}`));
    const p = b.rm.partitionFor('t', 0)!;
    assert.ok(p.log.segments.length >= 4, `${p.log.segments.length} segments`);
    await p.snapshotProducerState();
    const snapshots = readdirSync(`${dir}/t-0`).filter((n) => n.endsWith('.snapshot'));
    assert.ok(snapshots.length >= 1 && snapshots.length <= 3, snapshots.join(','));
    assert.ok(snapshots.includes('00000000000000000008.snapshot'));
  });

  it("rebuilds from a compacted log whose cleaner emptied the producer's last batch", async (t) => {
    const dir = tempDir(t);
    const compacted = { log: { cleanupPolicy: 'compact' as const, minCleanableDirtyRatio: 0 } };
    const b = openBroker(dir, compacted);
    await lead(b, 't');
    const keyed = (producerId: number, baseSequence: number) =>
      encodeRecordBatch({
        producerId,
        producerEpoch: producerId < 0 ? -1 : 0,
        baseSequence,
        records: ['k0', 'k1'].map((k) => ({ key: Buffer.from(k), value: Buffer.from('v'), timestamp: T0 })),
      });
    await produce(b, 't', 0, keyed(PID, 0)); // 0-1
    await produce(b, 't', 0, keyed(-1, -1)); // 2-3: the same keys, so compaction empties 0-1
    const log = b.rm.partitionFor('t', 0)!.log;
    await log.roll();
    const cleaner = new LogCleaner({
      clock: b.clock,
      io: nodeFileIO,
      logger: b.logger,
      ioMaxBytesPerSecond: Infinity,
      dedupeBufferSize: 1 << 20,
    });
    assert.equal(await cleaner.clean(log, 0), 4);
    const stored = (await log.read(0, 1 << 20)).records;
    assert.deepEqual(
      [readBatchHeader(stored).producerId, readBatchHeader(stored).recordCount, readBatchHeader(stored).lastOffset],
      [PID, 0, 1],
      "the producer's last batch stays, emptied",
    );
    await crashBroker(b);
    for (const f of readdirSync(`${dir}/t-0`)) if (f.endsWith('.snapshot')) rmSync(`${dir}/t-0/${f}`);
    const again = openBroker(dir, compacted);
    await lead(again, 't');
    const retry = await produce(again, 't', 0, keyed(PID, 0));
    assert.deepEqual([retry.errorCode, retry.baseOffset], [0, 0], 'still known as a duplicate');
    assert.equal((await produce(again, 't', 0, keyed(PID, 2))).baseOffset, 4, 'the next sequence follows');
    await closeBroker(again);
  });

  it('skips producers that expired while the broker was down', async (t) => {
    const dir = tempDir(t);
    let b = openBroker(dir, { rm: { producerIdExpirationMs: 60_000 } });
    await lead(b, 't');
    await produce(b, 't', 0, idem(0, 1, 0));
    await closeBroker(b);
    const { ManualClock } = await import('../../src/common/clock.ts');
    b = openBroker(dir, { rm: { producerIdExpirationMs: 60_000 }, clock: new ManualClock(T0 + 120_000) });
    await lead(b, 't');
    assert.equal(b.rm.partitionFor('t', 0)!.producerState.lastEntry(PID), undefined);
  });
});
