import type { GroupProtocol, JoinGroupResult, MemberDescription, SyncGroupResult } from './group-types.ts';

const EMPTY: Buffer = Buffer.alloc(0);

/**
 * One member of a classic group (Kafka's MemberMetadata): who it is, the protocols it supports in
 * its order of preference, its assignment, and the JoinGroup / SyncGroup request it has parked,
 * if any (`awaitingJoin` / `awaitingSync`: the callbacks that answer them).
 *
 * Liveness: `heartbeatSatisfied` is set when anything proves the member alive (a heartbeat, a
 * commit, a join or sync answered) and cleared when the next session deadline is scheduled; the
 * DelayedHeartbeat that expires with it still false removes the member. `isNew` marks a member
 * that joined but has not yet received its first JoinGroup answer (it cannot heartbeat without
 * its id, so it gets the 5-minute new-member join timeout instead of the session timeout).
 */
export class GroupMember {
  /** Changes only when a static member rejoins under a new id (replaceStaticMember). */
  memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly protocolType: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  supportedProtocols: readonly GroupProtocol[];
  assignment: Buffer;
  awaitingJoin: ((r: JoinGroupResult) => void) | null = null;
  awaitingSync: ((r: SyncGroupResult) => void) | null = null;
  isNew = false;
  heartbeatSatisfied = false;

  constructor(opts: {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    rebalanceTimeoutMs: number;
    sessionTimeoutMs: number;
    protocolType: string;
    protocols: readonly GroupProtocol[];
    assignment?: Buffer;
  }) {
    this.memberId = opts.memberId;
    this.groupInstanceId = opts.groupInstanceId;
    this.clientId = opts.clientId;
    this.clientHost = opts.clientHost;
    this.rebalanceTimeoutMs = opts.rebalanceTimeoutMs;
    this.sessionTimeoutMs = opts.sessionTimeoutMs;
    this.protocolType = opts.protocolType;
    this.supportedProtocols = opts.protocols;
    this.assignment = opts.assignment ?? EMPTY;
  }

  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  get isAwaitingJoin(): boolean {
    return this.awaitingJoin !== null;
  }

  get isAwaitingSync(): boolean {
    return this.awaitingSync !== null;
  }

  /**
   * Whether the current session deadline is met: a new member needs its join answered; a member
   * waiting in a rebalance (parked JoinGroup or SyncGroup) is alive by definition; any other
   * needs a heartbeat (or commit) since the deadline was scheduled.
   */
  get hasSatisfiedHeartbeat(): boolean {
    if (this.isNew) return this.heartbeatSatisfied;
    if (this.isAwaitingJoin || this.isAwaitingSync) return true;
    return this.heartbeatSatisfied;
  }

  /** The metadata the member sent for `protocol`; throws if it does not support it. */
  metadata(protocol: string): Buffer {
    const p = this.supportedProtocols.find((x) => x.name === protocol);
    if (p === undefined) throw new Error(`member ${this.memberId} does not support protocol ${protocol}`);
    return p.metadata;
  }

  /** True when `protocols` are the member's, same names, same order, same bytes. */
  matches(protocols: readonly GroupProtocol[]): boolean {
    if (protocols.length !== this.supportedProtocols.length) return false;
    for (let i = 0; i < protocols.length; i++) {
      const a = protocols[i]!;
      const b = this.supportedProtocols[i]!;
      if (a.name !== b.name || !a.metadata.equals(b.metadata)) return false;
    }
    return true;
  }

  /** The member's most preferred protocol among `candidates` (which it must support one of). */
  vote(candidates: ReadonlySet<string>): string {
    const p = this.supportedProtocols.find((x) => candidates.has(x.name));
    if (p === undefined) throw new Error(`member ${this.memberId} supports none of the candidate protocols`);
    return p.name;
  }

  /** DescribeGroups: metadata and assignment only when the group is Stable (protocol known). */
  describe(protocol: string | null): MemberDescription {
    return {
      memberId: this.memberId,
      groupInstanceId: this.groupInstanceId,
      clientId: this.clientId,
      clientHost: this.clientHost,
      metadata: protocol === null ? EMPTY : this.metadata(protocol),
      assignment: protocol === null ? EMPTY : this.assignment,
    };
  }
}
