import { DecodeError } from './decode-error.ts';

/**
 * Splits a byte stream into Kafka frames: `[int32 size][size bytes]`.
 *
 * Chunks are pushed as they arrive from a socket. Complete frames inside a chunk are handed out
 * as views of that chunk (no copy). A frame split across chunks is gathered as it arrives, never
 * allocated up front from its size prefix, so a client that announces a large frame and sends
 * little holds about what it sent, however small its pieces:
 * - a large piece (at least 8 KiB, and at least half of the chunk it came in) is kept as a view
 *   of its chunk, not copied;
 * - smaller pieces are copied into a buffer sized like what arrived so far (doubling, never past
 *   the frame), which is filled, then kept, never regrown and copied again.
 * When the last byte arrives the pieces are joined with one copy (none when one piece is the whole
 * frame). Memory held stays under twice what arrived, plus 16 KiB. A 1 MiB produce request that
 * came in 64 KiB reads costs one allocation and one copy, where doubling one buffer cost about
 * two of each.
 * A size above `maxFrameBytes` (or negative) is reported before any of its body is buffered, and
 * the splitter stops.
 *
 * A client reading a broker it trusts (`trustSizes`) allocates a split frame at its announced
 * size at once and copies each piece into it.
 */
const EMPTY = Buffer.alloc(0);
/** First allocation for a split frame; small frames then complete without regrowing. */
const MIN_PARTIAL = 16 * 1024;
/** A piece of a split frame at least this large (and half its chunk) is kept by reference. */
const BORROW_MIN = 8 * 1024;

export class FrameSplitter {
  private readonly maxFrameBytes: number;
  private readonly onFrame: (frame: Buffer) => void;
  /** Bytes of a size prefix split across chunks (fewer than 4). */
  private header = Buffer.alloc(4);
  private headerFill = 0;
  /** Size of the frame being assembled, or -1 when none is. */
  private partialSize = -1;
  /** Bytes of it that arrived. */
  private partialFill = 0;
  /** Its pieces so far, in order, without the one in `tail`. */
  private pieces: Buffer[] = [];
  /** Memory the pieces hold (a view holds its whole chunk). */
  private piecesHeld = 0;
  /** Where small pieces are copied; its first `tailFill` bytes are filled. */
  private tail: Buffer = EMPTY;
  private tailFill = 0;
  /** Bytes of the frame copied into tails (the rest are views). */
  private copied = 0;
  private failed: DecodeError | null = null;

  private readonly trustSizes: boolean;

  constructor(maxFrameBytes: number, onFrame: (frame: Buffer) => void, options: { trustSizes?: boolean } = {}) {
    this.maxFrameBytes = maxFrameBytes;
    this.onFrame = onFrame;
    this.trustSizes = options.trustSizes === true;
  }

  /** The error that stopped the splitter, if any. */
  get error(): DecodeError | null {
    return this.failed;
  }

  /** Memory held for the incomplete frame (under twice what arrived, plus 16 KiB). */
  get bufferedCapacity(): number {
    return this.piecesHeld + this.tail.length;
  }

  /** Bytes held for an incomplete frame. */
  get bufferedBytes(): number {
    return this.headerFill + this.partialFill;
  }

  /**
   * Feeds a chunk. Returns false once the stream is unusable (oversized or negative size); the
   * caller should close the connection.
   */
  push(chunk: Buffer): boolean {
    if (this.failed !== null) return false;
    let pos = 0;
    const len = chunk.length;
    while (pos < len) {
      if (this.partialSize >= 0) {
        const take = Math.min(this.partialSize - this.partialFill, len - pos);
        this.gather(chunk, pos, take);
        pos += take;
        if (this.partialFill === this.partialSize) this.onFrame(this.joined());
        continue;
      }
      let size: number;
      if (this.headerFill > 0 || len - pos < 4) {
        const take = Math.min(4 - this.headerFill, len - pos);
        chunk.copy(this.header, this.headerFill, pos, pos + take);
        this.headerFill += take;
        pos += take;
        if (this.headerFill < 4) return true;
        this.headerFill = 0;
        size = this.header.readInt32BE(0);
      } else {
        size = chunk.readInt32BE(pos);
        pos += 4;
      }
      if (size < 0 || size > this.maxFrameBytes) {
        this.failed = new DecodeError(
          'FRAME_TOO_LARGE',
          size < 0
            ? `negative frame size ${size}`
            : `frame of ${size} bytes exceeds the limit of ${this.maxFrameBytes}`,
        );
        return false;
      }
      if (len - pos >= size) {
        const frame = chunk.subarray(pos, pos + size);
        pos += size;
        this.onFrame(frame);
      } else {
        this.partialSize = size;
        this.partialFill = 0;
      }
    }
    return true;
  }

  /** Adds `take` bytes of `chunk` from `pos` to the frame being assembled. */
  private gather(chunk: Buffer, pos: number, take: number): void {
    if (this.trustSizes) {
      if (this.tail.length === 0) this.tail = Buffer.allocUnsafe(this.partialSize);
    } else if (take >= BORROW_MIN && take * 2 >= chunk.buffer.byteLength) {
      this.seal();
      this.pieces.push(chunk.subarray(pos, pos + take));
      this.piecesHeld += chunk.buffer.byteLength;
      this.partialFill += take;
      return;
    } else if (this.tail.length - this.tailFill < take) {
      this.seal();
      // Doubling over the bytes copied so far: tails hold under twice those, plus 16 KiB.
      const remaining = this.partialSize - this.partialFill;
      this.tail = Buffer.allocUnsafe(Math.min(remaining, Math.max(this.copied + take, MIN_PARTIAL)));
    }
    chunk.copy(this.tail, this.tailFill, pos, pos + take);
    this.tailFill += take;
    this.copied += take;
    this.partialFill += take;
  }

  /** Moves the filled part of `tail` to the pieces. */
  private seal(): void {
    if (this.tailFill > 0) {
      this.pieces.push(this.tail.subarray(0, this.tailFill));
      this.piecesHeld += this.tail.length;
    }
    this.tail = EMPTY;
    this.tailFill = 0;
  }

  /** The completed frame (one copy, unless a single piece is all of it); resets the assembly. */
  private joined(): Buffer {
    this.seal();
    const pieces = this.pieces;
    let frame: Buffer;
    if (pieces.length === 1) {
      frame = pieces[0]!;
    } else {
      frame = Buffer.allocUnsafe(this.partialSize);
      let at = 0;
      for (const p of pieces) at += p.copy(frame, at);
    }
    this.pieces = [];
    this.piecesHeld = 0;
    this.copied = 0;
    this.partialSize = -1;
    this.partialFill = 0;
    return frame;
  }
}

/** Prefixes a payload with its int32 size (allocates; encoders usually reserve the 4 bytes instead). */
export function frame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeInt32BE(payload.length, 0);
  out.set(payload, 4);
  return out;
}
