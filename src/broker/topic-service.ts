import type { Clock } from '../common/clock.ts';
import type { CoarseTimers } from '../common/coarse-timers.ts';
import { describeError, type Logger } from '../common/logger.ts';
import {
  addPartitions,
  createTopic,
  readAssignment,
  requestTopicDeletion,
  TopicAdminError,
} from '../controller/topic-admin.ts';
import { topicNameProblem } from '../controller/topic-names.ts';
import type { MetadataCache } from '../metadata/metadata-cache.ts';
import type { MetadataStore } from '../metadata/metadata-store.ts';
import { Paths } from '../metadata/paths.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import type { DescribeConfigsResponseDescribeConfigsResourceResult as DescribeConfigsEntry } from '../protocol/messages/generated/describe-configs.ts';
import { ZERO_UUID } from '../protocol/primitives/reader.ts';
import type { LogConfig } from '../storage/config.ts';
import { AdminError, type AdminOutcome } from './admin-error.ts';
import type { BrokerConfig } from './config/broker-config.ts';
import { describeTopicConfig } from './config/describe-config.ts';
import { resolveTopicConfig } from './config/topic-config.ts';
import {
  type AlterConfigsResource,
  ConfigResources,
  type DescribeConfigsQuery,
  type DescribedConfigs,
  type IncrementalAlterConfigsResource,
} from './config-resources.ts';
import { MetadataWaiter } from './metadata-waiter.ts';
import { type TopicConfigListener, TopicConfigStore } from './topic-config-store.ts';
import {
  autoCreateSpec,
  type CreateTopicSpec,
  EXCESSIVE_PARTITIONS_MESSAGE,
  MAX_PARTITIONS_PER_REQUEST,
  type PartitionsSpec,
  type PlanContext,
  planPartitions,
  planTopic,
  requestedPartitions,
  type TopicPlan,
} from './topic-plans.ts';

export type { CreateTopicSpec, PartitionsSpec, TopicConfigListener };

export interface TopicServiceOptions {
  readonly store: MetadataStore;
  readonly metadataCache: MetadataCache;
  readonly config: BrokerConfig;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly timers: CoarseTimers;
  /** [0, 1) for the random start and shift of replica assignments; Math.random by default. */
  readonly random?: () => number;
  /** How long autoCreate() waits for the new topics' leaders by default (ms). */
  readonly autoCreateWaitMs?: number;
}

export interface CreateTopicResult extends AdminOutcome {
  name: string;
  /** The new topic's id; ZERO_UUID unless it was created. */
  topicId: string;
  /** -1 unless it was created (or would be, validateOnly). */
  numPartitions: number;
  replicationFactor: number;
  /** Its configs as CreateTopics v5+ reports them (only when asked, and only on success). */
  configs: DescribeConfigsEntry[];
}

/** A topic to delete, by name or (DeleteTopics v6) by id. */
export type DeleteTopicTarget = { readonly name: string } | { readonly topicId: string };

export interface DeleteTopicResult extends AdminOutcome {
  /** null when asked by an id no topic has. */
  name: string | null;
  /** The id asked for; ZERO_UUID when asked by name. */
  topicId: string;
}

export interface CreatePartitionsResult extends AdminOutcome {
  name: string;
}

/**
 * autoCreate()'s default wait for leaders, for callers inside the broker and tests. The request
 * handlers (Metadata, FindCoordinator) pass 0: Kafka answers LEADER_NOT_AVAILABLE and the client asks again.
 */
export const AUTO_CREATE_WAIT_MS = 1000;
/** Attempts at a conditional assignment write before CreatePartitions gives up on concurrent writers. */
const MAX_WRITE_ATTEMPTS = 5;

/**
 * Topic administration at a broker — what Kafka's ZkAdminManager and AutoTopicCreationManager do:
 * CreateTopics, DeleteTopics, CreatePartitions, auto-creation for Metadata and FindCoordinator, and the
 * config resources of DescribeConfigs / AlterConfigs / IncrementalAlterConfigs. Changes are
 * writes to the coordination store (controller/topic-admin.ts); the controller reacts to them and
 * tells every broker, and this service then waits — through metadata cache updates, with the
 * request's timeout on the broker's timers — until this broker's metadata cache shows the result
 * (every partition led, or the topic gone), so a client that creates a topic and produces right
 * away finds it ready. A wait that runs out answers REQUEST_TIMED_OUT, as Kafka does; the change
 * itself stays.
 *
 * Any broker may serve these requests (Kafka's ZooKeeper mode sends them to the controller).
 *
 * Lifecycle: construct → start() (loads and watches topic configs) → close() (parked requests are
 * answered at once, watches stop). Answers are per topic or per resource, in request order, with
 * Kafka's error codes and messages; validateOnly checks everything and writes nothing.
 */
export class TopicService {
  private readonly store: MetadataStore;
  private readonly cache: MetadataCache;
  private readonly config: BrokerConfig;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly autoCreateWaitMs: number;
  private readonly waiter: MetadataWaiter;
  private readonly topicConfigs: TopicConfigStore;
  private readonly configResources: ConfigResources;
  /** Auto-creations under way, so concurrent requests for one name share one creation. */
  private readonly inflight = new Map<string, Promise<number>>();

  constructor(opts: TopicServiceOptions) {
    this.store = opts.store;
    this.cache = opts.metadataCache;
    this.config = opts.config;
    this.logger = opts.logger;
    this.random = opts.random ?? Math.random;
    this.autoCreateWaitMs = opts.autoCreateWaitMs ?? AUTO_CREATE_WAIT_MS;
    this.waiter = new MetadataWaiter(opts.metadataCache, opts.timers, opts.logger);
    this.topicConfigs = new TopicConfigStore({ store: opts.store, config: opts.config, logger: opts.logger });
    this.configResources = new ConfigResources({
      config: opts.config,
      metadataCache: opts.metadataCache,
      topicConfigs: this.topicConfigs,
      logger: opts.logger,
    });
  }

  async start(): Promise<void> {
    for (const p of [Paths.topics, Paths.deleteTopics]) await this.store.ensurePath(p);
    await this.topicConfigs.start();
  }

  close(): void {
    this.waiter.close();
    this.topicConfigs.close();
  }

  /** Requests parked until the metadata cache catches up (tests, metrics). */
  get waitingRequests(): number {
    return this.waiter.waiting;
  }

  // ---- CreateTopics -----------------------------------------------------------------------------

  /**
   * Creates topics (Kafka's order of checks: see planTopic) and waits up to `timeoutMs` for their
   * leaders. One result per entry, in order; every entry of a name given twice gets
   * INVALID_REQUEST. Topics are created one after another, so a later one collides with an
   * earlier one as it would with an existing topic. timeoutMs ≤ 0: no wait, and the created
   * topics answer REQUEST_TIMED_OUT (Kafka's reading of a zero timeout).
   */
  async createTopics(
    specs: readonly CreateTopicSpec[],
    options: { timeoutMs: number; validateOnly?: boolean; includeConfigs?: boolean },
  ): Promise<CreateTopicResult[]> {
    const validateOnly = options.validateOnly ?? false;
    const results = specs.map(
      (s): CreateTopicResult => ({
        name: s.name,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        topicId: ZERO_UUID,
        numPartitions: -1,
        replicationFactor: -1,
        configs: [],
      }),
    );
    const counts = countNames(specs.map((s) => s.name));
    const todo = specs.map((_, i) => i).filter((i) => counts.get(specs[i]!.name) === 1);
    for (const r of results) {
      if (counts.get(r.name)! > 1) failCreate(r, ErrorCode.INVALID_REQUEST, 'Found multiple entries for this topic.');
    }
    const total = todo.reduce((n, i) => n + requestedPartitions(specs[i]!, this.config.numPartitions), 0);
    if (total > MAX_PARTITIONS_PER_REQUEST) {
      for (const i of todo) failCreate(results[i]!, ErrorCode.POLICY_VIOLATION, EXCESSIVE_PARTITIONS_MESSAGE);
      return results;
    }
    if (todo.length === 0) return results;

    const ctx = await this.planContext();
    const created: TopicPlan[] = [];
    const createdAt: number[] = [];
    for (const i of todo) {
      const r = results[i]!;
      try {
        const plan = planTopic(specs[i]!, ctx);
        r.numPartitions = plan.partitions.size;
        r.replicationFactor = plan.replicationFactor;
        if (options.includeConfigs) r.configs = describeTopicConfig(plan.overrides, this.config);
        if (validateOnly) continue;
        r.topicId = await this.writeTopic(plan);
        ctx.storedTopics.add(plan.name);
        created.push(plan);
        createdAt.push(i);
      } catch (e) {
        const { errorCode, errorMessage } = this.outcome(`create topic ${r.name}`, e);
        failCreate(r, errorCode, errorMessage);
      }
    }
    if (created.length === 0) return results;
    const ready = (p: TopicPlan): boolean => this.hasLeaders(p.name, p.partitions.size);
    if (options.timeoutMs > 0) await this.waiter.waitUntil(() => created.every(ready), options.timeoutMs);
    created.forEach((plan, k) => {
      if (options.timeoutMs <= 0 || !ready(plan))
        failCreate(results[createdAt[k]!]!, ErrorCode.REQUEST_TIMED_OUT, null);
    });
    return results;
  }

  private async planContext(): Promise<PlanContext & { storedTopics: Set<string> }> {
    const [stored, pending] = await Promise.all([
      this.store.getChildren(Paths.topics),
      this.store.getChildren(Paths.deleteTopics),
    ]);
    return {
      liveBrokers: this.cache.brokers().map((b) => b.id),
      cachedTopics: new Set(this.cache.topicNames()),
      storedTopics: new Set(stored),
      pendingDeletion: new Set(pending),
      config: this.config,
      random: this.random,
    };
  }

  private async writeTopic(plan: TopicPlan): Promise<string> {
    let topicId: string;
    try {
      topicId = await createTopic(this.store, plan.name, plan.partitions, plan.overrides);
    } catch (e) {
      if (e instanceof TopicAdminError && e.code === 'TOPIC_EXISTS') {
        throw new AdminError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${plan.name}' already exists.`);
      }
      if (e instanceof TopicAdminError && e.code === 'PENDING_DELETION') {
        throw new AdminError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${plan.name}' is marked for deletion.`);
      }
      throw e;
    }
    this.topicConfigs.remember(plan.name, plan.overrides);
    const configs =
      plan.overrides.size === 0 ? '' : ` and config ${[...plan.overrides].map(([k, v]) => `${k}=${v}`).join(', ')}`;
    this.logger.info(
      `Created topic ${plan.name} with ${plan.partitions.size} partitions and replication factor ${plan.replicationFactor}${configs}`,
    );
    return topicId;
  }

  // ---- Auto-creation and waits ------------------------------------------------------------------

  /**
   * Auto-creates topics for Metadata and FindCoordinator (auto.create.topics.enable is the caller's to
   * check): num.partitions and default.replication.factor — never lowered to the live brokers, as
   * Kafka — or, for the internal topics, their own settings. Then waits up to `waitMs` for their
   * leaders. Per name: NONE (exists with every partition led), LEADER_NOT_AVAILABLE (created, or
   * being created, not led yet: ask again), INVALID_TOPIC_EXCEPTION (bad name or '.'/'_'
   * collision), INVALID_REPLICATION_FACTOR (more replicas than live brokers), or another
   * CreateTopics error.
   */
  async autoCreate(names: readonly string[], options: { waitMs?: number } = {}): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const unique = [...new Set(names)];
    const codes = await Promise.all(unique.map((name) => this.autoCreateOne(name)));
    for (const [i, name] of unique.entries()) out.set(name, codes[i]!);
    const pending = unique.filter((name) => out.get(name) === ErrorCode.LEADER_NOT_AVAILABLE);
    if (pending.length > 0) {
      await this.waitForLeaders(pending, options.waitMs ?? this.autoCreateWaitMs);
      for (const name of pending) if (this.hasLeaders(name)) out.set(name, ErrorCode.NONE);
    }
    return out;
  }

  private autoCreateOne(name: string): Promise<number> {
    if (this.hasLeaders(name)) return Promise.resolve(ErrorCode.NONE);
    if (topicNameProblem(name) !== null) return Promise.resolve(ErrorCode.INVALID_TOPIC_EXCEPTION);
    let creating = this.inflight.get(name);
    if (creating === undefined) {
      creating = this.createForAutoCreation(name).finally(() => this.inflight.delete(name));
      this.inflight.set(name, creating);
    }
    return creating;
  }

  private async createForAutoCreation(name: string): Promise<number> {
    const [r] = await this.createTopics([autoCreateSpec(name, this.config)], { timeoutMs: 0 });
    switch (r!.errorCode) {
      case ErrorCode.NONE:
      case ErrorCode.REQUEST_TIMED_OUT: // created just now (no wait, by design)
      case ErrorCode.TOPIC_ALREADY_EXISTS: // created by someone else
        return ErrorCode.LEADER_NOT_AVAILABLE;
      default:
        this.logger.info(`Auto creation of topic ${name} failed: ${r!.errorMessage ?? `error ${r!.errorCode}`}`);
        return r!.errorCode;
    }
  }

  /**
   * True when the metadata cache has the topic and partitions 0..n-1 all have a leader, n being
   * `partitions` or else the partitions the cache knows (at least one).
   */
  hasLeaders(name: string, partitions?: number): boolean {
    const t = this.cache.topic(name);
    if (t === undefined) return false;
    const n = partitions ?? t.partitions.size;
    if (n === 0) return false;
    for (let p = 0; p < n; p++) if ((t.partitions.get(p)?.leader ?? -1) < 0) return false;
    return true;
  }

  /** Resolves true once every named topic has all its partitions led; false after `timeoutMs`. */
  waitForLeaders(names: readonly string[], timeoutMs: number): Promise<boolean> {
    return this.waiter.waitUntil(() => names.every((n) => this.hasLeaders(n)), timeoutMs);
  }

  /** Resolves true once the metadata cache lists the broker as alive; false after `timeoutMs`. */
  waitForBroker(brokerId: number, timeoutMs: number): Promise<boolean> {
    return this.waiter.waitUntil(() => this.cache.isAlive(brokerId), timeoutMs);
  }

  // ---- DeleteTopics -----------------------------------------------------------------------------

  /**
   * Marks topics for deletion and waits up to `timeoutMs` until the metadata cache no longer has
   * them. Per entry: TOPIC_DELETION_DISABLED (delete.topic.enable=false), UNKNOWN_TOPIC_ID (an id
   * no topic has), UNKNOWN_TOPIC_OR_PARTITION (a name the cache does not know), REQUEST_TIMED_OUT
   * (marked, not gone yet). Internal topics are deleted like any other, as Kafka does.
   */
  async deleteTopics(
    targets: readonly DeleteTopicTarget[],
    options: { timeoutMs: number },
  ): Promise<DeleteTopicResult[]> {
    const results = targets.map((t): DeleteTopicResult => {
      if ('name' in t) return { name: t.name, topicId: ZERO_UUID, errorCode: ErrorCode.NONE, errorMessage: null };
      const name = this.cache.topicById(t.topicId)?.name ?? null;
      const errorCode = name === null ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.NONE;
      return { name, topicId: t.topicId, errorCode, errorMessage: null };
    });
    if (!this.config.deleteTopicEnable) {
      for (const r of results) r.errorCode = ErrorCode.TOPIC_DELETION_DISABLED;
      return results;
    }
    const outcomes = new Map<string, AdminOutcome>();
    for (const r of results) {
      if (r.errorCode !== ErrorCode.NONE || outcomes.has(r.name!)) continue;
      if (this.cache.topic(r.name!) === undefined) {
        r.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        continue;
      }
      outcomes.set(r.name!, await this.markForDeletion(r.name!));
    }
    const marked = [...outcomes].filter(([, o]) => o.errorCode === ErrorCode.NONE).map(([name]) => name);
    const gone = (name: string): boolean => this.cache.topic(name) === undefined;
    if (marked.length > 0 && options.timeoutMs > 0) {
      await this.waiter.waitUntil(() => marked.every(gone), options.timeoutMs);
    }
    for (const name of marked) {
      if (options.timeoutMs <= 0 || !gone(name))
        outcomes.set(name, { errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: null });
    }
    for (const r of results) {
      const o = r.name !== null && r.errorCode === ErrorCode.NONE ? outcomes.get(r.name) : undefined;
      if (o !== undefined) Object.assign(r, o);
    }
    return results;
  }

  private async markForDeletion(name: string): Promise<AdminOutcome> {
    try {
      await requestTopicDeletion(this.store, name);
      this.logger.debug(`Topic ${name} marked for deletion`);
      return { errorCode: ErrorCode.NONE, errorMessage: null };
    } catch (e) {
      if (e instanceof TopicAdminError && e.code === 'UNKNOWN_TOPIC') {
        return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null };
      }
      return this.outcome(`delete topic ${name}`, e);
    }
  }

  // ---- CreatePartitions -------------------------------------------------------------------------

  /**
   * Adds partitions to topics and waits up to `timeoutMs` for their leaders. One result per
   * distinct name (Kafka answers from a map), in request order: a name given twice →
   * INVALID_REQUEST; being deleted → INVALID_TOPIC_EXCEPTION; unknown →
   * UNKNOWN_TOPIC_OR_PARTITION; then planPartitions' checks.
   */
  async createPartitions(
    specs: readonly PartitionsSpec[],
    options: { timeoutMs: number; validateOnly?: boolean },
  ): Promise<CreatePartitionsResult[]> {
    const validateOnly = options.validateOnly ?? false;
    const counts = countNames(specs.map((s) => s.name));
    const results = new Map<string, CreatePartitionsResult>();
    const todo: PartitionsSpec[] = [];
    for (const s of specs) {
      if (results.has(s.name)) continue;
      const dup = counts.get(s.name)! > 1;
      results.set(s.name, {
        name: s.name,
        errorCode: dup ? ErrorCode.INVALID_REQUEST : ErrorCode.NONE,
        errorMessage: dup ? 'Duplicate topic in request.' : null,
      });
      if (!dup) todo.push(s);
    }
    const increase = todo.reduce(
      (n, s) => n + Math.max(0, s.count - (this.cache.topic(s.name)?.partitions.size ?? 0)),
      0,
    );
    if (increase > MAX_PARTITIONS_PER_REQUEST) {
      for (const s of todo)
        Object.assign(results.get(s.name)!, {
          errorCode: ErrorCode.POLICY_VIOLATION,
          errorMessage: EXCESSIVE_PARTITIONS_MESSAGE,
        });
      return [...results.values()];
    }
    const written: PartitionsSpec[] = [];
    for (const s of todo) {
      try {
        if (await this.addPartitions(s, validateOnly)) written.push(s);
      } catch (e) {
        Object.assign(results.get(s.name)!, this.outcome(`create partitions of ${s.name}`, e));
      }
    }
    const ready = (s: PartitionsSpec): boolean => this.hasLeaders(s.name, s.count);
    if (written.length > 0 && options.timeoutMs > 0) {
      await this.waiter.waitUntil(() => written.every(ready), options.timeoutMs);
    }
    for (const s of written) {
      if (options.timeoutMs <= 0 || !ready(s)) {
        Object.assign(results.get(s.name)!, { errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: null });
      }
    }
    return [...results.values()];
  }

  /** Checks and (unless validateOnly) writes one topic's new partitions; true when written. */
  private async addPartitions(s: PartitionsSpec, validateOnly: boolean): Promise<boolean> {
    const unknown = (): never => {
      throw new AdminError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${s.name}' does not exist.`);
    };
    if (topicNameProblem(s.name) !== null) unknown();
    if ((await this.store.exists(Paths.deleteTopic(s.name))) !== null) {
      throw new AdminError(ErrorCode.INVALID_TOPIC_EXCEPTION, 'The topic is queued for deletion.');
    }
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const current = await readAssignment(this.store, s.name);
      if (current === null) return unknown();
      const added = planPartitions(
        s,
        current.a.partitions,
        this.cache.brokers().map((b) => b.id),
      );
      if (validateOnly) return false;
      try {
        await addPartitions(this.store, s.name, current, added);
      } catch (e) {
        if (e instanceof TopicAdminError && e.code === 'CONCURRENT_CHANGE') continue;
        throw e;
      }
      this.logger.info(`Added ${added.size} partitions to topic ${s.name}, which now has ${s.count}`);
      return true;
    }
    throw new AdminError(ErrorCode.UNKNOWN_SERVER_ERROR, `Topic '${s.name}' kept changing concurrently; try again.`);
  }

  // ---- Configs ----------------------------------------------------------------------------------

  /** DescribeConfigs: one result per resource (TOPIC, BROKER, BROKER_LOGGER). */
  describeConfigs(
    resources: readonly DescribeConfigsQuery[],
    options: { includeSynonyms?: boolean; includeDocumentation?: boolean } = {},
  ): Promise<DescribedConfigs[]> {
    return this.configResources.describe(resources, options);
  }

  /** AlterConfigs: replaces topic overrides; broker configs are read-only in Samsa. */
  alterConfigs(resources: readonly AlterConfigsResource[], validateOnly: boolean): Promise<AdminOutcome[]> {
    return this.configResources.alter(resources, validateOnly);
  }

  /** IncrementalAlterConfigs: SET / DELETE / APPEND / SUBTRACT on topic overrides. */
  incrementalAlterConfigs(
    resources: readonly IncrementalAlterConfigsResource[],
    validateOnly: boolean,
  ): Promise<AdminOutcome[]> {
    return this.configResources.incrementalAlter(resources, validateOnly);
  }

  /**
   * Calls `listener(topic, overrides)` whenever a topic's overrides change — through this broker
   * or any other (store watches) — after logConfig(topic) already returns the new config. The
   * composition connects it to the running logs. Returns the unsubscribe function.
   */
  onTopicConfigChange(listener: TopicConfigListener): () => void {
    return this.topicConfigs.onChange(listener);
  }

  /** The topic's effective log config (broker defaults + its overrides), synchronously from the watched copy. */
  logConfig(topic: string): LogConfig {
    return this.topicConfigs.logConfig(topic);
  }

  /** The topic's min.insync.replicas (its override, else the broker's), for acks=all. */
  minInsyncReplicas(topic: string): number {
    try {
      return resolveTopicConfig('min.insync.replicas', this.topicConfigs.overrides(topic), this.config) as number;
    } catch {
      return this.config.minInsyncReplicas; // an unusable override (logConfig() logs it)
    }
  }

  /** The topic's overrides as this broker last saw them. */
  topicOverrides(topic: string): ReadonlyMap<string, string> {
    return this.topicConfigs.overrides(topic);
  }

  /** Resolves once the config watches have handled every store event so far (tests). */
  configsIdle(): Promise<void> {
    return this.topicConfigs.idle();
  }

  private outcome(what: string, e: unknown): AdminOutcome {
    if (e instanceof AdminError) return { errorCode: e.errorCode, errorMessage: e.errorMessage };
    this.logger.error(`${what} failed: ${describeError(e)}`);
    return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null };
  }
}

function countNames(names: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  return counts;
}

/** An entry that failed: Kafka resets what it would have reported on success (not the id). */
function failCreate(r: CreateTopicResult, errorCode: number, errorMessage: string | null): void {
  r.errorCode = errorCode;
  r.errorMessage = errorMessage;
  r.numPartitions = -1;
  r.replicationFactor = -1;
  r.configs = [];
}
