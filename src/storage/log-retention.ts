/**
 * Which segments retention deletes: a pure function of the segments' sizes, max timestamps and
 * offsets, so the rules can be tested without files.
 *
 * Kafka's three rules, applied to the oldest segments first and stopping at the first segment
 * that no rule selects (only a prefix of the log is ever deleted):
 * - log start offset: a segment whose successor starts at or below the log start offset holds
 *   nothing readable (DeleteRecords moved the start past it);
 * - retention.bytes: while the log is larger than the limit, the oldest segment goes if the log
 *   stays at or above the limit without it;
 * - retention.ms: a segment whose newest record is older than the limit goes.
 * The last two apply only with cleanup.policy containing `delete`. A segment is never deleted
 * while its end is above the high watermark (consumers may not have seen it), and an empty active
 * segment never is. If every segment goes, the log rolls first so it keeps its log end offset.
 */

export interface RetentionSegment {
  baseOffset: number;
  size: number;
  /** Newest record timestamp (or file mtime when none carry one). */
  largestTimestamp(): number;
}

export interface RetentionParams {
  now: number;
  retentionMs: number;
  retentionBytes: number;
  deletePolicy: boolean;
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
}

export interface RetentionPlan {
  /** How many of the oldest segments to delete. */
  count: number;
  /** Why, for the log line: one reason per deleted segment. */
  reasons: string[];
}

export function planRetention(segments: readonly RetentionSegment[], p: RetentionParams): RetentionPlan {
  let total = 0;
  for (const s of segments) total += s.size;
  let overSize = Number.isFinite(p.retentionBytes) ? total - p.retentionBytes : -1;
  const reasons: string[] = [];
  let count = 0;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const next = segments[i + 1];
    const upperBound = next === undefined ? p.logEndOffset : next.baseOffset;
    if (next === undefined && seg.size === 0) break;
    if (p.highWatermark < upperBound) break;
    let reason: string | null = null;
    if (next !== undefined && next.baseOffset <= p.logStartOffset) {
      reason = `below the log start offset ${p.logStartOffset}`;
    } else if (p.deletePolicy && overSize >= 0 && overSize - seg.size >= 0) {
      reason = `the log is ${overSize} bytes over retention.bytes=${p.retentionBytes}`;
    } else if (p.deletePolicy && Number.isFinite(p.retentionMs) && p.now - seg.largestTimestamp() > p.retentionMs) {
      reason = `its newest record (${seg.largestTimestamp()}) is older than retention.ms=${p.retentionMs}`;
    }
    if (reason === null) break;
    overSize -= seg.size;
    reasons.push(reason);
    count++;
  }
  return { count, reasons };
}
