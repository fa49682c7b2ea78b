/** Shared pieces of the storage benchmarks: scratch dirs, batch building, medians. */
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { encodeRecordBatch } from '../src/protocol/records/record-encoder.ts';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../src/storage/config.ts';
import { Log } from '../src/storage/log.ts';

/** Benchmarks write to BENCH_DIR (default /tmp), which should be the disk under test. */
export function scratchDir(tag: string): string {
  return mkdtempSync(join(process.env.BENCH_DIR ?? '/tmp', `samsa-bench-${tag}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A valid RecordBatch v2 of about `bytes` bytes (records of ~1 KiB, or one record if smaller). */
export function makeBatch(bytes: number, timestamp = 1_700_000_000_000): Buffer {
  const recordSize = Math.min(1024, bytes - 80);
  const n = Math.max(1, Math.floor((bytes - 61) / (recordSize + 8)));
  const value = Buffer.alloc(recordSize, 0x61);
  return encodeRecordBatch({ records: Array.from({ length: n }, () => ({ value, timestamp })) });
}

export function openBenchLog(
  dir: string,
  config: Partial<LogConfig> = {},
  extra: { recoveryPoint?: number; hadCleanShutdown?: boolean } = {},
): Log {
  return Log.open({
    dir,
    topic: 'bench',
    partition: 0,
    config: { ...DEFAULT_LOG_CONFIG, ...config },
    logger: { info: () => {}, warn: (m) => console.error(m), error: (m) => console.error(m) },
    recoveryPoint: extra.recoveryPoint ?? 0,
    hadCleanShutdown: extra.hadCleanShutdown ?? true,
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

export function gbps(bytes: number, ms: number): number {
  return bytes / ms / 1e6;
}

/** Writes back all dirty pages, so one measurement does not pay for the previous one's writeback. */
export function settle(): void {
  execSync('sync');
}
