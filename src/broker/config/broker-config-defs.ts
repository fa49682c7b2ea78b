/**
 * The broker's property table: every server.properties key Samsa knows — Kafka 3.9's names,
 * types and defaults (KafkaConfig and the *Configs classes it merges), the names Kafka 0.8's
 * example server.properties uses (port, host.name, advertised.*, log.cleanup.interval.mins,
 * kafka.csv.metrics.*), and whether Samsa acts on each. Log properties are in log-config-defs.ts.
 *
 * Where Samsa's default differs from Kafka's the doc line says so: broker.id 0 (Kafka -1, i.e.
 * generated), log.dir ./samsa-data, and replication factor 1 for the internal topics — what
 * Kafka's own example server.properties sets, so that a single broker works with no file.
 */
import { type ConfigDefinition, indexDefinitions } from '../../common/config-def.ts';
import { COMPRESSION_TYPES } from '../../storage/topic-config-defs.ts';
import { ignored, LOG_CONFIG_DEFS, used } from './log-config-defs.ts';

const INT_MAX = 2147483647;
const PORT = { min: 0, max: 65535 };

const SERVER_DEFS: readonly ConfigDefinition[] = [
  used('broker.id', 'int', 0, "This broker's id, unique in the cluster. Samsa default: 0 (Kafka: -1, generated).", {
    min: 0,
  }),
  used('node.id', 'int', -1, 'KRaft name of broker.id; when set it must equal broker.id (-1: not set).', { min: -1 }),
  ignored('broker.id.generation.enable', 'boolean', true, 'Generate broker ids in ZooKeeper (Samsa needs broker.id).'),
  ignored('reserved.broker.max.id', 'int', 1000, 'Highest broker id not generated.', { min: 0 }),
  used('broker.rack', 'string', null, 'Rack of this broker, for rack-aware replica placement.'),
  used('message.max.bytes', 'int', 1048588, 'Largest record batch a topic accepts (topic: max.message.bytes).', {
    min: 0,
  }),
  ignored('num.io.threads', 'int', 8, 'Request handler threads (Samsa: one event loop).', { min: 1 }),
  ignored('num.network.threads', 'int', 3, 'Network threads (Samsa: one event loop).', { min: 1 }),
  ignored('background.threads', 'int', 10, 'Background task threads (Samsa: one event loop).', { min: 1 }),
  ignored('num.replica.alter.log.dirs.threads', 'int', null, 'Threads moving replicas between log dirs.'),
  ignored('request.timeout.ms', 'int', 30000, 'Timeout of requests this broker sends.'),
  used('delete.topic.enable', 'boolean', true, 'Allow DeleteTopics; when false it fails with TOPIC_DELETION_DISABLED.'),
  used('compression.type', 'string', 'producer', 'Codec batches are stored with; producer keeps what was sent.', {
    oneOf: COMPRESSION_TYPES,
  }),
  ignored('compression.gzip.level', 'int', -1, 'gzip level when compression.type=gzip.', {
    check: (v) => v === -1 || ((v as number) >= 1 && (v as number) <= 9),
    allowed: 'must be an integer between 1 and 9, or -1',
  }),
  ignored('compression.lz4.level', 'int', 9, 'lz4 level when compression.type=lz4.', { min: 1, max: 17 }),
  ignored('compression.zstd.level', 'int', 3, 'zstd level when compression.type=zstd.', { min: -131072, max: 22 }),
  used('controlled.shutdown.enable', 'boolean', true, 'Move leadership away before this broker stops.'),
  ignored('controlled.shutdown.max.retries', 'int', 3, 'Controlled shutdown attempts.'),
  ignored('controlled.shutdown.retry.backoff.ms', 'long', 5000, 'Wait between controlled shutdown attempts.'),
  used('fetch.max.bytes', 'int', 57671680, 'Largest Fetch response the broker builds.', { min: 1024 }),
  used('max.incremental.fetch.session.cache.slots', 'int', 1000, 'Incremental fetch sessions kept.', { min: 0 }),
  ignored('max.request.partition.size.limit', 'int', 2000, 'Largest partition count of one request.', { min: 1 }),
  ignored('authorizer.class.name', 'string', '', 'Java authorizer class; Samsa has no ACLs.'),
  ignored('early.start.listeners', 'string', null, 'Listeners started before the broker has its metadata.'),
];

const SOCKET_DEFS: readonly ConfigDefinition[] = [
  used(
    'listeners',
    'string',
    'PLAINTEXT://:9092',
    'Comma-separated NAME://host:port to listen on; an empty host binds every interface.',
  ),
  used(
    'advertised.listeners',
    'string',
    null,
    'Comma-separated NAME://host:port given to clients; when not set, the listeners (wildcard hosts as localhost).',
  ),
  used(
    'listener.security.protocol.map',
    'string',
    'SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT',
    'Listener name to security protocol; Samsa serves PLAINTEXT only.',
  ),
  used('inter.broker.listener.name', 'string', null, 'Listener followers fetch from; default: PLAINTEXT.'),
  used('security.inter.broker.protocol', 'string', 'PLAINTEXT', 'Protocol between brokers; Samsa: PLAINTEXT only.', {
    oneOf: ['PLAINTEXT'],
  }),
  ignored('control.plane.listener.name', 'string', null, 'Separate listener for controller requests.'),
  used('controller.listener.names', 'string', null, 'KRaft controller listeners; Samsa leaves them out.'),
  used('port', 'int', 9092, 'Kafka 0.8: the port to listen on when listeners is not set.', PORT),
  used('host.name', 'string', '', 'Kafka 0.8: the interface to bind when listeners is not set (empty: all).'),
  used(
    'advertised.host.name',
    'string',
    null,
    'Kafka 0.8: the host given to clients when advertised.listeners is not set.',
  ),
  used(
    'advertised.port',
    'int',
    null,
    'Kafka 0.8: the port given to clients when advertised.listeners is not set.',
    PORT,
  ),
  used(
    'socket.send.buffer.bytes',
    'int',
    102400,
    'Per-connection write buffer before reading pauses; -1: Node default.',
  ),
  ignored('socket.receive.buffer.bytes', 'int', 102400, 'SO_RCVBUF (Node.js cannot set it).'),
  used('socket.request.max.bytes', 'int', 104857600, 'Largest request frame; a larger one closes the connection.', {
    min: 1,
  }),
  ignored(
    'socket.listen.backlog.size',
    'int',
    50,
    "Pending connections the listen socket holds (Samsa: Node's default, 511).",
    { min: 1 },
  ),
  ignored('max.connections.per.ip', 'int', INT_MAX, 'Connections allowed from one address.', { min: 0 }),
  ignored('max.connections.per.ip.overrides', 'string', '', 'Per-address connection limits.'),
  ignored('max.connections', 'int', INT_MAX, 'Connections allowed in total.', { min: 0 }),
  ignored('max.connection.creation.rate', 'int', INT_MAX, 'New connections allowed a second.', { min: 0 }),
  used('connections.max.idle.ms', 'long', 600000, 'Close a connection idle this long.'),
  ignored('connection.failed.authentication.delay.ms', 'int', 100, 'Delay before answering a failed login.', {
    min: 0,
  }),
  used('queued.max.requests', 'int', 500, 'Requests a connection may have in flight before it stops reading.', {
    min: 1,
  }),
  ignored('queued.max.request.bytes', 'long', -1, 'Bytes of queued requests before reading stops.'),
];

const ZOOKEEPER_DEFS: readonly ConfigDefinition[] = [
  used(
    'zookeeper.connect',
    'string',
    null,
    'host:port[,host:port...][/chroot] of the ZooKeeper ensemble; when not set, the embedded metadata store is used.',
  ),
  used('zookeeper.session.timeout.ms', 'int', 18000, 'ZooKeeper session timeout.', { min: 1 }),
  used('zookeeper.connection.timeout.ms', 'int', null, 'Wait this long to connect; default: the session timeout.', {
    min: 1,
  }),
  ignored('zookeeper.set.acl', 'boolean', false, 'Secure ZooKeeper ACLs.'),
  ignored('zookeeper.max.in.flight.requests', 'int', 10, 'Unanswered ZooKeeper requests allowed.', { min: 1 }),
];

const REPLICATION_DEFS: readonly ConfigDefinition[] = [
  ignored('controller.socket.timeout.ms', 'int', 30000, 'Socket timeout of controller-to-broker connections.'),
  used('default.replication.factor', 'int', 1, 'Replicas of an auto-created topic.', { min: 1 }),
  used('replica.lag.time.max.ms', 'long', 30000, 'A follower this far behind leaves the ISR.', { min: 1 }),
  used('replica.socket.timeout.ms', 'int', 30000, 'Socket timeout of follower fetches.'),
  ignored('replica.socket.receive.buffer.bytes', 'int', 65536, 'SO_RCVBUF of follower connections.'),
  used('replica.fetch.max.bytes', 'int', 1048576, 'Bytes a follower asks for per partition.', { min: 0 }),
  used('replica.fetch.wait.max.ms', 'int', 500, 'Longest wait of a follower fetch.'),
  used('replica.fetch.min.bytes', 'int', 1, 'Bytes a follower fetch waits for.'),
  used('replica.fetch.backoff.ms', 'int', 1000, 'Sleep after a failed follower fetch.', { min: 0 }),
  used('replica.fetch.response.max.bytes', 'int', 10485760, 'Largest follower fetch response.', { min: 0 }),
  used('num.replica.fetchers', 'int', 1, 'Fetcher connections per source broker.', { min: 1 }),
  used('replica.high.watermark.checkpoint.interval.ms', 'long', 5000, 'How often high watermarks are saved.'),
  ignored('fetch.purgatory.purge.interval.requests', 'int', 1000, 'Purge interval of the fetch purgatory.'),
  ignored('producer.purgatory.purge.interval.requests', 'int', 1000, 'Purge interval of the produce purgatory.'),
  ignored('delete.records.purgatory.purge.interval.requests', 'int', 1, 'Purge interval of DeleteRecords waits.'),
  used('auto.leader.rebalance.enable', 'boolean', true, 'Move leadership back to preferred replicas.'),
  used('leader.imbalance.per.broker.percentage', 'int', 10, 'Imbalance that triggers a leader rebalance.'),
  used('leader.imbalance.check.interval.seconds', 'long', 300, 'How often leader imbalance is checked.', { min: 1 }),
  used('unclean.leader.election.enable', 'boolean', false, 'Elect a leader outside the ISR when none is alive.'),
  ignored('inter.broker.protocol.version', 'string', '3.9-IV0', 'Kafka inter-broker protocol version.'),
  ignored('replica.selector.class', 'string', null, 'Java class choosing the replica a consumer reads from.'),
];

const GROUP_DEFS: readonly ConfigDefinition[] = [
  used('group.min.session.timeout.ms', 'int', 6000, 'Shortest session timeout a group member may ask for.'),
  used('group.max.session.timeout.ms', 'int', 1800000, 'Longest session timeout a group member may ask for.'),
  used('group.initial.rebalance.delay.ms', 'int', 3000, 'Wait for more members before a new group first rebalances.'),
  used('group.max.size', 'int', INT_MAX, 'Most members of one group.', { min: 1 }),
  used('offset.metadata.max.bytes', 'int', 4096, 'Largest metadata string of a committed offset.'),
  ignored('offsets.load.buffer.size', 'int', 5242880, 'Read size when loading offsets.', { min: 1 }),
  used(
    'offsets.topic.replication.factor',
    'short',
    1,
    "Replicas of __consumer_offsets. Samsa default: 1, as in Kafka's example file (Kafka built-in: 3).",
    { min: 1 },
  ),
  used('offsets.topic.num.partitions', 'int', 50, 'Partitions of __consumer_offsets.', { min: 1 }),
  used('offsets.topic.segment.bytes', 'int', 104857600, 'Segment size of __consumer_offsets.', { min: 1 }),
  used('offsets.topic.compression.codec', 'int', 0, 'Codec id for __consumer_offsets (0 none, 1 gzip, ...).', {
    min: 0,
    max: 4,
  }),
  used('offsets.retention.minutes', 'int', 10080, 'Keep the offsets of an empty group this long.', { min: 1 }),
  used('offsets.retention.check.interval.ms', 'long', 600000, 'How often stale offsets are removed.', { min: 1 }),
  used('offsets.commit.timeout.ms', 'int', 5000, 'Longest wait for an offset commit to replicate.', { min: 1 }),
  ignored('offsets.commit.required.acks', 'short', -1, 'Deprecated: acks of offset commits.'),
  ignored('group.coordinator.rebalance.protocols', 'list', ['classic'], 'Group protocols (Samsa: classic).'),
  ignored('group.coordinator.threads', 'int', 1, 'Coordinator threads.', { min: 1 }),
];

const TRANSACTION_DEFS: readonly ConfigDefinition[] = [
  ignored('transaction.state.log.num.partitions', 'int', 50, 'Partitions of __transaction_state.', { min: 1 }),
  ignored(
    'transaction.state.log.replication.factor',
    'short',
    1,
    'Replicas of __transaction_state. Samsa default: 1 (Kafka built-in: 3).',
    { min: 1 },
  ),
  ignored('transaction.state.log.min.isr', 'int', 1, 'min.insync.replicas of __transaction_state (Kafka: 2).', {
    min: 1,
  }),
  ignored('transaction.state.log.segment.bytes', 'int', 104857600, 'Segment size of __transaction_state.', { min: 1 }),
  ignored('transaction.state.log.load.buffer.size', 'int', 5242880, 'Read size when loading transactions.', { min: 1 }),
  ignored('transaction.max.timeout.ms', 'int', 900000, 'Longest transaction timeout a producer may ask for.', {
    min: 1,
  }),
  used('transactional.id.expiration.ms', 'int', 604800000, 'Forget a transactional id unused this long.', { min: 1 }),
  used('producer.id.expiration.ms', 'int', 86400000, "Forget an idle producer id's sequence state after this long.", {
    min: 1,
  }),
  used('producer.id.expiration.check.interval.ms', 'int', 600000, 'How often expired producer ids are removed.', {
    min: 1,
  }),
  ignored('transaction.partition.verification.enable', 'boolean', true, 'Verify transactional partitions.'),
];

const METRIC_DEFS: readonly ConfigDefinition[] = [
  ignored('kafka.metrics.polling.interval.secs', 'int', 10, 'Polling interval of Yammer metrics reporters.', {
    min: 1,
  }),
  ignored('kafka.metrics.reporters', 'list', [], 'Yammer metrics reporter classes.'),
  ignored('kafka.csv.metrics.dir', 'string', '/tmp/kafka_metrics', 'Kafka 0.8: directory of the CSV metrics reporter.'),
  ignored('kafka.csv.metrics.reporter.enabled', 'boolean', false, 'Kafka 0.8: enable the CSV metrics reporter.'),
  ignored('metric.reporters', 'list', [], 'Metrics reporter classes.'),
  ignored('metrics.num.samples', 'int', 2, 'Samples kept per metric.', { min: 1 }),
  ignored('metrics.sample.window.ms', 'long', 30000, 'Window of one metric sample.', { min: 1 }),
  ignored('metrics.recording.level', 'string', 'INFO', 'Highest metrics recording level.'),
  ignored('auto.include.jmx.reporter', 'boolean', true, 'Add the JMX reporter.'),
];

const KRAFT_DEFS: readonly ConfigDefinition[] = [
  ignored(
    'process.roles',
    'list',
    [],
    'KRaft roles; Samsa runs as a ZooKeeper-mode (or embedded-store) broker whatever this says.',
    { oneOf: ['broker', 'controller'] },
  ),
  ignored('controller.quorum.voters', 'list', [], 'KRaft quorum voters (Samsa uses ZooKeeper or its embedded store).'),
  ignored('controller.quorum.bootstrap.servers', 'list', [], 'KRaft quorum bootstrap servers.'),
  ignored('metadata.log.dir', 'string', null, 'KRaft metadata log directory.'),
];

/** Every broker property Samsa knows, by name. */
export const BROKER_CONFIG_DEFS: ReadonlyMap<string, ConfigDefinition> = indexDefinitions([
  ...SERVER_DEFS,
  ...SOCKET_DEFS,
  ...ZOOKEEPER_DEFS,
  ...REPLICATION_DEFS,
  ...GROUP_DEFS,
  ...TRANSACTION_DEFS,
  ...METRIC_DEFS,
  ...KRAFT_DEFS,
  ...LOG_CONFIG_DEFS,
]);
