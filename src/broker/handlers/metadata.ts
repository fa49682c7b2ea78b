import { isInternalTopic, topicNameProblem } from '../../controller/topic-names.ts';
import type { TopicInfo } from '../../metadata/metadata-cache.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type {
  MetadataRequest,
  MetadataResponse,
  MetadataResponseMetadataResponsePartition,
  MetadataResponseMetadataResponseTopic,
} from '../../protocol/messages/generated/metadata.ts';
import { ZERO_UUID } from '../../protocol/primitives/reader.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';

/** No authorizer: every operation is allowed (bits of READ 3 … ALTER_CONFIGS 11, as Kafka numbers them). */
const ALL_TOPIC_OPERATIONS = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11);
const ALL_CLUSTER_OPERATIONS = (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);
const NOT_REQUESTED = -2147483648;

/**
 * Metadata (key 3), v0-12: live brokers, the controller, and for each requested topic its id
 * and partitions with leader, leader epoch, replicas, ISR and offline replicas.
 *
 * Which topics: v0 — an empty list means all; v1+ — null means all, empty means none; v10+
 * topics may be named by id. Unknown topics are created when the broker allows it
 * (auto.create.topics.enable), the request allows it (v4+ flag; always before v4), and the name is
 * legal and not internal; a just-created topic is reported once its leaders are known, or with
 * LEADER_NOT_AVAILABLE so the client asks again.
 */
async function handleMetadata(ctx: RequestContext, req: MetadataRequest): Promise<MetadataResponse> {
  const s = fullServices(ctx);
  const v = ctx.apiVersion;
  const cache = s.metadataCache;
  const all = req.topics === null || (v === 0 && req.topics.length === 0);
  const topics: MetadataResponseMetadataResponseTopic[] = [];
  const includeOps = (v >= 8 && req.includeTopicAuthorizedOperations) === true;

  if (all) {
    for (const name of cache.topicNames()) topics.push(describeTopic(cache.topic(name)!, v, includeOps));
  } else {
    const toCreate: string[] = [];
    const pending = new Map<string, MetadataResponseMetadataResponseTopic>();
    for (const t of req.topics ?? []) {
      if (t.name === null) {
        // Names are nullable in requests from v10 but in responses only from v12: Kafka answers
        // an id lookup before v12 with INVALID_REQUEST and an empty name.
        if (v < 12) {
          topics.push(errorTopic('', ErrorCode.INVALID_REQUEST, t.topicId ?? ZERO_UUID));
          continue;
        }
        const byId = t.topicId !== undefined ? cache.topicById(t.topicId) : undefined;
        topics.push(
          byId
            ? describeTopic(byId, v, includeOps)
            : errorTopic(null, ErrorCode.UNKNOWN_TOPIC_ID, t.topicId ?? ZERO_UUID),
        );
        continue;
      }
      const known = cache.topic(t.name);
      if (known) {
        topics.push(describeTopic(known, v, includeOps));
        continue;
      }
      if (topicNameProblem(t.name) !== null) {
        topics.push(errorTopic(t.name, ErrorCode.INVALID_TOPIC_EXCEPTION));
        continue;
      }
      const mayCreate =
        s.config.autoCreateTopicsEnable && (v < 4 || req.allowAutoTopicCreation !== false) && !isInternalTopic(t.name);
      const entry = errorTopic(
        t.name,
        mayCreate ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      );
      topics.push(entry);
      if (mayCreate && !pending.has(t.name)) {
        toCreate.push(t.name);
        pending.set(t.name, entry);
      }
    }
    if (toCreate.length > 0) {
      const outcome = await s.topics.autoCreate(toCreate);
      for (const [name, code] of outcome) {
        const entry = pending.get(name)!;
        const created = code === ErrorCode.NONE ? cache.topic(name) : undefined;
        const replacement = created ? describeTopic(created, v, includeOps) : errorTopic(name, code);
        topics[topics.indexOf(entry)] = replacement;
      }
    }
  }

  const response: MetadataResponse = {
    throttleTimeMs: 0,
    brokers: cache.brokers().map((b) => ({ nodeId: b.id, host: b.host, port: b.port, rack: b.rack })),
    clusterId: cache.clusterId,
    controllerId: cache.controllerId,
    topics,
  };
  if (v >= 8 && v <= 10) {
    response.clusterAuthorizedOperations = req.includeClusterAuthorizedOperations
      ? ALL_CLUSTER_OPERATIONS
      : NOT_REQUESTED;
  }
  return response;
}

function errorTopic(
  name: string | null,
  errorCode: number,
  topicId = ZERO_UUID,
): MetadataResponseMetadataResponseTopic {
  return { errorCode, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: NOT_REQUESTED };
}

function describeTopic(t: TopicInfo, version: number, includeOps: boolean): MetadataResponseMetadataResponseTopic {
  const partitions: MetadataResponseMetadataResponsePartition[] = [];
  for (const p of [...t.partitions.values()].sort((a, b) => a.partition - b.partition)) {
    const offline = new Set(p.offlineReplicas);
    // v0 clients expect only reachable replicas and REPLICA_NOT_AVAILABLE when some are missing.
    const hideOffline = version === 0;
    let errorCode: number = ErrorCode.NONE;
    if (p.leader === -1) errorCode = ErrorCode.LEADER_NOT_AVAILABLE;
    else if (hideOffline && offline.size > 0) errorCode = ErrorCode.REPLICA_NOT_AVAILABLE;
    partitions.push({
      errorCode,
      partitionIndex: p.partition,
      leaderId: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: hideOffline ? p.replicas.filter((r) => !offline.has(r)) : p.replicas,
      isrNodes: hideOffline ? p.isr.filter((r) => !offline.has(r)) : p.isr,
      offlineReplicas: p.offlineReplicas,
    });
  }
  return {
    errorCode: ErrorCode.NONE,
    name: t.name,
    topicId: t.topicId,
    isInternal: isInternalTopic(t.name),
    partitions,
    topicAuthorizedOperations: includeOps ? ALL_TOPIC_OPERATIONS : NOT_REQUESTED,
  };
}

export const metadata = defineHandler(ApiKey.Metadata, 0, 12, handleMetadata, {
  errorResponse: (req, errorCode, ctx) => ({
    throttleTimeMs: 0,
    brokers: [],
    clusterId: fullServices(ctx).metadataCache.clusterId,
    controllerId: -1,
    topics: (req.topics ?? []).map((t) =>
      errorTopic(t.name ?? (ctx.apiVersion < 12 ? '' : null), errorCode, t.topicId ?? ZERO_UUID),
    ),
  }),
});
