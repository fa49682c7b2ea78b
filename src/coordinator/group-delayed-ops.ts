/**
 * The group coordinator's delayed operations (Kafka's DelayedJoin, InitialDelayedJoin, DelayedSync
 * and DelayedHeartbeat). They hold no logic of their own: each asks the coordinator's rebalance
 * logic (RebalanceHooks) whether it is done and what to do when it completes or expires.
 *
 * Watch keys: `joinKey(group)` and `syncKey(group)` in the rebalance purgatory, `memberKey(group,
 * member)` in the heartbeat purgatory. The coordinator calls checkAndComplete on them whenever a
 * member joins, leaves, syncs or heartbeats, and when a group is unloaded.
 */
import { DelayedOperation } from '../common/delayed-operation.ts';
import type { Purgatory } from '../common/purgatory.ts';
import type { ClassicGroup } from './classic-group.ts';

/** What the delayed operations ask of the rebalance logic (group-membership.ts). */
export interface RebalanceHooks {
  /** Every member (and no pending member) has rejoined, or the group is gone. */
  canCompleteJoin(group: ClassicGroup): boolean;
  /** End of the join phase: next generation, JoinGroup answers (rebalance.timeout.ms bounds it). */
  onCompleteJoin(group: ClassicGroup): void;
  /** Every member sent SyncGroup for `generationId`, or the group moved on. */
  canCompleteSync(group: ClassicGroup, generationId: number): boolean;
  /** Members that never sent SyncGroup are removed and the group rebalances. */
  onExpireSync(group: ClassicGroup, generationId: number): void;
  /** The member's current session deadline is met (or the member/group is gone). */
  canCompleteHeartbeat(group: ClassicGroup, memberId: string, isPending: boolean): boolean;
  /** The session (or pending-member, or new-member join) deadline passed without a sign of life. */
  onExpireHeartbeat(group: ClassicGroup, memberId: string, isPending: boolean): void;
}

export type RebalanceOperation = DelayedJoin | DelayedSync;

export function joinKey(group: ClassicGroup): string {
  return `join\u0000${group.groupId}`;
}

export function syncKey(group: ClassicGroup): string {
  return `sync\u0000${group.groupId}`;
}

export function memberKey(group: ClassicGroup, memberId: string): string {
  return `${group.groupId}\u0000${memberId}`;
}

/**
 * The join phase of a rebalance (PreparingRebalance). Completes when:
 * - every member has a JoinGroup parked and no pending member is left (checked whenever a member
 *   joins or leaves, and when a pending member expires);
 * - the group is Dead (unloaded or deleted);
 * - rebalance.timeout.ms (the largest of the members') passes — members that did not rejoin are
 *   then removed by onCompleteJoin.
 */
export class DelayedJoin extends DelayedOperation {
  protected readonly hooks: RebalanceHooks;
  readonly group: ClassicGroup;

  constructor(hooks: RebalanceHooks, group: ClassicGroup, delayMs: number) {
    super(delayMs);
    this.hooks = hooks;
    this.group = group;
  }

  tryComplete(): boolean {
    return this.hooks.canCompleteJoin(this.group) ? this.forceComplete() : false;
  }

  onComplete(): void {
    this.hooks.onCompleteJoin(this.group);
  }
}

/**
 * The join phase of a new (Empty) group: waits group.initial.rebalance.delay.ms so that members
 * starting together join one generation. Completes early only when the group is Dead. When the
 * delay ends and a member joined meanwhile and rebalance time is left, it waits again —
 * min(delay, remaining) — with `remainingMs` reduced; otherwise it completes like a DelayedJoin.
 */
export class InitialDelayedJoin extends DelayedJoin {
  private readonly purgatory: Purgatory<RebalanceOperation>;
  private readonly configuredDelayMs: number;
  private readonly remainingMs: number;

  constructor(
    hooks: RebalanceHooks,
    purgatory: Purgatory<RebalanceOperation>,
    group: ClassicGroup,
    configuredDelayMs: number,
    delayMs: number,
    remainingMs: number,
  ) {
    super(hooks, group, delayMs);
    this.purgatory = purgatory;
    this.configuredDelayMs = configuredDelayMs;
    this.remainingMs = remainingMs;
  }

  override tryComplete(): boolean {
    // Only a dead group (unloaded, deleted) ends the delay early.
    return this.group.is('Dead') ? this.forceComplete() : false;
  }

  override onComplete(): void {
    const g = this.group;
    if (g.newMemberAdded && this.remainingMs !== 0 && !g.is('Dead')) {
      g.newMemberAdded = false;
      const delay = Math.min(this.configuredDelayMs, this.remainingMs);
      const remaining = Math.max(this.remainingMs - this.delayMs, 0);
      const next = new InitialDelayedJoin(this.hooks, this.purgatory, g, this.configuredDelayMs, delay, remaining);
      this.purgatory.tryCompleteElseWatch(next, [joinKey(g)]);
    } else {
      super.onComplete();
    }
  }
}

/**
 * The sync phase (CompletingRebalance, then Stable): every member must send SyncGroup for the new
 * generation within the rebalance timeout. Completes (doing nothing) when:
 * - all members have sent SyncGroup;
 * - the generation changed, or the group is Empty, PreparingRebalance or Dead.
 * On expiry the members that did not sync are removed and the group rebalances.
 */
export class DelayedSync extends DelayedOperation {
  private readonly hooks: RebalanceHooks;
  private readonly group: ClassicGroup;
  private readonly generationId: number;

  constructor(hooks: RebalanceHooks, group: ClassicGroup, generationId: number, delayMs: number) {
    super(delayMs);
    this.hooks = hooks;
    this.group = group;
    this.generationId = generationId;
  }

  tryComplete(): boolean {
    return this.hooks.canCompleteSync(this.group, this.generationId) ? this.forceComplete() : false;
  }

  override onExpiration(): void {
    this.hooks.onExpireSync(this.group, this.generationId);
  }

  onComplete(): void {}
}

/**
 * One session deadline of a member (or of a pending member: its rejoin deadline). Completes
 * (doing nothing) when:
 * - the group is Dead;
 * - pending: the member joined, or is no longer pending (left, or evicted by the pending cap);
 * - member: its heartbeat is satisfied (a heartbeat, commit, or answered join/sync arrived since
 *   this deadline was scheduled; members with a parked JoinGroup/SyncGroup count as alive), or it
 *   is no longer a member.
 * On expiry the member (or pending member) is removed, which may rebalance the group.
 */
export class DelayedHeartbeat extends DelayedOperation {
  private readonly hooks: RebalanceHooks;
  private readonly group: ClassicGroup;
  private readonly memberId: string;
  private readonly isPending: boolean;

  constructor(hooks: RebalanceHooks, group: ClassicGroup, memberId: string, isPending: boolean, delayMs: number) {
    super(delayMs);
    this.hooks = hooks;
    this.group = group;
    this.memberId = memberId;
    this.isPending = isPending;
  }

  tryComplete(): boolean {
    return this.hooks.canCompleteHeartbeat(this.group, this.memberId, this.isPending) ? this.forceComplete() : false;
  }

  override onExpiration(): void {
    this.hooks.onExpireHeartbeat(this.group, this.memberId, this.isPending);
  }

  onComplete(): void {}
}
