/**
 * The Kafka message codecs: one generated module per API (request and response types and their
 * codecs), the API table, the consumer-protocol payloads, and the schema description that tests
 * and fuzzers drive. Generated modules live in ./generated/ (see tools/codegen); this file is
 * hand-written. test/tools/codegen checks that it re-exports every generated module.
 */
export * from './consumer-protocol.ts';
export * from './generated/add-offsets-to-txn.ts';
export * from './generated/add-partitions-to-txn.ts';
export * from './generated/alter-configs.ts';
export * from './generated/api-table.ts';
export * from './generated/api-versions.ts';
export * from './generated/consumer-protocol-assignment.ts';
export * from './generated/consumer-protocol-subscription.ts';
export * from './generated/controlled-shutdown.ts';
export * from './generated/create-acls.ts';
export * from './generated/create-partitions.ts';
export * from './generated/create-topics.ts';
export * from './generated/delete-acls.ts';
export * from './generated/delete-groups.ts';
export * from './generated/delete-records.ts';
export * from './generated/delete-topics.ts';
export * from './generated/describe-acls.ts';
export * from './generated/describe-cluster.ts';
export * from './generated/describe-configs.ts';
export * from './generated/describe-groups.ts';
export * from './generated/describe-log-dirs.ts';
export * from './generated/describe-producers.ts';
export * from './generated/describe-transactions.ts';
export * from './generated/elect-leaders.ts';
export * from './generated/end-txn.ts';
export * from './generated/fetch.ts';
export * from './generated/find-coordinator.ts';
export * from './generated/heartbeat.ts';
export * from './generated/incremental-alter-configs.ts';
export * from './generated/init-producer-id.ts';
export * from './generated/join-group.ts';
export * from './generated/leader-and-isr.ts';
export * from './generated/leave-group.ts';
export * from './generated/list-groups.ts';
export * from './generated/list-offsets.ts';
export * from './generated/list-partition-reassignments.ts';
export * from './generated/list-transactions.ts';
export * from './generated/metadata.ts';
export * from './generated/offset-commit.ts';
export * from './generated/offset-delete.ts';
export * from './generated/offset-fetch.ts';
export * from './generated/offset-for-leader-epoch.ts';
export * from './generated/produce.ts';
export * from './generated/sasl-authenticate.ts';
export * from './generated/sasl-handshake.ts';
export * from './generated/schema.ts';
export * from './generated/stop-replica.ts';
export * from './generated/sync-group.ts';
export * from './generated/txn-offset-commit.ts';
export * from './generated/update-metadata.ts';
export * from './generated/write-txn-markers.ts';
