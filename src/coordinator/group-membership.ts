import type { Logger } from '../common/logger.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import { type ClassicGroup, joinError, syncError } from './classic-group.ts';
import type { GroupLimits } from './group-limits.ts';
import type {
  JoinGroupRequestParams,
  JoinGroupResult,
  LeaveGroupResult,
  LeavingMember,
  SyncGroupRequestParams,
  SyncGroupResult,
} from './group-types.ts';
import { generationResult, type RebalanceEngine } from './rebalance-engine.ts';

/** The groups of one coordinator shard, as the membership requests see them. */
export interface GroupDirectory {
  get(groupId: string): ClassicGroup | undefined;
  /** The group, created Empty if absent. */
  getOrCreate(groupId: string): ClassicGroup;
}

/**
 * The membership requests of the classic protocol — JoinGroup, SyncGroup, Heartbeat, LeaveGroup
 * and the member checks of OffsetCommit — for one group at a time, as Kafka 3.x answers them
 * (GroupCoordinator.handleJoinGroup and friends). The waits and what ends them are the
 * RebalanceEngine's (rebalance-engine.ts).
 *
 * Static members (group.instance.id) keep their place across restarts: rejoining with a new
 * member id replaces the old one without a rebalance when the group is Stable and the chosen
 * protocol would not change; the old id is fenced (FENCED_INSTANCE_ID).
 *
 * Callers check the coordinator side first (group id valid, partition led and loaded).
 */
export class GroupMembership {
  private readonly engine: RebalanceEngine;
  private readonly limits: GroupLimits;
  private readonly logger: Logger;

  constructor(opts: { engine: RebalanceEngine; limits: GroupLimits; logger: Logger }) {
    this.engine = opts.engine;
    this.limits = opts.limits;
    this.logger = opts.logger;
  }

  // ---- JoinGroup ------------------------------------------------------------------------------

  joinGroup(groups: GroupDirectory, p: JoinGroupRequestParams): Promise<JoinGroupResult> {
    const c = this.engine.config;
    if (p.sessionTimeoutMs < c.minSessionTimeoutMs || p.sessionTimeoutMs > c.maxSessionTimeoutMs) {
      return Promise.resolve(joinError(p.memberId, ErrorCode.INVALID_SESSION_TIMEOUT));
    }
    if (!this.withinLimits(p)) return Promise.resolve(joinError(p.memberId, ErrorCode.INVALID_REQUEST));
    const isUnknown = p.memberId === '';
    const group = isUnknown ? groups.getOrCreate(p.groupId) : groups.get(p.groupId);
    if (group === undefined) return Promise.resolve(joinError(p.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    return new Promise<JoinGroupResult>((resolve) => {
      if (!this.acceptJoiningMember(group, p.memberId)) {
        group.remove(p.memberId);
        resolve(joinError('', ErrorCode.GROUP_MAX_SIZE_REACHED));
      } else {
        const answer = isUnknown ? this.newMemberJoin(group, p, resolve) : this.currentMemberJoin(group, p, resolve);
        if (answer !== null) resolve(answer);
      }
      this.engine.checkJoin(group);
      this.engine.forgetIfIdle(group);
    });
  }

  private withinLimits(p: JoinGroupRequestParams): boolean {
    if (p.protocols.length > this.limits.maxProtocolsPerMember) return false;
    let bytes = 0;
    for (const pr of p.protocols) bytes += pr.metadata.length;
    return bytes <= this.limits.maxMemberMetadataBytes;
  }

  /** Room for the member: always when Empty; otherwise group.max.size counts members (awaiting ones while preparing). */
  private acceptJoiningMember(group: ClassicGroup, memberId: string): boolean {
    const max = this.engine.config.maxSize;
    switch (group.state) {
      case 'Empty':
      case 'Dead':
        return true;
      case 'PreparingRebalance':
        return (group.has(memberId) && group.get(memberId).isAwaitingJoin) || group.numAwaiting < max;
      default:
        return group.has(memberId) || group.size < max;
    }
  }

  /**
   * A join without a member id. Returns the answer, or null when the join is parked (the group
   * answers through `resolve` when the rebalance completes).
   */
  private newMemberJoin(
    group: ClassicGroup,
    p: JoinGroupRequestParams,
    resolve: (r: JoinGroupResult) => void,
  ): JoinGroupResult | null {
    if (group.is('Dead')) return joinError('', ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (!group.supportsProtocols(p.protocolType, p.protocols))
      return joinError('', ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const newMemberId = group.generateMemberId(p.clientId, p.groupInstanceId);
    const oldMemberId = p.groupInstanceId === null ? undefined : group.currentStaticMemberId(p.groupInstanceId);
    if (oldMemberId !== undefined) {
      this.logger.info(
        `group ${group.groupId}: static member ${p.groupInstanceId} rejoins in ${group.state} as ${newMemberId}, replacing ${oldMemberId}`,
      );
      this.updateStaticMemberAndRebalance(group, oldMemberId, newMemberId, p, resolve);
    } else if (p.groupInstanceId === null && p.requireKnownMemberId) {
      this.engine.addPendingMember(group, newMemberId, p.sessionTimeoutMs);
      return joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED);
    } else {
      this.engine.addMemberAndRebalance(group, newMemberId, p, resolve);
    }
    return null;
  }

  /** A join with a member id; as newMemberJoin, null when parked. */
  private currentMemberJoin(
    group: ClassicGroup,
    p: JoinGroupRequestParams,
    resolve: (r: JoinGroupResult) => void,
  ): JoinGroupResult | null {
    const memberId = p.memberId;
    if (group.is('Dead')) return joinError(memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (!group.supportsProtocols(p.protocolType, p.protocols)) {
      return joinError(memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    if (group.isPendingMember(memberId)) {
      // A pending member is never static (static members get no MEMBER_ID_REQUIRED round trip).
      if (p.groupInstanceId !== null) return joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID);
      this.engine.addMemberAndRebalance(group, memberId, p, resolve);
      return null;
    }
    const error = this.validateCurrentMember(group, memberId, p.groupInstanceId);
    if (error !== ErrorCode.NONE) return joinError(memberId, error);
    const member = group.get(memberId);
    const rebalance = (reason: string): null => {
      this.engine.updateMemberAndRebalance(group, member, p, resolve, reason);
      return null;
    };
    switch (group.state) {
      case 'PreparingRebalance':
        return rebalance('member rejoined');
      case 'CompletingRebalance':
        // Same metadata (it probably lost the first answer): the current generation again.
        if (member.matches(p.protocols)) return generationResult(group, memberId, group.isLeader(memberId), false);
        return rebalance('member changed its metadata');
      case 'Stable':
        // The leader rejoins to have the group reassigned (e.g. the topics' partitions changed).
        if (group.isLeader(memberId)) return rebalance('the leader rejoined');
        if (!member.matches(p.protocols)) return rebalance('member changed its metadata');
        return generationResult(group, memberId, false, false);
      default:
        return joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID);
    }
  }

  private updateStaticMemberAndRebalance(
    group: ClassicGroup,
    oldMemberId: string,
    newMemberId: string,
    p: JoinGroupRequestParams,
    resolve: (r: JoinGroupResult) => void,
  ): void {
    const instanceId = p.groupInstanceId!;
    const currentLeader = group.leaderId;
    const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
    this.engine.scheduleHeartbeat(group, member);
    const oldProtocols = member.supportedProtocols;
    const oldRebalanceTimeoutMs = member.rebalanceTimeoutMs;
    const oldSessionTimeoutMs = member.sessionTimeoutMs;
    group.updateMember(member, p.protocols, p.rebalanceTimeoutMs, p.sessionTimeoutMs, resolve);
    if (group.is('CompletingRebalance')) {
      // The leader may be assigning with the old id: start over.
      this.engine.prepareRebalance(group, `static member ${instanceId} rejoined during CompletingRebalance`);
      return;
    }
    // PreparingRebalance: the join completes with everyone else.
    if (!group.is('Stable')) return;
    if (group.protocolName !== group.selectProtocol()) {
      this.engine.maybePrepareRebalance(group, `static member ${instanceId} changed the group's protocol`);
      return;
    }
    // Same protocol: persist the new member id and answer without a rebalance.
    const assignment = new Map<string, Buffer>();
    for (const m of group.allMembers()) assignment.set(m.memberId, m.assignment);
    void this.engine.storeGroup(group, assignment).then((error) => {
      if (error !== ErrorCode.NONE) {
        this.logger.warn(`group ${group.groupId}: could not persist static member ${instanceId}: error ${error}`);
        group.updateMember(member, oldProtocols, oldRebalanceTimeoutMs, oldSessionTimeoutMs, null);
        if (!group.is('Dead') && group.has(newMemberId)) {
          this.engine.scheduleHeartbeat(group, group.replaceStaticMember(instanceId, newMemberId, oldMemberId));
        }
        resolve({ ...generationResult(group, '', false, false, currentLeader), errorCode: error });
      } else if (p.supportSkippingAssignment) {
        // JoinGroup v9: a rejoining static leader learns it leads, but must not reassign.
        const isLeader = group.isLeader(newMemberId);
        group.maybeInvokeJoinCallback(member, generationResult(group, newMemberId, isLeader, isLeader));
      } else {
        // Older versions: report the old leader id so a rejoining leader does not reassign.
        group.maybeInvokeJoinCallback(member, generationResult(group, newMemberId, false, false, currentLeader));
      }
    });
  }

  /** The request's identity is current: its instance id maps to it, and it is a member. */
  validateCurrentMember(group: ClassicGroup, memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId === null) return group.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
    const current = group.currentStaticMemberId(groupInstanceId);
    if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (current === memberId) return ErrorCode.NONE;
    this.logger.info(`group ${group.groupId}: member ${memberId} of static instance ${groupInstanceId} is fenced`);
    return ErrorCode.FENCED_INSTANCE_ID;
  }

  // ---- SyncGroup ------------------------------------------------------------------------------

  syncGroup(groups: GroupDirectory, p: SyncGroupRequestParams): Promise<SyncGroupResult> {
    const group = groups.get(p.groupId);
    if (group === undefined) return Promise.resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    const error = this.validateSync(group, p);
    if (error !== ErrorCode.NONE) return Promise.resolve(syncError(error));
    switch (group.state) {
      case 'Empty':
        return Promise.resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
      case 'PreparingRebalance':
        return Promise.resolve(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      case 'Stable': {
        this.engine.removePendingSyncMember(group, p.memberId);
        const member = group.get(p.memberId);
        this.engine.scheduleHeartbeat(group, member);
        return Promise.resolve({
          errorCode: ErrorCode.NONE,
          protocolType: group.protocolType,
          protocolName: group.protocolName,
          assignment: member.assignment,
        });
      }
      default:
        // CompletingRebalance: wait for the leader's assignment to be written.
        return new Promise<SyncGroupResult>((resolve) => {
          group.get(p.memberId).awaitingSync = resolve;
          this.engine.removePendingSyncMember(group, p.memberId);
          if (group.isLeader(p.memberId)) this.engine.storeAssignment(group, p.memberId, p.assignments);
        });
    }
  }

  private validateSync(group: ClassicGroup, p: SyncGroupRequestParams): number {
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const error = this.validateCurrentMember(group, p.memberId, p.groupInstanceId);
    if (error !== ErrorCode.NONE) return error;
    if (p.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (p.protocolType !== null && p.protocolType !== group.protocolType) return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
    if (p.protocolName !== null && p.protocolName !== group.protocolName) return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
    return ErrorCode.NONE;
  }

  // ---- Heartbeat ------------------------------------------------------------------------------

  heartbeat(
    groups: GroupDirectory,
    groupId: string,
    memberId: string,
    groupInstanceId: string | null,
    generationId: number,
  ): number {
    const group = groups.get(groupId);
    if (group === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const error = this.validateCurrentMember(group, memberId, groupInstanceId);
    if (error !== ErrorCode.NONE) return error;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (group.is('Empty')) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.engine.scheduleHeartbeat(group, group.get(memberId));
    return group.is('PreparingRebalance') ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  // ---- LeaveGroup -----------------------------------------------------------------------------

  leaveGroup(groups: GroupDirectory, groupId: string, leaving: readonly LeavingMember[]): LeaveGroupResult {
    const group = groups.get(groupId);
    const answer = (l: LeavingMember, errorCode: number) => ({
      memberId: l.memberId,
      groupInstanceId: l.groupInstanceId,
      errorCode,
    });
    if (group === undefined) {
      return { errorCode: ErrorCode.NONE, members: leaving.map((l) => answer(l, ErrorCode.UNKNOWN_MEMBER_ID)) };
    }
    if (group.is('Dead')) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    const members = leaving.map((l) => {
      if (l.memberId === '') {
        // Removal of a static member by its instance id (admin clients).
        const current = l.groupInstanceId === null ? undefined : group.currentStaticMemberId(l.groupInstanceId);
        if (current === undefined) return answer(l, ErrorCode.UNKNOWN_MEMBER_ID);
        this.removeLeavingMember(group, current, l.reason);
        return answer(l, ErrorCode.NONE);
      }
      if (group.isPendingMember(l.memberId)) {
        this.engine.removePendingMemberAndUpdateGroup(group, l.memberId);
        return answer(l, ErrorCode.NONE);
      }
      const error = this.validateCurrentMember(group, l.memberId, l.groupInstanceId);
      if (error === ErrorCode.NONE) this.removeLeavingMember(group, l.memberId, l.reason);
      return answer(l, error);
    });
    return { errorCode: ErrorCode.NONE, members };
  }

  private removeLeavingMember(group: ClassicGroup, memberId: string, reason: string | null): void {
    this.logger.info(
      `Member ${memberId} has left group ${group.groupId} through LeaveGroup (${reason ?? 'no reason'})`,
    );
    this.engine.removeMemberAndUpdateGroup(group, group.get(memberId), `member ${memberId} left`);
  }

  // ---- OffsetCommit ---------------------------------------------------------------------------

  /**
   * Whether a commit may go ahead in this group (Kafka's validateOffsetCommit plus the state
   * check): NONE, or the error to answer for every partition. Without a generation (-1) an Empty
   * group takes anyone's commit; otherwise only a current member of the current generation may
   * commit, and not while the group waits for its assignment. A member's commit proves it alive.
   */
  checkCommit(group: ClassicGroup, generationId: number, memberId: string, groupInstanceId: string | null): number {
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (generationId < 0 && group.is('Empty')) return ErrorCode.NONE;
    if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
      const error = this.validateCurrentMember(group, memberId, groupInstanceId);
      if (error !== ErrorCode.NONE) return error;
      if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    } else if (!group.is('Empty')) {
      return ErrorCode.UNKNOWN_MEMBER_ID;
    }
    if (group.is('CompletingRebalance')) return ErrorCode.REBALANCE_IN_PROGRESS;
    if (group.has(memberId)) this.engine.scheduleHeartbeat(group, group.get(memberId));
    return ErrorCode.NONE;
  }
}
