/**
 * End to end: kafkajs's admin client against a BrokerServer serving the real handlers over a
 * socket — ApiVersions, Metadata and the admin APIs — on an in-process cluster (topic-harness).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import kafkajs, { type Admin, Kafka, logLevel } from 'kafkajs';
import { BrokerServer } from '../../../src/broker/broker-server.ts';
import { alterConfigs } from '../../../src/broker/handlers/alter-configs.ts';
import { apiVersions } from '../../../src/broker/handlers/api-versions.ts';
import { createPartitions } from '../../../src/broker/handlers/create-partitions.ts';
import { createTopics } from '../../../src/broker/handlers/create-topics.ts';
import { deleteTopics } from '../../../src/broker/handlers/delete-topics.ts';
import { describeCluster } from '../../../src/broker/handlers/describe-cluster.ts';
import { describeConfigs } from '../../../src/broker/handlers/describe-configs.ts';
import { incrementalAlterConfigs } from '../../../src/broker/handlers/incremental-alter-configs.ts';
import { metadata } from '../../../src/broker/handlers/metadata.ts';
import type { FullBrokerServices } from '../../../src/broker/services.ts';
import { systemClock } from '../../../src/common/clock.ts';
import { MemoryLogger } from '../../../src/common/logger.ts';
import { destroyAllSockets } from '../helpers.ts';
import { startTopicCluster, type TopicCluster } from '../topic-harness.ts';

const T = { timeout: 30_000 };
// Not a named export of the CommonJS module.
const { ConfigResourceTypes } = kafkajs;

describe('kafkajs admin against the admin handlers', () => {
  let server: BrokerServer;
  let cluster: TopicCluster;
  let admin: Admin;

  before(async () => {
    // The server binds first (port 0); the services it serves are filled in once the cluster,
    // which registers that port, is up. Handlers only read ctx.services when a request comes.
    const services = { brokerId: 0 } as FullBrokerServices;
    server = new BrokerServer({
      services,
      host: '127.0.0.1',
      port: 0,
      clock: systemClock,
      logger: new MemoryLogger(),
      handlers: [
        apiVersions,
        metadata,
        createTopics,
        deleteTopics,
        createPartitions,
        describeConfigs,
        alterConfigs,
        incrementalAlterConfigs,
        describeCluster,
      ],
    });
    await server.start();
    cluster = await startTopicCluster({ ports: [server.port], props: { 'num.partitions': 2 } });
    Object.assign(services, cluster.b0.services);
    const kafka = new Kafka({
      clientId: 'samsa-admin-test',
      brokers: [`127.0.0.1:${server.port}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 2, initialRetryTime: 50 },
    });
    admin = kafka.admin();
    await admin.connect();
  });

  after(async () => {
    await admin?.disconnect();
    destroyAllSockets();
    await server?.close();
    await cluster?.close();
  });

  it('creates topics, and says false for one that exists', T, async () => {
    assert.equal(
      await admin.createTopics({
        topics: [
          { topic: 'kjs-a', numPartitions: 3, replicationFactor: 1 },
          { topic: 'kjs-b', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
        ],
        waitForLeaders: true,
      }),
      true,
    );
    assert.deepEqual((await admin.listTopics()).sort(), ['kjs-a', 'kjs-b']);
    const meta = await admin.fetchTopicMetadata({ topics: ['kjs-a', 'kjs-b'] });
    assert.deepEqual(
      meta.topics
        .map((t) => [t.name, t.partitions.length, t.partitions.every((p) => p.leader === 0)])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      [
        ['kjs-a', 3, true],
        ['kjs-b', 2, true],
      ],
    );
    assert.equal(await admin.createTopics({ topics: [{ topic: 'kjs-a' }] }), false);
  });

  it('reports a Kafka error for an impossible replication factor', T, async () => {
    await assert.rejects(
      admin.createTopics({ topics: [{ topic: 'kjs-wide', replicationFactor: 3 }] }),
      (e: Error & { errors?: { type: string }[] }) => {
        const types = [e, ...(e.errors ?? [])].map((x) => (x as { type?: string }).type);
        return types.includes('INVALID_REPLICATION_FACTOR');
      },
    );
  });

  it('describes and alters topic configs', T, async () => {
    const described = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-b', configNames: ['cleanup.policy', 'retention.ms'] }],
      includeSynonyms: false,
    });
    const entries = new Map(described.resources[0]!.configEntries.map((e) => [e.configName, e]));
    assert.equal(entries.get('cleanup.policy')?.configValue, 'compact');
    assert.equal(entries.get('retention.ms')?.isDefault, true);
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: 'kjs-b', configEntries: [{ name: 'retention.ms', value: '5000' }] },
      ],
    });
    assert.equal(cluster.b0.topics.logConfig('kjs-b').retentionMs, 5000);
    const broker = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.BROKER, name: '0', configNames: ['num.partitions'] }],
      includeSynonyms: false,
    });
    assert.equal(broker.resources[0]!.configEntries[0]!.configValue, '2');
  });

  it('adds partitions', T, async () => {
    await admin.createPartitions({ topicPartitions: [{ topic: 'kjs-a', count: 5 }] });
    const meta = await admin.fetchTopicMetadata({ topics: ['kjs-a'] });
    assert.equal(meta.topics[0]!.partitions.length, 5);
  });

  it('deletes topics', T, async () => {
    await admin.deleteTopics({ topics: ['kjs-a', 'kjs-b'] });
    assert.deepEqual(await admin.listTopics(), []);
    assert.deepEqual(cluster.b0.cache.topicNames(), []);
  });
});
