/**
 * An in-process cluster for topic administration tests, built from the real parts: one
 * MemoryMetadataTree, a Controller candidate per broker on an InProcessControllerChannel whose
 * commands update that broker's MetadataCache (what a broker does with them), each broker
 * registered at /brokers/ids/<id>, and a TopicService per broker. Time is a ManualClock: waits
 * finish through metadata updates, and only run out when a test advances the clock.
 */
import assert from 'node:assert/strict';
import { type BrokerConfig, brokerConfigFromProps } from '../../src/broker/config/broker-config.ts';
import { HandlerTable } from '../../src/broker/handler.ts';
import type { ConnectionInfo } from '../../src/broker/network/request-processor.ts';
import { RequestDispatcher } from '../../src/broker/request-dispatcher.ts';
import type { FullBrokerServices } from '../../src/broker/services.ts';
import { TopicService } from '../../src/broker/topic-service.ts';
import { ManualClock } from '../../src/common/clock.ts';
import { CoarseTimers } from '../../src/common/coarse-timers.ts';
import { MemoryLogger } from '../../src/common/logger.ts';
import { Controller } from '../../src/controller/controller.ts';
import { InProcessControllerChannel } from '../../src/controller/controller-channel.ts';
import { MemoryMetadataTree } from '../../src/metadata/memory/memory-store.ts';
import { MetadataCache } from '../../src/metadata/metadata-cache.ts';
import type { MetadataStore } from '../../src/metadata/metadata-store.ts';
import { decodeTopicAssignment, decodeTopicConfig, encodeBrokerRegistration, Paths } from '../../src/metadata/paths.ts';
import type { ApiMessages } from '../../src/protocol/messages/generated/api-table.ts';
import { decodeResponseFrame } from '../../src/protocol/request.ts';
import { request } from './helpers.ts';

export type Props = Record<string, string | number | boolean>;

export interface TestBroker {
  readonly id: number;
  readonly store: MetadataStore;
  readonly cache: MetadataCache;
  readonly controller: Controller;
  readonly topics: TopicService;
  readonly config: BrokerConfig;
  readonly logger: MemoryLogger;
  readonly services: FullBrokerServices;
}

export interface TopicCluster {
  readonly tree: MemoryMetadataTree;
  readonly clock: ManualClock;
  readonly timers: CoarseTimers;
  readonly brokers: readonly TestBroker[];
  /** The first broker: the one most tests talk to. */
  readonly b0: TestBroker;
  /** Stops every controller: topic writes are then no longer acted on (waits run out). */
  stopControllers(): Promise<void>;
  /** Lets every queued store watch and controller event run. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** Every turn of Math.random replaced by a fixed sequence, so assignments are reproducible. */
export function fixedRandom(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

export const CLUSTER_ID = 'samsa-topic-tests';

export async function startTopicCluster(
  options: {
    brokerIds?: readonly number[];
    props?: Props;
    random?: () => number;
    autoCreateWaitMs?: number;
    /** The port each broker registers (default 9092 + id): a real listener's for socket tests. */
    ports?: readonly number[];
  } = {},
): Promise<TopicCluster> {
  const tree = new MemoryMetadataTree();
  const channel = new InProcessControllerChannel();
  const clock = new ManualClock();
  const timers = new CoarseTimers(clock);
  const brokers: TestBroker[] = [];
  for (const [index, id] of (options.brokerIds ?? [0]).entries()) {
    const store = tree.connect();
    const cache = new MetadataCache(CLUSTER_ID);
    const logger = new MemoryLogger();
    channel.register(id, {
      leaderAndIsr: async (c) => {
        cache.update({
          controllerId: c.controllerId,
          controllerEpoch: c.controllerEpoch,
          partitions: c.partitions,
          topicIds: new Map(c.partitions.map((p) => [p.topic, p.topicId])),
        });
      },
      updateMetadata: async (c) => {
        cache.update(c);
      },
      stopReplica: async () => {},
    });
    const config = brokerConfigFromProps({ 'broker.id': id, ...options.props });
    const controller = new Controller({
      brokerId: id,
      store,
      channel,
      logger,
      now: () => clock.now(),
      uncleanLeaderElection: false,
    });
    await controller.start();
    const topics = new TopicService({
      store,
      metadataCache: cache,
      config,
      logger,
      clock,
      timers,
      random: options.random ?? fixedRandom(0),
      ...(options.autoCreateWaitMs !== undefined ? { autoCreateWaitMs: options.autoCreateWaitMs } : {}),
    });
    await topics.start();
    await store.create(
      Paths.broker(id),
      encodeBrokerRegistration({
        id,
        host: options.ports === undefined ? 'localhost' : '127.0.0.1',
        port: options.ports?.[index] ?? 9092 + id,
        rack: null,
        timestamp: clock.now(),
      }),
      { ephemeral: true },
    );
    const services = { brokerId: id, config, clock, timers, logger, store, metadataCache: cache, topics };
    brokers.push({
      id,
      store,
      cache,
      controller,
      topics,
      config,
      logger,
      services: services as unknown as FullBrokerServices,
    });
  }
  for (const b of brokers) {
    for (const other of brokers) assert.ok(await b.topics.waitForBroker(other.id, 60_000));
  }
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setImmediate(r));
      await Promise.all(brokers.map((b) => Promise.all([b.controller.idle(), b.topics.configsIdle()])));
    }
  };
  return {
    tree,
    clock,
    timers,
    brokers,
    b0: brokers[0]!,
    settle,
    async stopControllers() {
      await settle();
      for (const b of brokers) await b.controller.close();
    },
    async close() {
      for (const b of brokers) {
        b.topics.close();
        await b.controller.close();
        await b.store.close();
      }
      timers.close();
    },
  };
}

/** The assignment stored for a topic (partition → replicas), or null. */
export async function storedAssignment(store: MetadataStore, topic: string): Promise<Map<number, number[]> | null> {
  const node = await store.get(Paths.topic(topic));
  return node ? decodeTopicAssignment(topic, node.data).partitions : null;
}

/** The overrides stored for a topic, or null when it has no config node. */
export async function storedConfig(store: MetadataStore, topic: string): Promise<Map<string, string> | null> {
  const node = await store.get(Paths.topicConfig(topic));
  return node ? decodeTopicConfig(topic, node.data) : null;
}

const conn: ConnectionInfo = {
  id: 1,
  listenerName: 'PLAINTEXT',
  clientHost: '127.0.0.1',
  clientPort: 1,
  isClosed: false,
};

/**
 * Sends one request through the real dispatcher (decode, handler, encode) of `broker` and
 * decodes the answer: exercises the codec of exactly `version`.
 */
export async function dispatch<K extends keyof ApiMessages>(
  broker: TestBroker,
  handlers: HandlerTable | ConstructorParameters<typeof HandlerTable>[0],
  apiKey: K,
  version: number,
  body: ApiMessages[K]['request'],
): Promise<ApiMessages[K]['response']> {
  const table = handlers instanceof HandlerTable ? handlers : new HandlerTable(handlers);
  const dispatcher = new RequestDispatcher({
    handlers: table,
    services: broker.services,
    clock: broker.services.clock,
    logger: broker.logger,
  });
  const processed = await dispatcher.process(request(apiKey, version, 7, body).subarray(4), conn);
  // Fetch answers come as chunks (record sets uncopied); joined they are the frame.
  const out = Array.isArray(processed) ? Buffer.concat(processed) : processed;
  assert.ok(Buffer.isBuffer(out), `no response frame for ${String(apiKey)} v${version}`);
  const frameSize = out.readInt32BE(0);
  assert.equal(frameSize, out.length - 4, 'the size prefix counts the bytes after it');
  const decoded = decodeResponseFrame(apiKey, version, out.subarray(4));
  assert.equal(decoded.correlationId, 7);
  return decoded.body;
}
