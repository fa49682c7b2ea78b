import type { AlterConfigsRequest, AlterConfigsResponse } from '../../protocol/messages/generated/alter-configs.ts';
import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';
import { resourceAnswers, resourceErrors } from './alter-config-responses.ts';

/**
 * AlterConfigs (key 33), v0-2: replaces a topic's config overrides with exactly the set given
 * (anything not listed goes back to the broker default). Validated as CreateTopics validates
 * configs; validateOnly checks without writing. The running logs of the topic, on every broker,
 * pick the change up from the store. Broker resources are refused (Samsa has no dynamic broker
 * configs yet). One result per resource.
 */
async function handleAlterConfigs(ctx: RequestContext, req: AlterConfigsRequest): Promise<AlterConfigsResponse> {
  const results = await fullServices(ctx).topics.alterConfigs(req.resources, req.validateOnly);
  return { throttleTimeMs: 0, responses: resourceAnswers(req.resources, results) };
}

function errorResponse(req: AlterConfigsRequest, errorCode: number): AlterConfigsResponse {
  return { throttleTimeMs: 0, responses: resourceErrors(req.resources, errorCode) };
}

export const alterConfigs = defineHandler(ApiKey.AlterConfigs, 0, 2, handleAlterConfigs, { errorResponse });
