import type { Clock } from '../common/clock.ts';
import type { CoarseTimers } from '../common/coarse-timers.ts';
import type { Logger } from '../common/logger.ts';
import type { GroupCoordinator } from '../coordinator/group-coordinator.ts';
import type { ProducerIdManager } from '../coordinator/producer-id-manager.ts';
import type { MetadataCache } from '../metadata/metadata-cache.ts';
import type { MetadataStore } from '../metadata/metadata-store.ts';
import type { ReplicaManager } from '../replication/replica-manager.ts';
import type { BrokerConfig } from './config/broker-config.ts';
import type { FetchSessionCache } from './fetch-session.ts';
import type { TopicService } from './topic-service.ts';

/**
 * The broker's services as handlers see them: `ctx.services`. The composition root
 * (start-broker.ts) builds one object and passes it to the BrokerServer; handlers never
 * construct services. Each module adds its member here when it lands, so a handler's
 * dependencies are typed and a test can hand a handler exactly what it needs.
 */
export interface BrokerServices {
  /** This broker's id (broker.id). */
  readonly brokerId: number;
}

/** Everything a fully assembled broker offers its handlers. */
export interface FullBrokerServices extends BrokerServices {
  readonly config: BrokerConfig;
  readonly clock: Clock;
  readonly timers: CoarseTimers;
  readonly logger: Logger;
  /** This broker's session on the coordination store. */
  readonly store: MetadataStore;
  /** What this broker knows of brokers, topics and partition leaders. */
  readonly metadataCache: MetadataCache;
  /** Topic administration: create, delete, add partitions, configs, auto-creation. */
  readonly topics: TopicService;
  /** The partitions this broker hosts, and the requests waiting on them. */
  readonly replicaManager: ReplicaManager;
  /** Hands out producer ids (InitProducerId). */
  readonly producerIds: ProducerIdManager;
  /** Incremental fetch sessions (KIP-227), shared by every connection. */
  readonly fetchSessions: FetchSessionCache;
  /** Consumer groups and committed offsets of the __consumer_offsets partitions this broker leads. */
  readonly groupCoordinator: GroupCoordinator;
}

/** The full services of a handler's broker (handlers are only ever served by a full broker). */
export function fullServices(ctx: { services: BrokerServices }): FullBrokerServices {
  return ctx.services as FullBrokerServices;
}
