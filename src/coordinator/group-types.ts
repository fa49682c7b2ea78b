/**
 * What the group coordinator takes and gives back: plain objects close to the wire messages, so a
 * handler maps them one to one. Error codes are Kafka's (0 = none), ready for the responses — as
 * the ReplicaManager's results are.
 */

/** One protocol a member supports, in the member's order of preference. */
export interface GroupProtocol {
  readonly name: string;
  readonly metadata: Buffer;
}

export interface JoinGroupRequestParams {
  groupId: string;
  /** '' for a member that has no id yet. */
  memberId: string;
  groupInstanceId: string | null;
  /** JoinGroup v4+ without a group instance id: answer MEMBER_ID_REQUIRED with a new id first. */
  requireKnownMemberId: boolean;
  /** JoinGroup v9+: a static leader rejoining a stable group may be told to skip the assignment. */
  supportSkippingAssignment: boolean;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: readonly GroupProtocol[];
  reason: string | null;
}

export interface JoinedMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

export interface JoinGroupResult {
  errorCode: number;
  memberId: string;
  /** -1 on error. */
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  /** '' on error. */
  leaderId: string;
  skipAssignment: boolean;
  /** The members' metadata for the chosen protocol — for the leader only. */
  members: JoinedMember[];
}

export interface SyncGroupRequestParams {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** SyncGroup v5 checks these against the group; null before v5. */
  protocolType: string | null;
  protocolName: string | null;
  /** The leader's assignment (empty from followers), by member id. */
  assignments: ReadonlyMap<string, Buffer>;
}

export interface SyncGroupResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface LeavingMember {
  /** '' to remove a static member by its group instance id. */
  memberId: string;
  groupInstanceId: string | null;
  reason: string | null;
}

export interface LeaveGroupResult {
  errorCode: number;
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[];
}

/** One partition of an OffsetCommit. leaderEpoch and expireTimestamp are -1 when absent. */
export interface OffsetCommitEntry {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  /** null is stored as ''. */
  metadata: string | null;
  commitTimestamp: number;
  expireTimestamp: number;
}

export interface OffsetCommitParams {
  groupId: string;
  /** '' for simple consumers and admin clients. */
  memberId: string;
  groupInstanceId: string | null;
  /** -1 for commits outside group management. */
  generationId: number;
  entries: readonly OffsetCommitEntry[];
}

export interface TopicPartitionRef {
  topic: string;
  partition: number;
}

/** A committed offset as OffsetFetch returns it: offset -1 and metadata '' when there is none. */
export interface FetchedOffset {
  topic: string;
  partition: number;
  offset: number;
  /** -1 when unknown. */
  leaderEpoch: number;
  metadata: string;
  errorCode: number;
}

export interface OffsetFetchResult {
  errorCode: number;
  offsets: FetchedOffset[];
}

export interface MemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** Empty unless the group is Stable. */
  metadata: Buffer;
  assignment: Buffer;
}

export interface GroupDescription {
  errorCode: number;
  groupId: string;
  /** '' on error; 'Dead' for a group that does not exist. */
  state: string;
  protocolType: string;
  /** The chosen protocol when Stable, else ''. */
  protocol: string;
  members: MemberDescription[];
}

export interface GroupListing {
  groupId: string;
  protocolType: string;
  state: string;
  /** Always 'classic' (no KIP-848 consumer groups yet). */
  groupType: string;
}

export interface ListGroupsResult {
  errorCode: number;
  groups: GroupListing[];
}

export interface OffsetDeleteResult {
  errorCode: number;
  /** One per requested partition, in order; empty when errorCode is set. */
  partitionErrors: number[];
}
