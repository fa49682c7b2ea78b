/**
 * Typed errors of the replication module, and the one place where they (and the storage and
 * decode errors that pass through replication) become Kafka error codes. ReplicaManager results
 * carry Kafka codes because they are what the handlers put on the wire; everything below it
 * throws a `ReplicationError` with one of these stable codes.
 */
import { DecodeError } from '../protocol/decode-error.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import { StorageError, type StorageErrorCode } from '../storage/errors.ts';

export type ReplicationErrorCode =
  | 'UNKNOWN_TOPIC_OR_PARTITION' // this broker hosts no such partition
  | 'NOT_LEADER_OR_FOLLOWER' // the partition is here but this broker is not its leader (or it is closing)
  | 'FENCED_LEADER_EPOCH' // the request's leader epoch is older than ours
  | 'UNKNOWN_LEADER_EPOCH' // the request's leader epoch is newer than ours
  | 'NOT_ENOUGH_REPLICAS' // acks=all and the ISR is smaller than min.insync.replicas
  | 'NOT_ENOUGH_REPLICAS_AFTER_APPEND' // written, but the ISR shrank below min.insync.replicas meanwhile
  | 'INVALID_PRODUCER_EPOCH' // an idempotent batch from an older producer epoch than the one we know
  | 'OUT_OF_ORDER_SEQUENCE_NUMBER' // an idempotent batch that does not follow the producer's last sequence
  | 'INVALID_RECORD' // a batch the broker refuses as a whole (control batch from a client, bad sequence)
  | 'UNSUPPORTED_CODEC' // a produced batch names a compression codec id that does not exist
  | 'INVALID_TOPIC' // a client writing to an internal topic, or deleting from one
  | 'POLICY_VIOLATION' // DeleteRecords on a compact-only topic
  | 'OFFSET_OUT_OF_RANGE' // an offset outside what the request may address
  | 'OFFSET_NOT_AVAILABLE' // the new leader's high watermark has not caught up with its epoch start
  | 'STALE_LEADER_EPOCH'; // a leadership change carrying an older epoch than the partition has

/** A record a produced batch was refused for: its index in its batch, and why. */
export interface RecordError {
  batchIndex: number;
  message: string;
}

export class ReplicationError extends Error {
  readonly code: ReplicationErrorCode;
  /** INVALID_RECORD for particular records: which (the Produce answer lists them). */
  readonly recordErrors: readonly RecordError[];
  constructor(
    code: ReplicationErrorCode,
    message: string,
    options?: { cause?: unknown; recordErrors?: readonly RecordError[] },
  ) {
    super(message, options);
    this.name = 'ReplicationError';
    this.code = code;
    this.recordErrors = options?.recordErrors ?? [];
  }
}

const REPLICATION_CODES: Record<ReplicationErrorCode, number> = {
  UNKNOWN_TOPIC_OR_PARTITION: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  NOT_LEADER_OR_FOLLOWER: ErrorCode.NOT_LEADER_OR_FOLLOWER,
  FENCED_LEADER_EPOCH: ErrorCode.FENCED_LEADER_EPOCH,
  UNKNOWN_LEADER_EPOCH: ErrorCode.UNKNOWN_LEADER_EPOCH,
  NOT_ENOUGH_REPLICAS: ErrorCode.NOT_ENOUGH_REPLICAS,
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  INVALID_PRODUCER_EPOCH: ErrorCode.INVALID_PRODUCER_EPOCH,
  OUT_OF_ORDER_SEQUENCE_NUMBER: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
  INVALID_RECORD: ErrorCode.INVALID_RECORD,
  // Kafka fails on the unknown codec id with an unexpected exception, which clients see as this
  // non-retriable code (CORRUPT_MESSAGE would make them retry forever).
  UNSUPPORTED_CODEC: ErrorCode.UNKNOWN_SERVER_ERROR,
  INVALID_TOPIC: ErrorCode.INVALID_TOPIC_EXCEPTION,
  POLICY_VIOLATION: ErrorCode.POLICY_VIOLATION,
  OFFSET_OUT_OF_RANGE: ErrorCode.OFFSET_OUT_OF_RANGE,
  OFFSET_NOT_AVAILABLE: ErrorCode.OFFSET_NOT_AVAILABLE,
  STALE_LEADER_EPOCH: ErrorCode.FENCED_LEADER_EPOCH,
};

const STORAGE_CODES: Record<StorageErrorCode, number> = {
  OFFSET_OUT_OF_RANGE: ErrorCode.OFFSET_OUT_OF_RANGE,
  CORRUPT_BATCH: ErrorCode.CORRUPT_MESSAGE,
  BATCH_TOO_LARGE: ErrorCode.MESSAGE_TOO_LARGE,
  INVALID_OFFSET: ErrorCode.UNKNOWN_SERVER_ERROR,
  IO_ERROR: ErrorCode.KAFKA_STORAGE_ERROR,
  LOG_OFFLINE: ErrorCode.KAFKA_STORAGE_ERROR,
  // The log was closed under the request: the partition is being deleted or the broker stops.
  LOG_CLOSED: ErrorCode.NOT_LEADER_OR_FOLLOWER,
  BAD_DIRECTORY: ErrorCode.KAFKA_STORAGE_ERROR,
  BAD_FILE: ErrorCode.KAFKA_STORAGE_ERROR,
  UNKNOWN_LOG: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  LOG_EXISTS: ErrorCode.UNKNOWN_SERVER_ERROR,
  INVALID_CONFIG: ErrorCode.INVALID_CONFIG,
};

/** The Kafka error code for anything thrown below the ReplicaManager. */
export function errorCodeOf(e: unknown): number {
  if (e instanceof ReplicationError) return REPLICATION_CODES[e.code];
  if (e instanceof StorageError) return STORAGE_CODES[e.code] ?? ErrorCode.UNKNOWN_SERVER_ERROR;
  // Batch framing problems found while walking a produced buffer.
  if (e instanceof DecodeError) return ErrorCode.CORRUPT_MESSAGE;
  return ErrorCode.UNKNOWN_SERVER_ERROR;
}

/** A message for the response's errorMessage field. */
export function errorMessageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
