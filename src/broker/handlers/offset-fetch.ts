import type { FetchedOffset, TopicPartitionRef } from '../../coordinator/group-types.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type {
  OffsetFetchRequest,
  OffsetFetchResponse,
  OffsetFetchResponseOffsetFetchResponseGroup,
  OffsetFetchResponseOffsetFetchResponseTopics,
} from '../../protocol/messages/generated/offset-fetch.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';
import { partitionKey } from './partition-answers.ts';

type Topics = { name: string; partitionIndexes: number[] }[] | null;

/** The requested partitions, each once (Kafka answers a partition named twice once); null for all. */
function partitionsOf(topics: Topics): TopicPartitionRef[] | null {
  if (topics === null) return null;
  const out = new Map<string, TopicPartitionRef>();
  for (const t of topics) {
    for (const partition of t.partitionIndexes) out.set(partitionKey(t.name, partition), { topic: t.name, partition });
  }
  return [...out.values()];
}

/** Offsets grouped by topic, topics in first-seen order. */
function byTopic(offsets: readonly FetchedOffset[]): OffsetFetchResponseOffsetFetchResponseTopics[] {
  const topics = new Map<string, OffsetFetchResponseOffsetFetchResponseTopics>();
  for (const o of offsets) {
    let t = topics.get(o.topic);
    if (t === undefined) {
      t = { name: o.topic, partitions: [] };
      topics.set(o.topic, t);
    }
    t.partitions.push({
      partitionIndex: o.partition,
      committedOffset: o.offset,
      committedLeaderEpoch: o.leaderEpoch,
      metadata: o.metadata,
      errorCode: o.errorCode,
    });
  }
  return [...topics.values()];
}

/**
 * OffsetFetch (key 9), v0-9: the committed offsets of a group — every requested partition (-1
 * when none is committed), or with null topics (v2+) every committed one. v7+ require_stable:
 * UNSTABLE_OFFSET_COMMIT for a partition with a commit in flight. v8+ ask for many groups at once
 * (KIP-709), each with its own error. Group errors (NOT_COORDINATOR, ...) are top-level from v2;
 * v0-1 have no top-level error, so every requested partition carries it (Kafka 3.9 sends such a
 * v0-1 answer empty, which hides the error from kafka-python).
 */
function handleOffsetFetch(ctx: RequestContext, req: OffsetFetchRequest): OffsetFetchResponse {
  const coordinator = fullServices(ctx).groupCoordinator;
  const v = ctx.apiVersion;
  const requireStable = v >= 7 && req.requireStable === true;
  if (v >= 8) {
    const groups: OffsetFetchResponseOffsetFetchResponseGroup[] = (req.groups ?? []).map((g) => {
      const r = coordinator.fetchOffsets(g.groupId, requireStable, partitionsOf(g.topics));
      return { groupId: g.groupId, errorCode: r.errorCode, topics: byTopic(r.offsets) };
    });
    return { throttleTimeMs: 0, groups };
  }
  const requested = partitionsOf(v >= 2 ? (req.topics ?? null) : (req.topics ?? []));
  const r = coordinator.fetchOffsets(req.groupId ?? '', requireStable, requested);
  if (r.errorCode === ErrorCode.NONE)
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, topics: byTopic(r.offsets) };
  return errorResponse(requested ?? [], r.errorCode, v);
}

function errorResponse(requested: readonly TopicPartitionRef[], errorCode: number, v: number): OffsetFetchResponse {
  if (v >= 2) return { throttleTimeMs: 0, errorCode, topics: [] };
  const offsets = requested.map((p) => ({ ...p, offset: -1, leaderEpoch: -1, metadata: '', errorCode }));
  return { throttleTimeMs: 0, topics: byTopic(offsets) };
}

export const offsetFetch = defineHandler(ApiKey.OffsetFetch, 0, 9, handleOffsetFetch, {
  errorResponse: (req, errorCode, ctx) => {
    if (ctx.apiVersion >= 8) {
      return {
        throttleTimeMs: 0,
        groups: (req.groups ?? []).map((g) => ({ groupId: g.groupId, errorCode, topics: [] })),
      };
    }
    return errorResponse(partitionsOf(req.topics ?? []) ?? [], errorCode, ctx.apiVersion);
  },
});
