/** One record header: a UTF-8 key and nullable bytes. */
export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** A record to encode. Missing key/value mean null. */
export interface RecordInput {
  key?: Uint8Array | null;
  value?: Uint8Array | null;
  headers?: readonly RecordHeader[] | null;
  /** Create time (ms); defaults to the batch's baseTimestamp. */
  timestamp?: number;
  /** Defaults to the record's index in the batch. */
  offsetDelta?: number;
}

/** A decoded record. key, value and header values are views of the (decompressed) batch bytes. */
export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: readonly RecordHeader[];
}
