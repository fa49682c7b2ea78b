/**
 * The sparse offset index of one segment: relative offset → byte position in the `.log` file.
 *
 * File layout (`<base offset, 20 digits>.index`), big-endian, no header, entries back to back:
 *
 *   entry i (8 bytes):  [0..4)  int32 relative offset = offset - segment base offset
 *                       [4..8)  int32 position of a batch in the .log file
 *
 * An entry (o, p) says: the batch that starts at byte p has last offset base+o. The segment adds
 * one whenever `index.interval.bytes` of batches went by since the previous entry, so the index
 * is sparse; a lookup finds the nearest entry at or below an offset by binary search and the
 * segment scans batch headers forward from there (at most ~index.interval.bytes of headers).
 *
 * Invariants: relative offsets strictly increase; positions never decrease; every entry points at
 * a batch boundary below the segment's size.
 */
import type { FileIO } from './file-io.ts';
import { IndexFile } from './index-file.ts';

export const OFFSET_INDEX_ENTRY_SIZE = 8;

export interface OffsetPosition {
  offset: number;
  position: number;
}

const relOffsetAt = (b: Buffer, i: number): number => b.readInt32BE(i * OFFSET_INDEX_ENTRY_SIZE);

export class OffsetIndex extends IndexFile {
  constructor(io: FileIO, path: string, baseOffset: number, maxIndexBytes: number) {
    super(io, path, baseOffset, maxIndexBytes, OFFSET_INDEX_ENTRY_SIZE);
  }

  /** Adds an entry; `offset` must be above the last entry's. */
  append(offset: number, position: number): void {
    const pos = this.reserve();
    const b = this.data();
    b.writeInt32BE(offset - this.baseOffset, pos);
    b.writeInt32BE(position, pos + 4);
    this.commitEntry();
  }

  entry(i: number): OffsetPosition {
    const b = this.data();
    const at = i * OFFSET_INDEX_ENTRY_SIZE;
    return { offset: this.baseOffset + b.readInt32BE(at), position: b.readInt32BE(at + 4) };
  }

  /** The last entry, or (base offset, 0) when empty. */
  lastEntry(): OffsetPosition {
    return this.entries === 0 ? { offset: this.baseOffset, position: 0 } : this.entry(this.entries - 1);
  }

  /**
   * The entry with the largest offset ≤ `offset`, or (base offset, 0) if there is none: the
   * position from which a forward scan for `offset` starts.
   */
  lookup(offset: number): OffsetPosition {
    const i = this.floorEntry(offset - this.baseOffset, relOffsetAt);
    return i < 0 ? { offset: this.baseOffset, position: 0 } : this.entry(i);
  }

  /** Position to scan from for `offset`, without allocating. */
  lookupPosition(offset: number): number {
    const i = this.floorEntry(offset - this.baseOffset, relOffsetAt);
    return i < 0 ? 0 : this.data().readInt32BE(i * OFFSET_INDEX_ENTRY_SIZE + 4);
  }

  /** Removes every entry with offset ≥ `offset`. */
  truncateTo(offset: number): void {
    const i = this.floorEntry(offset - this.baseOffset - 1, relOffsetAt);
    this.truncateEntries(i + 1);
  }

  /**
   * Null when the entries are consistent with a segment of `logSize` bytes whose offsets are
   * below `nextSegmentBase` (when there is a next segment); else what is wrong.
   */
  sanityCheck(logSize: number, nextSegmentBase: number | undefined): string | null {
    let prevOff = -1;
    let prevPos = -1;
    const b = this.data();
    for (let i = 0; i < this.entries; i++) {
      const rel = b.readInt32BE(i * 8);
      const pos = b.readInt32BE(i * 8 + 4);
      if (rel <= prevOff && !(i === 0 && rel === 0)) return `entry ${i}: offset ${rel} not above ${prevOff}`;
      if (rel < 0) return `entry ${i}: negative relative offset ${rel}`;
      if (pos < prevPos || pos < 0) return `entry ${i}: position ${pos} below ${prevPos}`;
      if (pos >= logSize) return `entry ${i}: position ${pos} past the log size ${logSize}`;
      if (nextSegmentBase !== undefined && this.baseOffset + rel >= nextSegmentBase) {
        return `entry ${i}: offset ${this.baseOffset + rel} not below the next segment's ${nextSegmentBase}`;
      }
      prevOff = rel;
      prevPos = pos;
    }
    return null;
  }
}
