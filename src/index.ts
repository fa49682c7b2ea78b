// Public entry point of the samsa package. The broker and client APIs are exported here as they land.
export { DecodeError, type DecodeErrorCode } from './protocol/decode-error.ts';
export { Reader } from './protocol/primitives/reader.ts';
export { Writer } from './protocol/primitives/writer.ts';
