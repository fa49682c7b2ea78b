/**
 * Leader election as pure functions (Kafka's PartitionLeaderElectionAlgorithms): the controller
 * decides, these compute.
 *
 * - offline partition: the first replica (in assignment order) that is alive and in the ISR; if
 *   none and unclean election is allowed, the first live replica (its ISR becomes just itself).
 * - new partition: the first live replica; the ISR is every live replica.
 * - controlled shutdown: the first live ISR member other than the broker shutting down.
 */
export interface Election {
  leader: number;
  isr: number[];
  /** True when the leader came from outside the ISR (data may be lost). */
  unclean: boolean;
}

export function electForNewPartition(replicas: readonly number[], live: ReadonlySet<number>): Election | null {
  const liveReplicas = replicas.filter((r) => live.has(r));
  if (liveReplicas.length === 0) return null;
  return { leader: liveReplicas[0]!, isr: liveReplicas, unclean: false };
}

export function electForOfflinePartition(
  replicas: readonly number[],
  isr: readonly number[],
  live: ReadonlySet<number>,
  allowUnclean: boolean,
): Election | null {
  const inSync = new Set(isr);
  const clean = replicas.find((r) => live.has(r) && inSync.has(r));
  if (clean !== undefined) return { leader: clean, isr: isr.filter((r) => live.has(r)), unclean: false };
  if (!allowUnclean) return null;
  const any = replicas.find((r) => live.has(r));
  return any === undefined ? null : { leader: any, isr: [any], unclean: true };
}

export function electForControlledShutdown(
  replicas: readonly number[],
  isr: readonly number[],
  live: ReadonlySet<number>,
  shuttingDown: number,
): Election | null {
  const remaining = isr.filter((r) => r !== shuttingDown && live.has(r));
  const leader = replicas.find((r) => remaining.includes(r));
  return leader === undefined ? null : { leader, isr: remaining, unclean: false };
}
