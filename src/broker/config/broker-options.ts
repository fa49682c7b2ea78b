/**
 * What `startBroker(options)` (src/broker/start-broker.ts, the composition root) takes and gives
 * back. Two ways in:
 * - the CLI resolves a BrokerConfig itself (so config errors stop it before anything starts) and
 *   passes `{ config, logger, clock }`;
 * - code and tests pass Kafka properties and/or shorthands:
 *   `startBroker({ port: 0, logDirs: [dir] })`, `startBroker({ properties: { 'num.partitions': 3 } })`.
 * resolveBrokerOptions() turns either into one BrokerConfig, Logger and Clock.
 */
import { type Clock, systemClock } from '../../common/clock.ts';
import { LineLogger, type Logger } from '../../common/logger.ts';
import { type BrokerConfig, brokerConfigFromProps } from './broker-config.ts';
import type { ListenerEndpoint } from './listeners.ts';

export interface BrokerOptions {
  /** A resolved configuration; when given, `properties` and the shorthands must be absent. */
  readonly config?: BrokerConfig;
  /** Kafka property names and values (text or typed), as in server.properties. */
  readonly properties?: Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;
  /** Shorthand for listeners=PLAINTEXT://<host>:<port>; 0 picks a free port. */
  readonly port?: number;
  /** Interface of the `port` shorthand; default: every interface. */
  readonly host?: string;
  /** Shorthand for log.dirs. */
  readonly logDirs?: readonly string[];
  /** Shorthand for broker.id. */
  readonly brokerId?: number;
  /** Default: info-level lines on stderr. */
  readonly logger?: Logger;
  /** Default: the system clock. */
  readonly clock?: Clock;
}

export interface ResolvedBrokerOptions {
  readonly config: BrokerConfig;
  readonly logger: Logger;
  readonly clock: Clock;
}

/** A running broker, as startBroker() resolves it. */
export interface BrokerHandle {
  /** The bound listeners (actual ports when 0 was asked). */
  readonly listeners: readonly ListenerEndpoint[];
  /**
   * Stops accepting connections, lets in-flight requests finish, flushes and closes the logs.
   * Idempotent: later calls return the same promise.
   */
  close(): Promise<void>;
}

/** The signature src/broker/start-broker.ts exports. */
export type StartBroker = (options?: BrokerOptions) => Promise<BrokerHandle>;

/** Builds the BrokerConfig, Logger and Clock a broker starts with; throws ConfigError on bad properties. */
export function resolveBrokerOptions(options: BrokerOptions = {}): ResolvedBrokerOptions {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? new LineLogger('info', { clock });
  const { config, properties, port, host, logDirs, brokerId } = options;
  const shorthand = port !== undefined || host !== undefined || logDirs !== undefined || brokerId !== undefined;
  if (config !== undefined) {
    if (properties !== undefined || shorthand) {
      throw new TypeError('startBroker: pass either config or properties/shorthands, not both');
    }
    return { config, logger, clock };
  }
  const props: Record<string, string | number | boolean | readonly string[]> = {};
  for (const [k, v] of Object.entries(properties ?? {})) if (v !== undefined) props[k] = v;
  if (port !== undefined || host !== undefined) {
    const h = host ?? '';
    props['listeners'] = `PLAINTEXT://${h.includes(':') ? `[${h}]` : h}:${port ?? 9092}`;
  }
  if (logDirs !== undefined) props['log.dirs'] = logDirs.join(',');
  if (brokerId !== undefined) props['broker.id'] = brokerId;
  return { config: brokerConfigFromProps(props, { logger }), logger, clock };
}
