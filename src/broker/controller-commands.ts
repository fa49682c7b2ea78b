import type { Logger } from '../common/logger.ts';
import type {
  ControllerCommandHandler,
  LeaderAndIsrCommand,
  StopReplicaCommand,
  UpdateMetadataCommand,
} from '../controller/controller-channel.ts';
import { CONSUMER_OFFSETS_TOPIC } from '../controller/topic-names.ts';
import type { MetadataCache } from '../metadata/metadata-cache.ts';
import type { ReplicaManager } from '../replication/replica-manager.ts';
import type { LogConfig } from '../storage/config.ts';

/** Who takes over (and gives up) the groups of the __consumer_offsets partitions this broker leads. */
export interface OffsetsPartitionListener {
  onElection(partition: number, leaderEpoch: number): unknown;
  onResignation(partition: number, leaderEpoch?: number): void;
  /** Deleted topics: their committed offsets go too. */
  onTopicsDeleted(topics: readonly string[]): unknown;
}

/**
 * A broker's side of the controller's commands: LeaderAndIsr makes this broker lead or follow
 * partitions (opening their logs), UpdateMetadata refreshes its metadata cache, StopReplica
 * stops hosting partitions (and deletes them when their topic was deleted).
 *
 * LeaderAndIsr is applied before the metadata that announces it, so a client that learns of a
 * new leader from this broker finds the partition ready here.
 */
export class BrokerControllerCommands implements ControllerCommandHandler {
  private readonly replicaManager: ReplicaManager;
  private readonly metadataCache: MetadataCache;
  private readonly topicConfig: (topic: string) => LogConfig;
  private readonly logger: Logger;
  private readonly groupCoordinator: OffsetsPartitionListener | null;

  constructor(opts: {
    replicaManager: ReplicaManager;
    metadataCache: MetadataCache;
    topicConfig: (topic: string) => LogConfig;
    logger: Logger;
    /** Told when this broker starts or stops leading a __consumer_offsets partition. */
    groupCoordinator?: OffsetsPartitionListener;
  }) {
    this.replicaManager = opts.replicaManager;
    this.metadataCache = opts.metadataCache;
    this.topicConfig = opts.topicConfig;
    this.logger = opts.logger;
    this.groupCoordinator = opts.groupCoordinator ?? null;
  }

  async leaderAndIsr(cmd: LeaderAndIsrCommand): Promise<void> {
    const results = await this.replicaManager.becomeLeaderOrFollower(
      cmd.partitions.map((p) => ({
        topic: p.topic,
        partition: p.partition,
        leader: p.leader,
        leaderEpoch: p.leaderEpoch,
        isr: p.isr,
        replicas: p.replicas,
      })),
      this.topicConfig,
    );
    for (const r of results) {
      if (r.errorCode !== 0) {
        this.logger.error(`could not take up ${r.topic}-${r.partition}: ${r.errorMessage ?? `error ${r.errorCode}`}`);
      }
    }
    // The group coordinator loads the groups of the offsets partitions it now leads (Kafka's onElection).
    cmd.partitions.forEach((p, i) => {
      if (p.topic !== CONSUMER_OFFSETS_TOPIC || this.groupCoordinator === null || results[i]?.errorCode !== 0) return;
      if (p.leader === this.replicaManager.brokerId) void this.groupCoordinator.onElection(p.partition, p.leaderEpoch);
      else this.groupCoordinator.onResignation(p.partition, p.leaderEpoch);
    });
    // The partitions this broker now leads are reported to clients only after they are open.
    this.metadataCache.update({
      controllerId: cmd.controllerId,
      controllerEpoch: cmd.controllerEpoch,
      partitions: cmd.partitions,
      topicIds: new Map(cmd.partitions.map((p) => [p.topic, p.topicId])),
    });
  }

  async updateMetadata(cmd: UpdateMetadataCommand): Promise<void> {
    this.metadataCache.update({
      controllerId: cmd.controllerId,
      controllerEpoch: cmd.controllerEpoch,
      brokers: cmd.brokers,
      partitions: cmd.partitions,
      topicIds: cmd.topicIds,
      deletedTopics: cmd.deletedTopics,
    });
    if (cmd.deletedTopics.length > 0) void this.groupCoordinator?.onTopicsDeleted(cmd.deletedTopics);
  }

  async stopReplica(cmd: StopReplicaCommand): Promise<void> {
    for (const { topic, partition } of cmd.partitions) {
      if (topic === CONSUMER_OFFSETS_TOPIC) this.groupCoordinator?.onResignation(partition);
      if (cmd.deletePartitions) await this.replicaManager.deletePartition(topic, partition);
    }
  }
}
