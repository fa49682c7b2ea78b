import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type {
  CreateTopicsRequest,
  CreateTopicsRequestCreatableTopic,
  CreateTopicsResponse,
} from '../../protocol/messages/generated/create-topics.ts';
import { ZERO_UUID } from '../../protocol/primitives/reader.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';
import type { CreateTopicResult, CreateTopicSpec } from '../topic-service.ts';

/**
 * CreateTopics (key 19), v0-7: creates topics and answers once every new partition has a leader
 * (or the request's timeout passed: REQUEST_TIMED_OUT, the topic stays). The checks, codes and
 * messages are TopicService's (Kafka's).
 *
 * - v1+ validateOnly: everything checked, nothing written; numPartitions -1 / replicationFactor
 *   -1 mean the broker defaults (KIP-464; accepted at every version).
 * - v5+ answers each created topic's partitions, replication factor and configs (value, source,
 *   read-only, sensitive) — also for validateOnly; v7 its topic id.
 * - A config listed twice: the last value counts (Kafka reads them into a Properties).
 */
async function handleCreateTopics(ctx: RequestContext, req: CreateTopicsRequest): Promise<CreateTopicsResponse> {
  const v = ctx.apiVersion;
  const results = await fullServices(ctx).topics.createTopics(req.topics.map(toSpec), {
    timeoutMs: req.timeoutMs,
    validateOnly: v >= 1 && req.validateOnly === true,
    includeConfigs: v >= 5,
  });
  return { throttleTimeMs: 0, topics: results.map((r) => toWire(r, v)) };
}

function toSpec(t: CreateTopicsRequestCreatableTopic): CreateTopicSpec {
  return {
    name: t.name,
    numPartitions: t.numPartitions,
    replicationFactor: t.replicationFactor,
    assignments: new Map(t.assignments.map((a) => [a.partitionIndex, a.brokerIds])),
    configs: new Map(t.configs.map((c) => [c.name, c.value])),
  };
}

function toWire(r: CreateTopicResult, version: number): CreateTopicsResponse['topics'][number] {
  return {
    name: r.name,
    topicId: r.topicId,
    errorCode: r.errorCode,
    errorMessage: r.errorMessage,
    numPartitions: r.numPartitions,
    replicationFactor: r.replicationFactor,
    configs:
      version >= 5
        ? r.configs.map((c) => ({
            name: c.name,
            value: c.value,
            readOnly: c.readOnly,
            configSource: c.configSource ?? -1,
            isSensitive: c.isSensitive,
          }))
        : [],
  };
}

function errorResponse(req: CreateTopicsRequest, errorCode: number): CreateTopicsResponse {
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      topicId: ZERO_UUID,
      errorCode,
      errorMessage: null,
      numPartitions: -1,
      replicationFactor: -1,
      configs: [],
    })),
  };
}

export const createTopics = defineHandler(ApiKey.CreateTopics, 0, 7, handleCreateTopics, { errorResponse });
