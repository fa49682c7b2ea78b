import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Clock } from '../common/clock.ts';
import { CoarseTimers } from '../common/coarse-timers.ts';
import { describeError, type Logger } from '../common/logger.ts';
import { Controller } from '../controller/controller.ts';
import { InProcessControllerChannel } from '../controller/controller-channel.ts';
import { ProducerIdManager } from '../coordinator/producer-id-manager.ts';
import { MemoryMetadataTree } from '../metadata/memory/memory-store.ts';
import { MetadataCache } from '../metadata/metadata-cache.ts';
import { MetadataError, type MetadataStore } from '../metadata/metadata-store.ts';
import {
  decodeClusterId,
  encodeBrokerRegistration,
  encodeClusterId,
  Paths,
  PERSISTENT_PATHS,
} from '../metadata/paths.ts';
import { connectZooKeeper } from '../metadata/zk/zk-store.ts';
import { ReplicaManager } from '../replication/replica-manager.ts';
import { LogManager } from '../storage/log-manager.ts';
import { METADATA_SNAPSHOT_FILE, MetadataSnapshotFile } from '../storage/metadata-snapshot-file.ts';
import { BrokerServer } from './broker-server.ts';
import type { BrokerConfig } from './config/broker-config.ts';
import { type BrokerHandle, type BrokerOptions, resolveBrokerOptions } from './config/broker-options.ts';
import type { ListenerEndpoint } from './config/listeners.ts';
import { BrokerControllerCommands } from './controller-commands.ts';
import { FetchSessionCache } from './fetch-session.ts';
import { startGroupCoordinator } from './group-coordinator-setup.ts';
import { unsupportedNodeReason } from './node-support.ts';
import type { FullBrokerServices } from './services.ts';
import { TopicService } from './topic-service.ts';

/** Several brokers in one process share one coordination tree and one controller channel. */
export interface InProcessMetadata {
  readonly tree: MemoryMetadataTree;
  readonly channel: InProcessControllerChannel;
}

export interface StartBrokerOptions extends BrokerOptions {
  /** Join an in-process cluster instead of using this broker's own embedded store. */
  readonly inProcess?: InProcessMetadata;
}

/** A running broker. */
export interface Broker extends BrokerHandle {
  readonly brokerId: number;
  /** The first listener's port (the actual one when 0 was asked). */
  readonly port: number;
  readonly services: FullBrokerServices;
}

/**
 * Starts a broker: storage, coordination store, controller candidate, replica manager, topic
 * service, and the network server — in that order, so nothing is served before it can be
 * answered — then registers the broker (an ephemeral node) so the controller assigns it work.
 * Ready when the promise resolves: `const b = await startBroker({ port: 0, logDirs: [dir] })`.
 *
 * close(): stop accepting and finish in-flight requests, resign as controller, stop the
 * replicas (parked requests are answered), flush and close every log (leaving the clean
 * shutdown marker), end the coordination session. Idempotent.
 */
export async function startBroker(options: StartBrokerOptions = {}): Promise<Broker> {
  const unsupported = unsupportedNodeReason();
  if (unsupported !== null) throw new Error(unsupported);
  const { inProcess, ...brokerOptions } = options;
  const { config, logger, clock } = resolveBrokerOptions(brokerOptions);
  const started = clock.monotonic();
  const brokerId = config.brokerId;
  const timers = new CoarseTimers(clock, { logger });
  const cleanups: (() => Promise<void> | void)[] = [() => timers.close()];
  const undo = async (): Promise<void> => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (e) {
        logger.error(`cleanup after a failed start: ${describeError(e)}`);
      }
    }
  };

  try {
    let topics: TopicService | null = null;
    const logManager = LogManager.open({
      config: config.logManager,
      defaultLogConfig: config.logDefaults,
      topicConfig: (topic) => topics?.logConfig(topic) ?? config.logDefaults,
      clock,
      logger,
    });
    cleanups.push(() => logManager.shutdown());

    const channel = inProcess?.channel ?? new InProcessControllerChannel();
    const store = await openMetadataStore(config, inProcess, clock, logger);
    cleanups.push(() => store.close());
    for (const p of PERSISTENT_PATHS) await store.ensurePath(p);
    const metadataCache = new MetadataCache(await ensureClusterId(store));

    const replicaManager = new ReplicaManager({
      brokerId,
      logManager,
      timers,
      clock,
      logger,
      minInsyncReplicas: (topic) => topics?.minInsyncReplicas(topic) ?? config.minInsyncReplicas,
      producerIdExpirationMs: config.producerIdExpirationMs,
    });
    replicaManager.startup();
    cleanups.push(() => replicaManager.shutdown());

    topics = new TopicService({ store, metadataCache, config, logger, clock, timers });
    await topics.start();
    cleanups.push(() => topics?.close());
    topics.onTopicConfigChange((topic) => logManager.updateTopicConfig(topic));

    const groupCoordinator = startGroupCoordinator({ config, replicaManager, metadataCache, clock, timers, logger });
    cleanups.push(() => groupCoordinator.shutdown());

    channel.register(
      brokerId,
      new BrokerControllerCommands({
        replicaManager,
        metadataCache,
        topicConfig: (topic) => topics?.logConfig(topic) ?? config.logDefaults,
        logger,
        groupCoordinator,
      }),
    );
    cleanups.push(() => channel.unregister(brokerId));

    const producerIds = new ProducerIdManager({ brokerId, store, logger });
    const fetchSessions = new FetchSessionCache({ maxEntries: config.maxIncrementalFetchSessionCacheSlots, clock });
    const services: FullBrokerServices = {
      brokerId,
      config,
      clock,
      timers,
      logger,
      store,
      metadataCache,
      replicaManager,
      producerIds,
      topics,
      fetchSessions,
      groupCoordinator,
    };
    const server = new BrokerServer({
      services,
      listeners: config.listeners.map((l) => ({ name: l.name, host: l.host, port: l.port })),
      maxRequestBytes: config.socketRequestMaxBytes,
      idleTimeoutMs: config.connectionsMaxIdleMs,
      sendBufferBytes: config.socketSendBufferBytes,
      clock,
      timers,
      logger,
    });
    const bound = await server.start();
    cleanups.push(() => server.close());
    // Runs before server.close(): parked fetches and produces answer at once instead of holding
    // the connections open for their max wait.
    cleanups.push(() => replicaManager.releaseWaitingRequests());
    // Runs before server.close(): parked JoinGroup/SyncGroup requests are answered (NOT_COORDINATOR)
    // instead of holding the server's graceful close for their rebalance timeout. Idempotent.
    cleanups.push(() => groupCoordinator.shutdown());

    const advertised = advertisedEndpoint(config, bound);
    const controller = new Controller({
      brokerId,
      store,
      channel,
      logger,
      now: () => clock.now(),
      uncleanLeaderElection: config.uncleanLeaderElectionEnable,
    });
    // Register first, so a controller (this broker's, when it wins) counts this broker as live
    // when it decides leaders; then stand for controller.
    await store.create(
      Paths.broker(brokerId),
      encodeBrokerRegistration({
        id: brokerId,
        host: advertised.host,
        port: advertised.port,
        rack: config.rack,
        timestamp: clock.now(),
      }),
      { ephemeral: true },
    );
    await controller.start();
    cleanups.push(() => controller.close());
    await topics.waitForBroker(brokerId, 10_000);

    const listeners: ListenerEndpoint[] = bound.map((b) => ({
      name: b.name,
      host: b.host,
      port: b.port,
      securityProtocol: 'PLAINTEXT',
    }));
    logger.info(
      `Samsa broker ${brokerId} started in ${Math.round(clock.monotonic() - started)} ms: ` +
        `${listeners.map((l) => `${l.name}://${l.host || '0.0.0.0'}:${l.port}`).join(', ')}, ` +
        `advertised as ${advertised.host}:${advertised.port}, data in ${config.logDirs.join(', ')}, ` +
        (config.zookeeper && !inProcess ? `ZooKeeper at ${config.zookeeper.connect}` : 'embedded metadata store'),
    );

    let closing: Promise<void> | null = null;
    return {
      brokerId,
      port: bound[0]!.port,
      listeners,
      services,
      close(): Promise<void> {
        closing ??= (async () => {
          logger.info(`Samsa broker ${brokerId} shutting down`);
          // The broker's own timers never hold the process open (they are unref'd); while it
          // closes, this handle does, so a process whose last work is this close() does not exit
          // before the logs are flushed and the clean-shutdown marker is written.
          const keepAlive = setInterval(() => {}, 1 << 30);
          try {
            await undo();
          } finally {
            clearInterval(keepAlive);
          }
          logger.info(`Samsa broker ${brokerId} stopped`);
        })();
        return closing;
      },
    };
  } catch (e) {
    await undo();
    throw e;
  }
}

/** The advertised address of the inter-broker listener, with a bound port substituted for 0. */
function advertisedEndpoint(
  config: BrokerConfig,
  bound: readonly { name: string; port: number }[],
): { host: string; port: number } {
  const adv =
    config.advertisedListeners.find((l) => l.name === config.interBrokerListenerName) ?? config.advertisedListeners[0];
  if (!adv) return { host: 'localhost', port: bound[0]!.port };
  const port = adv.port !== 0 ? adv.port : (bound.find((b) => b.name === adv.name)?.port ?? bound[0]!.port);
  return { host: adv.host || 'localhost', port };
}

/**
 * The coordination store: a ZooKeeper session when zookeeper.connect is set; otherwise the
 * embedded store, persisted in the first log dir (or the in-process cluster's shared tree).
 *
 * With ZooKeeper, the controller reaches brokers of this process only (the in-process channel):
 * one broker per ensemble, until replication brings the network channel.
 */
async function openMetadataStore(
  config: BrokerConfig,
  inProcess: InProcessMetadata | undefined,
  clock: Clock,
  logger: Logger,
): Promise<MetadataStore> {
  if (inProcess) return inProcess.tree.connect();
  if (config.zookeeper === null) {
    return new MemoryMetadataTree(new MetadataSnapshotFile(join(config.logDirs[0]!, METADATA_SNAPSHOT_FILE))).connect();
  }
  const zk = config.zookeeper;
  return connectZooKeeper({
    connect: zk.connect,
    sessionTimeoutMs: zk.sessionTimeoutMs,
    connectionTimeoutMs: zk.connectionTimeoutMs,
    clock,
    logger,
    onSessionExpired: (reason) =>
      logger.error(`lost the ZooKeeper session (${reason}): this broker's registration is gone; restart it to rejoin`),
  });
}

async function ensureClusterId(store: MetadataStore): Promise<string> {
  const existing = await store.get(Paths.clusterId);
  if (existing) return decodeClusterId(existing.data);
  const id = randomBytes(16).toString('base64url');
  try {
    await store.create(Paths.clusterId, encodeClusterId(id));
    return id;
  } catch (e) {
    if (e instanceof MetadataError && e.code === 'NODE_EXISTS')
      return decodeClusterId((await store.get(Paths.clusterId))!.data);
    throw e;
  }
}
