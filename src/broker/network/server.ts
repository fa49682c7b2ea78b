import { createServer, type Server, type Socket } from 'node:net';
import type { Clock } from '../../common/clock.ts';
import type { CoarseTimers } from '../../common/coarse-timers.ts';
import type { Logger } from '../../common/logger.ts';
import { Connection, type ConnectionLimits } from './connection.ts';
import type { RequestProcessor } from './request-processor.ts';

/** Where to listen: `listeners=PLAINTEXT://host:port` gives `{ name: 'PLAINTEXT', host, port }`. */
export interface ListenerConfig {
  readonly name: string;
  /** Interface to bind; undefined or empty binds all. */
  readonly host?: string | undefined;
  /** 0 picks a free port (reported by start()). */
  readonly port: number;
}

export interface BoundListener {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

export interface NetworkServerOptions {
  readonly listeners: readonly ListenerConfig[];
  readonly processor: RequestProcessor;
  readonly clock: Clock;
  readonly timers: CoarseTimers;
  readonly logger: Logger;
  readonly limits: ConnectionLimits;
  /**
   * [socket.send.buffer.bytes] Node cannot set SO_SNDBUF on TCP sockets, so this becomes each
   * socket's write high-water mark: above it a connection stops reading requests until the client
   * has taken its responses. -1 (Kafka's "OS default") keeps Node's default.
   */
  readonly sendBufferBytes?: number;
}

/**
 * The TCP side of the broker: one net.Server per listener, one Connection per accepted socket.
 *
 * Lifecycle: new → start() (binds every listener; rejects, closing what was bound, if one fails)
 * → close(graceMs): stop accepting; every connection stops reading, answers what it already
 * dispatched and closes; connections still open after graceMs are destroyed. close() resolves
 * when every socket is gone. A server is started at most once.
 */
export class NetworkServer {
  private readonly options: NetworkServerOptions;
  private readonly servers: Server[] = [];
  private readonly live = new Set<Connection>();
  private nextId = 1;
  private closing: Promise<void> | null = null;
  private started = false;

  constructor(options: NetworkServerOptions) {
    this.options = options;
  }

  /** Open connections. */
  get connections(): ReadonlySet<Connection> {
    return this.live;
  }

  /** Binds every listener; resolves with the bound addresses (actual ports when 0 was asked). */
  async start(): Promise<BoundListener[]> {
    if (this.started) throw new Error('NetworkServer.start() called twice');
    this.started = true;
    const bound: BoundListener[] = [];
    try {
      for (const l of this.options.listeners) bound.push(await this.listen(l));
    } catch (e) {
      await this.closeServers();
      throw e;
    }
    return bound;
  }

  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then closes every socket. */
  close(graceMs = 30_000): Promise<void> {
    this.closing ??= this.shutdown(graceMs);
    return this.closing;
  }

  private listen(l: ListenerConfig): Promise<BoundListener> {
    const hwm = this.options.sendBufferBytes;
    const server = createServer({
      allowHalfOpen: true,
      noDelay: true,
      ...(hwm !== undefined && hwm > 0 ? { highWaterMark: hwm } : {}),
    });
    server.on('connection', (socket) => this.accept(socket, l.name));
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      server.once('error', onError);
      server.listen({ host: l.host || undefined, port: l.port }, () => {
        server.off('error', onError);
        server.on('error', (e) => this.options.logger.error(`listener ${l.name}: ${e.message}`));
        const addr = server.address();
        if (addr === null || typeof addr === 'string') {
          reject(new Error(`listener ${l.name} has no TCP address`));
          return;
        }
        resolve({ name: l.name, host: addr.address, port: addr.port });
      });
    });
  }

  private accept(socket: Socket, listenerName: string): void {
    if (this.closing !== null) {
      socket.destroy();
      return;
    }
    const { processor, clock, timers, logger, limits } = this.options;
    const conn = new Connection(socket, this.nextId++, listenerName, limits, { processor, clock, timers, logger });
    this.live.add(conn);
    logger.debug(`accepted ${conn} on ${listenerName}`);
    conn.closed.then(() => {
      this.live.delete(conn);
      logger.debug(`closed ${conn}${conn.closeReason ? `: ${conn.closeReason}` : ''}`);
    });
  }

  private async shutdown(graceMs: number): Promise<void> {
    const stopped = this.closeServers();
    const all = [...this.live];
    for (const c of all) c.shutdown();
    const done = Promise.all(all.map((c) => c.closed));
    let expire!: () => void;
    const deadline = new Promise<void>((resolve) => {
      expire = resolve;
    });
    const timer = this.options.clock.schedule(graceMs, () => expire());
    await Promise.race([done, deadline]);
    timer.cancel();
    for (const c of this.live) {
      this.options.logger.warn(`closing ${c}: still busy ${graceMs} ms after shutdown began`);
      c.destroy('shutdown grace period over');
    }
    await done;
    await stopped;
  }

  private closeServers(): Promise<void> {
    return Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (!s.listening) resolve();
            else s.close(() => resolve());
          }),
      ),
    ).then(() => {});
  }
}
