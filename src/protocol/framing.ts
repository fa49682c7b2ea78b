import { DecodeError } from './decode-error.ts';

/**
 * Splits a byte stream into Kafka frames: `[int32 size][size bytes]`.
 *
 * Chunks are pushed as they arrive from a socket. Complete frames inside a chunk are handed out
 * as views of that chunk (no copy). A frame split across chunks is copied into a buffer that
 * grows by doubling (never past the frame's size) as its bytes arrive — never allocated up front
 * from its size prefix, so a client that announces a large frame and sends little holds about
 * what it sent, however small its pieces. A size above `maxFrameBytes` (or negative) is reported before any of its body is
 * buffered, and the splitter stops.
 *
 * A client reading a broker it trusts (`trustSizes`) allocates a split frame at its announced
 * size at once: the doubling copies each large response about twice more, which for a consumer
 * of multi-megabyte fetches costs more than the broker's work.
 */
const EMPTY = Buffer.alloc(0);
/** First allocation for a split frame; small frames then complete without regrowing. */
const MIN_PARTIAL = 16 * 1024;

export class FrameSplitter {
  private readonly maxFrameBytes: number;
  private readonly onFrame: (frame: Buffer) => void;
  /** Bytes of a size prefix split across chunks (fewer than 4). */
  private header = Buffer.alloc(4);
  private headerFill = 0;
  /** The frame being assembled across chunks (its first `partialFill` bytes are filled). */
  private partial: Buffer = EMPTY;
  /** Size of the frame being assembled, or -1 when none is. */
  private partialSize = -1;
  private partialFill = 0;
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

  /** Bytes allocated for the incomplete frame (at most twice what arrived, or 16 KiB). */
  get bufferedCapacity(): number {
    return this.partial.length;
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
        const need = this.partialFill + take;
        if (need > this.partial.length) {
          const grown = Buffer.allocUnsafe(
            this.trustSizes
              ? this.partialSize
              : Math.min(this.partialSize, Math.max(need, 2 * this.partial.length, MIN_PARTIAL)),
          );
          this.partial.copy(grown, 0, 0, this.partialFill);
          this.partial = grown;
        }
        chunk.copy(this.partial, this.partialFill, pos, pos + take);
        this.partialFill = need;
        pos += take;
        if (this.partialFill === this.partialSize) {
          const frame = this.partial;
          this.partial = EMPTY;
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
