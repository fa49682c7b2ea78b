import type { TopicPartitionRef } from '../../coordinator/group-types.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type { OffsetDeleteRequest, OffsetDeleteResponse } from '../../protocol/messages/generated/offset-delete.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';

/**
 * OffsetDelete (key 47), v0 (KIP-496): removes a group's committed offsets of some partitions.
 * Partitions the metadata cache does not know answer UNKNOWN_TOPIC_OR_PARTITION; a consumer group
 * with members keeps the offsets of topics it subscribes to (GROUP_SUBSCRIBED_TO_TOPIC); group
 * errors (GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, NOT_COORDINATOR) are top-level with no topics.
 */
async function handleOffsetDelete(ctx: RequestContext, req: OffsetDeleteRequest): Promise<OffsetDeleteResponse> {
  const s = fullServices(ctx);
  const errors: number[][] = [];
  const known: TopicPartitionRef[] = [];
  const slots: [number, number][] = [];
  req.topics.forEach((t, ti) => {
    errors.push(
      t.partitions.map((p, pi) => {
        if (s.metadataCache.partition(t.name, p.partitionIndex) === undefined) {
          return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        }
        known.push({ topic: t.name, partition: p.partitionIndex });
        slots.push([ti, pi]);
        return ErrorCode.NONE;
      }),
    );
  });
  const r = await s.groupCoordinator.deleteOffsets(req.groupId, known);
  if (r.errorCode !== ErrorCode.NONE) return { errorCode: r.errorCode, throttleTimeMs: 0, topics: [] };
  slots.forEach(([ti, pi], i) => {
    errors[ti]![pi] = r.partitionErrors[i]!;
  });
  return {
    errorCode: ErrorCode.NONE,
    throttleTimeMs: 0,
    topics: req.topics.map((t, ti) => ({
      name: t.name,
      partitions: t.partitions.map((p, pi) => ({ partitionIndex: p.partitionIndex, errorCode: errors[ti]![pi]! })),
    })),
  };
}

export const offsetDelete = defineHandler(ApiKey.OffsetDelete, 0, 0, handleOffsetDelete);
