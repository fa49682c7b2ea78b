/**
 * What one broker knows about the cluster: live brokers, topics with their ids, and each
 * partition's leader, leader epoch, ISR and replicas. Filled by the controller's UpdateMetadata
 * (in process or over the wire) and read by Metadata, Produce, Fetch, FindCoordinator and the
 * admin handlers. Reads are synchronous and cheap; updates replace whole entries.
 */
export interface BrokerInfo {
  id: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionInfo {
  topic: string;
  partition: number;
  leader: number;
  leaderEpoch: number;
  isr: number[];
  replicas: number[];
  /** Replicas on brokers that are not alive. */
  offlineReplicas: number[];
  /** Version of the partition state (ZooKeeper zkVersion); bumps on every change. */
  partitionEpoch: number;
  controllerEpoch: number;
}

export interface TopicInfo {
  name: string;
  topicId: string;
  partitions: Map<number, PartitionInfo>;
}

export interface MetadataUpdate {
  controllerId: number;
  controllerEpoch: number;
  /** When present, replaces the whole set of live brokers. */
  brokers?: readonly BrokerInfo[];
  /** Upserted partition states, with the topic ids of their topics. */
  partitions?: readonly PartitionInfo[];
  topicIds?: ReadonlyMap<string, string>;
  /** Topics that no longer exist. */
  deletedTopics?: readonly string[];
}

export class MetadataCache {
  clusterId: string;
  private _controllerId = -1;
  private controllerEpoch = -1;
  private readonly brokersById = new Map<number, BrokerInfo>();
  private readonly topicsByName = new Map<string, TopicInfo>();
  private readonly topicsById = new Map<string, TopicInfo>();
  private readonly listeners = new Set<() => void>();

  constructor(clusterId: string) {
    this.clusterId = clusterId;
  }

  get controllerId(): number {
    return this._controllerId;
  }

  brokers(): BrokerInfo[] {
    return [...this.brokersById.values()].sort((a, b) => a.id - b.id);
  }

  broker(id: number): BrokerInfo | undefined {
    return this.brokersById.get(id);
  }

  isAlive(id: number): boolean {
    return this.brokersById.has(id);
  }

  topicNames(): string[] {
    return [...this.topicsByName.keys()].sort();
  }

  topic(name: string): TopicInfo | undefined {
    return this.topicsByName.get(name);
  }

  topicById(id: string): TopicInfo | undefined {
    return this.topicsById.get(id);
  }

  partition(topic: string, partition: number): PartitionInfo | undefined {
    return this.topicsByName.get(topic)?.partitions.get(partition);
  }

  /** Calls `listener` after every update (e.g. to wake requests waiting for a topic). */
  onUpdate(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies an update from the controller; updates from an older controller epoch are ignored. */
  update(u: MetadataUpdate): boolean {
    if (u.controllerEpoch < this.controllerEpoch) return false;
    this.controllerEpoch = u.controllerEpoch;
    this._controllerId = u.controllerId;
    if (u.brokers) {
      this.brokersById.clear();
      for (const b of u.brokers) this.brokersById.set(b.id, b);
    }
    for (const name of u.deletedTopics ?? []) {
      const t = this.topicsByName.get(name);
      if (!t) continue;
      this.topicsByName.delete(name);
      this.topicsById.delete(t.topicId);
    }
    for (const p of u.partitions ?? []) {
      let t = this.topicsByName.get(p.topic);
      const id = u.topicIds?.get(p.topic) ?? t?.topicId ?? '';
      if (!t || t.topicId !== id) {
        if (t) this.topicsById.delete(t.topicId);
        t = { name: p.topic, topicId: id, partitions: new Map() };
        this.topicsByName.set(p.topic, t);
        this.topicsById.set(id, t);
      }
      t.partitions.set(p.partition, p);
    }
    for (const l of this.listeners) l();
    return true;
  }
}
