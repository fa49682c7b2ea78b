import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type {
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
} from '../../protocol/messages/generated/incremental-alter-configs.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';
import { resourceAnswers, resourceErrors } from './alter-config-responses.ts';

/**
 * IncrementalAlterConfigs (key 44), v0-1: per config SET (0), DELETE (1), APPEND (2) or
 * SUBTRACT (3) — the last two on list-typed topic configs such as cleanup.policy — applied to a
 * topic's current overrides, validated, and written unless validateOnly. Broker and broker-logger
 * resources are refused (Samsa has no dynamic broker configs or log levels yet). One result per
 * resource.
 */
async function handleIncrementalAlterConfigs(
  ctx: RequestContext,
  req: IncrementalAlterConfigsRequest,
): Promise<IncrementalAlterConfigsResponse> {
  const results = await fullServices(ctx).topics.incrementalAlterConfigs(req.resources, req.validateOnly);
  return { throttleTimeMs: 0, responses: resourceAnswers(req.resources, results) };
}

function errorResponse(req: IncrementalAlterConfigsRequest, errorCode: number): IncrementalAlterConfigsResponse {
  return { throttleTimeMs: 0, responses: resourceErrors(req.resources, errorCode) };
}

export const incrementalAlterConfigs = defineHandler(
  ApiKey.IncrementalAlterConfigs,
  0,
  1,
  handleIncrementalAlterConfigs,
  { errorResponse },
);
