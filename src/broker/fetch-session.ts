/**
 * Incremental fetch sessions (KIP-227): the broker remembers, per session, the partitions a
 * fetcher wants and what it last told it about each, so the fetcher sends only what changed and
 * the broker answers only the partitions that have news. Modelled on Kafka 3.9's FetchSession.scala
 * (CachedPartition, FetchSession, FetchSessionCacheShard); the request logic (Kafka's FetchManager
 * and fetch contexts) is in handlers/fetch.ts.
 *
 * Request metadata (sessionId, epoch):
 * - (0, -1): sessionless full fetch; nothing is cached.
 * - (0 or S, 0): full fetch that asks for a new session (S, if given, is closed first); the answer
 *   carries the new id, or 0 when the cache has no room.
 * - (S, -1): closes S; answered as a sessionless full fetch.
 * - (S, N): incremental fetch, N must be the session's epoch; each one advances it (nextEpoch).
 *
 * The cache (one per broker, shared by all connections) holds at most `maxEntries` sessions
 * (max.incremental.fetch.session.cache.slots) and at most `maxCachedPartitions` partitions in
 * all. When full, a new session may take the place of (Kafka's tryEvict, in this order):
 * 1. the least recently used session, if unused for more than `evictionMs` (120 s, Kafka's
 *    MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS);
 * 2. otherwise the least valuable evictable session, ranked by (privileged, size, id), if the new
 *    one ranks at least as high as it with id 0 — i.e. it is privileged (a follower's) and the
 *    other is not, or it has more partitions. Sessions created less than `evictionMs` ago are
 *    evictable only by privileged (follower) sessions, and only if they are not privileged
 *    themselves. Evictability is decided when a session is last used, as in Kafka.
 *
 * Differences from Kafka 3.9:
 * - One cache, not 8 shards of slots/8 each (the shards only spread lock contention across
 *   request threads; Node has one). Session ids are random in [1, 2^31 - 1).
 * - Kafka has no partition bound, so a fetcher could grow a session without limit through
 *   incremental requests. Here the partitions of all sessions together are bounded
 *   (`maxCachedPartitions`): a new session that would exceed it evicts by the rules above (more
 *   than one session if need be) or is not created; an incremental request that would grow its
 *   session past it closes the session (FETCH_SESSION_ID_NOT_FOUND, after which clients fall back
 *   to a full fetch).
 * - Finding the session to evict by value is a scan over the sessions (≤ maxEntries), done only
 *   when the cache is full; Kafka keeps sorted trees.
 * - A partition's last stable offset is cached too: a change of it alone puts the partition in an
 *   incremental response (Kafka only watches the high watermark and log start offset; the LSO
 *   moves with the HW there, so this only ever adds a partition Kafka would also send).
 */
import type { Clock } from '../common/clock.ts';

/** Session id of a sessionless request or response. */
export const INVALID_SESSION_ID = 0;
/** Epoch of a full fetch that asks for a new session. */
export const INITIAL_EPOCH = 0;
/** Epoch of a full fetch that wants no session (closing the one named, if any). */
export const FINAL_EPOCH = -1;
/** Kafka's MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS. */
export const DEFAULT_EVICTION_MS = 120_000;

const MAX_INT32 = 0x7fffffff;

/** The epoch after `prev`, as clients and Kafka compute it: FINAL stays FINAL, 2^31 - 1 wraps to 1. */
export function nextEpoch(prev: number): number {
  if (prev < 0) return FINAL_EPOCH;
  return prev === MAX_INT32 ? 1 : prev + 1;
}

/** What a fetch request says about one partition (FetchRequestFetchPartition fits it). */
export interface FetchPartitionParams {
  fetchOffset: number;
  partitionMaxBytes: number;
  currentLeaderEpoch?: number;
  lastFetchedEpoch?: number;
  /** Followers only: their log start offset. */
  logStartOffset?: number;
}

/** What a fetch answered for one partition (FetchPartitionResult and FetchResponsePartitionData fit it). */
export interface PartitionResponseView {
  errorCode: number;
  highWatermark: number;
  lastStableOffset?: number;
  logStartOffset?: number;
  records: Buffer | null;
}

/**
 * The key of a partition in a session: its topic name (sessions of Fetch v12 and older) or topic
 * id (v13+), and its index. The index comes last and has no NUL, so distinct pairs never share a key.
 */
export function cachedPartitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** One partition of a session: the request parameters to reuse and the response values last sent. */
export class CachedPartition {
  readonly key: string;
  /**
   * The topic name; null while the topic id of a v13+ session names no topic this broker knows
   * (the handler resolves ids on every fetch, so a topic that appears later is fetched).
   */
  topic: string | null;
  /** The topic id (v13+ sessions); ZERO_UUID in name sessions. */
  readonly topicId: string;
  readonly partition: number;
  fetchOffset: number;
  maxBytes: number;
  currentLeaderEpoch: number;
  lastFetchedEpoch: number;
  /** The follower's log start offset (-1 for consumers). */
  fetcherLogStartOffset: number;
  /** Last sent; -1 after an error, so the partition is sent again once the error clears. */
  highWatermark = -1;
  lastStableOffset = -1;
  /** This broker's log start offset, last sent. */
  localLogStartOffset = -1;

  constructor(key: string, topic: string | null, topicId: string, partition: number, params: FetchPartitionParams) {
    this.key = key;
    this.topic = topic;
    this.topicId = topicId;
    this.partition = partition;
    this.fetchOffset = params.fetchOffset;
    this.maxBytes = params.partitionMaxBytes;
    this.currentLeaderEpoch = params.currentLeaderEpoch ?? -1;
    this.lastFetchedEpoch = params.lastFetchedEpoch ?? -1;
    this.fetcherLogStartOffset = params.logStartOffset ?? -1;
  }

  /** Takes the parameters of a request that names this partition again. */
  updateRequestParams(params: FetchPartitionParams): void {
    this.fetchOffset = params.fetchOffset;
    this.maxBytes = params.partitionMaxBytes;
    this.currentLeaderEpoch = params.currentLeaderEpoch ?? -1;
    this.lastFetchedEpoch = params.lastFetchedEpoch ?? -1;
    this.fetcherLogStartOffset = params.logStartOffset ?? -1;
  }

  /** Records what a full fetch answered, when a session is created from it. */
  initResponseData(r: PartitionResponseView): void {
    this.highWatermark = r.highWatermark;
    this.lastStableOffset = r.lastStableOffset ?? -1;
    this.localLogStartOffset = r.logStartOffset ?? -1;
  }

  /**
   * Whether an incremental response must carry this partition (Kafka's maybeUpdateResponseData):
   * it has records, an error, or a high watermark, last stable offset or log start offset other
   * than last sent. With `update`, remembers the values sent (an error resets the cached high
   * watermark to -1).
   */
  maybeUpdateResponseData(r: PartitionResponseView, update: boolean): boolean {
    let mustRespond = r.records !== null && r.records.length > 0;
    if (this.highWatermark !== r.highWatermark) {
      mustRespond = true;
      if (update) this.highWatermark = r.highWatermark;
    }
    const lso = r.lastStableOffset ?? -1;
    if (this.lastStableOffset !== lso) {
      mustRespond = true;
      if (update) this.lastStableOffset = lso;
    }
    const logStart = r.logStartOffset ?? -1;
    if (this.localLogStartOffset !== logStart) {
      mustRespond = true;
      if (update) this.localLogStartOffset = logStart;
    }
    if (r.errorCode !== 0) {
      mustRespond = true;
      if (update) this.highWatermark = -1;
    }
    return mustRespond;
  }
}

/** One fetch session. Its partitions are in fetch order. */
export class FetchSession {
  readonly id: number;
  /** Created by a follower (replica id ≥ 0): harder to evict. */
  readonly privileged: boolean;
  /** Created by Fetch v13+ (partitions keyed by topic id); other versions get FETCH_SESSION_TOPIC_ID_ERROR. */
  readonly usesTopicIds: boolean;
  /** Monotonic ms. */
  readonly creationMs: number;
  lastUsedMs: number;
  /** The epoch the next incremental request must carry. */
  epoch: number;
  /**
   * Keyed by cachedPartitionKey, in fetch order: a partition that returned records moves to the
   * end, so that with a byte limit the others get their turn (as Kafka does).
   */
  readonly partitions: Map<string, CachedPartition>;
  /** Partition count when last touched; -1 when not in the cache. */
  cachedSize = -1;
  /** Evictable by a new privileged session / by any new session, as decided when last touched. */
  evictableByPrivileged = false;
  evictableByAll = false;

  constructor(
    id: number,
    privileged: boolean,
    usesTopicIds: boolean,
    partitions: Map<string, CachedPartition>,
    nowMs: number,
  ) {
    this.id = id;
    this.privileged = privileged;
    this.usesTopicIds = usesTopicIds;
    this.partitions = partitions;
    this.creationMs = nowMs;
    this.lastUsedMs = nowMs;
    this.epoch = nextEpoch(INITIAL_EPOCH);
  }

  get size(): number {
    return this.partitions.size;
  }

  /**
   * Adds a partition named by an incremental request, or takes its new parameters if cached.
   * `topicKey` is the name (name sessions) or the id (id sessions).
   */
  upsert(
    topicKey: string,
    topic: string | null,
    topicId: string,
    partition: number,
    params: FetchPartitionParams,
  ): CachedPartition {
    const key = cachedPartitionKey(topicKey, partition);
    const cached = this.partitions.get(key);
    if (cached !== undefined) {
      cached.updateRequestParams(params);
      return cached;
    }
    const added = new CachedPartition(key, topic, topicId, partition, params);
    this.partitions.set(key, added);
    return added;
  }

  /** Removes a partition listed in forgottenTopicsData; false if it was not in the session. */
  forget(topicKey: string, partition: number): boolean {
    return this.partitions.delete(cachedPartitionKey(topicKey, partition));
  }

  /** Moves a partition to the end of the fetch order (after it returned records). */
  moveToEnd(p: CachedPartition): void {
    if (this.partitions.get(p.key) !== p) return;
    this.partitions.delete(p.key);
    this.partitions.set(p.key, p);
  }
}

export interface FetchSessionCacheOptions {
  /** [max.incremental.fetch.session.cache.slots] sessions at most; 0 disables sessions. */
  maxEntries: number;
  /** Unused for longer than this, a session may be evicted by any new one; younger ones are protected. */
  evictionMs?: number;
  /** Partitions of all sessions together; default max(10,000, 100 × maxEntries). */
  maxCachedPartitions?: number;
  /** Time for lastUsed/creation (monotonic ms). */
  clock: Clock;
  /** Random number in [0, 1) for session ids; Math.random by default. */
  random?: () => number;
}

/** The broker's fetch sessions. See the module comment for the rules. */
export class FetchSessionCache {
  readonly maxEntries: number;
  readonly evictionMs: number;
  readonly maxCachedPartitions: number;
  private readonly clock: Clock;
  private readonly random: () => number;
  /** By id, in least-recently-used order (touch re-inserts), so the first one is the stalest. */
  private readonly sessions = new Map<number, FetchSession>();
  private partitionCount = 0;
  private evictionCount = 0;

  constructor(opts: FetchSessionCacheOptions) {
    this.maxEntries = Math.max(0, opts.maxEntries);
    this.evictionMs = opts.evictionMs ?? DEFAULT_EVICTION_MS;
    this.maxCachedPartitions = opts.maxCachedPartitions ?? Math.max(10_000, 100 * this.maxEntries);
    this.clock = opts.clock;
    this.random = opts.random ?? Math.random;
  }

  /** Sessions in the cache (Kafka's NumIncrementalFetchSessions). */
  get size(): number {
    return this.sessions.size;
  }

  /** Partitions cached over all sessions (Kafka's NumIncrementalFetchPartitionsCached). */
  get totalPartitions(): number {
    return this.partitionCount;
  }

  /** Sessions evicted to make room so far. */
  get evictions(): number {
    return this.evictionCount;
  }

  get(sessionId: number): FetchSession | undefined {
    return this.sessions.get(sessionId);
  }

  /** Ids of the cached sessions, least recently used first. */
  ids(): number[] {
    return [...this.sessions.keys()];
  }

  /**
   * Creates a session if there is room, or if one can be evicted for it. `size` is the partition
   * count the new session will have (at most; `build` makes its partitions and is called only
   * when the session is created). Returns the new id, or INVALID_SESSION_ID.
   */
  maybeCreateSession(
    privileged: boolean,
    usesTopicIds: boolean,
    size: number,
    build: () => Map<string, CachedPartition>,
  ): number {
    if (this.maxEntries === 0 || size > this.maxCachedPartitions) return INVALID_SESSION_ID;
    const now = this.clock.monotonic();
    while (this.sessions.size >= this.maxEntries || this.partitionCount + size > this.maxCachedPartitions) {
      if (!this.tryEvict(privileged, size, now)) return INVALID_SESSION_ID;
    }
    const session = new FetchSession(this.newSessionId(), privileged, usesTopicIds, build(), now);
    this.sessions.set(session.id, session);
    this.touch(session);
    return session.id;
  }

  /** Removes a session (by id or object); returns it, or undefined if it was not cached. */
  remove(session: number | FetchSession): FetchSession | undefined {
    const s = typeof session === 'number' ? this.sessions.get(session) : session;
    if (s === undefined || this.sessions.get(s.id) !== s) return undefined;
    this.sessions.delete(s.id);
    this.partitionCount -= s.cachedSize;
    s.cachedSize = -1;
    return s;
  }

  /**
   * Marks a session used now: it becomes the most recently used, its size is recounted, and its
   * evictability is decided (Kafka's touch).
   */
  touch(session: FetchSession): void {
    if (this.sessions.get(session.id) !== session) return;
    const now = this.clock.monotonic();
    this.sessions.delete(session.id);
    session.lastUsedMs = now;
    this.sessions.set(session.id, session);
    if (session.cachedSize >= 0) this.partitionCount -= session.cachedSize;
    session.cachedSize = session.partitions.size;
    this.partitionCount += session.cachedSize;
    const old = now - session.creationMs > this.evictionMs;
    session.evictableByPrivileged = !session.privileged || old;
    session.evictableByAll = old;
  }

  /** Whether the session, at its current size, keeps the cache within maxCachedPartitions. */
  fitsPartitionBudget(session: FetchSession): boolean {
    const others = this.partitionCount - Math.max(0, session.cachedSize);
    return others + session.partitions.size <= this.maxCachedPartitions;
  }

  /** Kafka's tryEvict: a stale session first; else the least valuable evictable one, if worth less. */
  private tryEvict(privileged: boolean, size: number, now: number): boolean {
    const stalest = this.sessions.values().next().value;
    if (stalest === undefined) return false;
    if (now - stalest.lastUsedMs > this.evictionMs) {
      this.evict(stalest);
      return true;
    }
    let victim: FetchSession | undefined;
    for (const s of this.sessions.values()) {
      if (!(privileged ? s.evictableByPrivileged : s.evictableByAll)) continue;
      if (victim === undefined || compareEvictable(s.privileged, s.cachedSize, s.id, victim) < 0) victim = s;
    }
    // The newcomer ranks as (privileged, size, 0): it must not rank below the victim.
    if (victim === undefined || compareEvictable(privileged, size, 0, victim) < 0) return false;
    this.evict(victim);
    return true;
  }

  private evict(session: FetchSession): void {
    this.remove(session);
    this.evictionCount++;
  }

  private newSessionId(): number {
    for (;;) {
      const id = 1 + Math.floor(this.random() * (MAX_INT32 - 1));
      if (id >= 1 && id < MAX_INT32 && !this.sessions.has(id)) return id;
    }
  }
}

/** Orders (privileged, size, id) against a session's key: non-privileged, smaller, lower ids first. */
function compareEvictable(privileged: boolean, size: number, id: number, other: FetchSession): number {
  if (privileged !== other.privileged) return privileged ? 1 : -1;
  if (size !== other.cachedSize) return size - other.cachedSize;
  return id - other.id;
}
