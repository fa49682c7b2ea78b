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
import { type FullBrokerServices, fullServices } from '../services.ts';

/** No authorizer: every operation is allowed (bits of READ 3 … ALTER_CONFIGS 11, as Kafka numbers them). */
const ALL_TOPIC_OPERATIONS = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11);
const ALL_CLUSTER_OPERATIONS = (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);
const NOT_REQUESTED = -2147483648;

/**
 * Metadata (key 3), v0-12: live brokers, the controller, and for each requested topic its id
 * and partitions with leader, leader epoch, replicas, ISR and offline replicas — answered as
 * Kafka 3.9 answers:
 *
 * - Which topics: v0 — an empty list means all; v1+ — null means all, empty means none; v12
 *   topics may be named by id: once any entry has a non-zero id, only the ids count (entries
 *   without one are ignored). Before v12 a null name or a non-zero topic id fails the whole
 *   request with INVALID_REQUEST.
 * - Each name and id once, in this order: unknown ids (UNKNOWN_TOPIC_ID), known topics in request
 *   order, then unknown names in request order — except that, when auto-creation is allowed, the
 *   illegal names come before those being created.
 * - An unknown name: INVALID_TOPIC_EXCEPTION when illegal; else, when the broker allows it
 *   (auto.create.topics.enable) and the request does (v4+ flag; always before v4), its creation
 *   is started — internal topics too, with their own settings — and the answer is
 *   LEADER_NOT_AVAILABLE (or why creation failed, e.g. a '.'/'_' collision) without waiting, so
 *   the client asks again; else UNKNOWN_TOPIC_OR_PARTITION. isInternal follows the name.
 * - v8+ topic authorized operations, when asked, on every topic answered by name (errors too).
 */
async function handleMetadata(ctx: RequestContext, req: MetadataRequest): Promise<MetadataResponse> {
  const s = fullServices(ctx);
  const v = ctx.apiVersion;
  const cache = s.metadataCache;
  const all = req.topics === null || (v === 0 && req.topics.length === 0);
  const ops = v >= 8 && req.includeTopicAuthorizedOperations === true ? ALL_TOPIC_OPERATIONS : NOT_REQUESTED;
  const requested = req.topics ?? [];
  if (!all && v < 12 && requested.some((t) => t.name === null || (t.topicId ?? ZERO_UUID) !== ZERO_UUID)) {
    return errorAnswer(req, ErrorCode.INVALID_REQUEST);
  }

  const topics: MetadataResponseMetadataResponseTopic[] = [];
  if (all) {
    for (const name of cache.topicNames()) topics.push(describeTopic(cache.topic(name)!, v, ops));
  } else {
    const byId = requested.some((t) => (t.topicId ?? ZERO_UUID) !== ZERO_UUID);
    const unknownIds = new Set<string>();
    const known: TopicInfo[] = [];
    const unknownNames: string[] = [];
    const seen = new Set<string>();
    for (const t of requested) {
      const id = t.topicId ?? ZERO_UUID;
      if (byId && id === ZERO_UUID) continue;
      const found = byId || t.name === null ? cache.topicById(id) : cache.topic(t.name);
      if (found === undefined && (byId || t.name === null)) {
        unknownIds.add(id);
        continue;
      }
      const name = found?.name ?? t.name!;
      if (seen.has(name)) continue;
      seen.add(name);
      if (found) known.push(found);
      else unknownNames.push(name);
    }
    const mayCreate = s.config.autoCreateTopicsEnable && (v < 4 || req.allowAutoTopicCreation !== false);
    const codes = await unknownTopicCodes(s, unknownNames, mayCreate);
    // Kafka answers the illegal names before those it started creating (a stable sort keeps the rest).
    if (mayCreate) unknownNames.sort((a, b) => Number(isLegal(a)) - Number(isLegal(b)));
    for (const id of unknownIds) topics.push(errorTopic(null, ErrorCode.UNKNOWN_TOPIC_ID, id));
    for (const t of known) topics.push(describeTopic(t, v, ops));
    for (const name of unknownNames) topics.push(errorTopic(name, codes.get(name)!, ZERO_UUID, ops));
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

/** The error code of each topic the cache does not know, starting the creation of those allowed. */
async function unknownTopicCodes(
  s: FullBrokerServices,
  names: readonly string[],
  mayCreate: boolean,
): Promise<Map<string, number>> {
  const codes = new Map<string, number>();
  const creatable: string[] = [];
  for (const name of names) {
    if (topicNameProblem(name) !== null) codes.set(name, ErrorCode.INVALID_TOPIC_EXCEPTION);
    else if (!mayCreate) codes.set(name, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    else creatable.push(name);
  }
  if (creatable.length > 0) {
    // No wait: a topic the cache did not know when the request came is not ready in this answer,
    // even when its leaders arrive meanwhile (Kafka's ZooKeeper-mode broker answers the same).
    for (const [name, code] of await s.topics.autoCreate(creatable, { waitMs: 0 })) {
      codes.set(name, code === ErrorCode.NONE ? ErrorCode.LEADER_NOT_AVAILABLE : code);
    }
  }
  return codes;
}

function isLegal(name: string): boolean {
  return topicNameProblem(name) === null;
}

function errorTopic(
  name: string | null,
  errorCode: number,
  topicId = ZERO_UUID,
  topicAuthorizedOperations = NOT_REQUESTED,
): MetadataResponseMetadataResponseTopic {
  return {
    errorCode,
    name,
    topicId,
    isInternal: name !== null && isInternalTopic(name),
    partitions: [],
    topicAuthorizedOperations,
  };
}

/**
 * The answer when the whole request fails: every requested topic with the error, by the name
 * asked ('' for none, at every version) and the id asked; no brokers, cluster id or controller.
 */
function errorAnswer(req: MetadataRequest, errorCode: number): MetadataResponse {
  return {
    throttleTimeMs: 0,
    brokers: [],
    clusterId: null,
    controllerId: -1,
    topics: (req.topics ?? []).map((t) => ({
      errorCode,
      name: t.name ?? '',
      topicId: t.topicId ?? ZERO_UUID,
      isInternal: false,
      partitions: [],
      topicAuthorizedOperations: NOT_REQUESTED,
    })),
    clusterAuthorizedOperations: NOT_REQUESTED,
  };
}

function describeTopic(t: TopicInfo, version: number, ops: number): MetadataResponseMetadataResponseTopic {
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
    topicAuthorizedOperations: ops,
  };
}

export const metadata = defineHandler(ApiKey.Metadata, 0, 12, handleMetadata, {
  errorResponse: (req, errorCode) => errorAnswer(req, errorCode),
});
