/**
 * Opening a partition directory: what was left by a crash is put right before the log serves
 * anything.
 *
 * Steps, in order:
 * 1. Classify every file. `.deleted` files (a deletion that was pending) and `.cleaned` files (a
 *    compaction that did not finish) are removed; `.swap` files (a compaction that finished but
 *    was not yet swapped in) are completed: the segments they replace are removed and the swap
 *    files take their final names. An index without its `.log` is removed. Any other unknown file
 *    is reported with its path and left alone.
 * 2. Open the segments in base-offset order. A segment whose index files are missing has them
 *    rebuilt from the `.log`.
 * 3. After a clean shutdown, stop here: indexes are checked lazily on first use. Otherwise every
 *    segment that may hold data after the recovery point is re-read batch by batch (header, CRC,
 *    increasing offsets), its indexes rebuilt, and the first bad batch and everything after it
 *    (including later segments) dropped — reported with offsets and bytes.
 * 4. The log end offset is the offset after the last valid batch; an empty log gets an empty
 *    segment at the log start offset.
 */
import { ioError } from './errors.ts';
import {
  CLEANED_SUFFIX,
  DELETED_SUFFIX,
  INDEX_SUFFIX,
  LOG_SUFFIX,
  LogSegment,
  type SegmentEnv,
  SWAP_SUFFIX,
  segmentName,
  TIME_INDEX_SUFFIX,
} from './log-segment.ts';

export interface LoadParams {
  recoveryPoint: number;
  logStartOffset: number;
  hadCleanShutdown: boolean;
  /** Batches above this size are treated as corruption during recovery. */
  maxBatchBytes?: number;
}

export interface LoadedLog {
  segments: LogSegment[];
  logEndOffset: number;
  logStartOffset: number;
  recoveryPoint: number;
}

/** Files a partition directory may hold that are not ours to judge (other modules' state). */
const KNOWN_OTHER = [
  /^leader-epoch-checkpoint(\.tmp)?$/,
  /^partition\.metadata(\.tmp)?$/,
  /\.snapshot$/,
  /\.txnindex$/,
];
const SEGMENT_FILE = /^(\d{20})(\.log|\.index|\.timeindex)(\.deleted|\.cleaned|\.swap)?$/;

export function loadLog(env: SegmentEnv, params: LoadParams): LoadedLog {
  const { io, dir, logger } = env;
  let names: string[];
  try {
    names = io.readdirSync(dir);
  } catch (e) {
    throw ioError('listing partition directory', dir, e);
  }

  // 1. Classify; drop leftovers of unfinished deletions and cleanings.
  const logs = new Set<number>();
  const indexes: string[] = [];
  const swaps = new Set<number>();
  for (const name of names) {
    const m = SEGMENT_FILE.exec(name);
    if (m === null) {
      if (!KNOWN_OTHER.some((re) => re.test(name))) logger.warn(`unknown file ${dir}/${name} left alone`);
      continue;
    }
    const base = Number(m[1]);
    const kind = m[2]!;
    const suffix = m[3];
    if (suffix === DELETED_SUFFIX || suffix === CLEANED_SUFFIX) {
      removeFile(env, `${dir}/${name}`);
    } else if (suffix === SWAP_SUFFIX) {
      if (kind === LOG_SUFFIX) swaps.add(base);
    } else if (kind === LOG_SUFFIX) {
      logs.add(base);
    } else {
      indexes.push(name);
    }
  }

  // Finish swaps: the swap segment replaces every segment whose base lies in its offset range.
  for (const base of [...swaps].sort((a, b) => a - b)) {
    const swap = LogSegment.open(env, base, SWAP_SUFFIX);
    swap.recover(params.maxBatchBytes, true);
    const end = swap.readNextOffset();
    for (const old of [...logs]) {
      if (old >= base && (old < end || old === base)) {
        logger.info(`completing a compaction swap in ${dir}: ${segmentName(old)} replaced`);
        for (const s of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX])
          removeFile(env, `${dir}/${segmentName(old)}${s}`);
        logs.delete(old);
      }
    }
    swap.changeSuffix(SWAP_SUFFIX, '');
    swap.close();
    logs.add(base);
  }
  for (const name of indexes) {
    if (!logs.has(Number(name.slice(0, 20)))) {
      logger.warn(`removing index ${dir}/${name}, which has no .log`);
      removeFile(env, `${dir}/${name}`);
    }
  }

  // 2. Open segments; rebuild missing indexes.
  const bases = [...logs].sort((a, b) => a - b);
  const segments: LogSegment[] = [];
  try {
    for (const base of bases) {
      const seg = LogSegment.open(env, base);
      segments.push(seg);
      if (seg.size > 0 && !seg.indexFilesPresent) {
        logger.warn(`rebuilding missing index files of ${seg.path}`);
        seg.recover(params.maxBatchBytes, false);
      }
    }

    // 3. Recovery of everything after the recovery point.
    let recoveryPoint = params.recoveryPoint;
    if (!params.hadCleanShutdown) {
      for (let i = 0; i < segments.length; i++) {
        const seg = segments[i]!;
        const nextBase = segments[i + 1]?.baseOffset;
        if (nextBase !== undefined && nextBase <= recoveryPoint) continue;
        const r = seg.recover(params.maxBatchBytes, true);
        if (r.truncatedBytes > 0 || (nextBase !== undefined && r.nextOffset > nextBase)) {
          const dropped = segments.splice(i + 1);
          const droppedBytes = dropped.reduce((n, s) => n + s.size, 0);
          logger.warn(
            `recovery of ${dir}: ${r.reason ?? 'offsets overlap the next segment'} at offset ${r.nextOffset} in ` +
              `${seg.path}; dropped ${r.truncatedBytes} bytes there and ${dropped.length} later segment(s) ` +
              `(${droppedBytes} bytes); the log now ends at offset ${r.nextOffset}`,
          );
          for (const d of dropped) {
            d.deleteFiles();
            d.close();
          }
          break;
        }
      }
    }

    // 4. Log end offset, log start offset, an active segment.
    let logStartOffset = params.logStartOffset;
    if (segments.length === 0) segments.push(LogSegment.create(env, logStartOffset));
    const active = segments[segments.length - 1]!;
    let logEndOffset = active.readNextOffset();
    const first = segments[0]!;
    if (logStartOffset < first.baseOffset) logStartOffset = first.baseOffset;
    if (logStartOffset > logEndOffset) {
      // Everything below the log start offset is gone (DeleteRecords past a crash-truncated end).
      logger.warn(`${dir}: log start offset ${logStartOffset} is past the end ${logEndOffset}; starting empty there`);
      for (const s of segments.splice(0)) {
        s.deleteFiles();
        s.close();
      }
      segments.push(LogSegment.create(env, logStartOffset));
      logEndOffset = logStartOffset;
    }
    if (params.hadCleanShutdown) recoveryPoint = logEndOffset;
    recoveryPoint = Math.min(Math.max(recoveryPoint, logStartOffset), logEndOffset);
    return { segments, logEndOffset, logStartOffset, recoveryPoint };
  } catch (e) {
    for (const s of segments) s.close();
    throw e;
  }
}

function removeFile(env: SegmentEnv, path: string): void {
  try {
    env.io.unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError('removing', path, e);
  }
}

/** Parses `<topic>-<partition>`; null for a name that is not a partition directory. */
export function parsePartitionDir(name: string): { topic: string; partition: number } | null {
  const dash = name.lastIndexOf('-');
  if (dash <= 0) return null;
  const p = name.slice(dash + 1);
  if (!/^\d+$/.test(p)) return null;
  const partition = Number(p);
  if (!Number.isSafeInteger(partition) || partition > 0x7fffffff) return null;
  return { topic: name.slice(0, dash), partition };
}
