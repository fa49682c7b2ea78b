import { connect, type Socket } from 'node:net';
import type { BrokerServices } from '../../src/broker/services.ts';
import { FrameSplitter } from '../../src/protocol/framing.ts';
import type { ApiMessages } from '../../src/protocol/messages/generated/api-table.ts';
import { decodeResponseFrame, encodeRequestFrame } from '../../src/protocol/request.ts';

/** Services for tests that need none: handlers under test only see what a test puts here. */
export function testServices(extra: Partial<BrokerServices> = {}): BrokerServices {
  return { brokerId: 0, ...extra } as BrokerServices;
}

/** A promise with its resolve function outside, for handlers a test releases by hand. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Resolves on the next turn of the event loop (after pending I/O callbacks). */
export const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

const openSockets = new Set<Socket>();

/** Remembers a client socket so destroyAllSockets() can end it when a test fails midway. */
export function track(socket: Socket): Socket {
  openSockets.add(socket);
  socket.once('close', () => openSockets.delete(socket));
  return socket;
}

/** For `after()`: a failed test must not leave a socket keeping the test process alive. */
export function destroyAllSockets(): void {
  for (const s of openSockets) s.destroy();
}

/** Encodes a request frame (size prefix included). */
export function request<K extends keyof ApiMessages>(
  apiKey: K,
  version: number,
  correlationId: number,
  body: ApiMessages[K]['request'],
  clientId: string | null = 'test',
): Buffer {
  return encodeRequestFrame({ apiKey, correlationId, clientId }, body, version);
}

/** A hand-made frame: `[size][api key][version][correlation id][client id][body bytes]`. */
export function rawRequest(apiKey: number, version: number, correlationId: number, body = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(4 + 8 + 2 + body.length);
  b.writeInt32BE(b.length - 4, 0);
  b.writeInt16BE(apiKey, 4);
  b.writeInt16BE(version, 6);
  b.writeInt32BE(correlationId, 8);
  b.writeInt16BE(-1, 12); // null client id
  body.copy(b, 14);
  return b;
}

/**
 * A client on a raw socket: write bytes, await response frames in arrival order, await close.
 * Frames are the bytes after the size prefix.
 */
export class RawClient {
  readonly socket: Socket;
  readonly closed: Promise<void>;
  private readonly frames: Buffer[] = [];
  private waiters: { n: number; resolve: (f: Buffer[]) => void }[] = [];
  private ended = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    const splitter = new FrameSplitter(1 << 30, (f) => {
      this.frames.push(Buffer.from(f));
      this.wake();
    });
    socket.on('data', (chunk: Buffer) => splitter.push(chunk));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.ended = true;
        this.wake();
        resolve();
      }),
    );
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = track(
        connect({ port, host }, () => {
          s.off('error', reject);
          resolve(new RawClient(s));
        }),
      );
      s.once('error', reject);
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Frames received so far and not yet taken. */
  get buffered(): number {
    return this.frames.length;
  }

  /** The next `n` frames; rejects if the socket closes first. */
  read(n: number): Promise<Buffer[]> {
    return new Promise((resolve, reject) => {
      this.waiters.push({
        n,
        resolve: (f) => (f.length === n ? resolve(f) : reject(new Error(`closed after ${f.length}/${n} frames`))),
      });
      this.wake();
    });
  }

  async readOne(): Promise<Buffer> {
    return (await this.read(1))[0]!;
  }

  /** Decodes the next frame as a response of `version` of `apiKey`. */
  async response<K extends keyof ApiMessages>(apiKey: K, version: number) {
    return decodeResponseFrame(apiKey, version, await this.readOne());
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    while (this.waiters.length > 0) {
      const w = this.waiters[0]!;
      if (this.frames.length >= w.n) {
        this.waiters.shift();
        w.resolve(this.frames.splice(0, w.n));
      } else if (this.ended) {
        this.waiters.shift();
        w.resolve(this.frames.splice(0));
      } else {
        return;
      }
    }
  }
}
