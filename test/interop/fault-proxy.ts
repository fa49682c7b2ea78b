/**
 * A TCP proxy between a Kafka client and one broker that sees whole frames, to test what clients
 * do when the network fails at the worst moment. The broker advertises the proxy's address
 * (`advertised.listeners`), so every connection the client opens goes through it.
 *
 * - It notes the API versions the client uses, and keeps a copy of every Produce request frame
 *   (size prefix included), e.g. to replay one.
 * - With `dropProduceResponses = n`, the next n Produce *responses* are swallowed and that
 *   connection is cut: the broker has appended the batch, the client never hears so and retries.
 *
 * Lifecycle: start() (listens on 127.0.0.1, a free port) → setTarget(port) once the broker is up →
 * close() (ends every connection).
 */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { FrameSplitter } from '../../src/protocol/framing.ts';

const PRODUCE = 0;
const MAX_FRAME = 200 << 20;

export interface CapturedRequest {
  /** The whole frame, size prefix included. */
  readonly frame: Buffer;
  readonly apiVersion: number;
  readonly correlationId: number;
}

export class FaultProxy {
  readonly produceRequests: CapturedRequest[] = [];
  /** API key → versions the client sent. */
  readonly requestVersions = new Map<number, Set<number>>();
  /** Produce responses to swallow (cutting the connection each time). */
  dropProduceResponses = 0;
  /** Produce responses swallowed so far. */
  dropped = 0;
  private server: Server | null = null;
  private targetPort: number | null = null;
  private readonly sockets = new Set<Socket>();

  get port(): number {
    const a = this.server?.address();
    if (!a || typeof a === 'string') throw new Error('proxy not listening');
    return a.port;
  }

  async start(): Promise<void> {
    this.server = createServer((client) => this.accept(client));
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
  }

  /** The versions used per API, e.g. `{ Produce: [11] }`, with names from `names`. */
  versionsUsed(names: Record<number, string>): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const [key, versions] of [...this.requestVersions].sort((a, b) => a[0] - b[0])) {
      out[names[key] ?? `api${key}`] = [...versions].sort((a, b) => a - b);
    }
    return out;
  }

  setTarget(port: number): void {
    this.targetPort = port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server) {
      this.server.close();
      await once(this.server, 'close');
    }
  }

  private track(s: Socket): Socket {
    this.sockets.add(s);
    s.once('close', () => this.sockets.delete(s));
    s.on('error', () => {});
    return s;
  }

  private accept(client: Socket): void {
    this.track(client);
    if (this.targetPort === null) {
      client.destroy();
      return;
    }
    const upstream = this.track(connect(this.targetPort, '127.0.0.1'));
    const cut = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.once('close', cut);
    upstream.once('close', cut);

    const produceCorrelationIds = new Set<number>();
    const requests = new FrameSplitter(MAX_FRAME, (frame) => {
      const apiKey = frame.readInt16BE(0);
      const versions = this.requestVersions.get(apiKey) ?? new Set<number>();
      versions.add(frame.readInt16BE(2));
      this.requestVersions.set(apiKey, versions);
      if (apiKey !== PRODUCE) return;
      const correlationId = frame.readInt32BE(4);
      produceCorrelationIds.add(correlationId);
      const whole = Buffer.alloc(4 + frame.length);
      whole.writeInt32BE(frame.length, 0);
      frame.copy(whole, 4);
      this.produceRequests.push({ frame: whole, apiVersion: frame.readInt16BE(2), correlationId });
    });
    client.on('data', (chunk: Buffer) => {
      if (!requests.push(chunk)) return cut();
      upstream.write(chunk);
    });

    const responses = new FrameSplitter(MAX_FRAME, (frame) => {
      const correlationId = frame.readInt32BE(0);
      if (produceCorrelationIds.delete(correlationId) && this.dropProduceResponses > 0) {
        this.dropProduceResponses--;
        this.dropped++;
        cut();
        return;
      }
      if (client.destroyed) return;
      const prefix = Buffer.alloc(4);
      prefix.writeInt32BE(frame.length, 0);
      client.write(prefix);
      client.write(frame);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!responses.push(chunk)) cut();
    });
  }
}
