/**
 * The sparse time index of one segment: max timestamp so far → relative offset.
 *
 * File layout (`<base offset, 20 digits>.timeindex`), big-endian, no header:
 *
 *   entry i (12 bytes):  [0..8)   int64 timestamp (ms): the largest batch max timestamp seen so far
 *                        [8..12)  int32 relative offset of the last offset of the batch holding it
 *
 * An entry (t, o) says: t is the largest batch max timestamp up to offset base+o, and the batch
 * ending at base+o is the first one that reached it; so every batch before that one has a max
 * timestamp below t. Entries are added beside offset-index entries when the timestamp grew, and
 * once more when the segment stops being active, so the last entry of an inactive segment carries
 * the segment's max timestamp (retention by time reads it from there).
 *
 * "First offset with timestamp ≥ t": take the entry with the largest timestamp ≤ t (binary
 * search) and scan batch headers forward from its offset.
 *
 * Invariants: timestamps strictly increase; offsets never decrease.
 */
import type { FileIO } from './file-io.ts';
import { IndexFile } from './index-file.ts';

export const TIME_INDEX_ENTRY_SIZE = 12;

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

/** int64 big-endian as a JS number without a BigInt (timestamps are safe integers). */
const timestampAt = (b: Buffer, i: number): number =>
  b.readInt32BE(i * TIME_INDEX_ENTRY_SIZE) * 0x1_0000_0000 + b.readUInt32BE(i * TIME_INDEX_ENTRY_SIZE + 4);

export class TimeIndex extends IndexFile {
  constructor(io: FileIO, path: string, baseOffset: number, maxIndexBytes: number) {
    super(io, path, baseOffset, maxIndexBytes, TIME_INDEX_ENTRY_SIZE);
  }

  entry(i: number): TimestampOffset {
    const b = this.data();
    const at = i * TIME_INDEX_ENTRY_SIZE;
    return { timestamp: timestampAt(b, i), offset: this.baseOffset + b.readInt32BE(at + 8) };
  }

  /** The last entry, or (-1, base offset) when empty; reads only that entry of an unloaded index. */
  lastEntry(): TimestampOffset {
    const b = this.lastEntryBytes();
    if (b === null) return { timestamp: -1, offset: this.baseOffset };
    return { timestamp: timestampAt(b, 0), offset: this.baseOffset + b.readInt32BE(8) };
  }

  /** One entry is kept in reserve for the final entry a segment writes when it stops being active. */
  override isFull(): boolean {
    return this.entries >= this.maxEntries - 1;
  }

  /**
   * Adds (timestamp, offset) if `timestamp` is above the last entry's and there is room; `final`
   * may use the reserved last slot.
   */
  maybeAppend(timestamp: number, offset: number, final = false): void {
    if (timestamp < 0) return;
    if (this.entries > 0) {
      const last = this.lastEntry();
      if (timestamp <= last.timestamp) return;
      if (offset < last.offset) return;
    }
    if (final ? this.entries >= this.maxEntries : this.isFull()) return;
    const pos = this.reserve();
    const b = this.data();
    b.writeInt32BE(Math.floor(timestamp / 0x1_0000_0000), pos);
    b.writeUInt32BE(timestamp >>> 0, pos + 4);
    b.writeInt32BE(offset - this.baseOffset, pos + 8);
    this.commitEntry();
  }

  /**
   * The entry with the largest timestamp ≤ `timestamp`, or (-1, base offset) if none: where a
   * forward scan for the first batch with max timestamp ≥ `timestamp` starts.
   */
  lookup(timestamp: number): TimestampOffset {
    const i = this.floorEntry(timestamp, timestampAt);
    return i < 0 ? { timestamp: -1, offset: this.baseOffset } : this.entry(i);
  }

  /** Removes every entry with offset ≥ `offset`. */
  truncateTo(offset: number): void {
    let n = this.entries;
    while (n > 0 && this.entry(n - 1).offset >= offset) n--;
    this.truncateEntries(n);
  }

  /** Null when consistent with a segment whose offsets are below `nextOffset`; else what is wrong. */
  sanityCheck(nextOffset: number | undefined): string | null {
    let prevTs = -1;
    let prevOff = -1;
    for (let i = 0; i < this.entries; i++) {
      const e = this.entry(i);
      if (e.timestamp <= prevTs) return `entry ${i}: timestamp ${e.timestamp} not above ${prevTs}`;
      if (e.offset < prevOff || e.offset < this.baseOffset) return `entry ${i}: offset ${e.offset} out of order`;
      if (nextOffset !== undefined && e.offset >= nextOffset) {
        return `entry ${i}: offset ${e.offset} not below ${nextOffset}`;
      }
      prevTs = e.timestamp;
      prevOff = e.offset;
    }
    return null;
  }
}
