import type { OffsetCommitEntry } from '../../coordinator/group-types.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type { OffsetCommitRequest, OffsetCommitResponse } from '../../protocol/messages/generated/offset-commit.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';
import { PartitionAnswers, partitionKey } from './partition-answers.ts';

/**
 * OffsetCommit (key 8), v0-9: stores committed offsets in __consumer_offsets and answers once they
 * are committed there (acks=all). Partitions the metadata cache does not know answer
 * UNKNOWN_TOPIC_OR_PARTITION (as Kafka's KafkaApis does before asking the coordinator); the rest
 * get the coordinator's answer — ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS,
 * FENCED_INSTANCE_ID, OFFSET_METADATA_TOO_LARGE, NOT_COORDINATOR, ...
 *
 * v0 has no generation or member (a simple commit; Kafka 3.9 still stores v0 commits in
 * ZooKeeper, Samsa in __consumer_offsets); v1 may carry a commit timestamp per partition; v2-4 a
 * retention time (the offset then expires at commit time + retention); v6+ the leader epoch;
 * v7+ the group instance id.
 *
 * As in Kafka, the answer has one entry per topic name, and a partition named twice is committed
 * once, with its last offset (unknown ones are answered each time they are named).
 */
async function handleOffsetCommit(ctx: RequestContext, req: OffsetCommitRequest): Promise<OffsetCommitResponse> {
  const s = fullServices(ctx);
  const v = ctx.apiVersion;
  const now = ctx.clock.now();
  const retentionMs = v >= 2 && v <= 4 ? (req.retentionTimeMs ?? -1) : -1;
  const expireTimestamp = retentionMs === -1 ? -1 : now + retentionMs;
  const answers = new PartitionAnswers();
  // A partition named twice is committed once, with its last value (Kafka takes them as a map),
  // and answered once, where it was first named.
  const entries = new Map<string, { entry: OffsetCommitEntry; answer: { errorCode: number } }>();
  for (const t of req.topics) {
    for (const p of t.partitions) {
      if (s.metadataCache.partition(t.name, p.partitionIndex) === undefined) {
        answers.add(t.name, p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        continue;
      }
      const commitTimestamp =
        v === 1 && p.commitTimestamp !== undefined && p.commitTimestamp !== -1 ? p.commitTimestamp : now;
      const key = partitionKey(t.name, p.partitionIndex);
      const entry: OffsetCommitEntry = {
        topic: t.name,
        partition: p.partitionIndex,
        offset: p.committedOffset,
        leaderEpoch: v >= 6 ? (p.committedLeaderEpoch ?? -1) : -1,
        metadata: p.committedMetadata,
        commitTimestamp,
        expireTimestamp,
      };
      const known = entries.get(key);
      if (known !== undefined) known.entry = entry;
      else entries.set(key, { entry, answer: answers.add(t.name, p.partitionIndex, ErrorCode.NONE) });
    }
  }
  if (entries.size > 0) {
    const committed = [...entries.values()];
    const results = await s.groupCoordinator.commitOffsets({
      groupId: req.groupId,
      memberId: v >= 1 ? (req.memberId ?? '') : '',
      groupInstanceId: v >= 7 ? (req.groupInstanceId ?? null) : null,
      generationId: v >= 1 ? (req.generationIdOrMemberEpoch ?? -1) : -1,
      entries: committed.map((c) => c.entry),
    });
    committed.forEach((c, i) => {
      c.answer.errorCode = results[i]!;
    });
  }
  return { throttleTimeMs: 0, topics: answers.toTopics() };
}

/** Every partition of the request answered `errorCode` (a request that failed as a whole). */
function failedResponse(req: OffsetCommitRequest, errorCode: number): OffsetCommitResponse {
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
    })),
  };
}

export const offsetCommit = defineHandler(ApiKey.OffsetCommit, 0, 9, handleOffsetCommit, {
  errorResponse: (req, errorCode) => failedResponse(req, errorCode),
});
