/**
 * A loopback TCP proxy for fault injection between a client and a server: drop every connection
 * (the client sees a connection loss while the server lives on), hold the server's answers, or
 * partition (refuse new connections) — without touching either process. It also counts the
 * client's frames (int32 length-prefixed, as Kafka and ZooKeeper frame them) so tests can await
 * "N more frames of this kind went out" instead of sleeping.
 *
 * Lifecycle: `TcpProxy.start(port)` → faults on and off → `close()`.
 */
import { EventEmitter } from 'node:events';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { FrameSplitter } from '../../src/protocol/framing.ts';

interface Pair {
  client: Socket;
  server: Socket;
}

export class TcpProxy {
  readonly port: number;
  /** Emits 'frame' (payload: Buffer) for every complete frame a client sends. */
  readonly events = new EventEmitter();
  private readonly listener: Server;
  private readonly targetPort: number;
  private readonly pairs = new Set<Pair>();
  private refusing = false;
  private holding = false;

  private constructor(listener: Server, port: number, targetPort: number) {
    this.listener = listener;
    this.port = port;
    this.targetPort = targetPort;
    listener.on('connection', (client) => this.accept(client));
  }

  static start(targetPort: number): Promise<TcpProxy> {
    return new Promise((resolve, reject) => {
      const listener = createServer();
      listener.once('error', reject);
      listener.listen(0, '127.0.0.1', () => {
        const address = listener.address();
        if (typeof address !== 'object' || address === null) return reject(new Error('no address'));
        resolve(new TcpProxy(listener, address.port, targetPort));
      });
    });
  }

  get connectString(): string {
    return `127.0.0.1:${this.port}`;
  }

  get connections(): number {
    return this.pairs.size;
  }

  /** Closes every proxied connection at once. */
  dropConnections(): void {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.server.destroy();
    }
    this.pairs.clear();
  }

  /** While on, new connections are closed as soon as they are accepted (a partition). */
  setRefusing(on: boolean): void {
    this.refusing = on;
    if (on) this.dropConnections();
  }

  /** While on, the server's bytes wait in the proxy's socket instead of reaching the client. */
  setHolding(on: boolean): void {
    this.holding = on;
    for (const pair of this.pairs) {
      if (on) pair.server.pause();
      else pair.server.resume();
    }
  }

  /** Resolves once `count` more client frames have matched `match`. */
  waitForFrames(count: number, match: (frame: Buffer) => boolean): Promise<void> {
    return new Promise((resolve) => {
      let seen = 0;
      const onFrame = (frame: Buffer): void => {
        if (match(frame) && ++seen >= count) {
          this.events.off('frame', onFrame);
          resolve();
        }
      };
      this.events.on('frame', onFrame);
    });
  }

  close(): Promise<void> {
    this.dropConnections();
    return new Promise((resolve) => this.listener.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const server = netConnect({ host: '127.0.0.1', port: this.targetPort });
    const pair: Pair = { client, server };
    this.pairs.add(pair);
    const splitter = new FrameSplitter(64 * 1024 * 1024, (frame) => this.events.emit('frame', Buffer.from(frame)));
    client.on('data', (chunk: Buffer) => {
      splitter.push(chunk);
      server.write(chunk);
    });
    server.on('data', (chunk: Buffer) => client.write(chunk));
    if (this.holding) server.pause();
    const end = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on('close', end);
    server.on('close', end);
    client.on('error', end);
    server.on('error', end);
  }
}
