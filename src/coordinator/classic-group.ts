import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../protocol/error-codes.ts';
import { decodeSubscription } from '../protocol/messages/consumer-protocol.ts';
import { GroupMember } from './group-member.ts';
import { type CommittedOffset, GroupOffsets, type OffsetEntry } from './group-offsets.ts';
import type { GroupMetadataValue } from './group-records.ts';
import { type GroupState, isValidTransition } from './group-state.ts';
import type {
  GroupDescription,
  GroupListing,
  GroupProtocol,
  JoinedMember,
  JoinGroupResult,
  SyncGroupResult,
} from './group-types.ts';

/** The protocol type of Kafka consumers, whose subscriptions we can read. */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/**
 * One classic consumer group as its coordinator holds it (Kafka's GroupMetadata): its state (see
 * group-state.ts for the machine), generation, chosen protocol, leader, members — static ones also
 * by group instance id — the pending members (ids handed out with MEMBER_ID_REQUIRED, KIP-394,
 * not yet joined), the members that have not sent SyncGroup for this generation, and its offsets.
 *
 * Pure bookkeeping: no I/O, no timers. The rebalance logic (group-membership.ts) drives it and
 * answers the parked requests through the members' callbacks.
 *
 * Invariants: `numAwaitingJoin` counts the members with a parked JoinGroup; `protocolVotes`
 * counts, per protocol name, the members that support it (a protocol is a candidate when every
 * member supports it); a static member's instance id maps to its current member id.
 */
export class ClassicGroup {
  readonly groupId: string;
  readonly offsets: GroupOffsets;
  private _state: GroupState;
  /** Wall-clock time of the last transition (null: unknown, as in values before version 2). */
  currentStateTimestamp: number | null;
  protocolType: string | null = null;
  protocolName: string | null = null;
  generationId = 0;
  leaderId: string | null = null;
  /** A member joined during the initial rebalance delay (InitialDelayedJoin extends the wait). */
  newMemberAdded = false;
  /** The topics the members subscribe to (consumer protocol only); null when not known. */
  subscribedTopics: ReadonlySet<string> | null = null;
  private readonly members = new Map<string, GroupMember>();
  private readonly staticMembers = new Map<string, string>();
  /** Insertion-ordered: the oldest pending member is the first one evicted when capped. */
  private readonly pending = new Set<string>();
  private readonly pendingSync = new Set<string>();
  private readonly protocolVotes = new Map<string, number>();
  private numAwaitingJoin = 0;

  constructor(groupId: string, state: GroupState, now: number, offsets?: GroupOffsets) {
    this.groupId = groupId;
    this.offsets = offsets ?? new GroupOffsets();
    this._state = state;
    this.currentStateTimestamp = now;
  }

  /**
   * A group as its last GroupMetadataValue describes it: Stable with members, else Empty. Members
   * without a protocol to go with them (a malformed record) are left out.
   */
  static fromRecord(groupId: string, v: GroupMetadataValue, offsets?: GroupOffsets): ClassicGroup {
    const members = v.protocol === null ? [] : v.members;
    const g = new ClassicGroup(groupId, members.length === 0 ? 'Empty' : 'Stable', 0, offsets);
    g.currentStateTimestamp = v.currentStateTimestamp >= 0 ? v.currentStateTimestamp : null;
    g.protocolType = v.protocolType === '' ? null : v.protocolType;
    g.protocolName = v.protocol;
    g.generationId = v.generation;
    g.leaderId = v.leader;
    for (const m of members) {
      const member = new GroupMember({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        sessionTimeoutMs: m.sessionTimeoutMs,
        protocolType: v.protocolType,
        protocols: [{ name: v.protocol!, metadata: m.subscription }],
        assignment: m.assignment,
      });
      g.members.set(m.memberId, member);
      if (m.groupInstanceId !== null) g.staticMembers.set(m.groupInstanceId, m.memberId);
      g.countProtocols(member, 1);
    }
    g.subscribedTopics = g.computeSubscribedTopics();
    return g;
  }

  // ---- State ----------------------------------------------------------------------------------

  get state(): GroupState {
    return this._state;
  }

  is(state: GroupState): boolean {
    return this._state === state;
  }

  /** Moves to `state`; throws on a transition the state machine does not allow. */
  transitionTo(state: GroupState, now: number): void {
    if (!isValidTransition(this._state, state)) {
      throw new Error(`group ${this.groupId}: invalid transition ${this._state} → ${state}`);
    }
    this._state = state;
    this.currentStateTimestamp = now;
  }

  /** PreparingRebalance may be entered from here. */
  get canRebalance(): boolean {
    return isValidTransition(this._state, 'PreparingRebalance');
  }

  get isConsumerGroup(): boolean {
    return this.protocolType === CONSUMER_PROTOCOL_TYPE;
  }

  // ---- Members --------------------------------------------------------------------------------

  get size(): number {
    return this.members.size;
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  get(memberId: string): GroupMember {
    const m = this.members.get(memberId);
    if (m === undefined) throw new Error(`group ${this.groupId} has no member ${memberId}`);
    return m;
  }

  allMembers(): IterableIterator<GroupMember> {
    return this.members.values();
  }

  memberIds(): string[] {
    return [...this.members.keys()];
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  get numAwaiting(): number {
    return this.numAwaitingJoin;
  }

  /** The largest rebalance timeout of the members (0 with none). */
  get rebalanceTimeoutMs(): number {
    let t = 0;
    for (const m of this.members.values()) if (m.rebalanceTimeoutMs > t) t = m.rebalanceTimeoutMs;
    return t;
  }

  /** Kafka's member ids: `<client id or group instance id>-<UUID>`. */
  generateMemberId(clientId: string, groupInstanceId: string | null): string {
    return `${groupInstanceId ?? clientId}-${randomUUID()}`;
  }

  /** Adds a member (first one fixes the protocol type, first one leads); `callback` parks its join. */
  add(member: GroupMember, callback: ((r: JoinGroupResult) => void) | null): void {
    if (member.groupInstanceId !== null) {
      if (this.staticMembers.has(member.groupInstanceId)) {
        throw new Error(`group ${this.groupId}: static member ${member.groupInstanceId} is already a member`);
      }
      this.staticMembers.set(member.groupInstanceId, member.memberId);
    }
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    this.countProtocols(member, 1);
    member.awaitingJoin = callback;
    if (callback !== null) this.numAwaitingJoin++;
    this.pending.delete(member.memberId);
  }

  /** Removes a member (or pending member); a new leader is picked if it led. */
  remove(memberId: string): void {
    const m = this.members.get(memberId);
    if (m !== undefined) {
      this.members.delete(memberId);
      this.countProtocols(m, -1);
      if (m.isAwaitingJoin) this.numAwaitingJoin--;
      if (m.groupInstanceId !== null && this.staticMembers.get(m.groupInstanceId) === memberId) {
        this.staticMembers.delete(m.groupInstanceId);
      }
    }
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
    this.pending.delete(memberId);
    this.pendingSync.delete(memberId);
  }

  /** New protocols and timeouts for a rejoining member; `callback` (or null) is its parked join. */
  updateMember(
    member: GroupMember,
    protocols: readonly GroupProtocol[],
    rebalanceTimeoutMs: number,
    sessionTimeoutMs: number,
    callback: ((r: JoinGroupResult) => void) | null,
  ): void {
    this.countProtocols(member, -1);
    member.supportedProtocols = protocols;
    this.countProtocols(member, 1);
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
    if (callback !== null && !member.isAwaitingJoin) this.numAwaitingJoin++;
    else if (callback === null && member.isAwaitingJoin) this.numAwaitingJoin--;
    member.awaitingJoin = callback;
  }

  /** Answers the member's parked JoinGroup, if it has one. */
  maybeInvokeJoinCallback(member: GroupMember, result: JoinGroupResult): void {
    const cb = member.awaitingJoin;
    if (cb === null) return;
    member.awaitingJoin = null;
    this.numAwaitingJoin--;
    cb(result);
  }

  /** Answers the member's parked SyncGroup, if it has one; true if it had. */
  maybeInvokeSyncCallback(member: GroupMember, result: SyncGroupResult): boolean {
    const cb = member.awaitingSync;
    if (cb === null) return false;
    member.awaitingSync = null;
    cb(result);
    return true;
  }

  /** The leader did not rejoin: the first member that did leads. False when none rejoined. */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    const leader = this.members.get(this.leaderId);
    if (leader?.isAwaitingJoin) return true;
    for (const m of this.members.values()) {
      if (m.isAwaitingJoin) {
        this.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  /** Members that have not rejoined in this rebalance. */
  notYetRejoinedMembers(): GroupMember[] {
    return [...this.members.values()].filter((m) => !m.isAwaitingJoin);
  }

  get hasAllMembersJoined(): boolean {
    return this.members.size === this.numAwaitingJoin && this.pending.size === 0;
  }

  // ---- Static members -------------------------------------------------------------------------

  currentStaticMemberId(groupInstanceId: string): string | undefined {
    return this.staticMembers.get(groupInstanceId);
  }

  get staticMemberCount(): number {
    return this.staticMembers.size;
  }

  /**
   * A static member rejoined with a new member id: the member keeps everything else. A request it
   * still has parked under the old id is answered FENCED_INSTANCE_ID.
   */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): GroupMember {
    const m = this.members.get(oldMemberId);
    if (m === undefined) throw new Error(`group ${this.groupId}: cannot replace unknown member ${oldMemberId}`);
    this.members.delete(oldMemberId);
    this.maybeInvokeJoinCallback(m, joinError(oldMemberId, ErrorCode.FENCED_INSTANCE_ID));
    this.maybeInvokeSyncCallback(m, syncError(ErrorCode.FENCED_INSTANCE_ID));
    m.memberId = newMemberId;
    this.members.set(newMemberId, m);
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    if (this.pendingSync.delete(oldMemberId)) this.pendingSync.add(newMemberId);
    this.staticMembers.set(groupInstanceId, newMemberId);
    return m;
  }

  // ---- Pending members (KIP-394) and pending syncs --------------------------------------------

  isPendingMember(memberId: string): boolean {
    return this.pending.has(memberId);
  }

  get numPending(): number {
    return this.pending.size;
  }

  addPendingMember(memberId: string): void {
    if (this.members.has(memberId)) throw new Error(`group ${this.groupId}: ${memberId} is already a member`);
    this.pending.add(memberId);
  }

  pendingMemberIds(): string[] {
    return [...this.pending];
  }

  /** The pending member that has waited longest. */
  oldestPendingMember(): string | undefined {
    return this.pending.values().next().value;
  }

  addPendingSyncMember(memberId: string): void {
    this.pendingSync.add(memberId);
  }

  removePendingSyncMember(memberId: string): void {
    this.pendingSync.delete(memberId);
  }

  clearPendingSyncMembers(): void {
    this.pendingSync.clear();
  }

  get hasReceivedSyncFromAllMembers(): boolean {
    return this.pendingSync.size === 0;
  }

  pendingSyncMembers(): string[] {
    return [...this.pendingSync];
  }

  // ---- Protocols ------------------------------------------------------------------------------

  private countProtocols(member: GroupMember, delta: number): void {
    for (const p of member.supportedProtocols) {
      const n = (this.protocolVotes.get(p.name) ?? 0) + delta;
      if (n === 0) this.protocolVotes.delete(p.name);
      else this.protocolVotes.set(p.name, n);
    }
  }

  /** Whether a member with these protocols may join: same type, and a protocol every member has. */
  supportsProtocols(protocolType: string, protocols: readonly GroupProtocol[]): boolean {
    if (this.is('Empty')) return protocolType !== '' && protocols.length > 0;
    const n = this.members.size;
    return this.protocolType === protocolType && protocols.some((p) => this.protocolVotes.get(p.name) === n);
  }

  /**
   * The protocol for the next generation: among those every member supports, each member votes
   * for its most preferred one and the most votes win (ties: the first voted for).
   */
  selectProtocol(): string {
    if (this.members.size === 0) throw new Error(`group ${this.groupId}: cannot select a protocol without members`);
    const n = this.members.size;
    const candidates = new Set<string>();
    for (const [name, count] of this.protocolVotes) if (count === n) candidates.add(name);
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const v = m.vote(candidates);
      votes.set(v, (votes.get(v) ?? 0) + 1);
    }
    let best = '';
    let bestVotes = -1;
    for (const [name, count] of votes) {
      if (count > bestVotes) {
        best = name;
        bestVotes = count;
      }
    }
    return best;
  }

  /** Next generation: protocol chosen and CompletingRebalance, or Empty without members. */
  initNextGeneration(now: number): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo('CompletingRebalance', now);
    } else {
      this.protocolName = null;
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo('Empty', now);
    }
    this.pendingSync.clear();
  }

  /**
   * The union of the members' subscribed topics, read from their consumer-protocol metadata
   * (every version starts with the v0 topic list); null when the group is not a consumer group,
   * has no protocol yet, or a subscription does not decode.
   */
  computeSubscribedTopics(): ReadonlySet<string> | null {
    if (!this.isConsumerGroup) return null;
    if (this.members.size === 0) return new Set();
    if (this.protocolName === null) return null;
    const topics = new Set<string>();
    try {
      for (const m of this.members.values()) {
        for (const t of decodeSubscription(m.metadata(this.protocolName)).value.topics) topics.add(t);
      }
    } catch {
      return null;
    }
    return topics;
  }

  /** OffsetDelete: a consumer group keeps the offsets of topics it may be consuming. */
  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopics === null || this.subscribedTopics.has(topic);
  }

  /** The members' metadata for the chosen protocol, as the leader's JoinGroup answer lists it. */
  currentMemberMetadata(): JoinedMember[] {
    const protocol = this.protocolName;
    if (protocol === null) throw new Error(`group ${this.groupId} has no protocol`);
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadata(protocol),
    }));
  }

  // ---- Offsets --------------------------------------------------------------------------------

  /** Committed offsets or commits in flight. */
  get hasOffsets(): boolean {
    return this.offsets.hasOffsets;
  }

  /**
   * Removes the offsets that expired (Kafka's removeExpiredOffsets): in an Empty group with a
   * protocol type, retention counts from when the group became empty; in a Stable consumer group
   * that knows its subscriptions, offsets of topics it no longer subscribes to expire from their
   * commit; in a simple group (no protocol type), every offset expires from its commit.
   */
  removeExpiredOffsets(now: number, retentionMs: number): OffsetEntry<CommittedOffset>[] {
    if (this.protocolType !== null && this.is('Empty')) {
      const since = this.currentStateTimestamp;
      return this.offsets.removeExpired(now, retentionMs, (o) => since ?? o.commitTimestamp, null);
    }
    if (this.isConsumerGroup && this.subscribedTopics !== null && this.is('Stable')) {
      return this.offsets.removeExpired(now, retentionMs, (o) => o.commitTimestamp, this.subscribedTopics);
    }
    if (this.protocolType === null) {
      return this.offsets.removeExpired(now, retentionMs, (o) => o.commitTimestamp, null);
    }
    return [];
  }

  // ---- Descriptions ---------------------------------------------------------------------------

  describe(): GroupDescription {
    const stable = this.is('Stable');
    const protocol = stable ? this.protocolName : null;
    return {
      errorCode: 0,
      groupId: this.groupId,
      state: this._state,
      protocolType: this.protocolType ?? '',
      protocol: protocol ?? '',
      members: [...this.members.values()].map((m) => m.describe(protocol)),
    };
  }

  overview(): GroupListing {
    return { groupId: this.groupId, protocolType: this.protocolType ?? '', state: this._state, groupType: 'classic' };
  }

  /** What the GroupMetadataValue record of this group holds, with `assignment` by member id. */
  toRecord(assignment: ReadonlyMap<string, Buffer>): GroupMetadataValue {
    const protocol = this.protocolName;
    return {
      protocolType: this.protocolType ?? '',
      generation: this.generationId,
      protocol,
      leader: this.leaderId,
      currentStateTimestamp: this.currentStateTimestamp ?? -1,
      members: [...this.members.values()].map((m) => {
        if (protocol === null) throw new Error(`group ${this.groupId} has members but no protocol`);
        return {
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          rebalanceTimeoutMs: m.rebalanceTimeoutMs,
          sessionTimeoutMs: m.sessionTimeoutMs,
          subscription: m.metadata(protocol),
          assignment: assignment.get(m.memberId) ?? EMPTY,
        };
      }),
    };
  }
}

const EMPTY: Buffer = Buffer.alloc(0);

/** A JoinGroup answer that carries only an error (Kafka's JoinGroupResult(memberId, error)). */
export function joinError(memberId: string, errorCode: number): JoinGroupResult {
  return {
    errorCode,
    memberId,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leaderId: '',
    skipAssignment: false,
    members: [],
  };
}

export function syncError(errorCode: number): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}
