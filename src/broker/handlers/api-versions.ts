import { ErrorCode } from '../../protocol/error-codes.ts';
import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type { ApiVersionsRequest, ApiVersionsResponse } from '../../protocol/messages/generated/api-versions.ts';
import { defineHandler, type RequestContext } from '../handler.ts';

/**
 * What KIP-511 allows as ClientSoftwareName and ClientSoftwareVersion (v3+): ASCII letters and
 * digits, with '.' and '-' inside but not at either end.
 */
const SOFTWARE_NAME_OR_VERSION = /^[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?$/;

/**
 * ApiVersions (key 18), v0-4: the first request of every client. The answer lists exactly the
 * handler table's ranges (ctx.handlers.apiVersions), never a hand-kept list.
 *
 * - Versions outside 0-4 never reach this handler: the dispatcher answers them with error 35 in a
 *   v0 body (KIP-511), which is how kafkajs (2→1→0), librdkafka and kafka-python find a version.
 * - Response header v0 at every version (the generated API table already says so), so a client
 *   can read the error before knowing whether the broker speaks flexible versions.
 * - v3+ ClientSoftwareName/Version that are empty or hold other characters than KIP-511 allows
 *   get INVALID_REQUEST with no API list, as Kafka answers them.
 * - Feature fields (v3+): no supported or finalized features, at finalized-features epoch 0 —
 *   what a ZooKeeper-mode Kafka 3.9 broker sends (Samsa has no KRaft feature levels).
 */
export const apiVersions = defineHandler(ApiKey.ApiVersions, 0, 4, answer, { errorResponse });

function answer(ctx: RequestContext, req: ApiVersionsRequest): ApiVersionsResponse {
  if (ctx.apiVersion >= 3 && !validSoftware(req)) return errorResponse(req, ErrorCode.INVALID_REQUEST);
  return {
    errorCode: ErrorCode.NONE,
    // The table's array is frozen; the encoder only reads it.
    apiKeys: ctx.handlers.apiVersions as ApiVersionsResponse['apiKeys'],
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: 0,
    finalizedFeatures: [],
    zkMigrationReady: false,
  };
}

function validSoftware(req: ApiVersionsRequest): boolean {
  return (
    SOFTWARE_NAME_OR_VERSION.test(req.clientSoftwareName ?? '') &&
    SOFTWARE_NAME_OR_VERSION.test(req.clientSoftwareVersion ?? '')
  );
}

function errorResponse(_request: unknown, errorCode: number): ApiVersionsResponse {
  return { errorCode, apiKeys: [], throttleTimeMs: 0 };
}
