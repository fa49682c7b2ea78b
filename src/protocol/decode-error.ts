/**
 * Typed errors for bytes that do not decode. Every decoder in `protocol/` reports bad input with a
 * `DecodeError` carrying one of these stable codes — never a RangeError, never a crash.
 */
export type DecodeErrorCode =
  | 'TRUNCATED' // a read went past the end of the buffer
  | 'BAD_LENGTH' // a length or count is negative (but not the null marker) or larger than what remains
  | 'BAD_VARINT' // a varint longer than its type allows
  | 'UNSAFE_INTEGER' // an int64 outside JavaScript's safe integer range
  | 'BAD_UTF8' // a string that is not valid UTF-8
  | 'NULL_NOT_ALLOWED' // null where the version does not allow it
  | 'UNKNOWN_API' // an API key we do not serve
  | 'UNSUPPORTED_VERSION' // an API version outside the range we serve
  | 'TRAILING_BYTES' // bytes left after a complete message
  | 'FRAME_TOO_LARGE' // a frame size above the configured maximum
  | 'BAD_MAGIC' // a record batch with an unknown magic byte
  | 'CRC_MISMATCH' // a record batch whose checksum does not match its bytes
  | 'BAD_RECORD' // a record batch or record whose fields contradict each other
  | 'UNSUPPORTED_COMPRESSION' // a compression codec we do not have
  | 'CORRUPT_COMPRESSED_DATA'; // a compressed payload that does not decompress

export class DecodeError extends Error {
  readonly code: DecodeErrorCode;
  constructor(code: DecodeErrorCode, message: string) {
    super(message);
    this.name = 'DecodeError';
    this.code = code;
  }
}
