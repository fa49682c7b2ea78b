import { ErrorCode } from '../../protocol/error-codes.ts';
import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type {
  DescribeConfigsRequest,
  DescribeConfigsResponse,
} from '../../protocol/messages/generated/describe-configs.ts';
import { ConfigResourceType, resourceTypeName } from '../admin-error.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';

/** Resource types answered one by one; any other type fails the whole request, as in Kafka. */
const DESCRIBABLE: ReadonlySet<number> = new Set([
  ConfigResourceType.TOPIC,
  ConfigResourceType.BROKER,
  ConfigResourceType.BROKER_LOGGER,
  ConfigResourceType.CLIENT_METRICS,
]);

/**
 * DescribeConfigs (key 32), v0-4: a topic's configs (overrides from the store over the broker's
 * defaults, with Kafka's sources and synonyms), this broker's configs (all read-only), and its
 * loggers (none listed: Samsa has one log level, set at start). One result per resource.
 *
 * v0 reports isDefault, v1+ configSource and (when asked) synonyms, v3+ type and (when asked)
 * documentation; the codec writes what the version has.
 *
 * As Kafka 3.9: a result without a message of its own (success, unknown topic) carries the empty
 * string, not null; and a resource of a type with no configs to describe here (GROUP, UNKNOWN)
 * fails every resource of the request with INVALID_REQUEST.
 */
async function handleDescribeConfigs(
  ctx: RequestContext,
  req: DescribeConfigsRequest,
): Promise<DescribeConfigsResponse> {
  const v = ctx.apiVersion;
  const odd = req.resources.find((r) => !DESCRIBABLE.has(r.resourceType));
  if (odd !== undefined) {
    return answerAll(
      req,
      ErrorCode.INVALID_REQUEST,
      `Unexpected resource type ${resourceTypeName(odd.resourceType)} for resource ${odd.resourceName}`,
    );
  }
  const results = await fullServices(ctx).topics.describeConfigs(req.resources, {
    includeSynonyms: v >= 1 && req.includeSynonyms === true,
    includeDocumentation: v >= 3 && req.includeDocumentation === true,
  });
  return {
    throttleTimeMs: 0,
    results: results.map((r, i) => ({
      errorCode: r.errorCode,
      errorMessage: r.errorMessage ?? '',
      resourceType: req.resources[i]!.resourceType,
      resourceName: req.resources[i]!.resourceName,
      // isDefault is v0's field (v1+ carry configSource instead) and must not be set later.
      configs: v === 0 ? r.configs : r.configs.map(({ isDefault: _, ...entry }) => entry),
    })),
  };
}

function answerAll(
  req: DescribeConfigsRequest,
  errorCode: number,
  errorMessage: string | null,
): DescribeConfigsResponse {
  return {
    throttleTimeMs: 0,
    results: req.resources.map((r) => ({
      errorCode,
      errorMessage,
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      configs: [],
    })),
  };
}

export const describeConfigs = defineHandler(ApiKey.DescribeConfigs, 0, 4, handleDescribeConfigs, {
  errorResponse: (req, errorCode) => answerAll(req, errorCode, null),
});
