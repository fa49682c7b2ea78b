import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  inSequence,
  lastSequenceOf,
  type ProducerBatch,
  ProducerStateManager,
  type Reservation,
} from '../../src/replication/producer-state.ts';
import {
  decodeProducerSnapshot,
  encodeProducerSnapshot,
  type SnapshotProducer,
} from '../../src/storage/producer-state-snapshot.ts';

const MAX = 0x7fffffff;

function pb(producerId: number, epoch: number, firstSeq: number, count = 1, offsetDelta = 0): ProducerBatch {
  return {
    producerId,
    producerEpoch: epoch,
    firstSeq,
    lastSeq: lastSequenceOf(firstSeq, count - 1),
    offsetDelta,
    lastOffsetDelta: count - 1,
    maxTimestamp: 1000,
    isTransactional: false,
  };
}

function reserve(s: ProducerStateManager, batches: ProducerBatch[]): Reservation {
  const r = s.prepare(batches);
  assert.equal(r.kind, 'append', r.kind === 'reject' ? r.error.message : r.kind);
  return (r as { reservation: Reservation }).reservation;
}

describe('sequence arithmetic', () => {
  it('wraps at Int32 max', () => {
    assert.equal(lastSequenceOf(0, 4), 4);
    assert.equal(lastSequenceOf(MAX, 0), MAX);
    assert.equal(lastSequenceOf(MAX, 1), 0);
    assert.equal(lastSequenceOf(MAX - 1, 3), 1);
    assert.ok(inSequence(4, 5));
    assert.ok(inSequence(MAX, 0));
    assert.ok(!inSequence(MAX, -0x80000000), 'no int32 overflow to the minimum');
    assert.ok(!inSequence(4, 6));
    assert.ok(inSequence(-1, 0));
  });
});

describe('ProducerStateManager', () => {
  it('checks in-flight batches before the committed state, and applies them in log order', () => {
    const s = new ProducerStateManager('t-0', 60_000);
    const a = reserve(s, [pb(1, 0, 0, 2)]);
    const b = reserve(s, [pb(1, 0, 2, 3)]);
    const gap = s.prepare([pb(1, 0, 9)]);
    assert.equal(gap.kind, 'reject');
    assert.match((gap as { error: Error }).error.message, /sequence 9 after 4/, 'checked against the newest in flight');
    const racing = s.prepare([pb(1, 0, 2, 3)]);
    assert.equal(racing.kind, 'wait', 'a retry of an in-flight batch waits for it');
    s.complete(a, 10, -1);
    s.complete(b, 12, -1);
    assert.deepEqual(s.lastEntry(1)!.batches, [
      { firstSeq: 0, lastSeq: 1, firstOffset: 10, lastOffset: 11, timestamp: 1000 },
      { firstSeq: 2, lastSeq: 4, firstOffset: 12, lastOffset: 14, timestamp: 1000 },
    ]);
    const dup = s.prepare([pb(1, 0, 2, 3)]);
    assert.equal(dup.kind, 'duplicate');
    assert.equal((dup as { batch: { firstOffset: number } }).batch.firstOffset, 12);
  });

  it('wakes a waiting retry when the original fails, and forgets the failed batch', async () => {
    const s = new ProducerStateManager('t-0', 60_000);
    const a = reserve(s, [pb(1, 0, 0)]);
    const waiting = s.prepare([pb(1, 0, 0)]);
    assert.equal(waiting.kind, 'wait');
    s.abort(a);
    await (waiting as { until: Promise<void> }).until;
    assert.equal(s.prepare([pb(1, 0, 0)]).kind, 'append', 'the retry is now the one written');
    assert.equal(s.lastEntry(1), undefined, 'the committed state never saw the failed batch');
  });

  it('checks a multi-batch append batch by batch and rolls back all of it on a failure', () => {
    const s = new ProducerStateManager('t-0', 60_000);
    const bad = s.prepare([pb(1, 0, 0), pb(2, 0, 0, 1, 1), pb(1, 0, 5, 1, 2)]);
    assert.equal(bad.kind, 'reject');
    assert.equal(s.prepare([pb(2, 0, 0)]).kind, 'append', 'producer 2 was not left in flight');
    const ok = reserve(s, [pb(1, 0, 0, 2), pb(1, 0, 2, 1, 2)]);
    s.complete(ok, 100, 5555);
    assert.deepEqual(
      s.lastEntry(1)!.batches.map((b) => [b.firstOffset, b.lastOffset, b.timestamp]),
      [
        [100, 101, 5555],
        [102, 102, 5555],
      ],
    );
  });

  it("forgets the old epoch's batches when a new epoch is applied", () => {
    const s = new ProducerStateManager('t-0', 60_000);
    s.complete(reserve(s, [pb(1, 0, 0)]), 0, -1);
    s.complete(reserve(s, [pb(1, 1, 0)]), 1, -1);
    assert.deepEqual([s.lastEntry(1)!.producerEpoch, s.lastEntry(1)!.batches.length], [1, 1]);
    assert.equal(s.prepare([pb(1, 0, 0)]).kind, 'reject', 'epoch 0 is fenced, even for a retry');
  });

  it('expires idle producers by their batch timestamps, never one with a batch in flight', () => {
    const s = new ProducerStateManager('t-0', 60_000);
    s.complete(reserve(s, [pb(1, 0, 0)]), 0, -1);
    s.complete(reserve(s, [pb(2, 0, 0)]), 1, -1);
    const inFlight = reserve(s, [pb(2, 0, 1)]);
    assert.equal(s.removeExpired(1000 + 59_999), 0);
    assert.equal(s.removeExpired(1000 + 60_000), 1);
    assert.deepEqual([s.lastEntry(1), s.lastEntry(2)?.producerId], [undefined, 2]);
    s.abort(inFlight);
  });

  it("names each producer's last data batch, for the cleaner to keep", () => {
    const s = new ProducerStateManager('t-0', 60_000);
    s.complete(reserve(s, [pb(1, 0, 0, 3)]), 0, -1); // offsets 0-2
    s.complete(reserve(s, [pb(2, 0, 0)]), 3, -1); // 3
    s.complete(reserve(s, [pb(1, 0, 3, 2)]), 4, -1); // 4-5
    assert.deepEqual(
      [...s.lastDataOffsets()],
      [
        [1, 5],
        [2, 3],
      ],
    );
    s.removeExpired(1000 + 60_000);
    assert.equal(s.lastDataOffsets().size, 0, 'expired producers are not active');
  });

  it('round-trips through a snapshot', () => {
    const s = new ProducerStateManager('t-0', 60_000);
    for (let i = 0; i < 7; i++) s.complete(reserve(s, [pb(5, 3, i * 2, 2)]), i * 2, -1);
    s.updateMapEndOffset(14);
    const copy = new ProducerStateManager('t-0', 60_000);
    copy.loadSnapshot(decodeProducerSnapshot(encodeProducerSnapshot(s.toSnapshot()), 'x'), 14, 2000);
    assert.deepEqual(copy.toSnapshot(), s.toSnapshot());
    assert.equal(copy.mapEndOffset, 14);
    assert.equal(copy.lastEntry(5)!.batches.length, 5);
    assert.equal(copy.prepare([pb(5, 3, 4, 2)]).kind, 'duplicate');
    assert.equal(copy.prepare([pb(5, 3, 14)]).kind, 'append');
  });
});

describe('producer snapshot file format', () => {
  const producers: SnapshotProducer[] = [
    {
      producerId: 2 ** 40 + 3,
      producerEpoch: 7,
      coordinatorEpoch: -1,
      currentTxnFirstOffset: -1,
      lastTimestamp: 1_700_000_000_123,
      batches: [
        { firstSeq: 0, lastSeq: 9, firstOffset: 100, lastOffset: 109, timestamp: 1_700_000_000_000 },
        { firstSeq: 10, lastSeq: 10, firstOffset: 200, lastOffset: 200, timestamp: 1_700_000_000_123 },
      ],
    },
    { producerId: 9, producerEpoch: 0, coordinatorEpoch: -1, currentTxnFirstOffset: -1, lastTimestamp: 5, batches: [] },
  ];

  it('lays out header, producers and batches as documented', () => {
    const buf = encodeProducerSnapshot(producers);
    assert.equal(buf.length, 10 + 31 + 2 * 28 + 31);
    assert.equal(buf.readInt16BE(0), 1, 'version');
    assert.equal(buf.readInt32BE(6), 2, 'producer count');
    assert.equal(buf.readBigInt64BE(10), BigInt(2 ** 40 + 3));
    assert.equal(buf.readInt16BE(18), 7);
    assert.equal(buf.readInt8(40), 2, 'batch count');
    assert.equal(buf.readInt32BE(41 + 4), 9, 'first batch lastSeq');
    assert.equal(buf.readInt32BE(41 + 16), 9, 'first batch offset delta');
    assert.deepEqual(decodeProducerSnapshot(buf, 'x'), producers);
  });

  it('refuses damaged snapshots', () => {
    const buf = encodeProducerSnapshot(producers);
    const flipped = Buffer.from(buf);
    flipped[50]! ^= 1;
    assert.throws(() => decodeProducerSnapshot(flipped, 'f'), /CRC mismatch/);
    assert.throws(() => decodeProducerSnapshot(buf.subarray(0, 40), 'f'), /CRC mismatch|cut off/);
    const wrongVersion = Buffer.from(buf);
    wrongVersion.writeInt16BE(9, 0);
    assert.throws(() => decodeProducerSnapshot(wrongVersion, 'f'), /unknown version 9/);
    assert.throws(() => decodeProducerSnapshot(Buffer.alloc(3), 'f'), /shorter than the header/);
  });
});
