/**
 * What CreateTopics and CreatePartitions are asked to do, checked and turned into replica
 * assignments — pure functions over a snapshot of what the store and the metadata cache said,
 * so every rule is testable without a cluster. The checks, their order, their error codes and
 * their messages are Kafka's (ZkAdminManager.createTopics / createPartitions, AdminZkClient,
 * AdminUtils), with three additions taken from KRaft: a per-request partition cap, and manual
 * assignments must name live brokers and no empty replica list.
 */
import { assignReplicas } from '../controller/replica-assignment.ts';
import {
  CONSUMER_OFFSETS_TOPIC,
  collisionKey,
  TRANSACTION_STATE_TOPIC,
  topicNameProblem,
} from '../controller/topic-names.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import { TOPIC_CONFIGS } from '../storage/topic-config-defs.ts';
import { AdminError } from './admin-error.ts';
import type { BrokerConfig } from './config/broker-config.ts';
import { validateTopicConfigs } from './config/topic-config.ts';

/** KRaft's cap on the partitions one CreateTopics or CreatePartitions request may add. */
export const MAX_PARTITIONS_PER_REQUEST = 10_000;
export const EXCESSIVE_PARTITIONS_MESSAGE = 'Excessively large number of partitions per request.';

/** "Use the broker default" in numPartitions and replicationFactor. */
export const USE_DEFAULT = -1;

/** One topic of a CreateTopics request. */
export interface CreateTopicSpec {
  readonly name: string;
  /** USE_DEFAULT (-1): num.partitions. */
  readonly numPartitions: number;
  /** USE_DEFAULT (-1): default.replication.factor. */
  readonly replicationFactor: number;
  /** Manual assignment, partition → replica broker ids (preferred leader first); empty or absent: automatic. */
  readonly assignments?: ReadonlyMap<number, readonly number[]>;
  /** Topic config overrides. A null value is refused (INVALID_CONFIG). */
  readonly configs?: ReadonlyMap<string, string | null>;
}

/** A topic ready to be written. */
export interface TopicPlan {
  readonly name: string;
  readonly partitions: Map<number, number[]>;
  readonly replicationFactor: number;
  readonly overrides: Map<string, string>;
}

/** What planning needs to know of the cluster, read once per request. */
export interface PlanContext {
  /** Live broker ids (the metadata cache's). */
  readonly liveBrokers: readonly number[];
  /** Topics the metadata cache knows. */
  readonly cachedTopics: ReadonlySet<string>;
  /** Topics in the store (/brokers/topics), including ones created earlier in this request. */
  readonly storedTopics: ReadonlySet<string>;
  /** Topics marked for deletion (/admin/delete_topics). */
  readonly pendingDeletion: ReadonlySet<string>;
  readonly config: BrokerConfig;
  /** [0, 1); random assignment start and shift, as Kafka's. */
  readonly random: () => number;
}

const fail = (code: number, message: string | null): never => {
  throw new AdminError(code, message);
};

/** Partitions a CreateTopics entry asks for, counted as KRaft counts them for the cap. */
export function requestedPartitions(spec: CreateTopicSpec, defaultPartitions: number): number {
  if (spec.assignments !== undefined && spec.assignments.size > 0) return spec.assignments.size;
  if (spec.numPartitions === USE_DEFAULT) return defaultPartitions;
  return Math.max(spec.numPartitions, 0);
}

/**
 * Checks one CreateTopics entry in Kafka's order and returns its plan; throws AdminError:
 * known to the cache → TOPIC_ALREADY_EXISTS; null config values → INVALID_CONFIG; counts and a
 * manual assignment together → INVALID_REQUEST; partitions ≤ 0 → INVALID_PARTITIONS; replication
 * factor ≤ 0 or above the live brokers → INVALID_REPLICATION_FACTOR; bad name or '.'/'_'
 * collision → INVALID_TOPIC_EXCEPTION; marked for deletion or in the store → TOPIC_ALREADY_EXISTS;
 * bad manual assignment → INVALID_REPLICA_ASSIGNMENT; unknown config or bad value → INVALID_CONFIG.
 */
export function planTopic(spec: CreateTopicSpec, ctx: PlanContext): TopicPlan {
  const { name } = spec;
  if (ctx.cachedTopics.has(name)) fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
  const configs = spec.configs ?? new Map<string, string | null>();
  const nulls = [...configs].filter(([, v]) => v === null).map(([k]) => k);
  if (nulls.length > 0) {
    fail(ErrorCode.INVALID_CONFIG, `Null value not supported for topic configs: ${nulls.join(',')}`);
  }
  const manual = spec.assignments !== undefined && spec.assignments.size > 0;
  if (manual && (spec.numPartitions !== USE_DEFAULT || spec.replicationFactor !== USE_DEFAULT)) {
    fail(
      ErrorCode.INVALID_REQUEST,
      'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
    );
  }
  const partitions = manual
    ? new Map([...spec.assignments!].map(([p, replicas]) => [p, [...replicas]]))
    : automaticAssignment(spec, ctx);

  const nameProblem = topicNameProblem(name);
  if (nameProblem !== null) fail(ErrorCode.INVALID_TOPIC_EXCEPTION, nameProblem);
  if (ctx.pendingDeletion.has(name)) fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' is marked for deletion.`);
  if (ctx.storedTopics.has(name)) fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
  if (name.includes('.') || name.includes('_')) {
    const key = collisionKey(name);
    const colliding = [...new Set([...ctx.storedTopics, ...ctx.cachedTopics])].filter(
      (t) => t !== name && collisionKey(t) === key,
    );
    if (colliding.length > 0) {
      fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${name}' collides with existing topics: ${colliding.join(', ')}`);
    }
  }
  if (manual) checkManualAssignment(partitions, ctx.liveBrokers);
  const overrides = new Map(configs as ReadonlyMap<string, string>);
  checkTopicConfigs(overrides, ctx.config);
  return { name, partitions, replicationFactor: partitions.get(0)?.length ?? 0, overrides };
}

function automaticAssignment(spec: CreateTopicSpec, ctx: PlanContext): Map<number, number[]> {
  const n = spec.numPartitions === USE_DEFAULT ? ctx.config.numPartitions : spec.numPartitions;
  const rf = spec.replicationFactor === USE_DEFAULT ? ctx.config.defaultReplicationFactor : spec.replicationFactor;
  if (n <= 0) fail(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
  checkReplicationFactor(rf, ctx.liveBrokers.length);
  const brokers = ctx.liveBrokers.length;
  return assignReplicas({
    brokers: ctx.liveBrokers,
    partitions: n,
    replicationFactor: rf,
    startIndex: Math.floor(ctx.random() * brokers),
    nextReplicaShift: Math.floor(ctx.random() * brokers),
  });
}

function checkReplicationFactor(rf: number, liveBrokers: number): void {
  if (rf <= 0) fail(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.');
  if (rf > liveBrokers) {
    fail(
      ErrorCode.INVALID_REPLICATION_FACTOR,
      `Replication factor: ${rf} larger than available brokers: ${liveBrokers}.`,
    );
  }
}

/** AdminZkClient.validateTopicCreate's assignment rules, plus KRaft's live-broker and empty-list rules. */
function checkManualAssignment(
  partitions: ReadonlyMap<number, readonly number[]>,
  liveBrokers: readonly number[],
): void {
  const bad = (message: string): never => fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, message);
  const sizes = new Set([...partitions.values()].map((r) => r.length));
  if (sizes.size !== 1) bad('All partitions should have the same number of replicas');
  if (sizes.has(0)) bad('The manual partition assignment includes an empty replica list.');
  for (const [p, replicas] of partitions) {
    if (new Set(replicas).size !== replicas.length) {
      bad(`Duplicate replica assignment found: partition ${p} has replicas [${replicas.join(', ')}]`);
    }
  }
  const ids = [...partitions.keys()].sort((a, b) => a - b);
  if (ids.some((p, i) => p !== i)) bad('partitions should be a consecutive 0-based integer sequence');
  const live = new Set(liveBrokers);
  for (const p of ids) {
    const unknown = partitions.get(p)!.find((b) => !live.has(b));
    if (unknown !== undefined) {
      bad(`The manual partition assignment includes broker ${unknown}, but no such broker is registered.`);
    }
  }
}

/** Unknown names first (Kafka's message, unprefixed), then values and the rules between them. */
function checkTopicConfigs(overrides: ReadonlyMap<string, string>, config: BrokerConfig): void {
  for (const name of overrides.keys()) {
    if (!TOPIC_CONFIGS.has(name)) fail(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${name}`);
  }
  const problem = validateTopicConfigs(overrides, config);
  if (problem !== null) fail(ErrorCode.INVALID_CONFIG, problem);
}

/**
 * What auto-creation asks for (Kafka's AutoTopicCreationManager.creatableTopic): the broker
 * defaults, except for the internal topics, which get their own partitions, replication factor
 * and compacted config.
 */
export function autoCreateSpec(name: string, c: BrokerConfig): CreateTopicSpec {
  const num = (key: string): number => c.values.get(key) as number;
  if (name === CONSUMER_OFFSETS_TOPIC) {
    return {
      name,
      numPartitions: c.offsetsTopicNumPartitions,
      replicationFactor: c.offsetsTopicReplicationFactor,
      configs: new Map([
        ['cleanup.policy', 'compact'],
        ['compression.type', 'producer'],
        ['segment.bytes', String(c.offsetsTopicSegmentBytes)],
      ]),
    };
  }
  if (name === TRANSACTION_STATE_TOPIC) {
    return {
      name,
      numPartitions: num('transaction.state.log.num.partitions'),
      replicationFactor: num('transaction.state.log.replication.factor'),
      configs: new Map([
        ['cleanup.policy', 'compact'],
        ['compression.type', 'uncompressed'],
        ['min.insync.replicas', String(num('transaction.state.log.min.isr'))],
        ['segment.bytes', String(num('transaction.state.log.segment.bytes'))],
        ['unclean.leader.election.enable', 'false'],
      ]),
    };
  }
  return { name, numPartitions: USE_DEFAULT, replicationFactor: USE_DEFAULT };
}

/** One topic of a CreatePartitions request. */
export interface PartitionsSpec {
  readonly name: string;
  /** The new total number of partitions. */
  readonly count: number;
  /** Replicas of each new partition, in order; null: automatic. */
  readonly assignments: readonly (readonly number[])[] | null;
}

/**
 * Checks a CreatePartitions entry against the topic's current assignment and returns the new
 * partitions' assignment (Kafka's ZkAdminManager.createPartitions and
 * AdminZkClient.createNewPartitionsAssignment); throws AdminError: not an increase →
 * INVALID_PARTITIONS; bad manual assignment → INVALID_REPLICA_ASSIGNMENT; replication factor above
 * the live brokers → INVALID_REPLICATION_FACTOR.
 */
export function planPartitions(
  spec: PartitionsSpec,
  current: ReadonlyMap<number, readonly number[]>,
  liveBrokers: readonly number[],
): Map<number, number[]> {
  const existing = current.size;
  const increase = spec.count - existing;
  if (increase < 0) {
    fail(
      ErrorCode.INVALID_PARTITIONS,
      `Topic currently has ${existing} partitions, which is higher than the requested ${spec.count}.`,
    );
  }
  if (increase === 0) fail(ErrorCode.INVALID_PARTITIONS, `Topic already has ${existing} partitions.`);
  const first = current.get(0);
  if (first === undefined || first.length === 0) {
    fail(
      ErrorCode.UNKNOWN_SERVER_ERROR,
      `Unexpected existing replica assignment for topic '${spec.name}', partition id 0 is missing.`,
    );
  }
  const rf = first!.length;
  if (spec.assignments !== null) return manualNewPartitions(spec.assignments, existing, increase, rf, liveBrokers);
  checkReplicationFactor(rf, liveBrokers.length);
  const sorted = [...liveBrokers].sort((a, b) => a - b);
  const startIndex = Math.max(
    0,
    sorted.findIndex((id) => id >= first![0]!),
  );
  return assignReplicas({
    brokers: sorted,
    partitions: increase,
    replicationFactor: rf,
    firstPartition: existing,
    startIndex,
    nextReplicaShift: startIndex,
  });
}

function manualNewPartitions(
  assignments: readonly (readonly number[])[],
  existing: number,
  increase: number,
  rf: number,
  liveBrokers: readonly number[],
): Map<number, number[]> {
  const bad = (message: string): never => fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, message);
  const live = new Set(liveBrokers);
  const unknown = [...new Set(assignments.flat())].filter((b) => !live.has(b));
  if (unknown.length > 0) bad(`Unknown broker(s) in replica assignment: ${unknown.join(', ')}.`);
  if (assignments.length !== increase) {
    bad(`Increasing the number of partitions by ${increase} but ${assignments.length} assignments provided.`);
  }
  const added = new Map<number, number[]>();
  for (const [i, replicas] of assignments.entries()) added.set(existing + i, [...replicas]);
  for (const [p, replicas] of added) {
    if (replicas.length === 0) bad(`Cannot have replication factor of 0 for partition id ${p}.`);
    if (new Set(replicas).size !== replicas.length) {
      bad(`Duplicate brokers not allowed in replica assignment: ${replicas.join(', ')} for partition id ${p}.`);
    }
  }
  const mismatched = [...added].filter(([, r]) => r.length !== rf);
  if (mismatched.length > 0) {
    bad(
      `Inconsistent replication factor between partitions, partition 0 has ${rf} while partitions ` +
        `[${mismatched.map(([p]) => p).join(', ')}] have replication factors ` +
        `[${mismatched.map(([, r]) => r.length).join(', ')}], respectively.`,
    );
  }
  return added;
}
