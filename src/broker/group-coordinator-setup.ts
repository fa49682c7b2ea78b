import type { Clock } from '../common/clock.ts';
import type { CoarseTimers } from '../common/coarse-timers.ts';
import type { Logger } from '../common/logger.ts';
import { CONSUMER_OFFSETS_TOPIC } from '../controller/topic-names.ts';
import { GroupCoordinator, type GroupCoordinatorConfig } from '../coordinator/group-coordinator.ts';
import type { AppendOutcome, LogBounds, OffsetsTopicLog } from '../coordinator/offsets-topic-log.ts';
import type { MetadataCache } from '../metadata/metadata-cache.ts';
import type { CompressionCodec } from '../protocol/records/batch-format.ts';
import type { ReplicaManager } from '../replication/replica-manager.ts';
import type { BrokerConfig } from './config/broker-config.ts';

/**
 * The coordinator's view of `__consumer_offsets` (coordinator/offsets-topic-log.ts) on top of the
 * ReplicaManager: appends go through appendRecords with acks=all and internal topics allowed, so
 * they resolve once the high watermark passes them; reads take whole batches straight from the
 * partition's log up to its log end offset (a new leader loads what it has, as Kafka does).
 */
export class ReplicaOffsetsTopicLog implements OffsetsTopicLog {
  private readonly replicaManager: ReplicaManager;

  constructor(replicaManager: ReplicaManager) {
    this.replicaManager = replicaManager;
  }

  async append(partition: number, batch: Buffer, timeoutMs: number): Promise<AppendOutcome> {
    const [r] = await this.replicaManager.appendRecords({
      timeoutMs,
      requiredAcks: -1,
      internalTopicsAllowed: true,
      entries: [{ topic: CONSUMER_OFFSETS_TOPIC, partition, records: batch }],
    });
    const out: AppendOutcome = { errorCode: r!.errorCode, baseOffset: r!.baseOffset };
    if (r!.errorMessage !== undefined) out.errorMessage = r!.errorMessage;
    return out;
  }

  bounds(partition: number): LogBounds | null {
    const p = this.replicaManager.partitionFor(CONSUMER_OFFSETS_TOPIC, partition);
    return p === undefined ? null : { logStartOffset: p.logStartOffset, logEndOffset: p.logEndOffset };
  }

  async read(partition: number, offset: number, maxBytes: number): Promise<Buffer> {
    const p = this.replicaManager.partitionFor(CONSUMER_OFFSETS_TOPIC, partition);
    if (p === undefined || p.isClosed) throw new Error(`${CONSUMER_OFFSETS_TOPIC}-${partition} is not hosted here`);
    return (await p.log.read(offset, maxBytes, p.logEndOffset, true)).records;
  }
}

/** The coordinator's settings from the broker's group.* and offsets.* properties. */
export function groupCoordinatorConfig(c: BrokerConfig): GroupCoordinatorConfig {
  const codec = c.values.get('offsets.topic.compression.codec');
  return {
    numPartitions: c.offsetsTopicNumPartitions,
    group: {
      minSessionTimeoutMs: c.groupMinSessionTimeoutMs,
      maxSessionTimeoutMs: c.groupMaxSessionTimeoutMs,
      initialRebalanceDelayMs: c.groupInitialRebalanceDelayMs,
      maxSize: c.groupMaxSize,
    },
    offsetMetadataMaxBytes: c.offsetMetadataMaxBytes,
    offsetsRetentionMs: c.offsetsRetentionMs,
    offsetsRetentionCheckIntervalMs: c.offsetsRetentionCheckIntervalMs,
    offsetsCommitTimeoutMs: c.offsetsCommitTimeoutMs,
    compressionCodec: (typeof codec === 'number' ? codec : 0) as CompressionCodec,
  };
}

/** Builds and starts the broker's group coordinator. */
export function startGroupCoordinator(opts: {
  config: BrokerConfig;
  replicaManager: ReplicaManager;
  metadataCache: MetadataCache;
  clock: Clock;
  timers: CoarseTimers;
  logger: Logger;
}): GroupCoordinator {
  const coordinator = new GroupCoordinator({
    config: groupCoordinatorConfig(opts.config),
    log: new ReplicaOffsetsTopicLog(opts.replicaManager),
    clock: opts.clock,
    timers: opts.timers,
    logger: opts.logger,
    partitionCount: () => opts.metadataCache.topic(CONSUMER_OFFSETS_TOPIC)?.partitions.size || undefined,
  });
  coordinator.startup();
  return coordinator;
}
