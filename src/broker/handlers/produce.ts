import { ErrorCode } from '../../protocol/error-codes.ts';
import { ApiKey } from '../../protocol/messages/generated/api-table.ts';
import type {
  ProduceRequest,
  ProduceResponse,
  ProduceResponsePartitionProduceResponse,
} from '../../protocol/messages/generated/produce.ts';
import {
  ATTR_COMPRESSION_MASK,
  ATTRIBUTES_OFFSET,
  BATCH_LENGTH_OFFSET,
  Compression,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAGIC_V2,
} from '../../protocol/records/batch-format.ts';
import type { ProduceEntry, ProducePartitionResult } from '../../replication/types.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { NO_RESPONSE } from '../network/request-processor.ts';
import { fullServices } from '../services.ts';

/**
 * Produce (key 0), v3-11 (v3 is the first with RecordBatch v2; Samsa stores nothing older).
 *
 * First, as Kafka: if the records of any partition do not start with something that can be a
 * log entry, every partition is answered CORRUPT_MESSAGE (with a message). Then per partition,
 * in Kafka's order:
 * 1. a topic or partition the metadata does not know: UNKNOWN_TOPIC_OR_PARTITION. Produce never
 *    creates topics (auto-creation is Metadata's, as in Kafka 3.x; clients ask Metadata first);
 * 2. the request-level record checks (`checkProducedRecords`): exactly one RecordBatch v2, zstd
 *    only from v7; bytes after the batch that do not make a whole entry are dropped, as Kafka
 *    trims them;
 * 3. the ReplicaManager: it validates the batch (size, CRC, counts, sequences), stamps offsets in
 *    place and appends the bytes received (a view of the request frame).
 * acks=0 answers nothing (and closes the connection if any partition failed, as Kafka does, so
 * the client notices); acks=1 answers after the leader's append; acks=-1 after the high
 * watermark passes the batch, or REQUEST_TIMED_OUT after timeoutMs.
 *
 * Partition answers carry an error message only with record errors (and in the whole-request
 * failure above), as Kafka's do: its other errors come with a null message (the code says it
 * all).
 */
async function handleProduce(ctx: RequestContext, req: ProduceRequest) {
  const s = fullServices(ctx);
  for (const t of req.topicData) {
    for (const p of t.partitionData) {
      if (p.records !== null && entrySize(p.records, 0) === CORRUPT) {
        // Kafka reads the first batch of every partition before anything else (does the request
        // carry idempotent or transactional batches?): bytes that cannot start one fail the
        // whole request (acks=0: the connection is closed instead).
        if (req.acks === 0) return ctx.close(`acks=0 produce with corrupt records for ${t.name}-${p.index}`);
        return partitionErrors(
          req,
          ErrorCode.CORRUPT_MESSAGE,
          `the records of ${t.name}-${p.index} do not start with a valid log entry`,
        );
      }
    }
  }
  if (req.transactionalId != null) {
    // Transactions are not supported yet: refuse rather than write batches no coordinator will close.
    return partitionErrors(
      req,
      ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
      'transactions are not supported by this broker yet',
    );
  }
  /** Per partition of the request, in order: an error found here, or NONE (appended). */
  const early: number[] = [];
  const entries: ProduceEntry[] = [];
  for (const t of req.topicData) {
    const known = s.metadataCache.topic(t.name);
    for (const p of t.partitionData) {
      const code =
        known?.partitions.has(p.index) !== true
          ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
          : checkProducedRecords(ctx.apiVersion, p.records);
      early.push(code);
      if (code === ErrorCode.NONE) {
        entries.push({ topic: t.name, partition: p.index, records: wholeBatch(p.records!) });
      }
    }
  }
  const results =
    entries.length === 0
      ? []
      : await s.replicaManager.appendRecords({
          timeoutMs: req.timeoutMs,
          requiredAcks: req.acks,
          internalTopicsAllowed: false,
          entries,
        });
  if (req.acks === 0) {
    const failed = early.some((c) => c !== ErrorCode.NONE) || results.some((r) => r.errorCode !== ErrorCode.NONE);
    return failed ? ctx.close('an acks=0 produce failed') : NO_RESPONSE;
  }
  return toResponse(req, early, results);
}

/**
 * Kafka's checks of a v3+ partition's records before they reach the log; NONE when they pass.
 * Entries are framed as any log entry is: `[offset int64][length int32]…[magic int8 at 16]`.
 * - a length below 14 (no log entry is smaller) or a magic outside 0-2: CORRUPT_MESSAGE;
 * - no whole entry (null, empty, or cut short): INVALID_RECORD;
 * - an entry with magic 0 or 1: INVALID_RECORD (v3+ carries RecordBatch v2 only);
 * - zstd before v7: UNSUPPORTED_COMPRESSION_TYPE;
 * - a second whole entry after the batch: INVALID_RECORD (one batch per partition).
 */
function checkProducedRecords(version: number, records: Buffer | null): number {
  if (records === null) return ErrorCode.INVALID_RECORD;
  const first = entrySize(records, 0);
  if (first < 0) return first === CORRUPT ? ErrorCode.CORRUPT_MESSAGE : ErrorCode.INVALID_RECORD;
  if (records[MAGIC_OFFSET] !== MAGIC_V2) return ErrorCode.INVALID_RECORD;
  if (version < 7 && (records.readInt16BE(ATTRIBUTES_OFFSET) & ATTR_COMPRESSION_MASK) === Compression.zstd) {
    return ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
  }
  const second = entrySize(records, first);
  if (second === CORRUPT) return ErrorCode.CORRUPT_MESSAGE;
  return second === NONE ? ErrorCode.NONE : ErrorCode.INVALID_RECORD;
}

const NONE = -1;
const CORRUPT = -2;
/** Smallest log entry after its length field: a magic 0 message with null key and value. */
const MIN_ENTRY_LENGTH = 14;

/** Size of the whole log entry at `pos`; NONE when the bytes there are not a whole entry, CORRUPT when they never can be. */
function entrySize(buf: Buffer, pos: number): number {
  const available = buf.length - pos;
  if (available < LOG_OVERHEAD) return NONE;
  const length = buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
  if (length < MIN_ENTRY_LENGTH) return CORRUPT;
  if (available <= MAGIC_OFFSET) return NONE;
  const magic = buf.readInt8(pos + MAGIC_OFFSET);
  if (magic < 0 || magic > MAGIC_V2) return CORRUPT;
  return available < length + LOG_OVERHEAD ? NONE : length + LOG_OVERHEAD;
}

/** The records that passed checkProducedRecords without the stray bytes after their batch. */
function wholeBatch(records: Buffer): Buffer {
  const size = entrySize(records, 0);
  return size === records.length ? records : records.subarray(0, size);
}

function toResponse(
  req: ProduceRequest,
  early: readonly number[],
  results: readonly ProducePartitionResult[],
): ProduceResponse {
  let i = 0;
  let k = 0;
  return {
    throttleTimeMs: 0,
    responses: req.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p): ProduceResponsePartitionProduceResponse => {
        const code = early[i++]!;
        if (code !== ErrorCode.NONE) return partitionError(p.index, code, null);
        const r = results[k++]!;
        const recordErrors = (r.recordErrors ?? []).map((e) => ({
          batchIndex: e.batchIndex,
          batchIndexErrorMessage: e.message,
        }));
        return {
          index: p.index,
          errorCode: r.errorCode,
          baseOffset: r.baseOffset,
          logAppendTimeMs: r.logAppendTime,
          logStartOffset: r.logStartOffset,
          recordErrors,
          errorMessage: recordErrors.length > 0 ? (r.errorMessage ?? null) : null,
        };
      }),
    })),
  };
}

function partitionError(
  index: number,
  errorCode: number,
  errorMessage: string | null,
): ProduceResponsePartitionProduceResponse {
  return {
    index,
    errorCode,
    baseOffset: -1,
    logAppendTimeMs: -1,
    logStartOffset: -1,
    recordErrors: [],
    errorMessage,
  };
}

function partitionErrors(req: ProduceRequest, errorCode: number, errorMessage: string | null = null): ProduceResponse {
  return {
    throttleTimeMs: 0,
    responses: req.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => partitionError(p.index, errorCode, errorMessage)),
    })),
  };
}

export const produce = defineHandler(ApiKey.Produce, 3, 11, handleProduce, {
  errorResponse: (req, errorCode) => partitionErrors(req, errorCode),
});
