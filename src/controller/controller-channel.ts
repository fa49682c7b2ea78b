import type { BrokerInfo, PartitionInfo } from '../metadata/metadata-cache.ts';

/**
 * How the controller tells brokers what to do — Kafka's LeaderAndIsr, UpdateMetadata and
 * StopReplica requests. The in-process channel below calls brokers directly (single node, and
 * several brokers in one process for tests); a network channel sends the same requests encoded
 * with the generated codecs to brokers in other processes.
 */
export interface LeaderAndIsrCommand {
  controllerId: number;
  controllerEpoch: number;
  partitions: readonly (PartitionInfo & { topicId: string; isNew: boolean })[];
  liveLeaders: readonly BrokerInfo[];
}

export interface UpdateMetadataCommand {
  controllerId: number;
  controllerEpoch: number;
  brokers: readonly BrokerInfo[];
  partitions: readonly PartitionInfo[];
  topicIds: ReadonlyMap<string, string>;
  deletedTopics: readonly string[];
}

export interface StopReplicaCommand {
  controllerId: number;
  controllerEpoch: number;
  partitions: readonly { topic: string; partition: number }[];
  deletePartitions: boolean;
}

/** What a broker does with the controller's commands. */
export interface ControllerCommandHandler {
  leaderAndIsr(cmd: LeaderAndIsrCommand): Promise<void>;
  updateMetadata(cmd: UpdateMetadataCommand): Promise<void>;
  stopReplica(cmd: StopReplicaCommand): Promise<void>;
}

export interface ControllerChannel {
  send(brokerId: number, send: (handler: ControllerCommandHandler) => Promise<void>): Promise<void>;
}

/** Brokers of this process, by id. Commands to a broker not registered here are dropped. */
export class InProcessControllerChannel implements ControllerChannel {
  private readonly brokers = new Map<number, ControllerCommandHandler>();

  register(brokerId: number, handler: ControllerCommandHandler): void {
    this.brokers.set(brokerId, handler);
  }

  unregister(brokerId: number): void {
    this.brokers.delete(brokerId);
  }

  async send(brokerId: number, send: (handler: ControllerCommandHandler) => Promise<void>): Promise<void> {
    const h = this.brokers.get(brokerId);
    if (h) await send(h);
  }
}
