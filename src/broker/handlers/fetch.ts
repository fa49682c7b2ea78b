import { ErrorCode } from '../../protocol/error-codes.ts';
import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type {
  FetchRequest,
  FetchRequestFetchPartition,
  FetchRequestFetchTopic,
  FetchResponse,
  FetchResponseFetchableTopicResponse,
  FetchResponsePartitionData,
} from '../../protocol/messages/generated/fetch.ts';
import { ZERO_UUID } from '../../protocol/primitives/reader.ts';
import type { FetchMessagesRequest, FetchPartitionRequest, FetchPartitionResult } from '../../replication/types.ts';
import {
  CachedPartition,
  cachedPartitionKey,
  type FetchSession,
  FINAL_EPOCH,
  INITIAL_EPOCH,
  INVALID_SESSION_ID,
  nextEpoch,
  type PartitionResponseView,
} from '../fetch-session.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { type FullBrokerServices, fullServices } from '../services.ts';

const EMPTY = Buffer.alloc(0);
/** What an incremental response says of a partition refused up front. */
const REFUSED_VIEWS = new Map<number, PartitionResponseView>(
  [ErrorCode.UNKNOWN_TOPIC_ID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION].map((errorCode) => [
    errorCode,
    { errorCode, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: EMPTY },
  ]),
);

function refusedView(errorCode: number): PartitionResponseView {
  return REFUSED_VIEWS.get(errorCode)!;
}

/**
 * Fetch (key 1), v4-17. v4 is the first with isolation levels and RecordBatch v2 only (older
 * versions need down-conversion to magic 0/1); v13+ names topics by id.
 *
 * The ReplicaManager reads batches as stored (never decoded) up to the high watermark
 * (read_uncommitted) or the last stable offset (read_committed), cut at the byte limits as Kafka
 * cuts them (possibly inside a batch after the first), and parks the request in the fetch
 * purgatory until minBytes are there or maxWaitMs passes.
 *
 * As Kafka, a partition whose topic id (v13+), topic or partition the metadata does not know is
 * refused before anything is read, and answered after the partitions read (with an empty list of
 * aborted transactions); a full fetch naming a partition twice reads it once (its first place,
 * its last parameters).
 *
 * Fetch sessions (KIP-227, v7+), as Kafka's FetchManager decides (see fetch-session.ts):
 * - sessionId 0, epoch -1: sessionless full fetch (the fast path: nothing cached, nothing extra
 *   allocated).
 * - epoch 0: full fetch; the session named (if any) is closed and a new one is created from the
 *   request's partitions and this response, when the cache has room. The response carries its id
 *   (0 when none was created: the fetch was sessionless).
 * - sessionId S, epoch -1: closes S, then a sessionless full fetch.
 * - sessionId S, any other epoch: incremental. FETCH_SESSION_ID_NOT_FOUND when S is not cached,
 *   INVALID_FETCH_SESSION_EPOCH when the epoch is not the session's, FETCH_SESSION_TOPIC_ID_ERROR
 *   when the session was made with topic ids (v13+) and this request has names, or the reverse
 *   (all with sessionId 0 and no partitions). Otherwise the partitions listed are added or updated,
 *   forgottenTopicsData removes partitions, the epoch advances, every partition of the session is
 *   read (in session order; those that returned records move to the end), and the response holds
 *   only partitions with records, an error, or a new high watermark, last stable offset or log
 *   start offset. A session left with no partitions is closed and the request is answered as a
 *   sessionless full fetch. If another incremental request of the session overtook this one while
 *   it waited, it is answered INVALID_FETCH_SESSION_EPOCH (Kafka's "possible duplicate request").
 *
 * Topic-id sessions resolve each id on every fetch: an id the broker does not know answers
 * UNKNOWN_TOPIC_ID (and stays in the session, so the partition is read once the topic exists).
 */
function handleFetch(ctx: RequestContext, req: FetchRequest): Promise<FetchResponse> {
  const s = fullServices(ctx);
  const sessionId = req.sessionId ?? INVALID_SESSION_ID;
  const epoch = req.sessionEpoch ?? FINAL_EPOCH;
  if (sessionId === INVALID_SESSION_ID && epoch === FINAL_EPOCH) return fullFetch(ctx, s, req, false);
  if (epoch === INITIAL_EPOCH || epoch === FINAL_EPOCH) {
    // A full request closes the session it names.
    if (sessionId !== INVALID_SESSION_ID) s.fetchSessions.remove(sessionId);
    return fullFetch(ctx, s, req, epoch === INITIAL_EPOCH);
  }
  return incrementalFetch(ctx, s, req, sessionId, epoch);
}

function replicaIdOf(v: number, req: FetchRequest): number {
  return v >= 15 ? (req.replicaState?.replicaId ?? -1) : (req.replicaId ?? -1);
}

function fetchRequestOf(
  s: FullBrokerServices,
  req: FetchRequest,
  replicaId: number,
  partitions: FetchPartitionRequest[],
): FetchMessagesRequest {
  return {
    replicaId,
    maxWaitMs: req.maxWaitMs,
    minBytes: req.minBytes,
    maxBytes: Math.min(req.maxBytes ?? Number.MAX_SAFE_INTEGER, s.config.fetchMaxBytes),
    isolationLevel: req.isolationLevel ?? 0,
    partitions,
  };
}

function partitionRequest(topic: string, p: FetchRequestFetchPartition): FetchPartitionRequest {
  const r: FetchPartitionRequest = {
    topic,
    partition: p.partition,
    fetchOffset: p.fetchOffset,
    partitionMaxBytes: p.partitionMaxBytes,
  };
  if (p.currentLeaderEpoch !== undefined) r.currentLeaderEpoch = p.currentLeaderEpoch;
  if (p.logStartOffset !== undefined && p.logStartOffset >= 0) r.logStartOffset = p.logStartOffset;
  return r;
}

/**
 * Why a partition is answered without reading it, as Kafka decides before it reads anything: its
 * topic id is unknown (v13+), or the metadata has no such topic or partition. NONE: read it.
 */
function refusal(s: FullBrokerServices, topic: string | null, partition: number): number {
  if (topic === null) return ErrorCode.UNKNOWN_TOPIC_ID;
  return s.metadataCache.partition(topic, partition) === undefined
    ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
    : ErrorCode.NONE;
}

/**
 * Appends a partition's answer to the response's topic entries: consecutive answers of one topic
 * share an entry, as Kafka builds its response. Callers append the partitions refused up front
 * after the partitions read, which is Kafka's order.
 */
function addAnswer(
  out: FetchResponseFetchableTopicResponse[],
  topic: string,
  topicId: string,
  data: FetchResponsePartitionData,
): void {
  const last = out.at(-1);
  if (last !== undefined && last.topic === topic && last.topicId === topicId) last.partitions.push(data);
  else out.push({ topic, topicId, partitions: [data] });
}

/**
 * A full fetch: every partition of the request (each once: see distinctPartitions) — those read
 * in request order, then those refused up front (see `refusal`) — and with `createSession`,
 * cached.
 */
async function fullFetch(
  ctx: RequestContext,
  s: FullBrokerServices,
  req: FetchRequest,
  createSession: boolean,
): Promise<FetchResponse> {
  const v = ctx.apiVersion;
  const byId = v >= 13;
  const topics = distinctPartitions(req.topics, byId);
  const reads: FetchPartitionRequest[] = [];
  /** Per requested topic: its name, or null when its id is unknown. */
  const names: (string | null)[] = [];
  /** Per requested partition, flattened: why it is not read, or NONE. */
  const refusals: number[] = [];
  for (const t of topics) {
    const name = byId ? (s.metadataCache.topicById(t.topicId ?? '')?.name ?? null) : (t.topic ?? '');
    names.push(name);
    for (const p of t.partitions) {
      const code = refusal(s, name, p.partition);
      refusals.push(code);
      if (code === ErrorCode.NONE) reads.push(partitionRequest(name!, p));
    }
  }
  const replicaId = replicaIdOf(v, req);
  const results =
    reads.length === 0 ? [] : await s.replicaManager.fetchMessages(fetchRequestOf(s, req, replicaId, reads));
  const responses: FetchResponseFetchableTopicResponse[] = [];
  /** For a new session, per requested partition (flattened): what is answered for it. */
  const data: FetchResponsePartitionData[] | null = createSession ? new Array(refusals.length) : null;
  // First the partitions read, then (rarely) those refused: two passes in request order.
  let refusedAny = false;
  for (const refusedPass of [false, true]) {
    if (refusedPass && !refusedAny) break;
    let k = 0;
    let i = 0;
    for (const t of topics) {
      for (const p of t.partitions) {
        const code = refusals[k]!;
        if ((code !== ErrorCode.NONE) === refusedPass) {
          const d = refusedPass ? errorPartition(p.partition, code) : partitionData(results[i]!);
          addAnswer(responses, t.topic ?? '', t.topicId ?? '', d);
          if (data !== null) data[k] = d;
        }
        if (code === ErrorCode.NONE) i++;
        else refusedAny = true;
        k++;
      }
    }
  }
  const sessionId =
    data !== null
      ? s.fetchSessions.maybeCreateSession(replicaId >= 0, byId, partitionCount(topics), () =>
          sessionPartitions(topics, names, data, byId),
        )
      : INVALID_SESSION_ID;
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId, responses };
}

function partitionCount(topics: readonly FetchRequestFetchTopic[]): number {
  let n = 0;
  for (const t of topics) n += t.partitions.length;
  return n;
}

/** The key of a requested topic: its id from v13, else its name. */
function topicKeyOf(t: FetchRequestFetchTopic, byId: boolean): string {
  return byId ? (t.topicId ?? ZERO_UUID) : (t.topic ?? '');
}

/** Above this many, duplicates are looked for with a Set instead of comparing pairs. */
const PAIRWISE_LIMIT = 16;

function hasDuplicates<T>(items: readonly T[], keyOf: (item: T) => unknown): boolean {
  if (items.length > PAIRWISE_LIMIT) return new Set(items.map(keyOf)).size !== items.length;
  for (let a = 1; a < items.length; a++) {
    const key = keyOf(items[a]!);
    for (let b = 0; b < a; b++) if (keyOf(items[b]!) === key) return true;
  }
  return false;
}

/**
 * The requested partitions with each named once, as Kafka reads a full fetch (a map keyed by
 * topic-partition): a partition listed again keeps its first place and takes its last
 * parameters. Consecutive partitions of one topic share a topic entry. Requests without
 * duplicates (all but odd ones) are returned as they are, allocating nothing.
 */
function distinctPartitions(topics: FetchRequestFetchTopic[], byId: boolean): FetchRequestFetchTopic[] {
  const repeated =
    hasDuplicates(topics, (t) => topicKeyOf(t, byId)) ||
    topics.some((t) => hasDuplicates(t.partitions, (p) => p.partition));
  if (!repeated) return topics;
  const order = new Map<string, { topic: FetchRequestFetchTopic; partition: FetchRequestFetchPartition }>();
  for (const t of topics) {
    for (const p of t.partitions) {
      const key = cachedPartitionKey(topicKeyOf(t, byId), p.partition);
      const first = order.get(key);
      if (first === undefined) order.set(key, { topic: t, partition: p });
      else first.partition = p;
    }
  }
  const out: FetchRequestFetchTopic[] = [];
  let last: FetchRequestFetchTopic | null = null;
  for (const { topic, partition } of order.values()) {
    if (last === null || topicKeyOf(last, byId) !== topicKeyOf(topic, byId)) {
      last = { ...topic, partitions: [] };
      out.push(last);
    }
    last.partitions.push(partition);
  }
  return out;
}

/** The partitions of a new session: the full request's (distinct), with what its response said of each. */
function sessionPartitions(
  topics: readonly FetchRequestFetchTopic[],
  names: readonly (string | null)[],
  data: readonly FetchResponsePartitionData[],
  byId: boolean,
): Map<string, CachedPartition> {
  const cached = new Map<string, CachedPartition>();
  let k = 0;
  topics.forEach((t, ti) => {
    const topicId = byId ? (t.topicId ?? ZERO_UUID) : ZERO_UUID;
    const topicKey = byId ? topicId : (t.topic ?? '');
    for (const p of t.partitions) {
      const key = cachedPartitionKey(topicKey, p.partition);
      const cp = new CachedPartition(key, names[ti] ?? null, topicId, p.partition, p);
      cp.initResponseData(data[k++]!);
      cached.set(key, cp);
    }
  });
  return cached;
}

/** An incremental fetch of session `sessionId` at `epoch` (Kafka's IncrementalFetchContext). */
async function incrementalFetch(
  ctx: RequestContext,
  s: FullBrokerServices,
  req: FetchRequest,
  sessionId: number,
  epoch: number,
): Promise<FetchResponse> {
  const cache = s.fetchSessions;
  const session = cache.get(sessionId);
  if (session === undefined) return sessionError(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  if (session.epoch !== epoch) return sessionError(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
  const v = ctx.apiVersion;
  const byId = v >= 13;
  if (session.usesTopicIds !== byId) return sessionError(ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR);

  updateSession(s, session, req, byId);
  if (session.size === 0) {
    cache.remove(session);
    return fullFetch(ctx, s, req, false);
  }
  if (!cache.fitsPartitionBudget(session)) {
    cache.remove(session);
    return sessionError(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  }
  cache.touch(session);
  session.epoch = nextEpoch(session.epoch);
  const expectedEpoch = session.epoch;

  // A snapshot: partitions that return records move to the end of the session as we answer.
  const cached = [...session.partitions.values()];
  const reads: FetchPartitionRequest[] = [];
  /** Per cached partition: the index of its read, or the error it is refused with (negated, minus 1). */
  const readIndex = new Int32Array(cached.length);
  for (let ci = 0; ci < cached.length; ci++) {
    const cp = cached[ci]!;
    if (byId) cp.topic = s.metadataCache.topicById(cp.topicId)?.name ?? null;
    const code = refusal(s, cp.topic, cp.partition);
    if (code !== ErrorCode.NONE) {
      readIndex[ci] = -1 - code;
      continue;
    }
    readIndex[ci] = reads.length;
    const r: FetchPartitionRequest = {
      topic: cp.topic!,
      partition: cp.partition,
      fetchOffset: cp.fetchOffset,
      partitionMaxBytes: cp.maxBytes,
    };
    if (cp.currentLeaderEpoch !== -1) r.currentLeaderEpoch = cp.currentLeaderEpoch;
    if (cp.fetcherLogStartOffset >= 0) r.logStartOffset = cp.fetcherLogStartOffset;
    reads.push(r);
  }
  const results =
    reads.length === 0 ? [] : await s.replicaManager.fetchMessages(fetchRequestOf(s, req, replicaIdOf(v, req), reads));
  if (session.epoch !== expectedEpoch) {
    // Another request of this session was served while this one waited.
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH,
      sessionId: session.id,
      responses: [],
    };
  }

  // Kafka's order: the partitions read (in session order), then those refused up front.
  const responses: FetchResponseFetchableTopicResponse[] = [];
  for (const refusedPass of [false, true]) {
    for (let ci = 0; ci < cached.length; ci++) {
      const ri = readIndex[ci]!;
      if (ri < 0 !== refusedPass) continue;
      const cp = cached[ci]!;
      const result = ri >= 0 ? results[ri]! : null;
      const view = result ?? refusedView(-1 - ri);
      // Judged on the read itself, so partitions left out cost no response object.
      if (!cp.maybeUpdateResponseData(view, true)) continue;
      const data = result !== null ? partitionData(result) : errorPartition(cp.partition, view.errorCode);
      if (result !== null && result.records.length > 0) session.moveToEnd(cp);
      addAnswer(responses, byId ? '' : (cp.topic ?? ''), byId ? cp.topicId : '', data);
    }
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: session.id, responses };
}

/** Applies an incremental request's partitions (added or updated) and forgotten partitions. */
function updateSession(s: FullBrokerServices, session: FetchSession, req: FetchRequest, byId: boolean): void {
  for (const t of req.topics) {
    const topicKey = byId ? (t.topicId ?? ZERO_UUID) : (t.topic ?? '');
    const name = byId ? (s.metadataCache.topicById(topicKey)?.name ?? null) : topicKey;
    const topicId = byId ? topicKey : ZERO_UUID;
    for (const p of t.partitions) session.upsert(topicKey, name, topicId, p.partition, p);
  }
  for (const f of req.forgottenTopicsData ?? []) {
    const topicKey = byId ? (f.topicId ?? ZERO_UUID) : (f.topic ?? '');
    for (const p of f.partitions) session.forget(topicKey, p);
  }
}

function sessionError(errorCode: number): FetchResponse {
  return { throttleTimeMs: 0, errorCode, sessionId: INVALID_SESSION_ID, responses: [] };
}

function partitionData(r: FetchPartitionResult): FetchResponsePartitionData {
  return {
    partitionIndex: r.partition,
    errorCode: r.errorCode,
    highWatermark: r.highWatermark,
    lastStableOffset: r.lastStableOffset,
    logStartOffset: r.logStartOffset,
    abortedTransactions: r.abortedTransactions,
    preferredReadReplica: -1,
    records: r.records,
  };
}

/**
 * A partition answered without reading it. Kafka sends an empty (not null) list of aborted
 * transactions here, while a read that failed sends null.
 */
function errorPartition(partition: number, errorCode: number): FetchResponsePartitionData {
  return {
    partitionIndex: partition,
    errorCode,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    abortedTransactions: [],
    preferredReadReplica: -1,
    records: EMPTY,
  };
}

export const fetch = defineHandler(ApiKey.Fetch, 4, 17, handleFetch, {
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    errorCode,
    sessionId: 0,
    responses: req.topics.map((t) => ({
      topic: t.topic ?? '',
      topicId: t.topicId ?? '',
      partitions: t.partitions.map((p) => errorPartition(p.partition, errorCode)),
    })),
  }),
});
