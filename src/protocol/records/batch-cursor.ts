import { DecodeError } from '../decode-error.ts';
import {
  BATCH_LENGTH_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAGIC_V0,
  MAGIC_V2,
  MIN_BATCH_LENGTH,
} from './batch-format.ts';
import { readSafeInt64 } from './int64.ts';

/** Smallest message size (after the size field) per legacy magic: crc, magic, attributes, [timestamp], key, value. */
const MIN_LEGACY_MESSAGE_SIZE = [14, 22] as const;

/**
 * Walks consecutive log entries in a buffer — a log segment, a Fetch response's `records`, a
 * Produce request's `records` — without decoding records or checking CRCs.
 *
 * Every entry starts with `offset int64, length int32` and has its magic byte at 16, whatever
 * its format: a RecordBatch v2 (magic 2) or a legacy message (magic 0/1, possibly a compressed
 * wrapper). The cursor reads just enough to find the next entry.
 *
 * Lifecycle: construct over `buf[start, end)`; call `next()` until it returns false. While it
 * returns true, the fields describe the current entry. When it returns false, either the input
 * ended cleanly (`truncated` false) or it ends with an incomplete entry (`truncated` true,
 * described by `position`, `available` and `size` — size is -1 if its length field itself is
 * cut). Fetch responses may end this way; consumers drop the partial entry. A length that can
 * never be valid (below the minimum for its magic) or an unknown magic throws DecodeError.
 * The cursor allocates nothing per entry.
 */
export class BatchCursor {
  readonly buf: Buffer;
  readonly end: number;
  /** Where the next entry starts. */
  private next_: number;

  /** Byte position of the current (or truncated) entry in `buf`. */
  position = 0;
  /** Total bytes of the current entry (length + 12); -1 if a truncated entry's length is unknown. */
  size = 0;
  /** Bytes available for a truncated entry. */
  available = 0;
  /** Magic byte of the current entry: 2 for RecordBatch v2, 0 or 1 for legacy messages. */
  magic = 0;
  /** The entry's leading int64: baseOffset for v2; the message's offset for legacy (the last inner offset of a wrapper). */
  baseOffset = 0;
  /** Offset of the entry's last record: baseOffset + lastOffsetDelta for v2; the message offset for legacy. */
  lastOffset = 0;
  /** True once next() has returned false because the input ends inside an entry. */
  truncated = false;

  constructor(buf: Buffer, start = 0, end = buf.length) {
    if (start < 0 || end > buf.length || start > end) {
      throw new RangeError(`bad range [${start}, ${end}) for a buffer of ${buf.length} bytes`);
    }
    this.buf = buf;
    this.next_ = start;
    this.end = end;
  }

  /** Moves to the next complete entry; false at the end of the input or at a truncated entry. */
  next(): boolean {
    const buf = this.buf;
    const pos = this.next_;
    const available = this.end - pos;
    if (available === 0) return false;
    this.position = pos;
    if (available < LOG_OVERHEAD) return this.stopTruncated(available, -1);
    const length = buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
    if (length < MIN_LEGACY_MESSAGE_SIZE[0]) {
      throw new DecodeError('BAD_LENGTH', `log entry at byte ${pos} has length ${length}`);
    }
    const size = length + LOG_OVERHEAD;
    if (available <= MAGIC_OFFSET) return this.stopTruncated(available, size);
    const magic = buf.readInt8(pos + MAGIC_OFFSET);
    if (magic < MAGIC_V0 || magic > MAGIC_V2) {
      throw new DecodeError('BAD_MAGIC', `log entry at byte ${pos} has magic ${magic}`);
    }
    const minLength = magic === MAGIC_V2 ? MIN_BATCH_LENGTH : MIN_LEGACY_MESSAGE_SIZE[magic as 0 | 1];
    if (length < minLength) {
      throw new DecodeError('BAD_LENGTH', `log entry at byte ${pos} (magic ${magic}) has length ${length}`);
    }
    if (available < size) return this.stopTruncated(available, size);
    this.size = size;
    this.magic = magic;
    this.baseOffset = readSafeInt64(buf, pos, 'baseOffset');
    this.lastOffset =
      magic === MAGIC_V2 ? this.baseOffset + buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET) : this.baseOffset;
    this.next_ = pos + size;
    return true;
  }

  /** A view of the current entry's bytes. */
  bytes(): Buffer {
    return this.buf.subarray(this.position, this.position + this.size);
  }

  private stopTruncated(available: number, size: number): false {
    this.truncated = true;
    this.available = available;
    this.size = size;
    this.next_ = this.end;
    return false;
  }
}

/** One step of iterateBatches. */
export type LogEntry =
  | {
      kind: 'batch';
      /** Byte position in the walked buffer. */
      position: number;
      size: number;
      magic: number;
      baseOffset: number;
      lastOffset: number;
      /** A view of the entry's bytes. */
      bytes: Buffer;
    }
  | {
      kind: 'truncated';
      position: number;
      /** Bytes present. */
      available: number;
      /** Bytes the entry would need; -1 when even its length field is cut. */
      size: number;
    };

/**
 * Yields each complete entry of `buf[start, end)`, then, if the input ends inside an entry, one
 * final `{ kind: 'truncated' }`. See BatchCursor for what is checked; BatchCursor is the
 * allocation-free form of the same walk.
 */
export function* iterateBatches(buf: Buffer, start = 0, end = buf.length): Generator<LogEntry, void, undefined> {
  const cursor = new BatchCursor(buf, start, end);
  while (cursor.next()) {
    yield {
      kind: 'batch',
      position: cursor.position,
      size: cursor.size,
      magic: cursor.magic,
      baseOffset: cursor.baseOffset,
      lastOffset: cursor.lastOffset,
      bytes: cursor.bytes(),
    };
  }
  if (cursor.truncated) {
    yield { kind: 'truncated', position: cursor.position, available: cursor.available, size: cursor.size };
  }
}
