import { ErrorCode } from '../../protocol/error-codes.ts';
import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type {
  FetchRequest,
  FetchRequestFetchPartition,
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
/** What an incremental response says of a partition whose topic id is unknown. */
const UNKNOWN_TOPIC_ID_VIEW: PartitionResponseView = {
  errorCode: ErrorCode.UNKNOWN_TOPIC_ID,
  highWatermark: -1,
  lastStableOffset: -1,
  logStartOffset: -1,
  records: EMPTY,
};

/**
 * Fetch (key 1), v4-17. v4 is the first with isolation levels and RecordBatch v2 only (older
 * versions need down-conversion to magic 0/1); v13+ names topics by id.
 *
 * The ReplicaManager reads whole batches as stored (never decoded) up to the high watermark
 * (read_uncommitted) or the last stable offset (read_committed), and parks the request in the
 * fetch purgatory until minBytes are there or maxWaitMs passes.
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

/** A full fetch: every partition of the request, in its order; with `createSession`, cached. */
async function fullFetch(
  ctx: RequestContext,
  s: FullBrokerServices,
  req: FetchRequest,
  createSession: boolean,
): Promise<FetchResponse> {
  const v = ctx.apiVersion;
  const byId = v >= 13;
  const partitions: FetchPartitionRequest[] = [];
  /** Per requested topic: its name, or null when its id is unknown. */
  const names: (string | null)[] = [];
  for (const t of req.topics) {
    const name = byId ? (s.metadataCache.topicById(t.topicId ?? '')?.name ?? null) : (t.topic ?? '');
    names.push(name);
    if (name === null) continue;
    for (const p of t.partitions) partitions.push(partitionRequest(name, p));
  }
  const replicaId = replicaIdOf(v, req);
  const results =
    partitions.length === 0 ? [] : await s.replicaManager.fetchMessages(fetchRequestOf(s, req, replicaId, partitions));
  let i = 0;
  const responses: FetchResponseFetchableTopicResponse[] = req.topics.map((t, ti) => {
    const known = names[ti] !== null;
    return {
      topic: t.topic ?? '',
      topicId: t.topicId ?? '',
      partitions: t.partitions.map((p) =>
        known ? partitionData(results[i++]!) : errorPartition(p.partition, ErrorCode.UNKNOWN_TOPIC_ID),
      ),
    };
  });
  const sessionId = createSession
    ? s.fetchSessions.maybeCreateSession(replicaId >= 0, byId, partitionCount(req), () =>
        sessionPartitions(req, names, responses, byId),
      )
    : INVALID_SESSION_ID;
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId, responses };
}

function partitionCount(req: FetchRequest): number {
  let n = 0;
  for (const t of req.topics) n += t.partitions.length;
  return n;
}

/** The partitions of a new session: the full request's, with what its response said of each. */
function sessionPartitions(
  req: FetchRequest,
  names: readonly (string | null)[],
  responses: readonly FetchResponseFetchableTopicResponse[],
  byId: boolean,
): Map<string, CachedPartition> {
  const cached = new Map<string, CachedPartition>();
  req.topics.forEach((t, ti) => {
    const topicId = byId ? (t.topicId ?? ZERO_UUID) : ZERO_UUID;
    const topicKey = byId ? topicId : (t.topic ?? '');
    const answered = responses[ti]!.partitions;
    t.partitions.forEach((p, pi) => {
      const key = cachedPartitionKey(topicKey, p.partition);
      const cp = new CachedPartition(key, names[ti] ?? null, topicId, p.partition, p);
      cp.initResponseData(answered[pi]!);
      // A partition listed twice is cached once, with its last parameters (Kafka keeps a map).
      cached.delete(key);
      cached.set(key, cp);
    });
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
  /** Per cached partition: the index of its read, or -1 when its topic id is unknown. */
  const readIndex = new Int32Array(cached.length).fill(-1);
  for (let ci = 0; ci < cached.length; ci++) {
    const cp = cached[ci]!;
    if (byId) cp.topic = s.metadataCache.topicById(cp.topicId)?.name ?? null;
    if (cp.topic === null) continue;
    readIndex[ci] = reads.length;
    const r: FetchPartitionRequest = {
      topic: cp.topic,
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

  const responses: FetchResponseFetchableTopicResponse[] = [];
  let current: FetchResponseFetchableTopicResponse | null = null;
  for (let ci = 0; ci < cached.length; ci++) {
    const cp = cached[ci]!;
    const ri = readIndex[ci]!;
    const result = ri >= 0 ? results[ri]! : null;
    // Judged on the read itself, so partitions left out cost no response object.
    if (!cp.maybeUpdateResponseData(result ?? UNKNOWN_TOPIC_ID_VIEW, true)) continue;
    const data = result !== null ? partitionData(result) : errorPartition(cp.partition, ErrorCode.UNKNOWN_TOPIC_ID);
    if (result !== null && result.records.length > 0) session.moveToEnd(cp);
    // Consecutive partitions of one topic share a topic entry (as Kafka builds the response).
    const topic = byId ? '' : (cp.topic ?? '');
    const topicId = byId ? cp.topicId : '';
    if (current === null || current.topic !== topic || current.topicId !== topicId) {
      current = { topic, topicId, partitions: [] };
      responses.push(current);
    }
    current.partitions.push(data);
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

function errorPartition(partition: number, errorCode: number): FetchResponsePartitionData {
  return {
    partitionIndex: partition,
    errorCode,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    abortedTransactions: null,
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
