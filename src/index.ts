// Public entry point of the samsa package. The broker and client APIs are exported here as they land.

export type { BrokerConfig } from './broker/config/broker-config.ts';
export type { BrokerOptions } from './broker/config/broker-options.ts';
export { type Broker, type InProcessMetadata, type StartBrokerOptions, startBroker } from './broker/start-broker.ts';
export { DecodeError, type DecodeErrorCode } from './protocol/decode-error.ts';
export { EncodeError } from './protocol/encode-error.ts';
export {
  ErrorCode,
  type ErrorName,
  isRetriable,
  KAFKA_ERRORS,
  type KafkaErrorInfo,
  kafkaError,
} from './protocol/error-codes.ts';
export { FrameSplitter } from './protocol/framing.ts';
export * from './protocol/messages/index.ts';
export { Reader } from './protocol/primitives/reader.ts';
export { Writer } from './protocol/primitives/writer.ts';
export * as records from './protocol/records/index.ts';
export {
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  peekRequestHeader,
} from './protocol/request.ts';
