import { ErrorCode } from '../../protocol/error-codes.ts';
import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type {
  ListOffsetsRequest,
  ListOffsetsResponse,
  ListOffsetsResponseListOffsetsPartitionResponse,
} from '../../protocol/messages/generated/list-offsets.ts';
import type { ListOffsetsPartitionRequest } from '../../replication/types.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { type FullBrokerServices, fullServices } from '../services.ts';

/**
 * ListOffsets (key 2), v0-9: per partition, the offset for a timestamp — -2 earliest, -1 latest
 * (the LSO under read_committed, v2+), -3 the record with the largest timestamp (v7+), else the
 * first offset whose timestamp is at or after the given one. v0 answers in the old style: up to
 * maxNumOffsets segment base offsets and the log end offset, chosen by segment file times, as
 * Kafka's v0 does (Log.legacyOffsetsBefore). A special timestamp the version does not have is
 * UNSUPPORTED_VERSION for that partition (see timestampServed).
 */
function handleListOffsets(ctx: RequestContext, req: ListOffsetsRequest): ListOffsetsResponse {
  const s = fullServices(ctx);
  const v = ctx.apiVersion;
  const partitions: ListOffsetsPartitionRequest[] = [];
  /** Per requested partition: asks for a timestamp its version does not have (answered at once). */
  const unsupported: boolean[] = [];
  for (const t of req.topics) {
    for (const p of t.partitions) {
      const refused = !timestampServed(p.timestamp, v);
      unsupported.push(refused);
      if (refused) continue;
      const r: ListOffsetsPartitionRequest = { topic: t.name, partition: p.partitionIndex, timestamp: p.timestamp };
      if (p.currentLeaderEpoch !== undefined && p.currentLeaderEpoch >= 0) r.currentLeaderEpoch = p.currentLeaderEpoch;
      if (v === 0) r.maxNumOffsets = p.maxNumOffsets ?? 1;
      partitions.push(r);
    }
  }
  if (v === 0) return legacyAnswer(s, req, partitions, unsupported);
  const results = s.replicaManager.listOffsets({
    replicaId: req.replicaId,
    isolationLevel: v >= 2 ? (req.isolationLevel ?? 0) : 0,
    partitions,
  });
  let k = 0;
  let i = 0;
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const r = unsupported[k++] ? null : results[i++]!;
        // Each version carries only its own fields (the codec refuses values a version lacks).
        const out: ListOffsetsResponseListOffsetsPartitionResponse = {
          partitionIndex: p.partitionIndex,
          errorCode: r?.errorCode ?? ErrorCode.UNSUPPORTED_VERSION,
          timestamp: r?.timestamp ?? -1,
          offset: r?.offset ?? -1,
        };
        if (v >= 4) out.leaderEpoch = r?.leaderEpoch ?? -1;
        return out;
      }),
    })),
  };
}

/**
 * Whether version `v` can ask for `timestamp`: any time (≥ 0), latest (-1) and earliest (-2);
 * max timestamp (-3) from v7, earliest local (-4) from v8, latest tiered (-5) from v9. Kafka
 * answers other negative values UNSUPPORTED_VERSION, before it looks the partition up.
 */
function timestampServed(timestamp: number, v: number): boolean {
  if (timestamp >= -2) return true;
  return (timestamp === -3 && v >= 7) || (timestamp === -4 && v >= 8) || (timestamp === -5 && v >= 9);
}

/** v0: offsets in the old style, as Kafka computes them (ReplicaManager.legacyListOffsets). */
function legacyAnswer(
  s: FullBrokerServices,
  req: ListOffsetsRequest,
  partitions: ListOffsetsPartitionRequest[],
  unsupported: readonly boolean[],
): ListOffsetsResponse {
  const results = s.replicaManager.legacyListOffsets({ replicaId: req.replicaId, isolationLevel: 0, partitions });
  let k = 0;
  let i = 0;
  return {
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        if (unsupported[k++]) {
          return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNSUPPORTED_VERSION, oldStyleOffsets: [] };
        }
        const r = results[i++]!;
        return { partitionIndex: p.partitionIndex, errorCode: r.errorCode, oldStyleOffsets: r.offsets };
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
