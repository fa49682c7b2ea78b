import { ErrorCode } from '../../protocol/error-codes.ts';
import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type { DeleteTopicsRequest, DeleteTopicsResponse } from '../../protocol/messages/generated/delete-topics.ts';
import { ZERO_UUID } from '../../protocol/primitives/reader.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';
import type { DeleteTopicTarget } from '../topic-service.ts';

/**
 * DeleteTopics (key 20), v0-6: marks topics for deletion and answers once this broker's metadata
 * no longer has them (or the timeout passed: REQUEST_TIMED_OUT, the deletion goes on).
 *
 * - v0-5 name topics (topicNames); v6 names or ids (topics), never both in one entry — that makes
 *   the whole request INVALID_REQUEST, as Kafka. An unknown id → UNKNOWN_TOPIC_ID with a null name.
 * - delete.topic.enable=false: TOPIC_DELETION_DISABLED from v3, INVALID_REQUEST before (the code
 *   did not exist yet).
 * - v5+ carry error messages; Kafka sends none for these errors, and neither do we.
 */
async function handleDeleteTopics(ctx: RequestContext, req: DeleteTopicsRequest): Promise<DeleteTopicsResponse> {
  const v = ctx.apiVersion;
  const entries = entriesOf(req, v);
  if (entries.some((e) => e.name !== null && e.topicId !== ZERO_UUID)) {
    return {
      throttleTimeMs: 0,
      responses: entries.map((e) => ({
        name: e.name,
        topicId: e.topicId,
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: 'Topic name and topic ID can not both be specified.',
      })),
    };
  }
  const targets = entries.map((e): DeleteTopicTarget => (e.name !== null ? { name: e.name } : { topicId: e.topicId }));
  const results = await fullServices(ctx).topics.deleteTopics(targets, { timeoutMs: req.timeoutMs });
  return {
    throttleTimeMs: 0,
    responses: results.map((r) => ({
      name: r.name,
      topicId: r.topicId,
      errorCode: r.errorCode === ErrorCode.TOPIC_DELETION_DISABLED && v < 3 ? ErrorCode.INVALID_REQUEST : r.errorCode,
      errorMessage: r.errorMessage,
    })),
  };
}

function entriesOf(req: DeleteTopicsRequest, version: number): { name: string | null; topicId: string }[] {
  if (version >= 6) return (req.topics ?? []).map((t) => ({ name: t.name, topicId: t.topicId }));
  return (req.topicNames ?? []).map((name) => ({ name, topicId: ZERO_UUID }));
}

function errorResponse(req: DeleteTopicsRequest, errorCode: number, ctx: RequestContext): DeleteTopicsResponse {
  return {
    throttleTimeMs: 0,
    responses: entriesOf(req, ctx.apiVersion).map((e) => ({ ...e, errorCode, errorMessage: null })),
  };
}

export const deleteTopics = defineHandler(ApiKey.DeleteTopics, 0, 6, handleDeleteTopics, { errorResponse });
