/**
 * The broker's services as handlers see them: `ctx.services`. The composition root builds one
 * object and passes it to the Broker at construction; handlers never construct services.
 *
 * Each module adds its member here when it lands (replicaManager, metadataCache, logManager,
 * groupCoordinator, config, producer-id manager, ...), so a handler's dependencies are typed and
 * a test can hand a handler exactly the fakes it needs.
 */
export interface BrokerServices {
  /** This broker's id (broker.id). */
  readonly brokerId: number;
}
