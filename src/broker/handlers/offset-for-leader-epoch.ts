import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type {
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse,
} from '../../protocol/messages/generated/offset-for-leader-epoch.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';

/**
 * OffsetForLeaderEpoch (key 23), v0-4: for each partition, the end offset of the requested
 * leader epoch (the start offset of the next epoch, or the log end offset for the current one) —
 * what a follower or a consumer uses to detect and truncate a diverged log.
 */
function handleOffsetForLeaderEpoch(
  ctx: RequestContext,
  req: OffsetForLeaderEpochRequest,
): OffsetForLeaderEpochResponse {
  const results = fullServices(ctx).replicaManager.offsetForLeaderEpoch(
    req.replicaId ?? -1,
    req.topics.flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.topic,
        partition: p.partition,
        leaderEpoch: p.leaderEpoch,
        ...(p.currentLeaderEpoch !== undefined && p.currentLeaderEpoch >= 0
          ? { currentLeaderEpoch: p.currentLeaderEpoch }
          : {}),
      })),
    ),
  );
  let i = 0;
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => {
        const r = results[i++]!;
        return { errorCode: r.errorCode, partition: p.partition, leaderEpoch: r.leaderEpoch, endOffset: r.endOffset };
      }),
    })),
  };
}

export const offsetForLeaderEpoch = defineHandler(ApiKey.OffsetForLeaderEpoch, 0, 4, handleOffsetForLeaderEpoch, {
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => ({ errorCode, partition: p.partition, leaderEpoch: -1, endOffset: -1 })),
    })),
  }),
});
