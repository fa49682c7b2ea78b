import { DecodeError } from './decode-error.ts';

/**
 * Splits a byte stream into Kafka frames: `[int32 size][size bytes]`.
 *
 * Chunks are pushed as they arrive from a socket. Complete frames inside a chunk are handed out
 * as views of that chunk (no copy). A frame split across chunks is kept as views of its pieces
 * and joined (one allocation, one copy) when its last byte arrives — never allocated up front
 * from its size prefix, so a client that announces a large frame and sends little holds only
 * what it sent. A size above `maxFrameBytes` (or negative) is reported before any of its body is
 * buffered, and the splitter stops.
 */
export class FrameSplitter {
  private readonly maxFrameBytes: number;
  private readonly onFrame: (frame: Buffer) => void;
  /** Bytes of a size prefix split across chunks (fewer than 4). */
  private header = Buffer.alloc(4);
  private headerFill = 0;
  /** Pieces of the frame being assembled across chunks (views of the pushed chunks). */
  private pieces: Buffer[] = [];
  /** Size of the frame being assembled, or -1 when none is. */
  private partialSize = -1;
  private partialFill = 0;
  private failed: DecodeError | null = null;

  constructor(maxFrameBytes: number, onFrame: (frame: Buffer) => void) {
    this.maxFrameBytes = maxFrameBytes;
    this.onFrame = onFrame;
  }

  /** The error that stopped the splitter, if any. */
  get error(): DecodeError | null {
    return this.failed;
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
        this.pieces.push(chunk.subarray(pos, pos + take));
        this.partialFill += take;
        pos += take;
        if (this.partialFill === this.partialSize) {
          const frame = Buffer.concat(this.pieces, this.partialSize);
          this.pieces = [];
          this.partialSize = -1;
          this.partialFill = 0;
          this.onFrame(frame);
        }
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
}

/** Prefixes a payload with its int32 size (allocates; encoders usually reserve the 4 bytes instead). */
export function frame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeInt32BE(payload.length, 0);
  out.set(payload, 4);
  return out;
}
