// Record batches: RecordBatch v2 layout, validation, in-place patches, encode/decode, control
// batches, compression codecs, and legacy (magic 0/1) message sets.
export * from './batch-cursor.ts';
export * from './batch-format.ts';
export * from './batch-header.ts';
export * from './batch-patch.ts';
export * from './compression.ts';
export * from './control-record.ts';
export { crc32c, crc32cJs, crc32cNative } from './crc32c.ts';
export * from './legacy-message-set.ts';
export * from './record-decoder.ts';
export * from './record-encoder.ts';
export type * from './record-types.ts';
export { RecordView } from './record-view.ts';
export * from './validate-batch.ts';
