import { DecodeError } from '../decode-error.ts';
import { NO_SEQUENCE } from './batch-format.ts';
import { encodeRecordBatch } from './record-encoder.ts';

/**
 * Control batches: transaction markers written by the transaction coordinator's EndTxn (and, in
 * KRaft, other control types). A control batch has attribute bits 4 (transactional) and 5
 * (control) set and holds one record:
 *
 *   key   = version int16 (0) · type int16 (0 abort, 1 commit; other types exist in KRaft)
 *   value = for abort/commit, the end-transaction marker: version int16 (0) · coordinatorEpoch int32
 *
 * Consumers never hand control records to applications; read_committed consumers use the
 * markers to drop aborted records.
 */

export const ControlRecordType = {
  abort: 0,
  commit: 1,
} as const;
export type ControlRecordType = (typeof ControlRecordType)[keyof typeof ControlRecordType];

export const CONTROL_RECORD_KEY_VERSION = 0;
export const END_TXN_MARKER_VERSION = 0;

export interface ControlRecordKey {
  version: number;
  /** 0 abort, 1 commit; other values are control types this code does not interpret. */
  type: number;
}

/** Decodes a control record's key. Needs at least 4 bytes (BAD_RECORD otherwise). */
export function readControlRecordKey(key: Buffer | null): ControlRecordKey {
  if (key === null || key.length < 4) {
    throw new DecodeError('BAD_RECORD', `control record key needs 4 bytes, has ${key === null ? 'null' : key.length}`);
  }
  return { version: key.readInt16BE(0), type: key.readInt16BE(2) };
}

export interface EndTxnMarker {
  version: number;
  coordinatorEpoch: number;
}

/** Decodes the value of an abort/commit control record. Needs at least 6 bytes. */
export function readEndTxnMarker(value: Buffer | null): EndTxnMarker {
  if (value === null || value.length < 6) {
    throw new DecodeError(
      'BAD_RECORD',
      `end transaction marker needs 6 bytes, has ${value === null ? 'null' : value.length}`,
    );
  }
  return { version: value.readInt16BE(0), coordinatorEpoch: value.readInt32BE(2) };
}

export interface ControlBatchInput {
  type: ControlRecordType;
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  /** When the marker was written (the coordinator's clock). */
  timestamp: number;
  baseOffset?: number;
  partitionLeaderEpoch?: number;
}

/** Builds a control batch holding one commit or abort marker. */
export function encodeControlBatch(input: ControlBatchInput): Buffer {
  const key = Buffer.allocUnsafe(4);
  key.writeInt16BE(CONTROL_RECORD_KEY_VERSION, 0);
  key.writeInt16BE(input.type, 2);
  const value = Buffer.allocUnsafe(6);
  value.writeInt16BE(END_TXN_MARKER_VERSION, 0);
  value.writeInt32BE(input.coordinatorEpoch, 2);
  return encodeRecordBatch({
    baseOffset: input.baseOffset ?? 0,
    partitionLeaderEpoch: input.partitionLeaderEpoch ?? -1,
    isTransactional: true,
    isControl: true,
    producerId: input.producerId,
    producerEpoch: input.producerEpoch,
    baseSequence: NO_SEQUENCE,
    baseTimestamp: input.timestamp,
    records: [{ key, value, timestamp: input.timestamp }],
  });
}
