// Replication: the ReplicaManager (partitions, produce/fetch with their purgatories, offset
// lookups), Partition (role, leader epoch, ISR, high watermark), the leader epoch cache and the
// idempotent-producer state.
export * from './errors.ts';
export * from './leader-epoch-cache.ts';
export * from './partition.ts';
export * from './producer-state.ts';
export { DEBUGGING_REPLICA_ID, INTERNAL_TOPICS } from './replica-lookups.ts';
export * from './replica-manager.ts';
export type * from './types.ts';
