/**
 * The broker's resolved configuration: typed fields for what Samsa acts on, built from Kafka
 * property names (a server.properties file, `--override`s, or code) by brokerConfigFromProps().
 *
 * Resolution, as Kafka does it:
 * - Each known key is parsed and checked against broker-config-defs.ts; a bad value throws a
 *   ConfigError naming the key, the value and what is allowed. Keys Samsa does not use (Kafka's,
 *   or unknown ones) are accepted with one warning line each.
 * - `listeners` wins; without it the 0.8 keys give `PLAINTEXT://<host.name>:<port>`.
 *   `advertised.listeners` wins; without it `advertised.host.name`/`advertised.port` (0.8), else
 *   the listeners, with wildcard hosts (empty, 0.0.0.0, ::) advertised as localhost.
 * - `log.dirs` wins over `log.dir`; retention is log.retention.ms, else .minutes, else .hours
 *   (storage/config.ts applies these synonyms; see storage/topic-config-defs.ts).
 * - `node.id` and `broker.id` name the same thing; if both are set they must agree.
 *
 * With no properties at all: broker 0, PLAINTEXT on every interface port 9092 advertised as
 * localhost:9092, data in ./samsa-data, the embedded metadata store.
 */
import {
  ConfigError,
  type ConfigValue,
  formatConfigValue,
  parseConfigValue,
  type RawConfigValue,
} from '../../common/config-def.ts';
import type { Logger } from '../../common/logger.ts';
import {
  type LogConfig,
  type LogManagerConfig,
  logConfigFromProps,
  logManagerConfigFromProps,
} from '../../storage/config.ts';
import { StorageError } from '../../storage/errors.ts';
import { TOPIC_CONFIGS } from '../../storage/topic-config-defs.ts';
import { BROKER_CONFIG_DEFS } from './broker-config-defs.ts';
import { isWildcardHost, type ListenerEndpoint, parseListenerList, parseProtocolMap } from './listeners.ts';

/** Properties as given: a map or a plain object; undefined entries are skipped. */
export type PropertyInput = ReadonlyMap<string, RawConfigValue> | Readonly<Record<string, RawConfigValue | undefined>>;

export interface ZooKeeperConfig {
  /** host:port[,host:port...][/chroot] */
  readonly connect: string;
  readonly sessionTimeoutMs: number;
  readonly connectionTimeoutMs: number;
}

export interface BrokerConfig {
  /** broker.id (or node.id). */
  readonly brokerId: number;
  /** broker.rack */
  readonly rack: string | null;
  /** Where to listen (listeners, or the 0.8 host.name/port); KRaft controller listeners left out. */
  readonly listeners: readonly ListenerEndpoint[];
  /** What clients are told (advertised.listeners, advertised.host.name/port, or the listeners). */
  readonly advertisedListeners: readonly ListenerEndpoint[];
  /** The advertised listener followers fetch from. */
  readonly interBrokerListenerName: string;
  /** log.dirs, else log.dir. */
  readonly logDirs: readonly string[];
  /** Defaults of every log; topic overrides apply on top (storage's LogConfig). */
  readonly logDefaults: LogConfig;
  /** The log manager's settings (dirs, check intervals, cleaner). */
  readonly logManager: LogManagerConfig;
  /** null: no zookeeper.connect, use the embedded metadata store. */
  readonly zookeeper: ZooKeeperConfig | null;

  readonly socketRequestMaxBytes: number;
  readonly socketSendBufferBytes: number;
  readonly socketListenBacklogSize: number;
  readonly connectionsMaxIdleMs: number;
  readonly queuedMaxRequests: number;

  readonly autoCreateTopicsEnable: boolean;
  readonly deleteTopicEnable: boolean;
  readonly numPartitions: number;
  readonly defaultReplicationFactor: number;
  readonly minInsyncReplicas: number;
  readonly messageMaxBytes: number;
  readonly compressionType: string;
  readonly uncleanLeaderElectionEnable: boolean;
  readonly fetchMaxBytes: number;
  readonly maxIncrementalFetchSessionCacheSlots: number;

  readonly replicaLagTimeMaxMs: number;
  readonly numReplicaFetchers: number;
  readonly replicaFetchMaxBytes: number;
  readonly replicaFetchMinBytes: number;
  readonly replicaFetchWaitMaxMs: number;
  readonly replicaFetchBackoffMs: number;
  readonly replicaFetchResponseMaxBytes: number;
  readonly replicaSocketTimeoutMs: number;
  readonly replicaHighWatermarkCheckpointIntervalMs: number;
  readonly controlledShutdownEnable: boolean;
  readonly autoLeaderRebalanceEnable: boolean;

  readonly groupMinSessionTimeoutMs: number;
  readonly groupMaxSessionTimeoutMs: number;
  readonly groupInitialRebalanceDelayMs: number;
  readonly groupMaxSize: number;
  readonly offsetMetadataMaxBytes: number;
  readonly offsetsTopicNumPartitions: number;
  readonly offsetsTopicReplicationFactor: number;
  readonly offsetsTopicSegmentBytes: number;
  /** offsets.retention.minutes in ms. */
  readonly offsetsRetentionMs: number;
  readonly offsetsRetentionCheckIntervalMs: number;
  readonly offsetsCommitTimeoutMs: number;

  readonly transactionalIdExpirationMs: number;
  readonly producerIdExpirationMs: number;
  readonly producerIdExpirationCheckIntervalMs: number;

  /** Parsed value of every known property, set or defaulted (null: no default), by Kafka name. */
  readonly values: ReadonlyMap<string, ConfigValue>;
  /** The properties as supplied (file, then overrides, or code), unknown ones included, as text. */
  readonly originals: ReadonlyMap<string, string>;
}

export interface BrokerConfigOptions {
  /** Receives one warning line per key Samsa ignores. */
  readonly logger?: Logger;
}

function entriesOf(input: PropertyInput): [string, RawConfigValue][] {
  const list = input instanceof Map ? [...input] : Object.entries(input as Record<string, RawConfigValue | undefined>);
  return list.filter((e): e is [string, RawConfigValue] => e[1] !== undefined);
}

function rawText(raw: RawConfigValue): string {
  return Array.isArray(raw) ? raw.join(',') : String(raw);
}

function warnIgnored(key: string, logger: Logger | undefined, used: boolean | undefined): void {
  if (logger === undefined) return;
  if (used === false) {
    logger.warn(`Configuration ${key} is not used by Samsa; ignoring it`);
  } else {
    const topic = TOPIC_CONFIGS.get(key);
    const hint = topic?.synonyms[0] ? ` (a topic config; the broker default is ${topic.synonyms[0].name})` : '';
    logger.warn(`Unknown configuration ${key}; ignoring it${hint}`);
  }
}

/** Reads typed values out of the parsed map. */
class Values {
  /** Every known property, set or defaulted. */
  readonly map: ReadonlyMap<string, ConfigValue>;
  /** The known properties that were set. */
  readonly given: ReadonlySet<string>;
  constructor(map: ReadonlyMap<string, ConfigValue>, given: ReadonlySet<string>) {
    this.map = map;
    this.given = given;
  }
  num(name: string): number {
    return this.map.get(name) as number;
  }
  bool(name: string): boolean {
    return this.map.get(name) as boolean;
  }
  str(name: string): string | null {
    return this.map.get(name) as string | null;
  }
}

function conflict(message: string, key: string): ConfigError {
  return new ConfigError('CONFLICT', message, key);
}

function resolveBrokerId(v: Values): number {
  const nodeId = v.num('node.id');
  if (!v.given.has('node.id') || nodeId === -1) return v.num('broker.id');
  if (v.given.has('broker.id') && v.num('broker.id') !== nodeId) {
    throw conflict(`node.id (${nodeId}) must equal broker.id (${v.num('broker.id')}) when both are set`, 'node.id');
  }
  if (nodeId < 0) throw conflict(`Invalid value '${nodeId}' for configuration node.id: must be at least 0`, 'node.id');
  return nodeId;
}

function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function resolveListeners(v: Values, logger: Logger | undefined): [ListenerEndpoint[], ListenerEndpoint[], string] {
  const protocols = parseProtocolMap('listener.security.protocol.map', v.str('listener.security.protocol.map') ?? '');
  const controllerNames = new Set(
    (v.str('controller.listener.names') ?? '')
      .split(',')
      .map((s) => s.trim().toUpperCase())
      .filter((s) => s !== ''),
  );
  const notController = (l: ListenerEndpoint): boolean => !controllerNames.has(l.name);
  let listeners: ListenerEndpoint[];
  if (v.given.has('listeners')) {
    for (const old of ['port', 'host.name']) {
      if (v.given.has(old)) logger?.warn(`Configuration ${old} is ignored because listeners is set`);
    }
    const text = v.str('listeners') ?? '';
    listeners = parseListenerList('listeners', text, protocols, { distinctPorts: true }).filter(notController);
  } else {
    const text = `PLAINTEXT://${hostPort(v.str('host.name') ?? '', v.num('port'))}`;
    listeners = parseListenerList('listeners', text, protocols, { distinctPorts: true });
  }
  if (listeners.length === 0) {
    throw conflict('listeners must name at least one listener that is not a controller listener', 'listeners');
  }

  let advertised: ListenerEndpoint[];
  const oldAdvertised = v.given.has('advertised.host.name') || v.given.has('advertised.port');
  if (v.given.has('advertised.listeners')) {
    for (const old of ['advertised.host.name', 'advertised.port']) {
      if (v.given.has(old)) logger?.warn(`Configuration ${old} is ignored because advertised.listeners is set`);
    }
    const text = v.str('advertised.listeners') ?? '';
    advertised = parseListenerList('advertised.listeners', text, protocols, { distinctPorts: false }).filter(
      notController,
    );
    const meta = advertised.find((l) => l.host === '0.0.0.0' || l.host === '::');
    if (meta !== undefined) {
      throw new ConfigError(
        'INVALID_VALUE',
        `Invalid value '${text}' for configuration advertised.listeners: cannot use the nonroutable meta-address ${meta.host}; use a routable address`,
        'advertised.listeners',
      );
    }
  } else if (oldAdvertised) {
    const first = listeners[0]!;
    const host = v.str('advertised.host.name') ?? v.str('host.name') ?? '';
    const port = v.given.has('advertised.port') ? v.num('advertised.port') : first.port;
    advertised = [{ ...first, host, port }];
  } else {
    advertised = [...listeners];
  }
  advertised = advertised.map((l) => (isWildcardHost(l.host) ? { ...l, host: 'localhost' } : l));

  const names = new Set(listeners.map((l) => l.name));
  const stray = advertised.find((l) => !names.has(l.name));
  if (stray !== undefined) {
    throw conflict(
      `advertised.listeners names ${stray.name}, which is not in listeners (${[...names].join(',')})`,
      'advertised.listeners',
    );
  }
  const explicit = v.str('inter.broker.listener.name');
  const interBroker =
    explicit?.toUpperCase() ?? (advertised.some((l) => l.name === 'PLAINTEXT') ? 'PLAINTEXT' : advertised[0]!.name);
  if (!advertised.some((l) => l.name === interBroker)) {
    throw conflict(
      `inter.broker.listener.name must be a listener name in advertised.listeners (${advertised.map((l) => l.name).join(',')}), not ${interBroker}`,
      'inter.broker.listener.name',
    );
  }
  return [listeners, advertised, interBroker];
}

function resolveLogDirs(v: Values, logger: Logger | undefined): string[] {
  const useDirs = v.given.has('log.dirs');
  if (useDirs && v.given.has('log.dir')) logger?.warn('Configuration log.dir is ignored because log.dirs is set');
  const text = (useDirs ? v.str('log.dirs') : v.str('log.dir')) ?? '';
  const dirs = text
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  const key = useDirs ? 'log.dirs' : 'log.dir';
  if (dirs.length === 0) {
    throw new ConfigError(
      'INVALID_VALUE',
      `Invalid value '${text}' for configuration ${key}: must name at least one directory`,
      key,
    );
  }
  return dirs;
}

/** Storage parses log properties itself; it gets the checked values of the keys that were set. */
function storageProps(v: Values, logDirs: readonly string[]): Record<string, string | number | boolean> {
  const props: Record<string, string | number | boolean> = {};
  for (const key of v.given) {
    const def = BROKER_CONFIG_DEFS.get(key);
    const value = v.map.get(key);
    if (def === undefined || value === null || value === undefined) continue;
    props[key] = Array.isArray(value) ? formatConfigValue(def.type, value)! : (value as string | number | boolean);
  }
  props['log.dirs'] = logDirs.join(',');
  return props;
}

function checkReplicaFetchWait(v: Values): void {
  const wait = v.num('replica.fetch.wait.max.ms');
  if (wait > v.num('replica.socket.timeout.ms')) {
    throw conflict(
      'replica.socket.timeout.ms should always be at least replica.fetch.wait.max.ms to prevent unnecessary socket timeouts',
      'replica.socket.timeout.ms',
    );
  }
  if (wait > v.num('replica.lag.time.max.ms')) {
    throw conflict(
      'replica.fetch.wait.max.ms should always be less than or equal to replica.lag.time.max.ms to prevent frequent changes in ISR',
      'replica.fetch.wait.max.ms',
    );
  }
}

/** Parses and checks every property, resolves aliases and defaults; throws ConfigError on the first bad value. */
export function brokerConfigFromProps(input: PropertyInput = {}, options: BrokerConfigOptions = {}): BrokerConfig {
  const { logger } = options;
  const values = new Map<string, ConfigValue>();
  const originals = new Map<string, string>();
  for (const [key, raw] of entriesOf(input)) {
    originals.set(key, rawText(raw));
    const def = BROKER_CONFIG_DEFS.get(key);
    if (def === undefined) {
      warnIgnored(key, logger, undefined);
      continue;
    }
    values.set(key, parseConfigValue(def, raw));
    if (!def.used) warnIgnored(key, logger, false);
  }
  const given = new Set(values.keys());
  for (const [name, def] of BROKER_CONFIG_DEFS) if (!values.has(name)) values.set(name, def.default);
  const v = new Values(values, given);

  const brokerId = resolveBrokerId(v);
  const [listeners, advertisedListeners, interBrokerListenerName] = resolveListeners(v, logger);
  const logDirs = resolveLogDirs(v, logger);
  checkReplicaFetchWait(v);
  let logDefaults: LogConfig;
  let logManager: LogManagerConfig;
  try {
    const props = storageProps(v, logDirs);
    logDefaults = logConfigFromProps(props);
    logManager = logManagerConfigFromProps(props);
  } catch (e) {
    if (e instanceof StorageError) throw new ConfigError('INVALID_VALUE', `Invalid log configuration: ${e.message}`);
    throw e;
  }
  const connect = v.str('zookeeper.connect');
  const sessionTimeoutMs = v.num('zookeeper.session.timeout.ms');
  const zookeeper =
    connect === null || connect === ''
      ? null
      : {
          connect,
          sessionTimeoutMs,
          connectionTimeoutMs: (v.map.get('zookeeper.connection.timeout.ms') as number | null) ?? sessionTimeoutMs,
        };

  return Object.freeze({
    brokerId,
    rack: v.str('broker.rack'),
    listeners: Object.freeze(listeners),
    advertisedListeners: Object.freeze(advertisedListeners),
    interBrokerListenerName,
    logDirs: Object.freeze(logDirs),
    logDefaults: Object.freeze(logDefaults),
    logManager: Object.freeze(logManager),
    zookeeper,
    socketRequestMaxBytes: v.num('socket.request.max.bytes'),
    socketSendBufferBytes: v.num('socket.send.buffer.bytes'),
    socketListenBacklogSize: v.num('socket.listen.backlog.size'),
    connectionsMaxIdleMs: v.num('connections.max.idle.ms'),
    queuedMaxRequests: v.num('queued.max.requests'),
    autoCreateTopicsEnable: v.bool('auto.create.topics.enable'),
    deleteTopicEnable: v.bool('delete.topic.enable'),
    numPartitions: v.num('num.partitions'),
    defaultReplicationFactor: v.num('default.replication.factor'),
    minInsyncReplicas: v.num('min.insync.replicas'),
    messageMaxBytes: v.num('message.max.bytes'),
    compressionType: v.str('compression.type')!,
    uncleanLeaderElectionEnable: v.bool('unclean.leader.election.enable'),
    fetchMaxBytes: v.num('fetch.max.bytes'),
    maxIncrementalFetchSessionCacheSlots: v.num('max.incremental.fetch.session.cache.slots'),
    replicaLagTimeMaxMs: v.num('replica.lag.time.max.ms'),
    numReplicaFetchers: v.num('num.replica.fetchers'),
    replicaFetchMaxBytes: v.num('replica.fetch.max.bytes'),
    replicaFetchMinBytes: v.num('replica.fetch.min.bytes'),
    replicaFetchWaitMaxMs: v.num('replica.fetch.wait.max.ms'),
    replicaFetchBackoffMs: v.num('replica.fetch.backoff.ms'),
    replicaFetchResponseMaxBytes: v.num('replica.fetch.response.max.bytes'),
    replicaSocketTimeoutMs: v.num('replica.socket.timeout.ms'),
    replicaHighWatermarkCheckpointIntervalMs: v.num('replica.high.watermark.checkpoint.interval.ms'),
    controlledShutdownEnable: v.bool('controlled.shutdown.enable'),
    autoLeaderRebalanceEnable: v.bool('auto.leader.rebalance.enable'),
    groupMinSessionTimeoutMs: v.num('group.min.session.timeout.ms'),
    groupMaxSessionTimeoutMs: v.num('group.max.session.timeout.ms'),
    groupInitialRebalanceDelayMs: v.num('group.initial.rebalance.delay.ms'),
    groupMaxSize: v.num('group.max.size'),
    offsetMetadataMaxBytes: v.num('offset.metadata.max.bytes'),
    offsetsTopicNumPartitions: v.num('offsets.topic.num.partitions'),
    offsetsTopicReplicationFactor: v.num('offsets.topic.replication.factor'),
    offsetsTopicSegmentBytes: v.num('offsets.topic.segment.bytes'),
    offsetsRetentionMs: v.num('offsets.retention.minutes') * 60_000,
    offsetsRetentionCheckIntervalMs: v.num('offsets.retention.check.interval.ms'),
    offsetsCommitTimeoutMs: v.num('offsets.commit.timeout.ms'),
    transactionalIdExpirationMs: v.num('transactional.id.expiration.ms'),
    producerIdExpirationMs: v.num('producer.id.expiration.ms'),
    producerIdExpirationCheckIntervalMs: v.num('producer.id.expiration.check.interval.ms'),
    values,
    originals,
  });
}
