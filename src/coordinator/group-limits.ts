/**
 * Bounds on what one client can make the coordinator hold, beyond Kafka's own settings
 * (group.max.size, group.max.session.timeout.ms). Kafka has no such caps; they are Samsa's
 * answer to floods of JoinGroup requests with new member ids and to huge member metadata.
 * Documented in docs/consumer-groups.md; tests pass smaller values.
 */
export interface GroupLimits {
  /**
   * Pending members (ids handed out with MEMBER_ID_REQUIRED and not yet used to join) per group.
   * Past it the group's oldest pending member is forgotten: if that client still rejoins with its
   * id it gets UNKNOWN_MEMBER_ID, resets its id and joins again — retriable, never fatal.
   */
  maxPendingMembersPerGroup: number;
  /** Pending members across every group of this coordinator; past it the oldest is forgotten. */
  maxPendingMembers: number;
  /** Bytes of protocol metadata one JoinGroup may carry (all protocols together); more: INVALID_REQUEST. */
  maxMemberMetadataBytes: number;
  /** Protocols one JoinGroup may list; more: INVALID_REQUEST. */
  maxProtocolsPerMember: number;
}

export const DEFAULT_GROUP_LIMITS: GroupLimits = Object.freeze({
  maxPendingMembersPerGroup: 1000,
  maxPendingMembers: 20_000,
  maxMemberMetadataBytes: 1024 * 1024,
  maxProtocolsPerMember: 64,
});

/** How long a new member may take to complete its first join (Kafka's NewMemberJoinTimeoutMs). */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;
