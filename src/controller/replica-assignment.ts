/**
 * Replica assignment for new topics and partitions: a pure function, as Kafka's rack-unaware
 * assignment (AdminUtils.assignReplicasToBrokers): partition p's first replica goes to broker
 * (start + p) mod n, so leadership spreads evenly; the other replicas follow at a shift that
 * grows every n partitions, so followers spread too. `start` and `shift` are random in Kafka;
 * here they are parameters, so tests are deterministic and callers pass random values.
 */
export interface AssignmentInput {
  /** Live broker ids (any order; sorted inside). */
  brokers: readonly number[];
  partitions: number;
  replicationFactor: number;
  /** Index of the first partition (non-zero when adding partitions to a topic). */
  firstPartition?: number;
  startIndex?: number;
  nextReplicaShift?: number;
}

export class AssignmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssignmentError';
  }
}

export function assignReplicas(input: AssignmentInput): Map<number, number[]> {
  const brokers = [...input.brokers].sort((a, b) => a - b);
  const n = brokers.length;
  if (input.partitions <= 0) throw new AssignmentError('Number of partitions must be larger than 0.');
  if (input.replicationFactor <= 0) throw new AssignmentError('Replication factor must be larger than 0.');
  if (input.replicationFactor > n) {
    throw new AssignmentError(`Replication factor: ${input.replicationFactor} larger than available brokers: ${n}.`);
  }
  const first = input.firstPartition ?? 0;
  const start = (input.startIndex ?? 0) % n;
  let shift = (input.nextReplicaShift ?? 0) % n;
  let current = first;
  const out = new Map<number, number[]>();
  for (let i = 0; i < input.partitions; i++) {
    if (current > 0 && current % n === 0) shift++;
    const firstIndex = (current + start) % n;
    const replicas = [brokers[firstIndex]!];
    for (let j = 0; j < input.replicationFactor - 1; j++) {
      const step = 1 + ((shift + j) % (n - 1 || 1));
      replicas.push(brokers[(firstIndex + step) % n]!);
    }
    out.set(current, replicas);
    current++;
  }
  return out;
}
