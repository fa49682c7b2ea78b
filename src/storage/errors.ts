/**
 * Typed errors of the storage module. Every failure that leaves `storage/` is a `StorageError`
 * with one of these stable codes; handlers map them to Kafka error codes at the edge
 * (e.g. OFFSET_OUT_OF_RANGE → 1, CORRUPT_MESSAGE → 2, RECORD_TOO_LARGE → 10, KAFKA_STORAGE_ERROR → 56).
 */
export type StorageErrorCode =
  | 'OFFSET_OUT_OF_RANGE' // a read or lookup outside [log start offset, log end offset]
  | 'CORRUPT_BATCH' // an appended batch fails header validation (size, magic, CRC)
  | 'BATCH_TOO_LARGE' // an appended batch is larger than max.message.bytes (or the segment size)
  | 'INVALID_OFFSET' // a follower append whose offsets are not above the log end offset, or a bad argument
  | 'IO_ERROR' // the disk refused a write, sync or read (ENOSPC, EIO, ...); the log is still valid
  | 'LOG_OFFLINE' // the log could not restore a valid state after an I/O failure; reopen it
  | 'LOG_CLOSED' // an operation on a closed log
  | 'BAD_DIRECTORY' // a log dir or partition dir that is missing, not a dir, or not writable
  | 'BAD_FILE' // a file in a log dir that cannot be parsed (checkpoint, segment name)
  | 'UNKNOWN_LOG' // the log manager has no log for the topic-partition
  | 'LOG_EXISTS' // the log manager already has a log for the topic-partition
  | 'INVALID_CONFIG'; // a configuration value that is out of range or malformed

export class StorageError extends Error {
  readonly code: StorageErrorCode;
  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
    this.code = code;
  }
}

/** An fs error in a word: its errno code (ENOSPC, EIO, ...), else its message. */
export function errorDetail(cause: unknown): string {
  const errno = (cause as NodeJS.ErrnoException | undefined)?.code;
  return errno ?? (cause instanceof Error ? cause.message : String(cause));
}

/** Wraps an fs error into an IO_ERROR naming what was being done and on which path. */
export function ioError(what: string, path: string, cause: unknown): StorageError {
  return new StorageError('IO_ERROR', `${what} ${path}: ${errorDetail(cause)}`, { cause });
}

/** A stored batch that fails its CRC: damaged on disk after it was written. */
export function corruptOnDisk(path: string, position: number, cause: unknown): StorageError {
  return new StorageError('CORRUPT_BATCH', `${path}: the batch at byte ${position} is corrupt on disk`, { cause });
}
