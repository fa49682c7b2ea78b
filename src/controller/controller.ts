import { randomBytes } from 'node:crypto';
import type { Logger } from '../common/logger.ts';
import type { BrokerInfo, PartitionInfo } from '../metadata/metadata-cache.ts';
import { MetadataError, type MetadataStore } from '../metadata/metadata-store.ts';
import {
  decodeBrokerRegistration,
  decodeController,
  decodePartitionState,
  decodeTopicAssignment,
  encodeController,
  encodePartitionState,
  type PartitionState,
  Paths,
  PERSISTENT_PATHS,
} from '../metadata/paths.ts';
import type { ControllerChannel } from './controller-channel.ts';
import { electForNewPartition, electForOfflinePartition } from './leader-election.ts';

export interface ControllerOptions {
  brokerId: number;
  store: MetadataStore;
  channel: ControllerChannel;
  logger: Logger;
  /** Wall-clock ms, for the /controller payload. */
  now: () => number;
  uncleanLeaderElection: boolean;
}

interface TopicState {
  topicId: string;
  assignment: Map<number, number[]>;
}

interface StoredPartition {
  state: PartitionState;
  /** The znode version, for conditional updates. */
  version: number;
}

const key = (topic: string, partition: number): string => `${topic}:${partition}`;

/**
 * The cluster controller: exactly one broker at a time holds the ephemeral `/controller` node and
 * with it the duty to assign leaders. It watches brokers coming and going and topics being
 * created, extended and deleted, decides leaders with the pure functions of leader-election.ts,
 * writes each partition's state with a conditional update, and then tells the brokers
 * (LeaderAndIsr to replicas, UpdateMetadata to everyone, StopReplica on deletion).
 *
 * Lifecycle: start() → candidate (watching /controller) ⇄ active (after winning the election and
 * bumping /controller_epoch) → close(). Every reaction runs on one serial event queue, so the
 * controller's in-memory view is only ever changed by one event at a time; store watches only
 * enqueue events.
 */
export class Controller {
  private readonly opts: ControllerOptions;
  private active = false;
  private closed = false;
  private epoch = 0;
  private queue: Promise<void> = Promise.resolve();
  private readonly live = new Map<number, BrokerInfo>();
  private readonly topics = new Map<string, TopicState>();
  private readonly partitions = new Map<string, StoredPartition>();

  constructor(opts: ControllerOptions) {
    this.opts = opts;
  }

  get isActive(): boolean {
    return this.active;
  }

  get controllerEpoch(): number {
    return this.epoch;
  }

  async start(): Promise<void> {
    for (const p of PERSISTENT_PATHS) await this.opts.store.ensurePath(p);
    await this.enqueue('elect', () => this.elect());
  }

  /** Resolves once every event queued so far has been handled (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    if (this.active) {
      this.active = false;
      try {
        await this.opts.store.delete(Paths.controller);
      } catch (e) {
        if (!(e instanceof MetadataError)) throw e;
      }
    }
  }

  private enqueue(name: string, fn: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(async () => {
      if (this.closed && name !== 'elect') return;
      try {
        await fn();
      } catch (e) {
        this.opts.logger.error(`controller: ${name} failed: ${e instanceof Error ? e.stack : String(e)}`);
      }
    });
    return this.queue;
  }

  // ---- Election ---------------------------------------------------------------------------------

  private async elect(): Promise<void> {
    if (this.closed) return;
    const { store, brokerId } = this.opts;
    try {
      await store.create(Paths.controller, encodeController(brokerId, this.opts.now()), { ephemeral: true });
    } catch (e) {
      if (!(e instanceof MetadataError && e.code === 'NODE_EXISTS')) throw e;
      store.watchData(Paths.controller, (ev) => {
        if (ev === 'deleted') void this.enqueue('elect', () => this.elect());
      });
      const current = await store.get(Paths.controller);
      if (current === null) return this.elect();
      this.opts.logger.debug(`controller: broker ${decodeController(current.data)} is the controller`);
      return;
    }
    this.epoch = await this.bumpEpoch();
    this.active = true;
    this.opts.logger.info(`controller: broker ${brokerId} is now the controller (epoch ${this.epoch})`);
    await this.loadAndWatch();
  }

  private async bumpEpoch(): Promise<number> {
    const { store } = this.opts;
    for (;;) {
      const current = await store.get(Paths.controllerEpoch);
      if (current === null) {
        try {
          await store.create(Paths.controllerEpoch, Buffer.from('1'));
          return 1;
        } catch (e) {
          if (e instanceof MetadataError && e.code === 'NODE_EXISTS') continue;
          throw e;
        }
      }
      const next = Number(current.data.toString()) + 1;
      try {
        await store.set(Paths.controllerEpoch, Buffer.from(String(next)), current.stat.version);
        return next;
      } catch (e) {
        if (!(e instanceof MetadataError && e.code === 'BAD_VERSION')) throw e;
      }
    }
  }

  /** On becoming controller: read everything, repair leadership, and tell every broker. */
  private async loadAndWatch(): Promise<void> {
    await this.refreshBrokers();
    const names = await this.watchTopics();
    for (const name of names) await this.loadTopic(name);
    const changed = await this.electWhereNeeded(this.allPartitions().map((p) => [p.topic, p.partition] as const));
    const changedKeys = new Set(changed.map((p) => key(p.topic, p.partition)));
    const all = this.allPartitions().filter((p) => !changedKeys.has(key(p.topic, p.partition)));
    await this.sendLeaderAndIsr([...changed, ...all], []);
    await this.sendUpdateMetadata([...this.live.keys()], this.allPartitions(), []);
    await this.onDeletionsRequested();
  }

  // ---- Brokers ----------------------------------------------------------------------------------

  /** Re-reads the live brokers (and re-watches); returns who joined and who left. */
  private async refreshBrokers(): Promise<{ added: number[]; removed: number[] }> {
    const { store } = this.opts;
    store.watchChildren(Paths.brokerIds, () => void this.enqueue('brokers', () => this.onBrokersChanged()));
    const ids = (await store.getChildren(Paths.brokerIds)).map(Number);
    const now = new Map<number, BrokerInfo>();
    for (const id of ids) {
      const node = await store.get(Paths.broker(id));
      if (node) now.set(id, decodeBrokerRegistration(id, node.data));
    }
    const added = [...now.keys()].filter((id) => !this.live.has(id));
    const removed = [...this.live.keys()].filter((id) => !now.has(id));
    this.live.clear();
    for (const [id, b] of now) this.live.set(id, b);
    if (added.length > 0 || removed.length > 0) {
      this.opts.logger.info(
        `controller: live brokers ${[...now.keys()].sort((a, b) => a - b).join(',') || '(none)'}` +
          (added.length ? `; joined ${added.join(',')}` : '') +
          (removed.length ? `; left ${removed.join(',')}` : ''),
      );
    }
    return { added, removed };
  }

  private async onBrokersChanged(): Promise<void> {
    if (!this.active) return;
    const { added, removed } = await this.refreshBrokers();
    if (added.length === 0 && removed.length === 0) return;
    const changed = await this.electWhereNeeded(this.allPartitions().map((p) => [p.topic, p.partition] as const));
    const changedKeys = new Set(changed.map((p) => key(p.topic, p.partition)));
    const forJoined = this.allPartitions().filter(
      (p) => !changedKeys.has(key(p.topic, p.partition)) && added.some((id) => p.replicas.includes(id)),
    );
    await this.sendLeaderAndIsr([...changed, ...forJoined], []);
    await this.sendUpdateMetadata([...this.live.keys()], this.allPartitions(), []);
  }

  /**
   * For each partition: a dead (or missing) leader gets replaced from the ISR (or, if allowed,
   * from any live replica; otherwise the partition goes offline with leader -1); dead brokers
   * leave the ISR. Every change bumps the leader epoch and is written before anyone is told.
   */
  private async electWhereNeeded(partitions: readonly (readonly [string, number])[]): Promise<PartitionInfo[]> {
    const liveIds = new Set(this.live.keys());
    const changed: PartitionInfo[] = [];
    for (const [topic, p] of partitions) {
      const stored = this.partitions.get(key(topic, p));
      const replicas = this.topics.get(topic)?.assignment.get(p);
      if (!stored || !replicas) continue;
      const { state } = stored;
      let next: PartitionState | null = null;
      if (state.leader === -1 || !liveIds.has(state.leader)) {
        const e = electForOfflinePartition(replicas, state.isr, liveIds, this.opts.uncleanLeaderElection);
        if (e) {
          if (e.unclean) this.opts.logger.warn(`controller: unclean leader election for ${topic}-${p}: ${e.leader}`);
          next = { ...state, leader: e.leader, leaderEpoch: state.leaderEpoch + 1, isr: e.isr };
        } else if (state.leader !== -1) {
          // No eligible leader: the partition goes offline but keeps its ISR, so the last in-sync
          // replica is elected cleanly when it comes back (as Kafka's controller does).
          next = { ...state, leader: -1, leaderEpoch: state.leaderEpoch + 1 };
          this.opts.logger.warn(`controller: ${topic}-${p} has no eligible leader and is offline`);
        }
      } else if (state.isr.some((r) => !liveIds.has(r))) {
        // Followers that died leave the ISR; the leader is alive, so the ISR never empties here.
        next = { ...state, leaderEpoch: state.leaderEpoch + 1, isr: state.isr.filter((r) => liveIds.has(r)) };
      }
      if (next) changed.push(await this.writeState(topic, p, next));
    }
    return changed;
  }

  // ---- Topics -----------------------------------------------------------------------------------

  private async watchTopics(): Promise<Set<string>> {
    const { store } = this.opts;
    store.watchChildren(Paths.topics, () => void this.enqueue('topics', () => this.onTopicsChanged()));
    return new Set(await store.getChildren(Paths.topics));
  }

  private async onTopicsChanged(): Promise<void> {
    if (!this.active) return;
    const names = await this.watchTopics();
    const created: PartitionInfo[] = [];
    for (const name of names) {
      if (!this.topics.has(name)) created.push(...(await this.loadTopic(name)));
    }
    const gone = [...this.topics.keys()].filter((t) => !names.has(t));
    for (const t of gone) this.forgetTopic(t);
    if (created.length === 0 && gone.length === 0) return;
    await this.sendLeaderAndIsr(created, []);
    await this.sendUpdateMetadata([...this.live.keys()], created, gone);
  }

  /** Reads a topic's assignment and partition states, creating the states of new partitions. */
  private async loadTopic(name: string): Promise<PartitionInfo[]> {
    const { store } = this.opts;
    store.watchData(Paths.topic(name), (ev) => {
      if (ev === 'changed') void this.enqueue(`topic ${name}`, () => this.onTopicChanged(name));
    });
    const node = await store.get(Paths.topic(name));
    if (!node) return [];
    const a = decodeTopicAssignment(name, node.data);
    const topicId = a.topicId || randomBytes(16).toString('base64url');
    this.topics.set(name, { topicId, assignment: a.partitions });
    return this.initPartitions(name, [...a.partitions.keys()]);
  }

  /** Partitions were added to a topic (CreatePartitions rewrites the assignment). */
  private async onTopicChanged(name: string): Promise<void> {
    if (!this.active) return;
    const { store } = this.opts;
    store.watchData(Paths.topic(name), (ev) => {
      if (ev === 'changed') void this.enqueue(`topic ${name}`, () => this.onTopicChanged(name));
    });
    const node = await store.get(Paths.topic(name));
    const t = this.topics.get(name);
    if (!node || !t) return;
    const a = decodeTopicAssignment(name, node.data);
    const added = [...a.partitions.keys()].filter((p) => !t.assignment.has(p));
    t.assignment = a.partitions;
    const created = await this.initPartitions(name, added);
    await this.sendLeaderAndIsr(created, []);
    await this.sendUpdateMetadata([...this.live.keys()], created, []);
  }

  private async initPartitions(topic: string, partitions: number[]): Promise<PartitionInfo[]> {
    const { store } = this.opts;
    const t = this.topics.get(topic)!;
    const out: PartitionInfo[] = [];
    for (const p of partitions.sort((a, b) => a - b)) {
      const path = Paths.partitionState(topic, p);
      const existing = await store.get(path);
      if (existing) {
        this.partitions.set(key(topic, p), {
          state: decodePartitionState(path, existing.data),
          version: existing.stat.version,
        });
        out.push(this.info(topic, p));
        continue;
      }
      const replicas = t.assignment.get(p)!;
      const e = electForNewPartition(replicas, new Set(this.live.keys()));
      const state: PartitionState = {
        leader: e?.leader ?? -1,
        leaderEpoch: 0,
        isr: e?.isr ?? [],
        controllerEpoch: this.epoch,
      };
      await store.ensurePath(`${Paths.topicPartitions(topic)}/${p}`);
      try {
        await store.create(path, encodePartitionState(state));
        this.partitions.set(key(topic, p), { state, version: 0 });
      } catch (err) {
        if (!(err instanceof MetadataError && err.code === 'NODE_EXISTS')) throw err;
        const raced = (await store.get(path))!;
        this.partitions.set(key(topic, p), {
          state: decodePartitionState(path, raced.data),
          version: raced.stat.version,
        });
      }
      out.push(this.info(topic, p));
    }
    return out;
  }

  private forgetTopic(name: string): void {
    const t = this.topics.get(name);
    if (!t) return;
    for (const p of t.assignment.keys()) this.partitions.delete(key(name, p));
    this.topics.delete(name);
  }

  // ---- Deletion ---------------------------------------------------------------------------------

  private async onDeletionsRequested(): Promise<void> {
    if (!this.active) return;
    const { store } = this.opts;
    store.watchChildren(
      Paths.deleteTopics,
      () => void this.enqueue('delete topics', () => this.onDeletionsRequested()),
    );
    const requested = await store.getChildren(Paths.deleteTopics);
    const deleted: string[] = [];
    for (const name of requested) {
      const t = this.topics.get(name);
      if (t) {
        const byBroker = new Map<number, { topic: string; partition: number }[]>();
        for (const [p, replicas] of t.assignment) {
          for (const r of replicas) {
            if (!byBroker.has(r)) byBroker.set(r, []);
            byBroker.get(r)!.push({ topic: name, partition: p });
          }
        }
        for (const [brokerId, partitions] of byBroker) {
          if (!this.live.has(brokerId)) continue;
          await this.opts.channel.send(brokerId, (h) =>
            h.stopReplica({
              controllerId: this.opts.brokerId,
              controllerEpoch: this.epoch,
              partitions,
              deletePartitions: true,
            }),
          );
        }
        this.forgetTopic(name);
        deleted.push(name);
      }
      await store.deleteRecursive(Paths.topic(name));
      await store.deleteRecursive(Paths.topicConfig(name));
      await store.deleteRecursive(Paths.deleteTopic(name));
      this.opts.logger.info(`controller: deleted topic ${name}`);
    }
    if (deleted.length > 0) await this.sendUpdateMetadata([...this.live.keys()], [], deleted);
  }

  // ---- Writing and telling ----------------------------------------------------------------------

  private async writeState(topic: string, p: number, state: PartitionState): Promise<PartitionInfo> {
    const k = key(topic, p);
    const stored = this.partitions.get(k)!;
    const next = { ...state, controllerEpoch: this.epoch };
    const stat = await this.opts.store.set(Paths.partitionState(topic, p), encodePartitionState(next), stored.version);
    this.partitions.set(k, { state: next, version: stat.version });
    return this.info(topic, p);
  }

  private info(topic: string, p: number): PartitionInfo {
    const { state, version } = this.partitions.get(key(topic, p))!;
    const replicas = this.topics.get(topic)!.assignment.get(p) ?? [];
    return {
      topic,
      partition: p,
      leader: state.leader,
      leaderEpoch: state.leaderEpoch,
      isr: state.isr,
      replicas,
      offlineReplicas: replicas.filter((r) => !this.live.has(r)),
      partitionEpoch: version,
      controllerEpoch: state.controllerEpoch,
    };
  }

  private allPartitions(): PartitionInfo[] {
    const out: PartitionInfo[] = [];
    for (const [topic, t] of this.topics) {
      for (const p of t.assignment.keys()) if (this.partitions.has(key(topic, p))) out.push(this.info(topic, p));
    }
    return out;
  }

  private topicIds(): Map<string, string> {
    return new Map([...this.topics].map(([name, t]) => [name, t.topicId]));
  }

  /** LeaderAndIsr to every live replica of the given partitions (and every partition of `joined` brokers). */
  private async sendLeaderAndIsr(partitions: readonly PartitionInfo[], joined: readonly number[]): Promise<void> {
    const byBroker = new Map<number, (PartitionInfo & { topicId: string; isNew: boolean })[]>();
    const add = (brokerId: number, p: PartitionInfo): void => {
      if (!this.live.has(brokerId)) return;
      if (!byBroker.has(brokerId)) byBroker.set(brokerId, []);
      byBroker.get(brokerId)!.push({ ...p, topicId: this.topics.get(p.topic)!.topicId, isNew: false });
    };
    for (const p of partitions) for (const r of p.replicas) add(r, p);
    if (joined.length > 0) {
      for (const p of this.allPartitions()) for (const r of p.replicas) if (joined.includes(r)) add(r, p);
    }
    const liveLeaders = [...this.live.values()];
    for (const [brokerId, ps] of byBroker) {
      const unique = [...new Map(ps.map((p) => [key(p.topic, p.partition), p])).values()];
      await this.opts.channel.send(brokerId, (h) =>
        h.leaderAndIsr({
          controllerId: this.opts.brokerId,
          controllerEpoch: this.epoch,
          partitions: unique,
          liveLeaders,
        }),
      );
    }
  }

  private async sendUpdateMetadata(
    brokerIds: readonly number[],
    partitions: readonly PartitionInfo[],
    deletedTopics: readonly string[],
  ): Promise<void> {
    const brokers = [...this.live.values()];
    const topicIds = this.topicIds();
    for (const id of brokerIds) {
      await this.opts.channel.send(id, (h) =>
        h.updateMetadata({
          controllerId: this.opts.brokerId,
          controllerEpoch: this.epoch,
          brokers,
          partitions,
          topicIds,
          deletedTopics,
        }),
      );
    }
  }
}
