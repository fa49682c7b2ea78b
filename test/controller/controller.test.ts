import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryLogger } from '../../src/common/logger.ts';
import { Controller } from '../../src/controller/controller.ts';
import {
  InProcessControllerChannel,
  type LeaderAndIsrCommand,
  type StopReplicaCommand,
  type UpdateMetadataCommand,
} from '../../src/controller/controller-channel.ts';
import { createTopic, requestTopicDeletion } from '../../src/controller/topic-admin.ts';
import { MemoryMetadataTree } from '../../src/metadata/memory/memory-store.ts';
import type { MetadataStore } from '../../src/metadata/metadata-store.ts';
import { decodePartitionState, encodeBrokerRegistration, Paths } from '../../src/metadata/paths.ts';

interface TestBroker {
  id: number;
  session: MetadataStore;
  controller: Controller;
  recorded: { lai: LeaderAndIsrCommand[]; um: UpdateMetadataCommand[]; stop: StopReplicaCommand[] };
}

async function startBroker(
  tree: MemoryMetadataTree,
  channel: InProcessControllerChannel,
  id: number,
): Promise<TestBroker> {
  const session = tree.connect();
  const recorded = {
    lai: [] as LeaderAndIsrCommand[],
    um: [] as UpdateMetadataCommand[],
    stop: [] as StopReplicaCommand[],
  };
  channel.register(id, {
    leaderAndIsr: async (c) => void recorded.lai.push(c),
    updateMetadata: async (c) => void recorded.um.push(c),
    stopReplica: async (c) => void recorded.stop.push(c),
  });
  const controller = new Controller({
    brokerId: id,
    store: session,
    channel,
    logger: new MemoryLogger(),
    now: () => 1_700_000_000_000,
    uncleanLeaderElection: false,
  });
  await controller.start();
  await session.ensurePath(Paths.brokerIds);
  await session.create(
    Paths.broker(id),
    encodeBrokerRegistration({ id, host: 'localhost', port: 9090 + id, rack: null, timestamp: 0 }),
    {
      ephemeral: true,
    },
  );
  return { id, session, controller, recorded };
}

/** Waits until the active controller has handled everything the store has told it so far. */
async function settle(brokers: TestBroker[]): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setImmediate(r));
    await Promise.all(brokers.map((b) => b.controller.idle()));
  }
}

async function state(store: MetadataStore, topic: string, p: number) {
  const path = Paths.partitionState(topic, p);
  return decodePartitionState(path, (await store.get(path))!.data);
}

describe('Controller', () => {
  it('elects itself on a single node and assigns leaders to a new topic', async () => {
    const tree = new MemoryMetadataTree();
    const channel = new InProcessControllerChannel();
    const b = await startBroker(tree, channel, 0);
    await settle([b]);
    assert.equal(b.controller.isActive, true);
    assert.equal(b.controller.controllerEpoch, 1);
    await createTopic(
      b.session,
      'orders',
      new Map([
        [0, [0]],
        [1, [0]],
      ]),
      new Map(),
    );
    await settle([b]);
    assert.deepEqual(await state(b.session, 'orders', 0), { leader: 0, leaderEpoch: 0, isr: [0], controllerEpoch: 1 });
    const lai = b.recorded.lai.flatMap((c) => c.partitions).filter((p) => p.topic === 'orders');
    assert.deepEqual(lai.map((p) => [p.partition, p.leader]).sort(), [
      [0, 0],
      [1, 0],
    ]);
    const last = b.recorded.um.at(-1)!;
    assert.ok(last.partitions.some((p) => p.topic === 'orders' && p.partition === 1));
    assert.ok(last.topicIds.get('orders'));
  });

  it('moves leadership when the leader dies, bumping the leader epoch and shrinking the ISR', async () => {
    const tree = new MemoryMetadataTree();
    const channel = new InProcessControllerChannel();
    const brokers = [
      await startBroker(tree, channel, 1),
      await startBroker(tree, channel, 2),
      await startBroker(tree, channel, 3),
    ];
    await settle(brokers);
    const active = brokers.filter((b) => b.controller.isActive);
    assert.equal(active.length, 1, 'exactly one controller');
    assert.equal(active[0]!.id, 1);
    await createTopic(brokers[0]!.session, 't', new Map([[0, [2, 3, 1]]]), new Map());
    await settle(brokers);
    assert.deepEqual((await state(brokers[0]!.session, 't', 0)).isr, [2, 3, 1]);
    await brokers[1]!.session.close(); // broker 2, the leader, dies
    channel.unregister(2);
    await settle(brokers);
    const s = await state(brokers[0]!.session, 't', 0);
    assert.equal(s.leader, 3);
    assert.equal(s.leaderEpoch, 1);
    assert.deepEqual(s.isr, [3, 1]);
    const toBroker3 = brokers[2]!.recorded.lai.flatMap((c) => c.partitions).at(-1)!;
    assert.equal(toBroker3.leader, 3);
    assert.equal(toBroker3.leaderEpoch, 1);
  });

  it('hands the controller role over when the controller dies', async () => {
    const tree = new MemoryMetadataTree();
    const channel = new InProcessControllerChannel();
    const a = await startBroker(tree, channel, 1);
    const b = await startBroker(tree, channel, 2);
    await settle([a, b]);
    assert.equal(a.controller.isActive, true);
    await a.controller.close();
    await a.session.close();
    await settle([a, b]);
    assert.equal(b.controller.isActive, true);
    assert.equal(b.controller.controllerEpoch, 2);
  });

  it('keeps a partition offline rather than electing an out-of-sync replica', async () => {
    const tree = new MemoryMetadataTree();
    const channel = new InProcessControllerChannel();
    const brokers = [await startBroker(tree, channel, 1), await startBroker(tree, channel, 2)];
    await settle(brokers);
    await createTopic(brokers[0]!.session, 't', new Map([[0, [2, 1]]]), new Map());
    await settle(brokers);
    // Broker 1 falls out of the ISR, then the leader dies.
    const path = Paths.partitionState('t', 0);
    const node = (await brokers[0]!.session.get(path))!;
    await brokers[0]!.session.set(
      path,
      Buffer.from(JSON.stringify({ controller_epoch: 1, leader: 2, version: 1, leader_epoch: 0, isr: [2] })),
      node.stat.version,
    );
    await brokers[0]!.controller.close();
    const restarted = new Controller({
      brokerId: 1,
      store: brokers[0]!.session,
      channel,
      logger: new MemoryLogger(),
      now: () => 0,
      uncleanLeaderElection: false,
    });
    await restarted.start();
    await brokers[1]!.session.close();
    await settle([{ ...brokers[0]!, controller: restarted }]);
    const s = await state(brokers[0]!.session, 't', 0);
    assert.equal(restarted.isActive, true);
    // Epoch 2 went to broker 2 when broker 1's first controller resigned; broker 1 won epoch 3.
    // The ISR keeps its last member, so broker 2 is elected cleanly when it returns.
    assert.deepEqual(s, { leader: -1, leaderEpoch: 1, isr: [2], controllerEpoch: 3 });
    const returning = tree.connect();
    await returning.create(
      Paths.broker(2),
      encodeBrokerRegistration({ id: 2, host: 'localhost', port: 9092, rack: null, timestamp: 0 }),
      {
        ephemeral: true,
      },
    );
    await settle([{ ...brokers[0]!, controller: restarted }]);
    assert.deepEqual(await state(brokers[0]!.session, 't', 0), {
      leader: 2,
      leaderEpoch: 2,
      isr: [2],
      controllerEpoch: 3,
    });
  });

  it('deletes a topic: StopReplica to its replicas, znodes removed, metadata told', async () => {
    const tree = new MemoryMetadataTree();
    const channel = new InProcessControllerChannel();
    const b = await startBroker(tree, channel, 0);
    await settle([b]);
    await createTopic(b.session, 'gone', new Map([[0, [0]]]), new Map([['retention.ms', '1000']]));
    await settle([b]);
    await requestTopicDeletion(b.session, 'gone');
    await settle([b]);
    assert.deepEqual(b.recorded.stop.at(-1)?.partitions, [{ topic: 'gone', partition: 0 }]);
    assert.equal(b.recorded.stop.at(-1)?.deletePartitions, true);
    assert.equal(await b.session.exists(Paths.topic('gone')), null);
    assert.equal(await b.session.exists(Paths.topicConfig('gone')), null);
    assert.equal(await b.session.exists(Paths.deleteTopic('gone')), null);
    assert.deepEqual(b.recorded.um.at(-1)?.deletedTopics, ['gone']);
  });
});
