/**
 * ListOffsets lookups over a log's segments (oldest first): the max timestamp, the first offset
 * at or after a timestamp, and version 0's "offsets before". Read-only; the Log calls them with
 * its segments, log start offset and LEO.
 */
import { forEachRecord } from '../protocol/records/record-decoder.ts';
import type { LogSegment } from './log-segment.ts';

export interface TimestampAndOffset {
  timestamp: number;
  offset: number;
}

/** The largest timestamp in the log and the offset of the record carrying it; -1/-1 when none. */
export function maxTimestampAndOffset(segs: readonly LogSegment[]): TimestampAndOffset {
  let best: TimestampAndOffset = { timestamp: -1, offset: -1 };
  for (const s of segs) {
    if (s.maxTimestamp > best.timestamp) best = { timestamp: s.maxTimestamp, offset: s.offsetOfMaxTimestamp };
  }
  return best;
}

/**
 * The first record with timestamp ≥ `t` at or above `logStart`: the time index and a header walk
 * find the batch, and only that batch is decoded. Null when no record is that recent.
 */
export function offsetForTimestamp(
  segs: readonly LogSegment[],
  t: number,
  logStart: number,
): TimestampAndOffset | null {
  for (const s of segs) {
    if (s.size === 0 || s.maxTimestamp < t) continue;
    const b = s.findBatchByTimestamp(t, logStart);
    if (b === null) continue;
    let found: TimestampAndOffset | null = null;
    try {
      forEachRecord(s.readBatchSync(b), (r) => {
        if (found === null && r.timestamp >= t && r.offset >= logStart) {
          found = { timestamp: r.timestamp, offset: r.offset };
        }
      });
    } catch {
      // Stored batches passed validation; if one cannot be decoded, answer at batch level.
    }
    return found ?? { timestamp: b.maxTimestamp, offset: Math.max(b.baseOffset, logStart) };
  }
  return null;
}

/**
 * ListOffsets v0's answer (Kafka's "offsets before"): candidate offsets are each segment's base
 * offset (at least the log start), timed by the segment file's modification time, then the LEO
 * timed `now` if the active segment holds anything. Latest (-1) starts from the last candidate,
 * earliest (-2) from the first, any other timestamp from the last candidate timed at or before
 * it; the answer is up to `maxNumOffsets` candidates from there back to the first, newest first.
 */
export function legacyOffsetsBefore(
  segs: readonly LogSegment[],
  logStart: number,
  logEnd: number,
  now: number,
  q: { timestamp: number; maxNumOffsets: number },
): number[] {
  const offsets: number[] = [];
  const times: number[] = [];
  for (const s of segs) {
    offsets.push(Math.max(s.baseOffset, logStart));
    times.push(s.lastModified());
  }
  if (segs[segs.length - 1]!.size > 0) {
    offsets.push(logEnd);
    times.push(now);
  }
  let start: number;
  if (q.timestamp === -1) start = offsets.length - 1;
  else if (q.timestamp === -2) start = 0;
  else {
    start = offsets.length - 1;
    while (start >= 0 && times[start]! > q.timestamp) start--;
  }
  const out: number[] = [];
  for (let i = start; i >= 0 && out.length < q.maxNumOffsets; i--) out.push(offsets[i]!);
  return out.sort((a, b) => b - a);
}
