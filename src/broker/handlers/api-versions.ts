import { ErrorCode } from '../../protocol/error-codes.ts';
import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type { ApiVersionsResponse } from '../../protocol/messages/generated/api-versions.ts';
import { defineHandler, type RequestContext } from '../handler.ts';

/**
 * ApiVersions (key 18), v0-4: the first request of every client. The answer lists exactly the
 * handler table's ranges (ctx.handlers.apiVersions), never a hand-kept list.
 *
 * - Versions outside 0-4 never reach this handler: the dispatcher answers them with error 35 in a
 *   v0 body (KIP-511), which is how kafkajs (2→1→0), librdkafka and kafka-python find a version.
 * - Response header v0 at every version (the generated API table already says so), so a client
 *   can read the error before knowing whether the broker speaks flexible versions.
 * - v3+ ClientSoftwareName/Version are accepted as sent. Kafka answers INVALID_REQUEST when they
 *   fail its pattern; Samsa is lenient, since the only effect would be a client falling back to v0.
 * - Feature fields (v3+) stay empty: Samsa has no KRaft feature levels to advertise, which is
 *   what a ZooKeeper-mode Kafka 3.9 broker sends as well.
 */
export const apiVersions = defineHandler(ApiKey.ApiVersions, 0, 4, answer, { errorResponse });

function answer(ctx: RequestContext): ApiVersionsResponse {
  return {
    errorCode: ErrorCode.NONE,
    // The table's array is frozen; the encoder only reads it.
    apiKeys: ctx.handlers.apiVersions as ApiVersionsResponse['apiKeys'],
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1,
    finalizedFeatures: [],
    zkMigrationReady: false,
  };
}

function errorResponse(_request: unknown, errorCode: number): ApiVersionsResponse {
  return { errorCode, apiKeys: [], throttleTimeMs: 0 };
}
