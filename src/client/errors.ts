/**
 * The errors the client raises. Two families:
 *
 * - KafkaProtocolError: the broker answered with a Kafka error code. `code` is the number on the
 *   wire, `name` Kafka's name for it (NOT_COORDINATOR, ...), `retriable` whether sending the same
 *   request again may succeed (Kafka's RetriableException family), all from
 *   src/protocol/error-codes.ts. The message is the broker's error message when it sent one,
 *   otherwise Kafka's standard text for the code.
 * - ClientError subclasses: something went wrong on our side of the wire, one class per
 *   condition with a stable string `code`: CONNECT_FAILED, CONNECTION_CLOSED, REQUEST_TIMEOUT,
 *   UNSUPPORTED_VERSION, BAD_RESPONSE, NO_BROKER.
 */
import { kafkaError } from '../protocol/error-codes.ts';

/**
 * Kafka's standard messages (org.apache.kafka.common.protocol.Errors) for the codes a client
 * commonly meets; other codes are described by their name alone.
 */
const MESSAGES: Readonly<Record<number, string>> = {
  [-1]: 'The server experienced an unexpected error when processing the request.',
  1: 'The requested offset is not within the range of offsets maintained by the server.',
  3: 'This server does not host this topic-partition.',
  5: 'There is no leader for this topic-partition as we are in the middle of a leadership election.',
  6: 'For requests intended only for the leader, this error indicates that the broker is not the current leader.',
  7: 'The request timed out.',
  12: 'The metadata field of the offset request was too large.',
  14: "The coordinator is loading and hence can't process requests.",
  15: 'The coordinator is not available.',
  16: 'This is not the correct coordinator.',
  17: 'The request attempted to perform an operation on an invalid topic.',
  22: 'Specified group generation id is not valid.',
  24: 'The configured groupId is invalid.',
  25: 'The coordinator is not aware of this member.',
  27: 'The group is rebalancing, so a rejoin is needed.',
  30: 'Group authorization failed.',
  35: 'The version of API is not supported.',
  42: 'This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details.',
  68: 'The group is not empty.',
  69: 'The group id does not exist.',
  86: 'The consumer group is actively subscribed to the topic',
};

/** Kafka's standard text for an error code. */
export function kafkaErrorMessage(code: number): string {
  return MESSAGES[code] ?? kafkaError(code).name;
}

/** The broker answered with a Kafka error code. */
export class KafkaProtocolError extends Error {
  /** The error code on the wire. */
  readonly code: number;
  /** Whether the same request may succeed if sent again (after a metadata refresh, a backoff, ...). */
  readonly retriable: boolean;
  /** What the error was about (a topic-partition, a group), when known. */
  readonly subject: string | null;
  /** The message without the subject: the broker's text, or Kafka's standard one. */
  readonly detail: string;

  /**
   * `message`: the broker's error message, if it sent one; `subject`: e.g. `group 'g1'`,
   * `topic-partition t-0`; `retriable`: overrides Kafka's classification when the caller knows
   * better (a topic the metadata says does not exist will not appear by retrying).
   */
  constructor(code: number, options: { message?: string | null; subject?: string | null; retriable?: boolean } = {}) {
    const info = kafkaError(code);
    const text = options.message ?? kafkaErrorMessage(code);
    super(options.subject ? `${options.subject}: ${text}` : text);
    this.name = info.name;
    this.code = code;
    this.retriable = options.retriable ?? info.retriable;
    this.subject = options.subject ?? null;
    this.detail = text;
  }
}

/** Throws a KafkaProtocolError unless `code` is 0 (NONE). */
export function throwIfError(
  code: number | undefined,
  options: { message?: string | null; subject?: string } = {},
): void {
  if (code !== undefined && code !== 0) throw new KafkaProtocolError(code, options);
}

export type ClientErrorCode =
  | 'CONNECT_FAILED'
  | 'CONNECTION_CLOSED'
  | 'REQUEST_TIMEOUT'
  | 'UNSUPPORTED_VERSION'
  | 'BAD_RESPONSE'
  | 'NO_BROKER';

/** A failure on the client's side of the wire; `code` is stable. */
export class ClientError extends Error {
  readonly code: ClientErrorCode;

  constructor(code: ClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ClientError';
    this.code = code;
  }
}

/** A connection could not be opened (refused, unreachable, DNS, connect timeout). */
export class ConnectError extends ClientError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONNECT_FAILED', message, options);
    this.name = 'ConnectError';
  }
}

/** The connection closed (by us, by the broker, or on a socket error) before the answer came. */
export class ConnectionClosedError extends ClientError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONNECTION_CLOSED', message, options);
    this.name = 'ConnectionClosedError';
  }
}

/** No answer within the request timeout; the connection is closed (answers come in order). */
export class RequestTimeoutError extends ClientError {
  constructor(message: string) {
    super('REQUEST_TIMEOUT', message);
    this.name = 'RequestTimeoutError';
  }
}

/** Neither we nor the broker can speak a version of this API that the other understands. */
export class UnsupportedVersionError extends ClientError {
  readonly apiKey: number;

  constructor(apiKey: number, message: string) {
    super('UNSUPPORTED_VERSION', message);
    this.name = 'UnsupportedVersionError';
    this.apiKey = apiKey;
  }
}

/** The broker's answer could not be decoded, or did not match the request. */
export class BadResponseError extends ClientError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BAD_RESPONSE', message, options);
    this.name = 'BadResponseError';
  }
}

/** No broker could be reached or none is known for what was asked (a node id, a leader). */
export class NoBrokerError extends ClientError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NO_BROKER', message, options);
    this.name = 'NoBrokerError';
  }
}

/** Error text for people: the message of an Error, or the value as text. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
