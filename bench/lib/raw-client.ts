/**
 * A minimal pipelined Kafka client for benchmarks: sends pre-encoded request frames over one
 * socket with up to `window` requests in flight and hands each response frame back in order.
 * Nothing is encoded or decoded on the hot path beyond the frame size prefix, so the figure is
 * the broker's, not the client's.
 */
import { Socket } from 'node:net';
import { FrameSplitter } from '../../src/protocol/framing.ts';
import { decodeResponseFrame, encodeRequestFrame } from '../../src/protocol/request.ts';

export class RawClient {
  private readonly socket: Socket;
  private readonly waiting: ((frame: Buffer) => void)[] = [];
  private head = 0;

  private constructor(socket: Socket) {
    this.socket = socket;
    const splitter = new FrameSplitter(
      1 << 30,
      (frame) => {
        const done = this.waiting[this.head];
        this.waiting[this.head++] = undefined as never;
        if (this.head > 4096 && this.head * 2 > this.waiting.length) {
          this.waiting.splice(0, this.head);
          this.head = 0;
        }
        done?.(frame);
      },
      { trustSizes: true },
    );
    socket.on('data', (chunk: Buffer) => splitter.push(chunk));
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = new Socket();
      s.setNoDelay(true);
      s.once('error', reject);
      s.connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
    });
  }

  /** Sends one frame (size prefix included); resolves with the response frame (without it). */
  request(frame: Buffer): Promise<Buffer> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.socket.write(frame);
    });
  }

  /** Sends a frame that gets no response (acks=0). */
  send(frame: Buffer): void {
    this.socket.write(frame);
  }

  /** Sends `count` requests made by `frameAt(i)` keeping `window` in flight; calls onResponse for each. */
  async pipeline(
    count: number,
    window: number,
    frameAt: (i: number) => Buffer,
    onResponse?: (frame: Buffer, i: number) => void,
  ): Promise<void> {
    let sent = 0;
    let done = 0;
    await new Promise<void>((resolve, reject) => {
      const pump = (): void => {
        while (sent < count && sent - done < window) {
          const i = sent++;
          void this.request(frameAt(i))
            .then((f) => {
              onResponse?.(f, i);
              done++;
              if (done === count) resolve();
              else pump();
            })
            .catch(reject);
        }
      };
      if (count === 0) resolve();
      else pump();
    });
  }

  /** CreateTopics (v4) for one topic with replication factor 1; throws on an error code. */
  async createTopic(name: string, partitions = 1): Promise<void> {
    const frame = encodeRequestFrame(
      { apiKey: 19, correlationId: 1, clientId: 'bench' },
      {
        topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
        timeoutMs: 10000,
        validateOnly: false,
      },
      4,
    );
    const res = decodeResponseFrame(19, 4, await this.request(frame));
    const code = res.body.topics[0]!.errorCode;
    if (code !== 0) throw new Error(`CreateTopics ${name} failed with error ${code}`);
  }

  close(): void {
    this.socket.destroy();
  }
}
