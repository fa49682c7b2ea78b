import { type Clock, systemClock } from '../common/clock.ts';
import { CoarseTimers } from '../common/coarse-timers.ts';
import { LineLogger, type Logger } from '../common/logger.ts';
import { type Handler, HandlerTable } from './handler.ts';
import { builtinHandlers } from './handlers/index.ts';
import type { ConnectionLimits } from './network/connection.ts';
import { type BoundListener, type ListenerConfig, NetworkServer } from './network/server.ts';
import { RequestDispatcher } from './request-dispatcher.ts';
import type { BrokerServices } from './services.ts';

/** Kafka's defaults for the network settings Samsa reads. */
export const NETWORK_DEFAULTS = {
  port: 9092,
  /** socket.request.max.bytes */
  maxRequestBytes: 104_857_600,
  /** connections.max.idle.ms */
  idleTimeoutMs: 600_000,
  /** socket.send.buffer.bytes */
  sendBufferBytes: 102_400,
  /** Per connection; Kafka answers one request per connection at a time, Samsa pipelines. */
  maxInFlightRequests: 128,
  /** How long close() lets in-flight requests finish. */
  shutdownGraceMs: 30_000,
} as const;

export interface BrokerServerOptions {
  /** The services handlers use (ctx.services). */
  readonly services: BrokerServices;
  /** [listeners] Defaults to one PLAINTEXT listener on `host`:`port`. */
  readonly listeners?: readonly ListenerConfig[];
  /** [host.name] Interface for the default listener; all interfaces when absent. */
  readonly host?: string;
  /** [port] Port of the default listener; 0 picks a free one. */
  readonly port?: number;
  /** [socket.request.max.bytes] */
  readonly maxRequestBytes?: number;
  /** [connections.max.idle.ms] */
  readonly idleTimeoutMs?: number;
  /**
   * [socket.send.buffer.bytes] Node cannot set SO_SNDBUF/SO_RCVBUF on TCP sockets, so this is the
   * per-connection write high-water mark instead; -1 keeps Node's default. (socket.receive.buffer.bytes
   * has no Node equivalent and is not used.)
   */
  readonly sendBufferBytes?: number;
  readonly maxInFlightRequestsPerConnection?: number;
  readonly shutdownGraceMs?: number;
  /** The APIs served; defaults to builtinHandlers. */
  readonly handlers?: HandlerTable | readonly Handler[];
  readonly clock?: Clock;
  /** Shared coarse timers (purgatories, idle checks); made from `clock` when absent, and then owned. */
  readonly timers?: CoarseTimers;
  readonly logger?: Logger;
}

/**
 * The request path of a broker: handler table + dispatcher + network server, over one Clock, one
 * set of CoarseTimers and one Logger. The full composition (startBroker: config, storage,
 * replication, coordinators) builds the services and one BrokerServer; handlers reach the
 * services through `ctx.services`.
 *
 * Lifecycle: new → start() (binds listeners) → close() (stop accepting, let in-flight requests
 * finish for up to shutdownGraceMs, close sockets, stop owned timers). close() is idempotent and
 * safe before start().
 */
export class BrokerServer {
  readonly clock: Clock;
  readonly timers: CoarseTimers;
  readonly logger: Logger;
  readonly handlers: HandlerTable;
  readonly services: BrokerServices;
  private readonly server: NetworkServer;
  private readonly ownsTimers: boolean;
  private readonly shutdownGraceMs: number;
  private bound: BoundListener[] = [];
  private closing: Promise<void> | null = null;

  constructor(options: BrokerServerOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? new LineLogger('info', { clock: this.clock });
    this.ownsTimers = options.timers === undefined;
    this.timers = options.timers ?? new CoarseTimers(this.clock, { logger: this.logger });
    const h = options.handlers ?? builtinHandlers;
    this.handlers = h instanceof HandlerTable ? h : new HandlerTable(h);
    this.services = options.services;
    this.shutdownGraceMs = options.shutdownGraceMs ?? NETWORK_DEFAULTS.shutdownGraceMs;
    const limits: ConnectionLimits = {
      maxRequestBytes: options.maxRequestBytes ?? NETWORK_DEFAULTS.maxRequestBytes,
      maxInFlightRequests: options.maxInFlightRequestsPerConnection ?? NETWORK_DEFAULTS.maxInFlightRequests,
      idleTimeoutMs: options.idleTimeoutMs ?? NETWORK_DEFAULTS.idleTimeoutMs,
    };
    const dispatcher = new RequestDispatcher({
      handlers: this.handlers,
      services: this.services,
      clock: this.clock,
      logger: this.logger,
    });
    this.server = new NetworkServer({
      listeners: options.listeners ?? [
        { name: 'PLAINTEXT', host: options.host, port: options.port ?? NETWORK_DEFAULTS.port },
      ],
      processor: dispatcher,
      clock: this.clock,
      timers: this.timers,
      logger: this.logger,
      limits,
      sendBufferBytes: options.sendBufferBytes ?? NETWORK_DEFAULTS.sendBufferBytes,
    });
  }

  /** Binds the listeners; resolves with their addresses (actual ports when 0 was asked). */
  async start(): Promise<readonly BoundListener[]> {
    this.bound = await this.server.start();
    for (const l of this.bound) this.logger.info(`listening on ${l.name}://${l.host}:${l.port}`);
    return this.bound;
  }

  /** The bound listeners (empty before start()). */
  get listeners(): readonly BoundListener[] {
    return this.bound;
  }

  /** The first listener's bound port. */
  get port(): number {
    const first = this.bound[0];
    if (first === undefined) throw new Error('broker not started');
    return first.port;
  }

  /** Open client connections. */
  get connectionCount(): number {
    return this.server.connections.size;
  }

  /** Graceful stop; see the class comment. */
  close(): Promise<void> {
    this.closing ??= this.server.close(this.shutdownGraceMs).then(() => {
      if (this.ownsTimers) this.timers.close();
    });
    return this.closing;
  }
}
