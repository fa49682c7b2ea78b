import { isInternalTopic, topicNameProblem } from '../../controller/topic-names.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type {
  ProduceRequest,
  ProduceResponse,
  ProduceResponsePartitionProduceResponse,
} from '../../protocol/messages/generated/produce.ts';
import type { ProduceEntry, ProducePartitionResult } from '../../replication/types.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { NO_RESPONSE } from '../network/request-processor.ts';
import { fullServices } from '../services.ts';

/**
 * Produce (key 0), v3-11 (v3 is the first with RecordBatch v2; Samsa stores nothing older).
 *
 * The records of each partition are handed to the ReplicaManager as the bytes received (a view
 * of the request frame): it validates each batch header and CRC, stamps offsets in place and
 * appends. acks=0 answers nothing (and closes the connection if the append failed, as Kafka
 * does, so the client notices); acks=1 answers after the leader's append; acks=-1 after the
 * high watermark passes the batch, or REQUEST_TIMED_OUT after timeoutMs.
 *
 * Unknown topics are created first when auto.create.topics.enable allows it.
 */
async function handleProduce(ctx: RequestContext, req: ProduceRequest) {
  const s = fullServices(ctx);
  if (req.transactionalId != null) {
    // Transactions are not supported yet: refuse rather than write batches no coordinator will close.
    return partitionErrors(
      req,
      ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
      'transactions are not supported by this broker yet',
    );
  }
  const unknown: string[] = [];
  for (const t of req.topicData) {
    if (s.metadataCache.topic(t.name) === undefined && !unknown.includes(t.name)) unknown.push(t.name);
  }
  const autoCreateErrors = new Map<string, number>();
  if (unknown.length > 0 && s.config.autoCreateTopicsEnable) {
    const creatable = unknown.filter((n) => !isInternalTopic(n));
    if (creatable.length > 0) {
      for (const [name, code] of await s.topics.autoCreate(creatable)) {
        if (code !== ErrorCode.NONE) autoCreateErrors.set(name, code);
      }
    }
  }
  const entries: ProduceEntry[] = [];
  for (const t of req.topicData) {
    for (const p of t.partitionData) entries.push({ topic: t.name, partition: p.index, records: p.records });
  }
  const results = await s.replicaManager.appendRecords({
    timeoutMs: req.timeoutMs,
    requiredAcks: req.acks,
    internalTopicsAllowed: false,
    entries,
  });
  if (req.acks === 0) {
    const failed = results.find((r) => r.errorCode !== ErrorCode.NONE);
    return failed
      ? ctx.close(`acks=0 produce to ${failed.topic}-${failed.partition} failed with error ${failed.errorCode}`)
      : NO_RESPONSE;
  }
  return toResponse(req, results, autoCreateErrors);
}

function toResponse(
  req: ProduceRequest,
  results: readonly ProducePartitionResult[],
  autoCreateErrors: ReadonlyMap<string, number>,
): ProduceResponse {
  let i = 0;
  return {
    throttleTimeMs: 0,
    responses: req.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p): ProduceResponsePartitionProduceResponse => {
        const r = results[i++]!;
        // An unknown topic: an illegal name is INVALID_TOPIC_EXCEPTION, as Kafka answers; a failed
        // auto-creation reports why it failed.
        const override =
          r.errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
            ? undefined
            : topicNameProblem(t.name) !== null
              ? ErrorCode.INVALID_TOPIC_EXCEPTION
              : autoCreateErrors.get(t.name);
        return {
          index: p.index,
          errorCode: override ?? r.errorCode,
          baseOffset: r.baseOffset,
          logAppendTimeMs: r.logAppendTime,
          logStartOffset: r.logStartOffset,
          recordErrors: (r.recordErrors ?? []).map((e) => ({
            batchIndex: e.batchIndex,
            batchIndexErrorMessage: e.message,
          })),
          errorMessage: r.errorMessage ?? null,
        };
      }),
    })),
  };
}

function partitionErrors(req: ProduceRequest, errorCode: number, errorMessage: string | null = null): ProduceResponse {
  return {
    throttleTimeMs: 0,
    responses: req.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => ({
        index: p.index,
        errorCode,
        baseOffset: -1,
        logAppendTimeMs: -1,
        logStartOffset: -1,
        recordErrors: [],
        errorMessage,
      })),
    })),
  };
}

export const produce = defineHandler(ApiKey.Produce, 3, 11, handleProduce, {
  errorResponse: (req, errorCode) => partitionErrors(req, errorCode),
});
