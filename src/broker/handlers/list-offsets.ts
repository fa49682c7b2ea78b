import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type {
  ListOffsetsRequest,
  ListOffsetsResponse,
  ListOffsetsResponseListOffsetsPartitionResponse,
} from '../../protocol/messages/generated/list-offsets.ts';
import type { ListOffsetsPartitionRequest } from '../../replication/types.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';

const LATEST = -1;

/**
 * ListOffsets (key 2), v0-9: per partition, the offset for a timestamp — -2 earliest, -1 latest
 * (the LSO under read_committed, v2+), -3 the record with the largest timestamp (v7+), else the
 * first offset whose timestamp is at or after the given one. v0 answers in the old style: a list
 * of offsets (the one found; for latest, the log end offset).
 */
function handleListOffsets(ctx: RequestContext, req: ListOffsetsRequest): ListOffsetsResponse {
  const s = fullServices(ctx);
  const v = ctx.apiVersion;
  const partitions: ListOffsetsPartitionRequest[] = [];
  for (const t of req.topics) {
    for (const p of t.partitions) {
      const r: ListOffsetsPartitionRequest = { topic: t.name, partition: p.partitionIndex, timestamp: p.timestamp };
      if (p.currentLeaderEpoch !== undefined && p.currentLeaderEpoch >= 0) r.currentLeaderEpoch = p.currentLeaderEpoch;
      partitions.push(r);
    }
  }
  const results = s.replicaManager.listOffsets({
    replicaId: req.replicaId,
    isolationLevel: v >= 2 ? (req.isolationLevel ?? 0) : 0,
    partitions,
  });
  let i = 0;
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const r = results[i++]!;
        // Each version carries only its own fields (the codec refuses values a version lacks).
        if (v === 0) {
          const found = r.errorCode === 0 && (r.offset >= 0 || p.timestamp === LATEST);
          return { partitionIndex: p.partitionIndex, errorCode: r.errorCode, oldStyleOffsets: found ? [r.offset] : [] };
        }
        const out: ListOffsetsResponseListOffsetsPartitionResponse = {
          partitionIndex: p.partitionIndex,
          errorCode: r.errorCode,
          timestamp: r.timestamp,
          offset: r.offset,
        };
        if (v >= 4) out.leaderEpoch = r.leaderEpoch;
        return out;
      }),
    })),
  };
}

export const listOffsets = defineHandler(ApiKey.ListOffsets, 0, 9, handleListOffsets, {
  errorResponse: (req, errorCode, ctx) => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) =>
        ctx.apiVersion === 0
          ? { partitionIndex: p.partitionIndex, errorCode, oldStyleOffsets: [] }
          : { partitionIndex: p.partitionIndex, errorCode, timestamp: -1, offset: -1 },
      ),
    })),
  }),
});
