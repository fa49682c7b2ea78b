/**
 * A partition's replicas as its leader sees them: the assigned replicas, the ISR, and what each
 * follower's fetches said about its log. The leader's high watermark is the smallest log end
 * offset (LEO) in the ISR. This is where the replication issue adds ISR shrinking (a follower
 * behind for replica.lag.time.max.ms, from lastCaughtUpTimeMs) and expansion (a follower caught
 * up past the HW).
 *
 * Lifecycle: reset() at every leadership change (a new epoch forgets the followers' state: a
 * new leader knows nothing of their logs until they fetch) → recordFetch() per follower fetch.
 * Invariant: `followers` holds exactly the assigned replicas other than this broker.
 */

export interface FollowerState {
  /** The follower's LEO: its last fetch offset; -1 before its first fetch. */
  logEndOffset: number;
  logStartOffset: number;
  lastFetchTimeMs: number;
  /** Last time the follower had fetched everything the leader had. */
  lastCaughtUpTimeMs: number;
}

export class ReplicaSet {
  readonly brokerId: number;
  private replicaIds: readonly number[] = [];
  private isrIds = new Set<number>();
  private readonly followers = new Map<number, FollowerState>();

  constructor(brokerId: number) {
    this.brokerId = brokerId;
  }

  get replicas(): readonly number[] {
    return this.replicaIds;
  }

  get isr(): readonly number[] {
    return [...this.isrIds];
  }

  get isrSize(): number {
    return this.isrIds.size;
  }

  /** True when `isr` has the same members as the current ISR. */
  sameIsr(isr: readonly number[]): boolean {
    return this.isrIds.size === isr.length && isr.every((x) => this.isrIds.has(x));
  }

  /** Takes the controller's replicas and ISR; `forgetFollowers` on a new epoch. */
  reset(replicas: readonly number[], isr: readonly number[], forgetFollowers: boolean): void {
    this.replicaIds = [...replicas];
    this.isrIds = new Set(isr);
    if (forgetFollowers) this.followers.clear();
    for (const id of this.followers.keys()) if (!replicas.includes(id)) this.followers.delete(id);
    for (const id of replicas) {
      if (id !== this.brokerId && !this.followers.has(id)) {
        this.followers.set(id, { logEndOffset: -1, logStartOffset: -1, lastFetchTimeMs: 0, lastCaughtUpTimeMs: 0 });
      }
    }
  }

  /** Forgets every follower (this broker is no longer the leader). */
  clearFollowers(): void {
    this.followers.clear();
  }

  /** The HW the ISR allows: the smallest LEO among its members, `leaderLogEndOffset` for us. */
  highWatermarkBound(leaderLogEndOffset: number): number {
    let hw = leaderLogEndOffset;
    for (const id of this.isrIds) {
      if (id === this.brokerId) continue;
      const leo = this.followers.get(id)?.logEndOffset ?? -1;
      if (leo < hw) hw = leo;
    }
    return hw;
  }

  /** A follower fetched from `fetchOffset`; false when `replicaId` is not an assigned follower. */
  recordFetch(
    replicaId: number,
    fetchOffset: number,
    logStartOffset: number,
    leaderLogEndOffset: number,
    nowMs: number,
  ): boolean {
    const f = this.followers.get(replicaId);
    if (f === undefined) return false;
    f.logEndOffset = fetchOffset;
    f.logStartOffset = logStartOffset;
    f.lastFetchTimeMs = nowMs;
    if (fetchOffset >= leaderLogEndOffset) f.lastCaughtUpTimeMs = nowMs;
    return true;
  }

  follower(replicaId: number): Readonly<FollowerState> | undefined {
    return this.followers.get(replicaId);
  }
}
