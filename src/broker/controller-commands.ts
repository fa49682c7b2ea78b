import type { Logger } from '../common/logger.ts';
import type {
  ControllerCommandHandler,
  LeaderAndIsrCommand,
  StopReplicaCommand,
  UpdateMetadataCommand,
} from '../controller/controller-channel.ts';
import type { MetadataCache } from '../metadata/metadata-cache.ts';
import type { ReplicaManager } from '../replication/replica-manager.ts';
import type { LogConfig } from '../storage/config.ts';

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

  constructor(opts: {
    replicaManager: ReplicaManager;
    metadataCache: MetadataCache;
    topicConfig: (topic: string) => LogConfig;
    logger: Logger;
  }) {
    this.replicaManager = opts.replicaManager;
    this.metadataCache = opts.metadataCache;
    this.topicConfig = opts.topicConfig;
    this.logger = opts.logger;
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
  }

  async stopReplica(cmd: StopReplicaCommand): Promise<void> {
    for (const { topic, partition } of cmd.partitions) {
      if (cmd.deletePartitions) await this.replicaManager.deletePartition(topic, partition);
    }
  }
}
