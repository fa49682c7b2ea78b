import { ErrorCode } from '../../protocol/error-codes.ts';
import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type {
  FetchRequest,
  FetchResponse,
  FetchResponseFetchableTopicResponse,
  FetchResponsePartitionData,
} from '../../protocol/messages/generated/fetch.ts';
import type { FetchPartitionRequest, FetchPartitionResult } from '../../replication/types.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';

const EMPTY = Buffer.alloc(0);

/**
 * Fetch (key 1), v4-17. v4 is the first with isolation levels and RecordBatch v2 only (older
 * versions need down-conversion to magic 0/1); v13+ names topics by id.
 *
 * The ReplicaManager reads whole batches as stored (never decoded) up to the high watermark
 * (read_uncommitted) or the last stable offset (read_committed), and parks the request in the
 * fetch purgatory until minBytes are there or maxWaitMs passes.
 *
 * Fetch sessions (KIP-227, v7+): Samsa answers with session id 0, which tells the client that
 * no session was created, so every fetch is a full one — what Kafka does when its session cache
 * is full. Every client falls back to that.
 */
async function handleFetch(ctx: RequestContext, req: FetchRequest): Promise<FetchResponse> {
  const s = fullServices(ctx);
  const v = ctx.apiVersion;
  const byId = v >= 13;
  const partitions: FetchPartitionRequest[] = [];
  /** Per requested topic: its name, or null when its id is unknown. */
  const names: (string | null)[] = [];
  for (const t of req.topics) {
    const name = byId ? (s.metadataCache.topicById(t.topicId ?? '')?.name ?? null) : (t.topic ?? '');
    names.push(name);
    if (name === null) continue;
    for (const p of t.partitions) {
      const r: FetchPartitionRequest = {
        topic: name,
        partition: p.partition,
        fetchOffset: p.fetchOffset,
        partitionMaxBytes: p.partitionMaxBytes,
      };
      if (p.currentLeaderEpoch !== undefined) r.currentLeaderEpoch = p.currentLeaderEpoch;
      if (p.logStartOffset !== undefined && p.logStartOffset >= 0) r.logStartOffset = p.logStartOffset;
      partitions.push(r);
    }
  }
  const replicaId = v >= 15 ? (req.replicaState?.replicaId ?? -1) : (req.replicaId ?? -1);
  const results =
    partitions.length === 0
      ? []
      : await s.replicaManager.fetchMessages({
          replicaId,
          maxWaitMs: req.maxWaitMs,
          minBytes: req.minBytes,
          maxBytes: Math.min(req.maxBytes ?? Number.MAX_SAFE_INTEGER, s.config.fetchMaxBytes),
          isolationLevel: req.isolationLevel ?? 0,
          partitions,
        });
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
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses };
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
