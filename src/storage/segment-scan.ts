/**
 * Walking the batch headers of a segment file without reading whole batches: how a segment turns
 * "offset" or "timestamp" into a byte position after an index lookup got it close.
 *
 * Reads go through one shared scratch window; the walk is synchronous, so no two walks can share
 * it at once. Each header needs 43 bytes (up to the end of maxTimestamp); a batch larger than the
 * window costs one read per header, which is cheap because the offset index places an entry at
 * least every `index.interval.bytes`, so large batches are found almost directly.
 */
import { DecodeError } from '../protocol/decode-error.ts';
import {
  BATCH_LENGTH_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAGIC_V2,
  MAX_TIMESTAMP_OFFSET,
  MIN_BATCH_LENGTH,
} from '../protocol/records/batch-format.ts';
import { readSafeInt64 } from '../protocol/records/int64.ts';
import type { FileIO } from './file-io.ts';

/** The header fields a scan reports. One object is reused for every batch of a walk. */
export class ScannedBatch {
  position = 0;
  size = 0;
  baseOffset = 0;
  lastOffset = 0;
  maxTimestamp = -1;
}

const WINDOW = 16 * 1024;
const HEADER_NEED = MAX_TIMESTAMP_OFFSET + 8;
const scratch = Buffer.allocUnsafe(WINDOW);

/** Reads up to `length` bytes at `position`, looping over short reads; returns bytes read. */
export function readFully(
  io: FileIO,
  fd: number,
  buf: Buffer,
  offset: number,
  length: number,
  position: number,
): number {
  let done = 0;
  while (done < length) {
    const n = io.readSync(fd, buf, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/**
 * Calls `visit` for each batch that starts in [from, to) and ends by `to`, in file order, until it
 * returns false. Returns where the walk stopped: the position of the batch the visitor stopped
 * at, `to` when it covered everything, or the start of the first thing that is not a complete v2
 * batch ending by `to`.
 */
export function scanHeaders(
  io: FileIO,
  fd: number,
  from: number,
  to: number,
  out: ScannedBatch,
  visit: (b: ScannedBatch) => boolean,
): number {
  let winStart = from;
  let winLen = 0;
  let pos = from;
  while (pos < to) {
    if (pos + HEADER_NEED > winStart + winLen) {
      if (to - pos < HEADER_NEED) return pos;
      winStart = pos;
      winLen = readFully(io, fd, scratch, 0, Math.min(WINDOW, to - pos), pos);
      if (winLen < HEADER_NEED) return pos;
    }
    const o = pos - winStart;
    const length = scratch.readInt32BE(o + BATCH_LENGTH_OFFSET);
    if (scratch.readInt8(o + MAGIC_OFFSET) !== MAGIC_V2 || length < MIN_BATCH_LENGTH) return pos;
    const size = length + LOG_OVERHEAD;
    if (pos + size > to) return pos;
    try {
      out.baseOffset = readSafeInt64(scratch, o, 'baseOffset');
      out.maxTimestamp = readSafeInt64(scratch, o + MAX_TIMESTAMP_OFFSET, 'maxTimestamp');
    } catch (e) {
      if (e instanceof DecodeError) return pos;
      throw e;
    }
    out.position = pos;
    out.size = size;
    out.lastOffset = out.baseOffset + scratch.readInt32BE(o + LAST_OFFSET_DELTA_OFFSET);
    if (!visit(out)) return pos;
    pos += size;
  }
  return pos;
}
