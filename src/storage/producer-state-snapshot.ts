/**
 * Producer state snapshots: the idempotent-producer state of one partition (see
 * replication/producer-state.ts) as it was after every batch below an offset, saved beside the
 * segments so a restart replays only the log after it. Snapshots are written at clean shutdown
 * and when the log rolls a segment; loading takes the newest one at or below the log end offset
 * and replays the batch headers after it.
 *
 * File name: `<offset>.snapshot`, the offset 20 digits zero-padded (like segments): the state
 * covers every batch whose offsets are below `<offset>`.
 *
 * Layout (all integers big-endian):
 *
 *   offset  size  field
 *        0     2  version                  int16   1
 *        2     4  crc                      uint32  CRC-32C of bytes [6, end of file)
 *        6     4  producerCount            int32
 *       10     …  producers, each:
 *                   0   8  producerId             int64
 *                   8   2  producerEpoch          int16
 *                  10   4  coordinatorEpoch       int32   -1 until transactions exist
 *                  14   8  currentTxnFirstOffset  int64   -1 when no transaction is open
 *                  22   8  lastTimestamp          int64   max timestamp of its last batch
 *                  30   1  batchCount             int8    0..5, oldest first
 *                  31     batchCount × 28 bytes:
 *                        0   4  firstSeq        int32
 *                        4   4  lastSeq         int32
 *                        8   8  firstOffset     int64
 *                       16   4  offsetDelta     int32   lastOffset - firstOffset
 *                       20   8  timestamp       int64
 *
 * Writes go to `<name>.tmp`, are fsynced and renamed over (FileIO.writeFileDurable), so a crash
 * leaves no torn snapshot; a leftover `.tmp` is removed at the next load. A snapshot whose CRC or
 * layout does not check out is a BAD_FILE error (the loader drops it and uses an older one).
 */
import { crc32c } from '../protocol/records/crc32c.ts';
import { readSafeInt64, writeInt64 } from '../protocol/records/int64.ts';
import { ioError, StorageError } from './errors.ts';
import type { FileIO } from './file-io.ts';

export const SNAPSHOT_SUFFIX = '.snapshot';
const VERSION = 1;
const HEADER_SIZE = 10;
const PRODUCER_SIZE = 31;
const BATCH_SIZE = 28;
/** Batches remembered per producer (Kafka's NUM_BATCHES_TO_RETAIN). */
export const MAX_SNAPSHOT_BATCHES = 5;

export interface SnapshotBatch {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  timestamp: number;
}

export interface SnapshotProducer {
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  currentTxnFirstOffset: number;
  lastTimestamp: number;
  batches: SnapshotBatch[];
}

export function snapshotFileName(offset: number): string {
  return `${String(offset).padStart(20, '0')}${SNAPSHOT_SUFFIX}`;
}

export function encodeProducerSnapshot(producers: readonly SnapshotProducer[]): Buffer {
  let size = HEADER_SIZE;
  for (const p of producers) {
    if (p.batches.length > MAX_SNAPSHOT_BATCHES) throw new RangeError(`producer ${p.producerId}: too many batches`);
    size += PRODUCER_SIZE + p.batches.length * BATCH_SIZE;
  }
  const buf = Buffer.alloc(size);
  buf.writeInt16BE(VERSION, 0);
  buf.writeInt32BE(producers.length, 6);
  let pos = HEADER_SIZE;
  for (const p of producers) {
    writeInt64(buf, pos, p.producerId);
    buf.writeInt16BE(p.producerEpoch, pos + 8);
    buf.writeInt32BE(p.coordinatorEpoch, pos + 10);
    writeInt64(buf, pos + 14, p.currentTxnFirstOffset);
    writeInt64(buf, pos + 22, p.lastTimestamp);
    buf.writeInt8(p.batches.length, pos + 30);
    pos += PRODUCER_SIZE;
    for (const b of p.batches) {
      buf.writeInt32BE(b.firstSeq, pos);
      buf.writeInt32BE(b.lastSeq, pos + 4);
      writeInt64(buf, pos + 8, b.firstOffset);
      buf.writeInt32BE(b.lastOffset - b.firstOffset, pos + 16);
      writeInt64(buf, pos + 20, b.timestamp);
      pos += BATCH_SIZE;
    }
  }
  buf.writeUInt32BE(crc32c(buf, 6, size), 2);
  return buf;
}

export function decodeProducerSnapshot(buf: Buffer, path: string): SnapshotProducer[] {
  const bad = (why: string): StorageError => new StorageError('BAD_FILE', `producer snapshot ${path}: ${why}`);
  if (buf.length < HEADER_SIZE) throw bad(`${buf.length} bytes is shorter than the header`);
  const version = buf.readInt16BE(0);
  if (version !== VERSION) throw bad(`unknown version ${version}`);
  const stored = buf.readUInt32BE(2);
  const computed = crc32c(buf, 6, buf.length);
  if (stored !== computed) throw bad(`CRC mismatch (stored ${stored}, computed ${computed})`);
  const count = buf.readInt32BE(6);
  if (count < 0) throw bad(`negative producer count ${count}`);
  const out: SnapshotProducer[] = [];
  let pos = HEADER_SIZE;
  try {
    for (let i = 0; i < count; i++) {
      if (pos + PRODUCER_SIZE > buf.length) throw bad(`producer ${i} is cut off`);
      const n = buf.readInt8(pos + 30);
      if (n < 0 || n > MAX_SNAPSHOT_BATCHES) throw bad(`producer ${i} has ${n} batches`);
      const p: SnapshotProducer = {
        producerId: readSafeInt64(buf, pos, 'producerId'),
        producerEpoch: buf.readInt16BE(pos + 8),
        coordinatorEpoch: buf.readInt32BE(pos + 10),
        currentTxnFirstOffset: readSafeInt64(buf, pos + 14, 'currentTxnFirstOffset'),
        lastTimestamp: readSafeInt64(buf, pos + 22, 'lastTimestamp'),
        batches: [],
      };
      pos += PRODUCER_SIZE;
      if (pos + n * BATCH_SIZE > buf.length) throw bad(`batches of producer ${p.producerId} are cut off`);
      for (let k = 0; k < n; k++) {
        const firstOffset = readSafeInt64(buf, pos + 8, 'firstOffset');
        p.batches.push({
          firstSeq: buf.readInt32BE(pos),
          lastSeq: buf.readInt32BE(pos + 4),
          firstOffset,
          lastOffset: firstOffset + buf.readInt32BE(pos + 16),
          timestamp: readSafeInt64(buf, pos + 20, 'timestamp'),
        });
        pos += BATCH_SIZE;
      }
      out.push(p);
    }
  } catch (e) {
    if (e instanceof StorageError) throw e;
    throw bad((e as Error).message);
  }
  if (pos !== buf.length) throw bad(`${buf.length - pos} bytes after the last producer`);
  return out;
}

/** The snapshot files of one partition directory. */
export class ProducerSnapshotFiles {
  readonly dir: string;
  private readonly io: FileIO;

  constructor(io: FileIO, partitionDir: string) {
    this.io = io;
    this.dir = partitionDir;
  }

  /** Offsets of the snapshots present, ascending. */
  list(): number[] {
    let names: string[];
    try {
      names = this.io.readdirSync(this.dir);
    } catch (e) {
      throw ioError('listing snapshots in', this.dir, e);
    }
    const out: number[] = [];
    for (const name of names) {
      const m = /^(\d{20})\.snapshot$/.exec(name);
      if (m !== null) out.push(Number(m[1]));
    }
    return out.sort((a, b) => a - b);
  }

  /** Removes `.snapshot.tmp` files left by a crash during a write. */
  removeTempFiles(): void {
    for (const name of this.io.readdirSync(this.dir)) {
      if (name.endsWith(`${SNAPSHOT_SUFFIX}.tmp`)) this.unlink(`${this.dir}/${name}`);
    }
  }

  read(offset: number): SnapshotProducer[] {
    const path = this.pathOf(offset);
    let bytes: Buffer;
    try {
      bytes = this.io.readFileSync(path);
    } catch (e) {
      throw ioError('reading producer snapshot', path, e);
    }
    return decodeProducerSnapshot(bytes, path);
  }

  async write(offset: number, encoded: Buffer): Promise<void> {
    const path = this.pathOf(offset);
    try {
      await this.io.writeFileDurable(path, encoded);
    } catch (e) {
      throw ioError('writing producer snapshot', path, e);
    }
  }

  delete(offset: number): void {
    this.unlink(this.pathOf(offset));
  }

  pathOf(offset: number): string {
    return `${this.dir}/${snapshotFileName(offset)}`;
  }

  private unlink(path: string): void {
    try {
      this.io.unlinkSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError('deleting', path, e);
    }
  }
}
