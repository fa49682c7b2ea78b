import type { TopicPartitionRef } from '../../coordinator/group-types.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type { OffsetDeleteRequest, OffsetDeleteResponse } from '../../protocol/messages/generated/offset-delete.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';
import { PartitionAnswers, partitionKey } from './partition-answers.ts';

/**
 * OffsetDelete (key 47), v0 (KIP-496): removes a group's committed offsets of some partitions.
 * Partitions the metadata cache does not know answer UNKNOWN_TOPIC_OR_PARTITION; a consumer group
 * with members keeps the offsets of topics it subscribes to (GROUP_SUBSCRIBED_TO_TOPIC); group
 * errors (GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, NOT_COORDINATOR) are top-level with no topics.
 * One entry per topic name; a partition named twice is answered once unless it is unknown (as in
 * Kafka).
 */
async function handleOffsetDelete(ctx: RequestContext, req: OffsetDeleteRequest): Promise<OffsetDeleteResponse> {
  const s = fullServices(ctx);
  const answers = new PartitionAnswers();
  const known = new Map<string, { partition: TopicPartitionRef; answer: { errorCode: number } }>();
  for (const t of req.topics) {
    for (const p of t.partitions) {
      const key = partitionKey(t.name, p.partitionIndex);
      if (s.metadataCache.partition(t.name, p.partitionIndex) === undefined) {
        answers.add(t.name, p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      } else if (!known.has(key)) {
        const answer = answers.add(t.name, p.partitionIndex, ErrorCode.NONE);
        known.set(key, { partition: { topic: t.name, partition: p.partitionIndex }, answer });
      }
    }
  }
  const entries = [...known.values()];
  const r = await s.groupCoordinator.deleteOffsets(
    req.groupId,
    entries.map((e) => e.partition),
  );
  if (r.errorCode !== ErrorCode.NONE) return { errorCode: r.errorCode, throttleTimeMs: 0, topics: [] };
  entries.forEach((e, i) => {
    e.answer.errorCode = r.partitionErrors[i]!;
  });
  return { errorCode: ErrorCode.NONE, throttleTimeMs: 0, topics: answers.toTopics() };
}

export const offsetDelete = defineHandler(ApiKey.OffsetDelete, 0, 0, handleOffsetDelete);
