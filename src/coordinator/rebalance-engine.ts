import type { Clock } from '../common/clock.ts';
import type { CoarseTimers } from '../common/coarse-timers.ts';
import type { Logger } from '../common/logger.ts';
import { Purgatory } from '../common/purgatory.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import { type ClassicGroup, joinError, syncError } from './classic-group.ts';
import {
  DelayedHeartbeat,
  DelayedJoin,
  DelayedSync,
  InitialDelayedJoin,
  joinKey,
  memberKey,
  type RebalanceHooks,
  type RebalanceOperation,
  syncKey,
} from './group-delayed-ops.ts';
import { type GroupLimits, NEW_MEMBER_JOIN_TIMEOUT_MS } from './group-limits.ts';
import { GroupMember } from './group-member.ts';
import type { JoinGroupRequestParams, JoinGroupResult } from './group-types.ts';

const EMPTY: Buffer = Buffer.alloc(0);

/** group.* settings the rebalance protocol follows. */
export interface GroupConfig {
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  initialRebalanceDelayMs: number;
  maxSize: number;
}

/** What the rebalance logic needs from the coordinator around it. */
export interface RebalanceContext {
  /** Writes the group's metadata record with `assignment`; resolves with a group error code. */
  storeGroup(group: ClassicGroup, assignment: ReadonlyMap<string, Buffer>): Promise<number>;
  /** Drops `group` from its shard if it holds nothing (see GroupCoordinator.forgetIfIdle). */
  forgetIfIdle(group: ClassicGroup): void;
}

/** The current generation as a JoinGroup answer; `withMembers` for the leader. */
export function generationResult(
  group: ClassicGroup,
  memberId: string,
  withMembers: boolean,
  skipAssignment: boolean,
  leaderId: string | null = group.leaderId,
): JoinGroupResult {
  return {
    errorCode: ErrorCode.NONE,
    memberId,
    generationId: group.generationId,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    leaderId: leaderId ?? '',
    skipAssignment,
    members: withMembers ? group.currentMemberMetadata() : [],
  };
}

/**
 * The machinery of a classic rebalance (Kafka 3.x GroupCoordinator): the join phase and the sync
 * phase in the rebalance purgatory, member sessions and pending members in the heartbeat
 * purgatory (group-delayed-ops.ts lists when each operation completes), and what happens when
 * they end. The requests that drive it are in group-membership.ts; the states in group-state.ts.
 *
 * A rebalance: a join (new member, changed metadata, leader rejoining) or a departure (leave,
 * session expiry) moves the group to PreparingRebalance; JoinGroup requests park until every
 * member rejoined or rebalance.timeout.ms passed (a new group first waits
 * group.initial.rebalance.delay.ms); then the generation is bumped, the protocol chosen, every
 * JoinGroup answered (the leader with all members' metadata) and the group waits in
 * CompletingRebalance for the leader's SyncGroup; its assignment is written to
 * __consumer_offsets and, once committed, handed to every member's parked SyncGroup (Stable).
 *
 * Pending members (KIP-394 ids not yet used) are capped per group and per coordinator
 * (group-limits.ts): past a cap the oldest is forgotten, so floods of joins cannot grow memory.
 */
export class RebalanceEngine implements RebalanceHooks {
  readonly rebalancePurgatory: Purgatory<RebalanceOperation>;
  readonly heartbeatPurgatory: Purgatory<DelayedHeartbeat>;
  readonly config: GroupConfig;
  private readonly limits: GroupLimits;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly ctx: RebalanceContext;
  /** Every pending member of this coordinator, oldest first (for the coordinator-wide cap). */
  private readonly pendingMembers = new Map<string, { group: ClassicGroup; memberId: string }>();

  constructor(opts: {
    config: GroupConfig;
    limits: GroupLimits;
    clock: Clock;
    timers: CoarseTimers;
    logger: Logger;
    ctx: RebalanceContext;
  }) {
    this.config = opts.config;
    this.limits = opts.limits;
    this.clock = opts.clock;
    this.logger = opts.logger;
    this.ctx = opts.ctx;
    this.rebalancePurgatory = new Purgatory<RebalanceOperation>('rebalance', opts.timers, opts.logger);
    this.heartbeatPurgatory = new Purgatory<DelayedHeartbeat>('heartbeat', opts.timers, opts.logger);
  }

  close(): void {
    this.rebalancePurgatory.close();
    this.heartbeatPurgatory.close();
  }

  get pendingMemberCount(): number {
    return this.pendingMembers.size;
  }

  storeGroup(group: ClassicGroup, assignment: ReadonlyMap<string, Buffer>): Promise<number> {
    return this.ctx.storeGroup(group, assignment);
  }

  forgetIfIdle(group: ClassicGroup): void {
    this.ctx.forgetIfIdle(group);
  }

  // ---- Joining --------------------------------------------------------------------------------

  /** A joining member may complete the join phase: try it. */
  checkJoin(group: ClassicGroup): void {
    if (group.is('PreparingRebalance')) this.rebalancePurgatory.checkAndComplete(joinKey(group));
  }

  addMemberAndRebalance(
    group: ClassicGroup,
    memberId: string,
    p: JoinGroupRequestParams,
    resolve: (r: JoinGroupResult) => void,
  ): void {
    const member = new GroupMember({
      memberId,
      groupInstanceId: p.groupInstanceId,
      clientId: p.clientId,
      clientHost: p.clientHost,
      rebalanceTimeoutMs: p.rebalanceTimeoutMs,
      sessionTimeoutMs: p.sessionTimeoutMs,
      protocolType: p.protocolType,
      protocols: p.protocols,
    });
    member.isNew = true;
    if (group.is('PreparingRebalance') && group.generationId === 0) group.newMemberAdded = true;
    group.add(member, resolve);
    this.pendingMembers.delete(memberKey(group, memberId));
    // A new member cannot heartbeat before it has its id, so its first join gets a longer deadline.
    this.scheduleExpiration(group, member, NEW_MEMBER_JOIN_TIMEOUT_MS);
    this.maybePrepareRebalance(group, `member ${memberId} joined`);
  }

  updateMemberAndRebalance(
    group: ClassicGroup,
    member: GroupMember,
    p: JoinGroupRequestParams,
    resolve: (r: JoinGroupResult) => void,
    reason: string,
  ): void {
    group.updateMember(member, p.protocols, p.rebalanceTimeoutMs, p.sessionTimeoutMs, resolve);
    this.maybePrepareRebalance(group, `${reason} (${member.memberId})`);
  }

  maybePrepareRebalance(group: ClassicGroup, reason: string): void {
    if (group.canRebalance) this.prepareRebalance(group, reason);
  }

  prepareRebalance(group: ClassicGroup, reason: string): void {
    // Members waiting for an assignment must rejoin.
    if (group.is('CompletingRebalance')) this.resetAndPropagateAssignmentError(group, ErrorCode.REBALANCE_IN_PROGRESS);
    this.removeSyncExpiration(group);
    const delay = this.config.initialRebalanceDelayMs;
    const op = group.is('Empty')
      ? new InitialDelayedJoin(
          this,
          this.rebalancePurgatory,
          group,
          delay,
          delay,
          Math.max(group.rebalanceTimeoutMs - delay, 0),
        )
      : new DelayedJoin(this, group, group.rebalanceTimeoutMs);
    group.transitionTo('PreparingRebalance', this.clock.now());
    this.logger.info(
      `Preparing to rebalance group ${group.groupId} with old generation ${group.generationId} (reason: ${reason})`,
    );
    this.rebalancePurgatory.tryCompleteElseWatch(op, [joinKey(group)]);
  }

  canCompleteJoin(group: ClassicGroup): boolean {
    return group.is('Dead') || group.hasAllMembersJoined;
  }

  onCompleteJoin(group: ClassicGroup): void {
    for (const m of group.notYetRejoinedMembers()) {
      if (m.isStatic) continue;
      this.logger.info(`group ${group.groupId}: removing member ${m.memberId}, which did not rejoin`);
      group.remove(m.memberId);
      this.heartbeatPurgatory.checkAndComplete(memberKey(group, m.memberId));
    }
    if (group.is('Dead')) return;
    if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
      // Only static members that did not rejoin are left: wait for their sessions to expire.
      this.logger.warn(`group ${group.groupId}: could not complete the rebalance because no member rejoined`);
      this.rebalancePurgatory.tryCompleteElseWatch(new DelayedJoin(this, group, group.rebalanceTimeoutMs), [
        joinKey(group),
      ]);
      return;
    }
    group.initNextGeneration(this.clock.now());
    if (group.is('Empty')) {
      this.logger.info(`group ${group.groupId} with generation ${group.generationId} is now empty`);
      void this.ctx.storeGroup(group, new Map()).then((error) => {
        if (error !== ErrorCode.NONE) {
          this.logger.warn(`group ${group.groupId}: could not write its empty metadata: error ${error}`);
        }
      });
      return;
    }
    this.logger.info(
      `Stabilized group ${group.groupId} generation ${group.generationId} with ${group.size} members (protocol ${group.protocolName})`,
    );
    for (const m of group.allMembers()) {
      group.maybeInvokeJoinCallback(m, generationResult(group, m.memberId, group.isLeader(m.memberId), false));
      this.scheduleHeartbeat(group, m);
      m.isNew = false;
      group.addPendingSyncMember(m.memberId);
    }
    this.rebalancePurgatory.tryCompleteElseWatch(
      new DelayedSync(this, group, group.generationId, group.rebalanceTimeoutMs),
      [syncKey(group)],
    );
  }

  // ---- Pending members ------------------------------------------------------------------------

  addPendingMember(group: ClassicGroup, memberId: string, sessionTimeoutMs: number): void {
    while (group.numPending >= this.limits.maxPendingMembersPerGroup) {
      const oldest = group.oldestPendingMember();
      if (oldest === undefined) break;
      this.evictPendingMember(group, oldest);
    }
    while (this.pendingMembers.size >= this.limits.maxPendingMembers) {
      const [key, oldest] = this.pendingMembers.entries().next().value!;
      this.pendingMembers.delete(key);
      this.evictPendingMember(oldest.group, oldest.memberId);
    }
    const key = memberKey(group, memberId);
    group.addPendingMember(memberId);
    this.pendingMembers.set(key, { group, memberId });
    this.heartbeatPurgatory.tryCompleteElseWatch(new DelayedHeartbeat(this, group, memberId, true, sessionTimeoutMs), [
      key,
    ]);
  }

  private evictPendingMember(group: ClassicGroup, memberId: string): void {
    if (!group.isPendingMember(memberId)) return;
    this.logger.debug(`group ${group.groupId}: forgetting pending member ${memberId} (pending member cap)`);
    this.removePendingMemberAndUpdateGroup(group, memberId);
  }

  /** A pending member left, expired or was evicted; its deadline completes. */
  removePendingMemberAndUpdateGroup(group: ClassicGroup, memberId: string): void {
    group.remove(memberId);
    this.pendingMembers.delete(memberKey(group, memberId));
    this.heartbeatPurgatory.checkAndComplete(memberKey(group, memberId));
    this.checkJoin(group);
    this.ctx.forgetIfIdle(group);
  }

  // ---- Sync phase -----------------------------------------------------------------------------

  /** The leader's assignment: written to the log, then handed to every parked SyncGroup. */
  storeAssignment(group: ClassicGroup, leaderId: string, assignments: ReadonlyMap<string, Buffer>): void {
    this.logger.info(
      `Assignment received from leader ${leaderId} for group ${group.groupId} for generation ${group.generationId}; ` +
        `${group.size} members, ${group.staticMemberCount} static`,
    );
    const assignment = new Map<string, Buffer>();
    for (const id of group.memberIds()) assignment.set(id, assignments.get(id) ?? EMPTY);
    const generationId = group.generationId;
    void this.ctx.storeGroup(group, assignment).then((error) => {
      // Another member may have joined meanwhile: only the same generation may still complete.
      if (!group.is('CompletingRebalance') || group.generationId !== generationId) return;
      if (error !== ErrorCode.NONE) {
        this.resetAndPropagateAssignmentError(group, error);
        this.maybePrepareRebalance(group, `could not store the assignment (error ${error})`);
      } else {
        for (const m of group.allMembers()) m.assignment = assignment.get(m.memberId) ?? EMPTY;
        this.propagateAssignment(group, ErrorCode.NONE);
        group.transitionTo('Stable', this.clock.now());
      }
    });
  }

  private resetAndPropagateAssignmentError(group: ClassicGroup, error: number): void {
    for (const m of group.allMembers()) m.assignment = EMPTY;
    this.propagateAssignment(group, error);
  }

  private propagateAssignment(group: ClassicGroup, error: number): void {
    const ok = error === ErrorCode.NONE;
    for (const m of group.allMembers()) {
      const answered = group.maybeInvokeSyncCallback(m, {
        errorCode: error,
        protocolType: ok ? group.protocolType : null,
        protocolName: ok ? group.protocolName : null,
        assignment: m.assignment,
      });
      // A session that ran out while the member waited was ignored: start a fresh one.
      if (answered) this.scheduleHeartbeat(group, m);
    }
  }

  removePendingSyncMember(group: ClassicGroup, memberId: string): void {
    group.removePendingSyncMember(memberId);
    this.rebalancePurgatory.checkAndComplete(syncKey(group));
  }

  private removeSyncExpiration(group: ClassicGroup): void {
    group.clearPendingSyncMembers();
    this.rebalancePurgatory.checkAndComplete(syncKey(group));
  }

  canCompleteSync(group: ClassicGroup, generationId: number): boolean {
    if (generationId !== group.generationId) return true;
    if (group.is('CompletingRebalance') || group.is('Stable')) return group.hasReceivedSyncFromAllMembers;
    return true;
  }

  onExpireSync(group: ClassicGroup, generationId: number): void {
    if (generationId !== group.generationId) return;
    if (!(group.is('CompletingRebalance') || group.is('Stable')) || group.hasReceivedSyncFromAllMembers) return;
    const missing = group.pendingSyncMembers();
    for (const id of missing) {
      group.remove(id);
      this.heartbeatPurgatory.checkAndComplete(memberKey(group, id));
    }
    this.prepareRebalance(group, `members ${missing.join(', ')} did not send SyncGroup in time`);
  }

  // ---- Sessions -------------------------------------------------------------------------------

  /** Proof of life (heartbeat, commit, answered join or sync): the next session deadline starts now. */
  scheduleHeartbeat(group: ClassicGroup, member: GroupMember): void {
    this.scheduleExpiration(group, member, member.sessionTimeoutMs);
  }

  private scheduleExpiration(group: ClassicGroup, member: GroupMember, timeoutMs: number): void {
    const key = memberKey(group, member.memberId);
    member.heartbeatSatisfied = true;
    this.heartbeatPurgatory.checkAndComplete(key);
    member.heartbeatSatisfied = false;
    this.heartbeatPurgatory.tryCompleteElseWatch(new DelayedHeartbeat(this, group, member.memberId, false, timeoutMs), [
      key,
    ]);
  }

  canCompleteHeartbeat(group: ClassicGroup, memberId: string, isPending: boolean): boolean {
    if (group.is('Dead')) return true;
    if (isPending) return group.has(memberId) || !group.isPendingMember(memberId);
    return !group.has(memberId) || group.get(memberId).hasSatisfiedHeartbeat;
  }

  onExpireHeartbeat(group: ClassicGroup, memberId: string, isPending: boolean): void {
    if (group.is('Dead')) return;
    if (isPending) {
      if (group.isPendingMember(memberId)) {
        this.logger.info(`group ${group.groupId}: pending member ${memberId} did not rejoin in time`);
        this.removePendingMemberAndUpdateGroup(group, memberId);
      }
      return;
    }
    if (!group.has(memberId)) return;
    const member = group.get(memberId);
    if (member.hasSatisfiedHeartbeat) return;
    this.logger.info(`Member ${memberId} in group ${group.groupId} has failed (session timeout), removing it`);
    this.removeMemberAndUpdateGroup(group, member, `member ${memberId} timed out`);
  }

  /** A member leaves (LeaveGroup) or times out; the group rebalances if it has to. */
  removeMemberAndUpdateGroup(group: ClassicGroup, member: GroupMember, reason: string): void {
    // A member timing out with a parked JoinGroup is told to join again.
    group.maybeInvokeJoinCallback(member, joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
    group.remove(member.memberId);
    this.heartbeatPurgatory.checkAndComplete(memberKey(group, member.memberId));
    switch (group.state) {
      case 'Stable':
      case 'CompletingRebalance':
        this.maybePrepareRebalance(group, reason);
        break;
      case 'PreparingRebalance':
        this.rebalancePurgatory.checkAndComplete(joinKey(group));
        break;
      default:
        break;
    }
  }

  // ---- Loading and unloading ------------------------------------------------------------------

  /** A group read from the log: members get fresh sessions; an oversized group rebalances. */
  onGroupLoaded(group: ClassicGroup): void {
    if (group.size > this.config.maxSize) {
      this.prepareRebalance(group, `loaded group is over capacity (group.max.size=${this.config.maxSize})`);
    }
    for (const m of group.allMembers()) this.scheduleHeartbeat(group, m);
  }

  /** The group's partition moved away (or the group was deleted): it dies; parked requests answer NOT_COORDINATOR. */
  onGroupUnloaded(group: ClassicGroup): void {
    const previous = group.state;
    group.transitionTo('Dead', this.clock.now());
    if (previous === 'PreparingRebalance') {
      for (const m of group.allMembers()) {
        group.maybeInvokeJoinCallback(m, joinError(m.memberId, ErrorCode.NOT_COORDINATOR));
      }
      this.rebalancePurgatory.checkAndComplete(joinKey(group));
    } else if (previous === 'Stable' || previous === 'CompletingRebalance') {
      for (const m of group.allMembers()) group.maybeInvokeSyncCallback(m, syncError(ErrorCode.NOT_COORDINATOR));
    }
    // Dead groups complete their members' deadlines at once: nothing waits for the timers.
    for (const m of group.allMembers()) this.heartbeatPurgatory.checkAndComplete(memberKey(group, m.memberId));
    for (const id of group.pendingMemberIds()) {
      const key = memberKey(group, id);
      this.pendingMembers.delete(key);
      this.heartbeatPurgatory.checkAndComplete(key);
    }
    this.removeSyncExpiration(group);
  }
}
