/**
 * Typed errors for messages that cannot be encoded at the requested version. These are
 * programming errors on our side (a handler filled a field the client's version cannot carry),
 * raised before any buffer is allocated.
 */
export type EncodeErrorCode =
  | 'UNKNOWN_API' // an API key with no codec
  | 'UNSUPPORTED_VERSION' // a version outside the message's valid versions
  | 'NULL_NOT_ALLOWED' // null in a field that is not nullable in this version
  | 'FIELD_NOT_IN_VERSION'; // a non-default value in a field this version lacks (and that is not ignorable)

export class EncodeError extends Error {
  readonly code: EncodeErrorCode;
  constructor(code: EncodeErrorCode, message: string) {
    super(message);
    this.name = 'EncodeError';
    this.code = code;
  }
}
