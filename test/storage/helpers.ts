/** Shared test helpers: temp dirs, batch building, log opening, and reading records back. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/common/clock.ts';
import { BatchCursor } from '../../src/protocol/records/batch-cursor.ts';
import { decodeRecords } from '../../src/protocol/records/record-decoder.ts';
import { encodeRecordBatch } from '../../src/protocol/records/record-encoder.ts';
import type { RecordInput } from '../../src/protocol/records/record-types.ts';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../../src/storage/config.ts';
import type { FileIO } from '../../src/storage/file-io.ts';
import { Log } from '../../src/storage/log.ts';
import { MemoryLogger } from '../../src/storage/logger.ts';

export function tempDir(t: { after(fn: () => void): void }, prefix = 'samsa-storage-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A batch of `n` records with values `${tag}-${i}`, all stamped `timestamp`. */
export function batch(
  n: number,
  opts: {
    tag?: string;
    timestamp?: number;
    keys?: (string | null)[];
    values?: (string | null)[];
    baseOffset?: number;
    valueBytes?: number;
  } = {},
): Buffer {
  const records: RecordInput[] = [];
  for (let i = 0; i < n; i++) {
    const key = opts.keys?.[i];
    const value = opts.values !== undefined ? opts.values[i] : `${opts.tag ?? 'v'}-${i}`;
    records.push({
      key: key == null ? null : Buffer.from(key),
      value:
        value == null
          ? null
          : opts.valueBytes !== undefined
            ? Buffer.alloc(opts.valueBytes, i & 0xff)
            : Buffer.from(value),
      timestamp: opts.timestamp ?? 1_700_000_000_000,
    });
  }
  return encodeRecordBatch({ records, baseOffset: opts.baseOffset ?? 0 });
}

export function config(over: Partial<LogConfig> = {}): LogConfig {
  return { ...DEFAULT_LOG_CONFIG, ...over };
}

export interface OpenOpts {
  config?: Partial<LogConfig>;
  clock?: ManualClock;
  io?: FileIO;
  logger?: MemoryLogger;
  recoveryPoint?: number;
  logStartOffset?: number;
  hadCleanShutdown?: boolean;
}

export function openLog(dir: string, o: OpenOpts = {}): Log {
  return Log.open({
    dir,
    topic: 't',
    partition: 0,
    config: config(o.config),
    clock: o.clock ?? new ManualClock(),
    io: o.io,
    logger: o.logger ?? new MemoryLogger(),
    recoveryPoint: o.recoveryPoint,
    logStartOffset: o.logStartOffset,
    hadCleanShutdown: o.hadCleanShutdown,
  });
}

/** Every record (offset, value) of a buffer of batches. */
export function recordsOf(
  buf: Buffer,
): { offset: number; key: string | null; value: string | null; timestamp: number }[] {
  const out: { offset: number; key: string | null; value: string | null; timestamp: number }[] = [];
  const c = new BatchCursor(buf);
  while (c.next()) {
    for (const r of decodeRecords(c.bytes(), { verifyCrc: true })) {
      out.push({
        offset: r.offset,
        key: r.key?.toString() ?? null,
        value: r.value?.toString() ?? null,
        timestamp: r.timestamp,
      });
    }
  }
  return out;
}

/** Reads the whole log from its start, batch by batch. */
export async function readAll(
  log: Log,
  maxOffset?: number,
): Promise<{ offset: number; key: string | null; value: string | null; timestamp: number }[]> {
  const out: { offset: number; key: string | null; value: string | null; timestamp: number }[] = [];
  let offset = log.logStartOffset;
  const end = maxOffset ?? log.logEndOffset;
  while (offset < end) {
    const r = await log.read(offset, 1024 * 1024, end);
    if (r.records.length === 0) break;
    const recs = recordsOf(r.records);
    for (const rec of recs) if (rec.offset >= offset) out.push(rec);
    const c = new BatchCursor(r.records);
    let last = offset;
    while (c.next()) last = c.lastOffset;
    offset = last + 1;
  }
  return out;
}
