import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type { DeleteRecordsRequest, DeleteRecordsResponse } from '../../protocol/messages/generated/delete-records.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';

/**
 * DeleteRecords (key 21), v0-2: moves each partition's log start offset forward to the given
 * offset (-1: the high watermark); whole segments below it are deleted by retention. Answers
 * with the new low watermark per partition.
 *
 * A topic-partition named more than once (in one topic entry or in several entries of the same
 * topic) is deleted and answered once, with the offset given last — Kafka reads the request into
 * a map. Topics and partitions are answered in the order they first appear.
 */
async function handleDeleteRecords(ctx: RequestContext, req: DeleteRecordsRequest): Promise<DeleteRecordsResponse> {
  const s = fullServices(ctx);
  const wanted = distinctPartitions(req);
  const asked = [...wanted].flatMap(([topic, partitions]) =>
    [...partitions].map(([partition, offset]) => ({ topic, partition, offset })),
  );
  const results = await s.replicaManager.deleteRecords(asked);
  let i = 0;
  return {
    throttleTimeMs: 0,
    topics: [...wanted].map(([name, partitions]) => ({
      name,
      partitions: [...partitions.keys()].map((partitionIndex) => {
        const r = results[i++]!;
        return { partitionIndex, lowWatermark: r.lowWatermark, errorCode: r.errorCode };
      }),
    })),
  };
}

/** topic → partition → offset, in order of first appearance, the last offset given winning. */
function distinctPartitions(req: DeleteRecordsRequest): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  for (const t of req.topics) {
    let partitions = out.get(t.name);
    if (partitions === undefined) {
      partitions = new Map();
      out.set(t.name, partitions);
    }
    for (const p of t.partitions) partitions.set(p.partitionIndex, p.offset);
  }
  return out;
}

export const deleteRecords = defineHandler(ApiKey.DeleteRecords, 0, 2, handleDeleteRecords, {
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    topics: [...distinctPartitions(req)].map(([name, partitions]) => ({
      name,
      partitions: [...partitions.keys()].map((partitionIndex) => ({ partitionIndex, lowWatermark: -1, errorCode })),
    })),
  }),
});
