import type { OffsetCommitValue } from './group-records.ts';

/** A committed offset and where its record is in __consumer_offsets (-1: not known). */
export interface CommittedOffset extends OffsetCommitValue {
  recordOffset: number;
}

/** A (topic, partition, offset) triple as the offset maps hand them out. */
export interface OffsetEntry<V> {
  topic: string;
  partition: number;
  value: V;
}

/**
 * A two-level map topic → partition → V, so "all offsets of a group" and "all partitions of a
 * topic" need no string keys per partition.
 */
class TopicPartitionMap<V> {
  private readonly topics = new Map<string, Map<number, V>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(topic: string, partition: number): V | undefined {
    return this.topics.get(topic)?.get(partition);
  }

  has(topic: string, partition: number): boolean {
    return this.topics.get(topic)?.has(partition) ?? false;
  }

  set(topic: string, partition: number, value: V): void {
    let byPartition = this.topics.get(topic);
    if (byPartition === undefined) {
      byPartition = new Map();
      this.topics.set(topic, byPartition);
    }
    if (!byPartition.has(partition)) this.count++;
    byPartition.set(partition, value);
  }

  delete(topic: string, partition: number): V | undefined {
    const byPartition = this.topics.get(topic);
    const v = byPartition?.get(partition);
    if (byPartition === undefined || v === undefined) return undefined;
    byPartition.delete(partition);
    this.count--;
    if (byPartition.size === 0) this.topics.delete(topic);
    return v;
  }

  *entries(): Generator<OffsetEntry<V>> {
    for (const [topic, byPartition] of this.topics) {
      for (const [partition, value] of byPartition) yield { topic, partition, value };
    }
  }
}

/**
 * A group's committed offsets (what OffsetFetch answers) and its commits in flight (Kafka's
 * pendingOffsetCommits): a commit is staged when its records are handed to the log and becomes
 * committed only once they are written and replicated; OffsetFetch with require_stable answers
 * UNSTABLE_OFFSET_COMMIT for a partition with a commit in flight, and expiration never removes
 * one. Deleting an offset also drops its staged commit, so a write that lands afterwards does
 * not bring it back.
 */
export class GroupOffsets {
  private readonly committed = new TopicPartitionMap<CommittedOffset>();
  private readonly pending = new TopicPartitionMap<OffsetCommitValue>();

  /** Committed offsets. */
  get size(): number {
    return this.committed.size;
  }

  /** Committed offsets or commits in flight. */
  get hasOffsets(): boolean {
    return this.committed.size > 0 || this.pending.size > 0;
  }

  get(topic: string, partition: number): CommittedOffset | undefined {
    return this.committed.get(topic, partition);
  }

  hasPending(topic: string, partition: number): boolean {
    return this.pending.has(topic, partition);
  }

  entries(): Generator<OffsetEntry<CommittedOffset>> {
    return this.committed.entries();
  }

  /** Loading: the last record of each key wins. */
  put(topic: string, partition: number, value: CommittedOffset): void {
    this.committed.set(topic, partition, value);
  }

  /** A commit's records were handed to the log. */
  stage(topic: string, partition: number, value: OffsetCommitValue): void {
    this.pending.set(topic, partition, value);
  }

  /**
   * The commit's records are committed at `recordOffset`. It becomes the committed offset unless
   * the partition's offset was deleted meanwhile (no staged commit left) or a later write already
   * landed; it stops being pending when it is the latest staged commit of the partition.
   */
  onWritten(topic: string, partition: number, value: OffsetCommitValue, recordOffset: number): void {
    const staged = this.pending.get(topic, partition);
    if (staged !== undefined) {
      const current = this.committed.get(topic, partition);
      if (current === undefined || current.recordOffset < recordOffset) {
        this.committed.set(topic, partition, { ...value, recordOffset });
      }
    }
    if (staged === value) this.pending.delete(topic, partition);
  }

  /** The commit's records were not written. */
  onFailed(topic: string, partition: number, value: OffsetCommitValue): void {
    if (this.pending.get(topic, partition) === value) this.pending.delete(topic, partition);
  }

  /**
   * Removes the partitions' offsets and staged commits. Returns every partition that had either:
   * each needs a tombstone, since a staged commit's record may land in the log before it.
   */
  remove(partitions: Iterable<{ topic: string; partition: number }>): { topic: string; partition: number }[] {
    const removed: { topic: string; partition: number }[] = [];
    for (const { topic, partition } of partitions) {
      const staged = this.pending.delete(topic, partition);
      const committed = this.committed.delete(topic, partition);
      if (staged !== undefined || committed !== undefined) removed.push({ topic, partition });
    }
    return removed;
  }

  /** Removes every offset and staged commit of `topics` (see remove()). */
  removeTopics(topics: ReadonlySet<string>): { topic: string; partition: number }[] {
    return this.remove(this.keys().filter((e) => topics.has(e.topic)));
  }

  /** Removes every offset and staged commit (see remove()). */
  removeAll(): { topic: string; partition: number }[] {
    return this.remove(this.keys());
  }

  /** Every partition with a committed offset or a staged commit, once. */
  private keys(): { topic: string; partition: number }[] {
    const out: { topic: string; partition: number }[] = [];
    for (const { topic, partition } of this.committed.entries()) out.push({ topic, partition });
    for (const { topic, partition } of this.pending.entries()) {
      if (!this.committed.has(topic, partition)) out.push({ topic, partition });
    }
    return out;
  }

  /**
   * Removes and returns the committed offsets that expired at `now` (offsets.retention.ms after
   * `baseTimestamp(offset)`, or at their explicit expire timestamp), except those of `keepTopics`
   * and those with a commit in flight.
   */
  removeExpired(
    now: number,
    retentionMs: number,
    baseTimestamp: (o: CommittedOffset) => number,
    keepTopics: ReadonlySet<string> | null,
  ): OffsetEntry<CommittedOffset>[] {
    const expired: OffsetEntry<CommittedOffset>[] = [];
    for (const e of this.committed.entries()) {
      if (keepTopics?.has(e.topic) || this.pending.has(e.topic, e.partition)) continue;
      const o = e.value;
      const due = o.expireTimestamp >= 0 ? now >= o.expireTimestamp : now - baseTimestamp(o) >= retentionMs;
      if (due) expired.push(e);
    }
    for (const e of expired) this.committed.delete(e.topic, e.partition);
    return expired;
  }
}
