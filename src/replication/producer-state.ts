/**
 * Idempotent-producer state of one partition (Kafka's ProducerStateManager + ProducerAppendInfo),
 * as pure logic: no I/O, no clock. Persistence is producer-state-store.ts.
 *
 * For every producer id that wrote here: its epoch and its last 5 batches (first/last sequence,
 * first/last offset, timestamp). A new idempotent batch is checked against it:
 *
 *   epoch < known epoch ─────────────────────────────────────────▶ INVALID_PRODUCER_EPOCH
 *   same epoch, same first+last sequence as one of the last 5 ───▶ duplicate: answer with the
 *                                                                   original offsets, write nothing
 *   newer epoch: first sequence must be 0 (any, for an unknown producer) else OUT_OF_ORDER_SEQUENCE_NUMBER
 *   same epoch: first sequence must be last sequence + 1 (0 after Int32 max) else OUT_OF_ORDER_SEQUENCE_NUMBER
 *
 * (Kafka 3.9 accepts any first sequence from a producer it has no state for — its state may have
 * expired or been deleted with the log — so UNKNOWN_PRODUCER_ID is never the answer here.)
 *
 * Appends are checked before they are written and applied after, but several can be in the
 * log's queue at once. So the state has two layers:
 * - committed: what the log holds, in log order (`complete` applies a written append);
 * - in flight: batches checked and queued but not yet written (`prepare` adds them, `complete`
 *   or `abort` removes them). A new batch is checked against its producer's newest in-flight
 *   batch if there is one, else against the committed state; a retry of an in-flight batch waits
 *   for it (`wait`) and is then checked again, so two racing retries are never both written.
 * `prepare` is synchronous and the caller queues the append in the same tick, so check order,
 * queue order and offset order are the same.
 *
 * Invariants: committed batches per producer ≤ 5, oldest first, all of the producer's current
 * epoch; `mapEndOffset` is the offset after the last batch applied (snapshots are taken there).
 */

import type { SnapshotProducer } from '../storage/producer-state-snapshot.ts';
import { ReplicationError } from './errors.ts';

/** Batches remembered per producer for duplicate detection (Kafka's NUM_BATCHES_TO_RETAIN). */
export const NUM_BATCHES_TO_RETAIN = 5;
const INT32_MAX = 0x7fffffff;
const NO_EPOCH = -1;
const NO_SEQUENCE = -1;

/** The last sequence of a batch: base + lastOffsetDelta, wrapping past Int32 max to 0. */
export function lastSequenceOf(baseSequence: number, lastOffsetDelta: number): number {
  if (baseSequence > INT32_MAX - lastOffsetDelta) return lastOffsetDelta - (INT32_MAX - baseSequence) - 1;
  return baseSequence + lastOffsetDelta;
}

/** True when `next` directly follows `last` (0 follows Int32 max). */
export function inSequence(last: number, next: number): boolean {
  return next === last + 1 || (next === 0 && last === INT32_MAX);
}

export interface BatchMetadata {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
  /** The batch's max timestamp (the append time under LogAppendTime). */
  readonly timestamp: number;
}

/** An idempotent batch of an append, read from its header. */
export interface ProducerBatch {
  producerId: number;
  producerEpoch: number;
  firstSeq: number;
  lastSeq: number;
  /** Offset of the batch's first record minus the append's first offset. */
  offsetDelta: number;
  lastOffsetDelta: number;
  maxTimestamp: number;
  isTransactional: boolean;
}

/** What a batch read back from the log (replay, follower append) tells the state. */
export interface LoggedBatch {
  producerId: number;
  producerEpoch: number;
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  timestamp: number;
  isControl: boolean;
}

export interface ProducerStateView {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly batches: readonly BatchMetadata[];
  readonly lastTimestamp: number;
  readonly currentTxnFirstOffset: number;
}

class ProducerEntry implements ProducerStateView {
  readonly producerId: number;
  producerEpoch: number;
  batches: BatchMetadata[] = [];
  coordinatorEpoch = -1;
  currentTxnFirstOffset = -1;
  lastTimestamp = -1;

  constructor(producerId: number, producerEpoch: number) {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
  }

  get lastSeq(): number {
    return this.batches.at(-1)?.lastSeq ?? NO_SEQUENCE;
  }

  findDuplicate(epoch: number, firstSeq: number, lastSeq: number): BatchMetadata | undefined {
    if (epoch !== this.producerEpoch) return undefined;
    for (const b of this.batches) if (b.firstSeq === firstSeq && b.lastSeq === lastSeq) return b;
    return undefined;
  }

  /** A newer epoch forgets the batches of the old one. */
  updateEpoch(epoch: number): void {
    if (epoch === this.producerEpoch) return;
    this.producerEpoch = epoch;
    this.batches = [];
  }

  addBatch(epoch: number, b: BatchMetadata): void {
    this.updateEpoch(epoch);
    this.batches.push(b);
    if (this.batches.length > NUM_BATCHES_TO_RETAIN) this.batches.shift();
    this.lastTimestamp = b.timestamp;
  }
}

interface InFlight {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  waiters: (() => void)[] | null;
}

/** Batches checked by `prepare` and queued; hand it back to `complete` or `abort`. */
export interface Reservation {
  readonly batches: readonly ProducerBatch[];
  readonly flights: readonly InFlight[];
}

export type PrepareResult =
  | { kind: 'append'; reservation: Reservation }
  | { kind: 'duplicate'; batch: BatchMetadata }
  | { kind: 'wait'; until: Promise<void> }
  | { kind: 'reject'; error: ReplicationError };

export class ProducerStateManager {
  readonly name: string;
  readonly producerIdExpirationMs: number;
  private readonly producers = new Map<number, ProducerEntry>();
  private readonly inFlight = new Map<number, InFlight[]>();
  private mapEnd = 0;

  constructor(name: string, producerIdExpirationMs: number) {
    this.name = name;
    this.producerIdExpirationMs = producerIdExpirationMs;
  }

  /** The offset after the last batch applied. */
  get mapEndOffset(): number {
    return this.mapEnd;
  }

  get producerCount(): number {
    return this.producers.size;
  }

  lastEntry(producerId: number): ProducerStateView | undefined {
    return this.producers.get(producerId);
  }

  /** Every producer's state (DescribeProducers, tests). */
  allProducers(): Iterable<ProducerStateView> {
    return this.producers.values();
  }

  /**
   * Hook for transactions: the first offset of the oldest open transaction, which caps the last
   * stable offset. No transaction can be open until the transaction coordinator exists.
   */
  firstUnstableOffset(): number | null {
    return null;
  }

  /**
   * Checks the idempotent batches of one append, in order, and on success marks them in flight.
   * The first duplicate found answers the whole append (as in Kafka).
   */
  prepare(batches: readonly ProducerBatch[]): PrepareResult {
    const flights: InFlight[] = [];
    for (const b of batches) {
      const entry = this.producers.get(b.producerId);
      const queued = this.inFlight.get(b.producerId);
      const tail = queued?.at(-1);
      const tailEpoch = tail?.producerEpoch ?? entry?.producerEpoch ?? NO_EPOCH;
      const fail = (error: ReplicationError): PrepareResult => {
        this.release(flights);
        return { kind: 'reject', error };
      };
      if (b.producerEpoch < tailEpoch) {
        return fail(
          new ReplicationError(
            'INVALID_PRODUCER_EPOCH',
            `${this.name}: producer ${b.producerId} epoch ${b.producerEpoch} is older than the last seen epoch ${tailEpoch}`,
          ),
        );
      }
      const dup = entry?.findDuplicate(b.producerEpoch, b.firstSeq, b.lastSeq);
      if (dup !== undefined) {
        this.release(flights);
        return { kind: 'duplicate', batch: dup };
      }
      const racing = queued?.find(
        (f) => f.producerEpoch === b.producerEpoch && f.firstSeq === b.firstSeq && f.lastSeq === b.lastSeq,
      );
      if (racing !== undefined) {
        this.release(flights);
        return { kind: 'wait', until: waitFor(racing) };
      }
      if (b.producerEpoch !== tailEpoch) {
        if (b.firstSeq !== 0 && tailEpoch !== NO_EPOCH) {
          return fail(
            new ReplicationError(
              'OUT_OF_ORDER_SEQUENCE_NUMBER',
              `${this.name}: producer ${b.producerId} starts new epoch ${b.producerEpoch} at sequence ${b.firstSeq}, not 0`,
            ),
          );
        }
      } else {
        const lastSeq = tail?.lastSeq ?? entry?.lastSeq ?? NO_SEQUENCE;
        if (!inSequence(lastSeq, b.firstSeq)) {
          return fail(
            new ReplicationError(
              'OUT_OF_ORDER_SEQUENCE_NUMBER',
              `${this.name}: producer ${b.producerId} sent sequence ${b.firstSeq} after ${lastSeq} (epoch ${b.producerEpoch})`,
            ),
          );
        }
      }
      const f: InFlight = {
        producerId: b.producerId,
        producerEpoch: b.producerEpoch,
        firstSeq: b.firstSeq,
        lastSeq: b.lastSeq,
        waiters: null,
      };
      if (queued === undefined) this.inFlight.set(b.producerId, [f]);
      else queued.push(f);
      flights.push(f);
    }
    return { kind: 'append', reservation: { batches, flights } };
  }

  /** The reserved append was written from `firstOffset`: apply its batches, in log order. */
  complete(r: Reservation, firstOffset: number, logAppendTime: number): void {
    for (const b of r.batches) {
      const first = firstOffset + b.offsetDelta;
      this.entryFor(b.producerId, b.producerEpoch).addBatch(b.producerEpoch, {
        firstSeq: b.firstSeq,
        lastSeq: b.lastSeq,
        firstOffset: first,
        lastOffset: first + b.lastOffsetDelta,
        timestamp: logAppendTime >= 0 ? logAppendTime : b.maxTimestamp,
      });
    }
    this.release(r.flights);
  }

  /** The reserved append failed: forget it (the committed state never saw it). */
  abort(r: Reservation): void {
    this.release(r.flights);
  }

  /** Applies a batch read from the log (replay at load, follower append): no checks, as Kafka. */
  applyLogged(b: LoggedBatch): void {
    const entry = this.entryFor(b.producerId, b.producerEpoch);
    if (b.isControl) {
      // A transaction marker: it may carry a bumped epoch and ends the open transaction.
      if (b.producerEpoch > entry.producerEpoch) entry.updateEpoch(b.producerEpoch);
      entry.currentTxnFirstOffset = -1;
      return;
    }
    entry.addBatch(b.producerEpoch, {
      firstSeq: b.firstSeq,
      lastSeq: b.lastSeq,
      firstOffset: b.firstOffset,
      lastOffset: b.lastOffset,
      timestamp: b.timestamp,
    });
  }

  updateMapEndOffset(offset: number): void {
    if (offset > this.mapEnd) this.mapEnd = offset;
  }

  /**
   * Drops producers whose last batch is `producerIdExpirationMs` older than `now` (by the batch
   * timestamps, as Kafka) and that have nothing in flight or open. Returns how many went.
   */
  removeExpired(now: number): number {
    let n = 0;
    for (const [id, e] of this.producers) {
      if (this.isExpired(e, now) && !this.inFlight.has(id)) {
        this.producers.delete(id);
        n++;
      }
    }
    return n;
  }

  /** Producer id → offset of its last data batch, for every producer the state holds. */
  lastDataOffsets(): Map<number, number> {
    const out = new Map<number, number>();
    for (const e of this.producers.values()) {
      const last = e.batches.at(-1);
      if (last !== undefined) out.set(e.producerId, last.lastOffset);
    }
    return out;
  }

  /** Forgets everything and restarts at `offset` (a log truncated or emptied under the state). */
  reset(offset: number): void {
    this.producers.clear();
    this.mapEnd = offset;
  }

  toSnapshot(): SnapshotProducer[] {
    const out: SnapshotProducer[] = [];
    for (const e of this.producers.values()) {
      out.push({
        producerId: e.producerId,
        producerEpoch: e.producerEpoch,
        coordinatorEpoch: e.coordinatorEpoch,
        currentTxnFirstOffset: e.currentTxnFirstOffset,
        lastTimestamp: e.lastTimestamp,
        batches: e.batches.map((b) => ({ ...b })),
      });
    }
    return out;
  }

  /** Replaces the committed state with a snapshot taken at `offset`, skipping expired producers. */
  loadSnapshot(producers: readonly SnapshotProducer[], offset: number, now: number): void {
    this.producers.clear();
    for (const p of producers) {
      const e = new ProducerEntry(p.producerId, p.producerEpoch);
      e.coordinatorEpoch = p.coordinatorEpoch;
      e.currentTxnFirstOffset = p.currentTxnFirstOffset;
      e.lastTimestamp = p.lastTimestamp;
      e.batches = p.batches.slice(-NUM_BATCHES_TO_RETAIN);
      if (!this.isExpired(e, now)) this.producers.set(p.producerId, e);
    }
    this.mapEnd = offset;
  }

  private isExpired(e: ProducerEntry, now: number): boolean {
    return e.currentTxnFirstOffset < 0 && now - e.lastTimestamp >= this.producerIdExpirationMs;
  }

  private entryFor(producerId: number, epoch: number): ProducerEntry {
    let e = this.producers.get(producerId);
    if (e === undefined) {
      e = new ProducerEntry(producerId, epoch);
      this.producers.set(producerId, e);
    }
    return e;
  }

  private release(flights: readonly InFlight[]): void {
    for (const f of flights) {
      const list = this.inFlight.get(f.producerId);
      if (list !== undefined) {
        const i = list.indexOf(f);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this.inFlight.delete(f.producerId);
      }
      const w = f.waiters;
      f.waiters = null;
      if (w !== null) for (const fn of w) fn();
    }
  }
}

function waitFor(f: InFlight): Promise<void> {
  return new Promise<void>((resolve) => {
    (f.waiters ??= []).push(resolve);
  });
}
