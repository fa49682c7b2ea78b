import type { Clock, Timer } from '../common/clock.ts';
import type { CoarseTimers } from '../common/coarse-timers.ts';
import { describeError, type Logger } from '../common/logger.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import type { CompressionCodec } from '../protocol/records/batch-format.ts';
import { type ClassicGroup, joinError, syncError } from './classic-group.ts';
import { DEFAULT_GROUP_LIMITS, type GroupLimits } from './group-limits.ts';
import { GroupMembership } from './group-membership.ts';
import { groupPartition } from './group-partitioner.ts';
import { GroupShard } from './group-shard.ts';
import { parseGroupState } from './group-state.ts';
import { GroupStore, offsetWriteError } from './group-store.ts';
import type {
  GroupDescription,
  JoinGroupRequestParams,
  JoinGroupResult,
  LeaveGroupResult,
  LeavingMember,
  ListGroupsResult,
  OffsetCommitParams,
  OffsetDeleteResult,
  OffsetFetchResult,
  SyncGroupRequestParams,
  SyncGroupResult,
  TopicPartitionRef,
} from './group-types.ts';
import type { OffsetsTopicLog } from './offsets-topic-log.ts';
import { type GroupConfig, RebalanceEngine } from './rebalance-engine.ts';
import { loadShard } from './shard-loader.ts';
import { ShardWriter } from './shard-writer.ts';

export interface GroupCoordinatorConfig {
  /** offsets.topic.num.partitions */
  numPartitions: number;
  group: GroupConfig;
  /** offset.metadata.max.bytes */
  offsetMetadataMaxBytes: number;
  /** offsets.retention.minutes, in ms */
  offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms */
  offsetsRetentionCheckIntervalMs: number;
  /** offsets.commit.timeout.ms */
  offsetsCommitTimeoutMs: number;
  /** offsets.topic.compression.codec: the codec of the batches written (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd) */
  compressionCodec?: CompressionCodec;
  /** Bytes per read when loading a partition (Kafka's offsets.load.buffer.size); 5 MiB by default */
  loadBufferBytes?: number;
}

const LOAD_RETRY_MS = 1000;
const DEFAULT_LOAD_BUFFER_BYTES = 5 * 1024 * 1024;

/**
 * The group coordinator of one broker (DESIGN.md, Consumer groups): one shard per
 * `__consumer_offsets` partition this broker leads; a group lives in the shard of partition
 * abs(hashCode(groupId)) % offsets.topic.num.partitions. Requests for a group are checked here —
 * INVALID_GROUP_ID, COORDINATOR_NOT_AVAILABLE (stopped), COORDINATOR_LOAD_IN_PROGRESS,
 * NOT_COORDINATOR — then served by the membership logic (group-membership.ts,
 * rebalance-engine.ts) and the store (group-store.ts).
 *
 * Shards: onElection(partition, epoch) makes a loading shard and reads the partition
 * (shard-loader.ts); onResignation drops it — its groups die and parked requests answer
 * NOT_COORDINATOR. Leader epochs order the two: a stale event is ignored. A failed load is retried
 * every second while the shard is current.
 *
 * Lifecycle: new → startup() (offset expiration every offsets.retention.check.interval.ms) →
 * serving → shutdown(): every shard unloaded, purgatories closed.
 */
export class GroupCoordinator {
  readonly config: GroupCoordinatorConfig;
  readonly engine: RebalanceEngine;
  readonly membership: GroupMembership;
  readonly store: GroupStore;
  private readonly log: OffsetsTopicLog;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly shards = new Map<number, GroupShard>();
  private readonly epochs = new Map<number, number>();
  private readonly loads = new Map<GroupShard, Promise<void>>();
  private readonly retryTimers = new Map<GroupShard, Timer>();
  private readonly partitionCount: () => number | undefined;
  private retentionTimer: Timer | null = null;
  private active = false;
  private stopped = false;

  constructor(opts: {
    config: GroupCoordinatorConfig;
    log: OffsetsTopicLog;
    clock: Clock;
    timers: CoarseTimers;
    logger: Logger;
    limits?: Partial<GroupLimits>;
    /** Partitions of the existing __consumer_offsets topic; undefined while it does not exist. */
    partitionCount?: () => number | undefined;
  }) {
    this.config = opts.config;
    this.partitionCount = opts.partitionCount ?? (() => undefined);
    this.log = opts.log;
    this.clock = opts.clock;
    this.logger = opts.logger;
    const limits = { ...DEFAULT_GROUP_LIMITS, ...opts.limits };
    this.store = new GroupStore({ logger: opts.logger, offsetMetadataMaxBytes: opts.config.offsetMetadataMaxBytes });
    this.engine = new RebalanceEngine({
      config: opts.config.group,
      limits,
      clock: opts.clock,
      timers: opts.timers,
      logger: opts.logger,
      ctx: {
        storeGroup: (group, assignment) => this.storeGroup(group, assignment),
        forgetIfIdle: (group) => this.forgetIfIdle(group),
      },
    });
    this.membership = new GroupMembership({ engine: this.engine, limits, logger: opts.logger });
  }

  startup(): void {
    this.active = true;
    const arm = (): void => {
      this.retentionTimer = this.clock.schedule(this.config.offsetsRetentionCheckIntervalMs, () => {
        void this.expireOffsets().catch((e: unknown) =>
          this.logger.error(`offset expiration failed: ${describeError(e)}`),
        );
        if (this.active) arm();
      });
    };
    arm();
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.active = false;
    this.retentionTimer?.cancel();
    this.retentionTimer = null;
    for (const shard of [...this.shards.values()]) this.unload(shard);
    await Promise.allSettled([...this.loads.values()]);
    this.engine.close();
  }

  /**
   * The offsets partition of a group. The count is the existing topic's when known (as Kafka reads
   * it from the topic once it exists), else offsets.topic.num.partitions.
   */
  partitionFor(groupId: string): number {
    return groupPartition(groupId, this.partitionCount() ?? this.config.numPartitions);
  }

  /** Resolves once every load under way has ended (tests, benchmarks, tools). */
  async loaded(): Promise<void> {
    while (this.loads.size > 0) await Promise.allSettled([...this.loads.values()]);
  }

  // ---- Shards ---------------------------------------------------------------------------------

  /** This broker now leads `__consumer_offsets-<partition>` at `epoch`: load its groups. */
  onElection(partition: number, epoch: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const known = this.epochs.get(partition);
    if (known !== undefined && epoch < known) return Promise.resolve();
    this.epochs.set(partition, epoch);
    const existing = this.shards.get(partition);
    if (existing !== undefined) {
      if (existing.epoch === epoch) return this.loads.get(existing) ?? Promise.resolve();
      this.unload(existing);
    }
    this.logger.info(`Elected as the group coordinator for partition ${partition} in epoch ${epoch}`);
    const writer = new ShardWriter({
      log: this.log,
      partition,
      clock: this.clock,
      timeoutMs: this.config.offsetsCommitTimeoutMs,
      compression: this.config.compressionCodec ?? 0,
    });
    const shard = new GroupShard(partition, epoch, writer, () => this.clock.now());
    this.shards.set(partition, shard);
    return this.startLoad(shard);
  }

  /** This broker no longer leads the partition (epoch: the new leader epoch, when known). */
  onResignation(partition: number, epoch?: number): void {
    const known = this.epochs.get(partition);
    if (epoch !== undefined) {
      if (known !== undefined && epoch < known) return;
      this.epochs.set(partition, epoch);
    }
    const shard = this.shards.get(partition);
    if (shard === undefined) return;
    this.logger.info(`Resigned as the group coordinator for partition ${partition}`);
    this.unload(shard);
  }

  private startLoad(shard: GroupShard): Promise<void> {
    const load = this.load(shard).finally(() => {
      if (this.loads.get(shard) === load) this.loads.delete(shard);
    });
    this.loads.set(shard, load);
    return load;
  }

  private async load(shard: GroupShard): Promise<void> {
    const started = this.clock.monotonic();
    const current = (): boolean => this.shards.get(shard.partition) === shard && shard.state === 'loading';
    try {
      const loaded = await loadShard(this.log, shard.partition, {
        readBytes: this.config.loadBufferBytes ?? DEFAULT_LOAD_BUFFER_BYTES,
        cancelled: () => !current(),
        logger: this.logger,
        now: this.clock.now(),
      });
      if (loaded === null || !current()) return;
      let offsets = 0;
      for (const g of loaded.groups) {
        shard.add(g);
        offsets += g.offsets.size;
      }
      shard.state = 'active';
      for (const g of loaded.groups) this.engine.onGroupLoaded(g);
      this.logger.info(
        `Finished loading offsets and group metadata from __consumer_offsets-${shard.partition} in ` +
          `${Math.round(this.clock.monotonic() - started)} ms: ${loaded.groups.length} groups, ${offsets} offsets, ` +
          `${loaded.records} records${loaded.skipped > 0 ? ` (${loaded.skipped} skipped)` : ''}`,
      );
    } catch (e) {
      if (!current()) return;
      this.logger.error(`loading __consumer_offsets-${shard.partition} failed (retrying): ${describeError(e)}`);
      this.retryTimers.set(
        shard,
        this.clock.schedule(LOAD_RETRY_MS, () => {
          this.retryTimers.delete(shard);
          if (current()) void this.startLoad(shard);
        }),
      );
    }
  }

  private unload(shard: GroupShard): void {
    if (this.shards.get(shard.partition) === shard) this.shards.delete(shard.partition);
    shard.state = 'unloaded';
    this.retryTimers.get(shard)?.cancel();
    this.retryTimers.delete(shard);
    shard.writer.close();
    let n = 0;
    for (const g of shard.values()) {
      this.engine.onGroupUnloaded(g);
      n++;
    }
    if (n > 0) this.logger.info(`Unloaded ${n} groups of __consumer_offsets-${shard.partition}`);
  }

  /**
   * The request's group may be served here: NONE, or INVALID_GROUP_ID (an empty id where a group
   * is managed), COORDINATOR_NOT_AVAILABLE (stopped), COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR.
   */
  groupStatus(groupId: string, allowEmptyId: boolean): number {
    if (groupId === '' && !allowEmptyId) return ErrorCode.INVALID_GROUP_ID;
    if (!this.active) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const shard = this.shards.get(this.partitionFor(groupId));
    if (shard?.state === 'loading') return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    if (shard?.state !== 'active') return ErrorCode.NOT_COORDINATOR;
    return ErrorCode.NONE;
  }

  private shardOf(groupId: string): GroupShard {
    return this.shards.get(this.partitionFor(groupId))!;
  }

  /** The group as its shard holds it (tests, admin); undefined when not served here. */
  group(groupId: string): ClassicGroup | undefined {
    return this.shards.get(this.partitionFor(groupId))?.get(groupId);
  }

  private storeGroup(group: ClassicGroup, assignment: ReadonlyMap<string, Buffer>): Promise<number> {
    const shard = this.shards.get(this.partitionFor(group.groupId));
    if (shard === undefined || shard.get(group.groupId) !== group) return Promise.resolve(ErrorCode.NOT_COORDINATOR);
    return this.store.storeGroup(shard.writer, group, assignment);
  }

  /**
   * Drops a group that holds nothing — Empty, generation 0 (no metadata record), no members, no
   * pending members, no offsets — such as one a flood of joins made, or a failed simple commit.
   */
  private forgetIfIdle(group: ClassicGroup): void {
    if (!group.is('Empty') || group.generationId !== 0 || group.size > 0 || group.numPending > 0) return;
    if (group.hasOffsets) return;
    const shard = this.shards.get(this.partitionFor(group.groupId));
    if (shard?.delete(group)) group.transitionTo('Dead', this.clock.now());
  }

  // ---- Membership -----------------------------------------------------------------------------

  joinGroup(p: JoinGroupRequestParams): Promise<JoinGroupResult> {
    const status = this.groupStatus(p.groupId, false);
    if (status !== ErrorCode.NONE) return Promise.resolve(joinError(p.memberId, status));
    return this.membership.joinGroup(this.shardOf(p.groupId), p);
  }

  syncGroup(p: SyncGroupRequestParams): Promise<SyncGroupResult> {
    let status = this.groupStatus(p.groupId, false);
    // A coordinator still loading has lost the rebalance: the member must join again.
    if (status === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) status = ErrorCode.REBALANCE_IN_PROGRESS;
    if (status !== ErrorCode.NONE) return Promise.resolve(syncError(status));
    return this.membership.syncGroup(this.shardOf(p.groupId), p);
  }

  heartbeat(groupId: string, memberId: string, groupInstanceId: string | null, generationId: number): number {
    const status = this.groupStatus(groupId, false);
    // Still loading: answer blindly, as Kafka does.
    if (status === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return ErrorCode.NONE;
    if (status !== ErrorCode.NONE) return status;
    return this.membership.heartbeat(this.shardOf(groupId), groupId, memberId, groupInstanceId, generationId);
  }

  leaveGroup(groupId: string, members: readonly LeavingMember[]): LeaveGroupResult {
    const status = this.groupStatus(groupId, false);
    if (status !== ErrorCode.NONE) return { errorCode: status, members: [] };
    return this.membership.leaveGroup(this.shardOf(groupId), groupId, members);
  }

  // ---- Offsets --------------------------------------------------------------------------------

  /**
   * OffsetCommit for partitions that exist (the handler answers the others). One error per
   * entry, in order, once the records are committed.
   */
  async commitOffsets(p: OffsetCommitParams): Promise<number[]> {
    const all = (code: number): number[] => p.entries.map(() => code);
    const status = this.groupStatus(p.groupId, true);
    if (status !== ErrorCode.NONE) return all(status);
    const shard = this.shardOf(p.groupId);
    let group = shard.get(p.groupId);
    if (group === undefined) {
      // Outside group management (generation -1) a simple group is created; else it is stale.
      if (p.generationId >= 0) return all(ErrorCode.ILLEGAL_GENERATION);
      group = shard.getOrCreate(p.groupId);
    }
    const error = this.membership.checkCommit(group, p.generationId, p.memberId, p.groupInstanceId);
    if (error !== ErrorCode.NONE) {
      this.forgetIfIdle(group);
      return all(error);
    }
    const results = await this.store.storeOffsets(shard.writer, group, p.entries);
    this.forgetIfIdle(group);
    return results;
  }

  /** OffsetFetch for one group: `partitions` null means every committed partition. */
  fetchOffsets(
    groupId: string,
    requireStable: boolean,
    partitions: readonly TopicPartitionRef[] | null,
  ): OffsetFetchResult {
    const status = this.groupStatus(groupId, true);
    if (status !== ErrorCode.NONE) return { errorCode: status, offsets: [] };
    return {
      errorCode: ErrorCode.NONE,
      offsets: this.store.fetchOffsets(this.shardOf(groupId).get(groupId), requireStable, partitions),
    };
  }

  /**
   * OffsetDelete (Kafka's handleDeleteOffsets): an Empty group loses the offsets; a consumer
   * group with members keeps those of topics it subscribes to (GROUP_SUBSCRIBED_TO_TOPIC); any
   * other group with members answers NON_EMPTY_GROUP. Resolves after the tombstones are written.
   * Unlike OffsetCommit and OffsetFetch, the empty group id is INVALID_GROUP_ID (as in Kafka).
   */
  async deleteOffsets(groupId: string, partitions: readonly TopicPartitionRef[]): Promise<OffsetDeleteResult> {
    const status = this.groupStatus(groupId, false);
    if (status !== ErrorCode.NONE) return { errorCode: status, partitionErrors: [] };
    const shard = this.shardOf(groupId);
    const group = shard.get(groupId);
    if (group === undefined || group.is('Dead'))
      return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, partitionErrors: [] };
    let errors: number[];
    if (group.is('Empty')) {
      errors = partitions.map(() => ErrorCode.NONE);
    } else if (group.isConsumerGroup) {
      errors = partitions.map((p) =>
        group.isSubscribedToTopic(p.topic) ? ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC : ErrorCode.NONE,
      );
    } else {
      return { errorCode: ErrorCode.NON_EMPTY_GROUP, partitionErrors: [] };
    }
    const eligible = partitions.filter((_, i) => errors[i] === ErrorCode.NONE);
    const written = await this.removeOffsets(shard, group, eligible);
    if (written !== ErrorCode.NONE) errors = errors.map((e) => (e === ErrorCode.NONE ? written : e));
    return { errorCode: ErrorCode.NONE, partitionErrors: errors };
  }

  /**
   * Removes offsets of `group` and writes their tombstones; an Empty group left without offsets
   * dies (with a group tombstone if it ever had a generation). Resolves with the write's error.
   */
  private async removeOffsets(
    shard: GroupShard,
    group: ClassicGroup,
    partitions: readonly TopicPartitionRef[],
  ): Promise<number> {
    const removed = group.offsets.remove(partitions);
    return this.cleanup(shard, group, removed);
  }

  private async cleanup(
    shard: GroupShard,
    group: ClassicGroup,
    removed: readonly TopicPartitionRef[],
  ): Promise<number> {
    let groupTombstone = false;
    if (group.is('Empty') && !group.hasOffsets && shard.delete(group)) {
      this.logger.info(`Group ${group.groupId} transitioned to Dead in generation ${group.generationId}`);
      this.engine.onGroupUnloaded(group);
      groupTombstone = group.generationId > 0;
    }
    const code = await this.store.writeTombstones(shard.writer, group.groupId, removed, groupTombstone);
    return offsetWriteError(code);
  }

  /**
   * Topics were deleted: their committed offsets go from every group, with tombstones, as Kafka's
   * handleDeletedPartitions does; an Empty group left with no offsets dies.
   */
  async onTopicsDeleted(topics: readonly string[]): Promise<number> {
    const names = new Set(topics);
    const writes: Promise<number>[] = [];
    let n = 0;
    for (const shard of this.shards.values()) {
      if (shard.state !== 'active') continue;
      for (const group of [...shard.values()]) {
        const removed = group.offsets.removeTopics(names);
        if (removed.length === 0) continue;
        n += removed.length;
        writes.push(this.cleanup(shard, group, removed));
      }
    }
    await Promise.all(writes);
    if (n > 0) this.logger.info(`Removed ${n} offsets of deleted topics ${topics.join(', ')}`);
    return n;
  }

  /** Periodic: removes expired offsets (offsets.retention.minutes) and groups left empty. */
  async expireOffsets(): Promise<number> {
    const now = this.clock.now();
    const writes: Promise<number>[] = [];
    let n = 0;
    for (const shard of this.shards.values()) {
      if (shard.state !== 'active') continue;
      for (const group of [...shard.values()]) {
        const removed = group.removeExpiredOffsets(now, this.config.offsetsRetentionMs);
        n += removed.length;
        if (removed.length > 0 || (group.is('Empty') && !group.hasOffsets))
          writes.push(this.cleanup(shard, group, removed));
      }
    }
    await Promise.all(writes);
    if (n > 0) this.logger.info(`Removed ${n} expired offsets in ${this.clock.now() - now} ms`);
    return n;
  }

  // ---- Admin ----------------------------------------------------------------------------------

  describeGroup(groupId: string): GroupDescription {
    const status = this.groupStatus(groupId, true);
    const group = status === ErrorCode.NONE ? this.shardOf(groupId).get(groupId) : undefined;
    if (group !== undefined) return group.describe();
    return {
      errorCode: status,
      groupId,
      state: status === ErrorCode.NONE ? 'Dead' : '',
      protocolType: '',
      protocol: '',
      members: [],
    };
  }

  /** Groups of every loaded shard; `states` and `types` filter case-insensitively when not empty. */
  listGroups(states: readonly string[], types: readonly string[]): ListGroupsResult {
    if (!this.active) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
    const wanted = new Set(states.map((s) => parseGroupState(s) ?? s));
    const classic = types.length === 0 || types.some((t) => t.trim().toLowerCase() === 'classic');
    let loading = false;
    const groups = [];
    for (const shard of this.shards.values()) {
      if (shard.state !== 'active') {
        loading = true;
        continue;
      }
      if (!classic) continue;
      for (const g of shard.values()) if (wanted.size === 0 || wanted.has(g.state)) groups.push(g.overview());
    }
    return { errorCode: loading ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE, groups };
  }

  /**
   * DeleteGroups: an Empty group is removed with its offsets (tombstones written before the
   * answer); a group with members answers NON_EMPTY_GROUP; an unknown one GROUP_ID_NOT_FOUND.
   */
  async deleteGroups(groupIds: readonly string[]): Promise<number[]> {
    return Promise.all(
      groupIds.map(async (groupId) => {
        const status = this.groupStatus(groupId, true);
        if (status !== ErrorCode.NONE) return status;
        const shard = this.shardOf(groupId);
        const group = shard.get(groupId);
        if (group === undefined || group.is('Dead')) return ErrorCode.GROUP_ID_NOT_FOUND;
        if (!group.is('Empty')) return ErrorCode.NON_EMPTY_GROUP;
        const removed = group.offsets.removeAll();
        const error = await this.cleanup(shard, group, removed);
        if (error === ErrorCode.NONE) this.logger.info(`Deleted group ${groupId} and its ${removed.length} offsets`);
        return error;
      }),
    );
  }
}
