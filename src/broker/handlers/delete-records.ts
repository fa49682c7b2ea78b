import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type { DeleteRecordsRequest, DeleteRecordsResponse } from '../../protocol/messages/generated/delete-records.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { fullServices } from '../services.ts';

/**
 * DeleteRecords (key 21), v0-2: moves each partition's log start offset forward to the given
 * offset (-1: the high watermark); whole segments below it are deleted by retention. Answers
 * with the new low watermark per partition.
 */
async function handleDeleteRecords(ctx: RequestContext, req: DeleteRecordsRequest): Promise<DeleteRecordsResponse> {
  const s = fullServices(ctx);
  const results = await s.replicaManager.deleteRecords(
    req.topics.flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, offset: p.offset })),
    ),
  );
  let i = 0;
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const r = results[i++]!;
        return { partitionIndex: p.partitionIndex, lowWatermark: r.lowWatermark, errorCode: r.errorCode };
      }),
    })),
  };
}

export const deleteRecords = defineHandler(ApiKey.DeleteRecords, 0, 2, handleDeleteRecords, {
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode })),
    })),
  }),
});
