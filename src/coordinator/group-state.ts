/**
 * The classic group state machine (Kafka's ClassicGroupState). A group is in exactly one state:
 *
 *   Empty               no members; may still have committed offsets (also: simple consumers
 *                       that only commit, and a group whose last member left). Offsets expire
 *                       here after offsets.retention.minutes. Only this state may be deleted.
 *                       → PreparingRebalance  a member joins
 *                       → Dead                deleted (DeleteGroups), offsets all expired, or unloaded
 *   PreparingRebalance  members are (re)joining; JoinGroup requests wait in the join purgatory
 *                       until every known member rejoined or the rebalance timeout passes (a new
 *                       group first waits group.initial.rebalance.delay.ms). Heartbeats answer
 *                       REBALANCE_IN_PROGRESS; offset commits of the old generation are allowed.
 *                       → CompletingRebalance the join completes with members: next generation,
 *                                             protocol chosen, JoinGroup answered (leader gets
 *                                             the members' metadata)
 *                       → Empty               the join completes with no member left
 *                       → Dead                unloaded
 *   CompletingRebalance waiting for the leader's SyncGroup with the assignment; followers' SyncGroup
 *                       requests wait. Commits answer REBALANCE_IN_PROGRESS.
 *                       → Stable              the leader's assignment is written to __consumer_offsets
 *                       → PreparingRebalance  a member joins, leaves, times out, or changes its metadata
 *                       → Dead                unloaded
 *   Stable              assignment handed out; heartbeats keep members alive.
 *                       → PreparingRebalance  a member joins, leaves, times out, the leader rejoins, or
 *                                             a member's metadata changes
 *                       → Dead                unloaded
 *   Dead                removed from the coordinator (deleted or unloaded); requests that still
 *                       hold the group answer COORDINATOR_NOT_AVAILABLE and members rediscover the
 *                       coordinator. Terminal.
 */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export const GROUP_STATES: readonly GroupState[] = [
  'Empty',
  'PreparingRebalance',
  'CompletingRebalance',
  'Stable',
  'Dead',
];

/** The states each state may be entered from (Kafka's validPreviousStates). */
const VALID_PREVIOUS: Readonly<Record<GroupState, readonly GroupState[]>> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

export function isValidTransition(from: GroupState, to: GroupState): boolean {
  return VALID_PREVIOUS[to].includes(from);
}

/** A state name as ListGroups filters give it, in any case; null when it names no state. */
export function parseGroupState(name: string): GroupState | null {
  const lower = name.trim().toLowerCase();
  return GROUP_STATES.find((s) => s.toLowerCase() === lower) ?? null;
}
