/**
 * Broker-level log properties (Kafka's ServerLogConfigs, CleanerConfig and the old 0.8 names):
 * the defaults of every log, which topics override with the names in
 * storage/topic-config-defs.ts. Storage parses them into LogConfig / LogManagerConfig
 * (storage/config.ts); this table supplies types, defaults, allowed values and doc lines so a bad
 * value is reported by name before storage sees it, and DescribeConfigs can show them.
 */
import { type ConfigDefinition, type ConfigType, type ConfigValue, LONG_MAX } from '../../common/config-def.ts';

type Rules = Pick<ConfigDefinition, 'min' | 'max' | 'oneOf' | 'check' | 'allowed'>;

/** A property Samsa acts on. */
export function used(
  name: string,
  type: ConfigType,
  dflt: ConfigValue,
  doc: string,
  rules: Rules = {},
): ConfigDefinition {
  return { name, type, default: dflt, doc, used: true, ...rules };
}

/** A property Kafka defines and Samsa accepts but ignores (one warning line when set). */
export function ignored(
  name: string,
  type: ConfigType,
  dflt: ConfigValue,
  doc: string,
  rules: Rules = {},
): ConfigDefinition {
  return { name, type, default: dflt, doc, used: false, ...rules };
}

/** The default log directory when neither log.dirs nor log.dir is set (Kafka's is /tmp/kafka-logs). */
export const SAMSA_DEFAULT_LOG_DIR = './samsa-data';

/** Kafka: the resolved retention must be -1 (any negative: unlimited) or at least 1 ms; 0 would delete everything. */
const RETENTION_TIME: Rules = {
  check: (v) => v !== 0,
  allowed: 'must be -1 (unlimited) or an integer of at least 1',
};

export const LOG_CONFIG_DEFS: readonly ConfigDefinition[] = [
  used('num.partitions', 'int', 1, 'Partitions of an auto-created topic, and of a created one that names no count.', {
    min: 1,
  }),
  used(
    'log.dir',
    'string',
    SAMSA_DEFAULT_LOG_DIR,
    'Directory of the log data when log.dirs is not set. Samsa default: ./samsa-data (Kafka: /tmp/kafka-logs).',
  ),
  used('log.dirs', 'string', null, 'Comma-separated directories of the log data; when not set, log.dir is used.'),
  used('log.segment.bytes', 'int', 1073741824, 'Largest size of a segment file.', { min: 14 }),
  used('log.roll.ms', 'long', null, 'Roll a segment older than this (ms); when not set, log.roll.hours is used.', {
    min: 1,
  }),
  used('log.roll.hours', 'int', 168, 'Roll a segment older than this (hours), secondary to log.roll.ms.', { min: 1 }),
  used('log.roll.jitter.ms', 'long', null, 'Largest random amount subtracted from the roll time (ms).', { min: 0 }),
  used('log.roll.jitter.hours', 'int', 0, 'Largest random amount subtracted from the roll time (hours).', { min: 0 }),
  used(
    'log.retention.ms',
    'long',
    null,
    'Keep a segment this long (ms); -1: forever. When not set, log.retention.minutes is used.',
    RETENTION_TIME,
  ),
  used(
    'log.retention.minutes',
    'int',
    null,
    'Keep a segment this long (minutes), secondary to log.retention.ms. When not set, log.retention.hours is used.',
    RETENTION_TIME,
  ),
  used(
    'log.retention.hours',
    'int',
    168,
    'Keep a segment this long (hours), tertiary to log.retention.ms.',
    RETENTION_TIME,
  ),
  used(
    'log.retention.bytes',
    'long',
    -1,
    'Largest size of a partition before its oldest segments are deleted; -1: none.',
  ),
  used('log.retention.check.interval.ms', 'long', 300000, 'How often logs are checked for segments to delete.', {
    min: 1,
  }),
  used(
    'log.cleanup.interval.mins',
    'int',
    null,
    "Kafka 0.8's name for log.retention.check.interval.ms, in minutes; used when that is not set.",
    { min: 1 },
  ),
  used('log.cleanup.policy', 'list', ['delete'], 'Default cleanup policy: delete, compact, or both.', {
    oneOf: ['compact', 'delete'],
  }),
  used('log.index.size.max.bytes', 'int', 10485760, 'Largest size of an offset or time index (Samsa: at least 12).', {
    min: 12,
  }),
  used('log.index.interval.bytes', 'int', 4096, 'Bytes of log between two offset-index entries.', { min: 0 }),
  used('log.flush.interval.messages', 'long', LONG_MAX, 'fsync a log after this many unflushed records.', { min: 1 }),
  used('log.segment.delete.delay.ms', 'long', 60000, 'How long a deleted segment file lingers before removal.', {
    min: 0,
  }),
  used(
    'log.flush.scheduler.interval.ms',
    'long',
    LONG_MAX,
    'How often logs are checked against their flush time; also the flush time when log.flush.interval.ms is not set.',
  ),
  used('log.flush.interval.ms', 'long', null, 'fsync a log whose oldest unflushed record is older than this (ms).'),
  used('log.flush.offset.checkpoint.interval.ms', 'int', 60000, 'How often recovery points are checkpointed.', {
    min: 0,
  }),
  used('log.flush.start.offset.checkpoint.interval.ms', 'int', 60000, 'How often log start offsets are checkpointed.', {
    min: 0,
  }),
  ignored('log.preallocate', 'boolean', false, 'Preallocate segment files.'),
  ignored('num.recovery.threads.per.data.dir', 'int', 1, 'Threads per log dir for recovery and shutdown flush.', {
    min: 1,
  }),
  used(
    'auto.create.topics.enable',
    'boolean',
    true,
    'Create a topic when a client asks for metadata or produces to it.',
  ),
  used('min.insync.replicas', 'int', 1, 'With acks=all, the fewest in-sync replicas a write needs.', { min: 1 }),
  ignored('log.message.format.version', 'string', '3.0-IV1', 'Deprecated since Kafka 3.0; ignored.'),
  used('log.message.timestamp.type', 'string', 'CreateTime', 'CreateTime or LogAppendTime.', {
    oneOf: ['CreateTime', 'LogAppendTime'],
  }),
  ignored(
    'log.message.timestamp.difference.max.ms',
    'long',
    LONG_MAX,
    'Deprecated: largest difference between a CreateTime timestamp and the broker clock.',
    { min: 0 },
  ),
  ignored('log.message.timestamp.before.max.ms', 'long', LONG_MAX, 'Reject CreateTime timestamps older than this.', {
    min: 0,
  }),
  ignored('log.message.timestamp.after.max.ms', 'long', LONG_MAX, 'Reject CreateTime timestamps further ahead.', {
    min: 0,
  }),
  ignored('create.topic.policy.class.name', 'class', null, 'Java policy class; not supported.'),
  ignored('alter.config.policy.class.name', 'class', null, 'Java policy class; not supported.'),
  ignored('log.message.downconversion.enable', 'boolean', true, 'Down-convert batches for old consumers.'),
  ignored('log.dir.failure.timeout.ms', 'long', 30000, 'KRaft: shut down after failing to report a bad log dir.', {
    min: 1,
  }),
  ignored('log.local.retention.ms', 'long', -2, 'Tiered storage: local retention time.', { min: -2 }),
  ignored('log.local.retention.bytes', 'long', -2, 'Tiered storage: local retention size.', { min: -2 }),
  ignored('log.cleaner.threads', 'int', 1, 'Log cleaner threads (Samsa cleans on one task queue).', { min: 0 }),
  used(
    'log.cleaner.io.max.bytes.per.second',
    'double',
    Number.MAX_VALUE,
    'The cleaner reads and writes at most this many bytes a second.',
    { check: (v) => (v as number) > 0, allowed: 'must be a number greater than 0' },
  ),
  used('log.cleaner.dedupe.buffer.size', 'long', 134217728, 'Memory for the key map of one cleaning pass.'),
  ignored('log.cleaner.io.buffer.size', 'int', 524288, 'Cleaner I/O buffer memory.', { min: 0 }),
  ignored('log.cleaner.io.buffer.load.factor', 'double', 0.9, 'How full the dedupe buffer may become.'),
  used('log.cleaner.backoff.ms', 'long', 15000, 'Sleep between cleaner passes when nothing is cleanable.', { min: 0 }),
  used('log.cleaner.min.cleanable.ratio', 'double', 0.5, 'Compact a log once this share of it is uncompacted.', {
    min: 0,
    max: 1,
  }),
  used('log.cleaner.enable', 'boolean', true, 'Run the log cleaner (compaction of cleanup.policy=compact topics).'),
  used('log.cleaner.delete.retention.ms', 'long', 86400000, 'How long tombstones stay readable after compaction.', {
    min: 0,
  }),
  used('log.cleaner.min.compaction.lag.ms', 'long', 0, 'Records younger than this are never compacted.', { min: 0 }),
  ignored('log.cleaner.max.compaction.lag.ms', 'long', LONG_MAX, 'Longest a record may stay uncompacted.', { min: 1 }),
];
