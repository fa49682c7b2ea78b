import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type {
  CreatePartitionsRequest,
  CreatePartitionsResponse,
} from '../../protocol/messages/generated/create-partitions.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';

/**
 * CreatePartitions (key 37), v0-3: raises topics' partition counts (with or without a manual
 * assignment of the new partitions) and answers once the new partitions have leaders, or with
 * REQUEST_TIMED_OUT when the timeout passes first. validateOnly checks without writing. One
 * result per distinct topic name (a name given twice → INVALID_REQUEST), as Kafka.
 */
async function handleCreatePartitions(
  ctx: RequestContext,
  req: CreatePartitionsRequest,
): Promise<CreatePartitionsResponse> {
  const results = await fullServices(ctx).topics.createPartitions(
    req.topics.map((t) => ({
      name: t.name,
      count: t.count,
      assignments: t.assignments === null ? null : t.assignments.map((a) => a.brokerIds),
    })),
    { timeoutMs: req.timeoutMs, validateOnly: req.validateOnly },
  );
  return { throttleTimeMs: 0, results };
}

function errorResponse(req: CreatePartitionsRequest, errorCode: number): CreatePartitionsResponse {
  const names = [...new Set(req.topics.map((t) => t.name))];
  return { throttleTimeMs: 0, results: names.map((name) => ({ name, errorCode, errorMessage: null })) };
}

export const createPartitions = defineHandler(ApiKey.CreatePartitions, 0, 3, handleCreatePartitions, {
  errorResponse,
});
