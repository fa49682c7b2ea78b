/**
 * The topic-level configuration table: every property a topic may override (Kafka 3.9's
 * LogConfig), with its type, default, allowed values, a doc line, and the broker properties that
 * supply its default when the topic does not set it — Kafka's "synonyms", in Kafka's order of
 * precedence (ServerTopicConfigSynonyms): `retention.ms` ← `log.retention.ms` ←
 * `log.retention.minutes` ← `log.retention.hours`. The first broker synonym that is set wins,
 * multiplied by `unit` to this property's unit.
 *
 * Shared by storage (config.ts resolves LogConfig with these synonyms) and the broker
 * (CreateTopics/AlterConfigs validation, DescribeConfigs), so the synonym lists live once.
 * Properties with no broker synonym (remote.storage.enable, throttled replicas) default to
 * `default` only, as in Kafka.
 */
import { type ConfigDefinition, type ConfigValue, indexDefinitions, LONG_MAX } from '../common/config-def.ts';

/** A broker property that supplies a topic property's default; `unit` converts its value (hours → ms). */
export interface BrokerSynonym {
  readonly name: string;
  readonly unit: number;
}

export interface TopicConfigDefinition extends ConfigDefinition {
  /** Broker properties supplying the default, highest precedence first. Empty: no broker default. */
  readonly synonyms: readonly BrokerSynonym[];
}

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;

/** Kafka's broker-side compression choices (BrokerCompressionType). */
export const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] as const;

const same = (name: string): BrokerSynonym[] => [{ name, unit: 1 }];
const log = (name: string): BrokerSynonym[] => [{ name: `log.${name}`, unit: 1 }];
const cleaner = (name: string): BrokerSynonym[] => [{ name: `log.cleaner.${name}`, unit: 1 }];

function throttledReplicas(value: ConfigValue): boolean {
  const items = value as readonly string[];
  if (items.length === 1 && items[0] === '*') return true;
  return items.every((item) => /^\d+:\d+$/.test(item));
}

/** Kafka 3.9's topic configs, in LogConfig's order. `used: false`: accepted and stored, not acted on. */
export const TOPIC_CONFIG_DEFS: readonly TopicConfigDefinition[] = [
  {
    name: 'segment.bytes',
    type: 'int',
    default: 1073741824,
    min: 14,
    synonyms: log('segment.bytes'),
    doc: 'Roll a new segment when the active one would grow past this many bytes.',
    used: true,
  },
  {
    name: 'segment.ms',
    type: 'long',
    default: 7 * 24 * HOUR,
    min: 1,
    synonyms: [
      { name: 'log.roll.ms', unit: 1 },
      { name: 'log.roll.hours', unit: HOUR },
    ],
    doc: 'Roll a new segment when the active one is older than this, even if it is not full.',
    used: true,
  },
  {
    name: 'segment.jitter.ms',
    type: 'long',
    default: 0,
    min: 0,
    synonyms: [
      { name: 'log.roll.jitter.ms', unit: 1 },
      { name: 'log.roll.jitter.hours', unit: HOUR },
    ],
    doc: 'Subtract a random amount up to this from segment.ms, so logs do not all roll at once.',
    used: true,
  },
  {
    name: 'segment.index.bytes',
    type: 'int',
    default: 10 * 1024 * 1024,
    min: 12,
    synonyms: log('index.size.max.bytes'),
    doc: 'Largest size of a segment offset or time index; a full index rolls the segment. Samsa needs room for one entry (12 bytes; Kafka allows 4).',
    used: true,
  },
  {
    name: 'flush.messages',
    type: 'long',
    default: LONG_MAX,
    min: 1,
    synonyms: log('flush.interval.messages'),
    doc: 'fsync the log after this many records have been appended since the last flush.',
    used: true,
  },
  {
    name: 'flush.ms',
    type: 'long',
    default: LONG_MAX,
    min: 0,
    synonyms: [
      { name: 'log.flush.interval.ms', unit: 1 },
      { name: 'log.flush.scheduler.interval.ms', unit: 1 },
    ],
    doc: 'fsync the log when its oldest unflushed record is older than this.',
    used: true,
  },
  {
    name: 'retention.bytes',
    type: 'long',
    default: -1,
    synonyms: log('retention.bytes'),
    doc: 'Delete the oldest segments while a partition is larger than this; -1: no size limit.',
    used: true,
  },
  {
    name: 'retention.ms',
    type: 'long',
    default: 7 * 24 * HOUR,
    min: -1,
    synonyms: [
      { name: 'log.retention.ms', unit: 1 },
      { name: 'log.retention.minutes', unit: MINUTE },
      { name: 'log.retention.hours', unit: HOUR },
    ],
    doc: 'Delete segments whose newest record is older than this; -1: no time limit.',
    used: true,
  },
  {
    name: 'max.message.bytes',
    type: 'int',
    default: 1048588,
    min: 0,
    synonyms: same('message.max.bytes'),
    doc: 'Largest record batch (after compression) the topic accepts.',
    used: true,
  },
  {
    name: 'index.interval.bytes',
    type: 'int',
    default: 4096,
    min: 0,
    synonyms: log('index.interval.bytes'),
    doc: 'Bytes of log between two offset-index entries.',
    used: true,
  },
  {
    name: 'delete.retention.ms',
    type: 'long',
    default: 24 * HOUR,
    min: 0,
    synonyms: cleaner('delete.retention.ms'),
    doc: 'How long tombstones stay readable in a compacted topic.',
    used: true,
  },
  {
    name: 'min.compaction.lag.ms',
    type: 'long',
    default: 0,
    min: 0,
    synonyms: cleaner('min.compaction.lag.ms'),
    doc: 'Records younger than this are never compacted.',
    used: true,
  },
  {
    name: 'max.compaction.lag.ms',
    type: 'long',
    default: LONG_MAX,
    min: 1,
    synonyms: cleaner('max.compaction.lag.ms'),
    doc: 'Longest a record may stay ineligible for compaction.',
    used: false,
  },
  {
    name: 'file.delete.delay.ms',
    type: 'long',
    default: 60000,
    min: 0,
    synonyms: log('segment.delete.delay.ms'),
    doc: 'How long a deleted segment file lingers (renamed .deleted) before it is removed.',
    used: true,
  },
  {
    name: 'min.cleanable.dirty.ratio',
    type: 'double',
    default: 0.5,
    min: 0,
    max: 1,
    synonyms: cleaner('min.cleanable.ratio'),
    doc: 'Compact a log once this share of it is uncompacted.',
    used: true,
  },
  {
    name: 'cleanup.policy',
    type: 'list',
    default: ['delete'],
    oneOf: ['compact', 'delete'],
    synonyms: log('cleanup.policy'),
    doc: 'delete (retention by time and size), compact (keep the newest record per key), or both.',
    used: true,
  },
  {
    name: 'unclean.leader.election.enable',
    type: 'boolean',
    default: false,
    synonyms: same('unclean.leader.election.enable'),
    doc: 'Let a replica outside the ISR become leader when no ISR member is alive, at the risk of losing records.',
    used: true,
  },
  {
    name: 'min.insync.replicas',
    type: 'int',
    default: 1,
    min: 1,
    synonyms: same('min.insync.replicas'),
    doc: 'With acks=all, the fewest in-sync replicas a write needs; fewer gives NOT_ENOUGH_REPLICAS.',
    used: true,
  },
  {
    name: 'compression.type',
    type: 'string',
    default: 'producer',
    oneOf: COMPRESSION_TYPES,
    synonyms: same('compression.type'),
    doc: 'Codec batches are stored with; producer keeps what the producer sent.',
    used: true,
  },
  {
    name: 'compression.gzip.level',
    type: 'int',
    default: -1,
    check: (v) => v === -1 || ((v as number) >= 1 && (v as number) <= 9),
    allowed: 'must be an integer between 1 and 9, or -1',
    synonyms: same('compression.gzip.level'),
    doc: 'gzip level when compression.type=gzip.',
    used: false,
  },
  {
    name: 'compression.lz4.level',
    type: 'int',
    default: 9,
    min: 1,
    max: 17,
    synonyms: same('compression.lz4.level'),
    doc: 'lz4 level when compression.type=lz4.',
    used: false,
  },
  {
    name: 'compression.zstd.level',
    type: 'int',
    default: 3,
    min: -131072,
    max: 22,
    synonyms: same('compression.zstd.level'),
    doc: 'zstd level when compression.type=zstd.',
    used: false,
  },
  {
    name: 'preallocate',
    type: 'boolean',
    default: false,
    synonyms: log('preallocate'),
    doc: 'Preallocate segment files on creation.',
    used: false,
  },
  {
    name: 'message.format.version',
    type: 'string',
    default: '3.0-IV1',
    check: (v) => /^\d+\.\d+(\.\d+)?(-IV\d+)?$/.test(v as string),
    allowed: 'must be a Kafka version such as 0.10.0 or 3.0-IV1',
    synonyms: log('message.format.version'),
    doc: 'Deprecated since Kafka 3.0; ignored. Records are always stored as record batches v2.',
    used: false,
  },
  {
    name: 'message.timestamp.type',
    type: 'string',
    default: 'CreateTime',
    oneOf: ['CreateTime', 'LogAppendTime'],
    synonyms: log('message.timestamp.type'),
    doc: "CreateTime keeps the producer's timestamps; LogAppendTime stamps batches with the broker's time.",
    used: true,
  },
  {
    name: 'message.timestamp.difference.max.ms',
    type: 'long',
    default: LONG_MAX,
    min: 0,
    synonyms: log('message.timestamp.difference.max.ms'),
    doc: 'Deprecated: largest difference between a CreateTime timestamp and the broker clock.',
    used: false,
  },
  {
    name: 'message.timestamp.before.max.ms',
    type: 'long',
    default: LONG_MAX,
    min: 0,
    synonyms: log('message.timestamp.before.max.ms'),
    doc: 'Reject CreateTime timestamps further than this in the past.',
    used: false,
  },
  {
    name: 'message.timestamp.after.max.ms',
    type: 'long',
    default: LONG_MAX,
    min: 0,
    synonyms: log('message.timestamp.after.max.ms'),
    doc: 'Reject CreateTime timestamps further than this in the future.',
    used: false,
  },
  {
    name: 'leader.replication.throttled.replicas',
    type: 'list',
    default: [],
    check: throttledReplicas,
    allowed: 'must be * or a comma-separated list of partition:brokerId',
    synonyms: [],
    doc: 'Replicas whose leader-side replication is throttled.',
    used: false,
  },
  {
    name: 'follower.replication.throttled.replicas',
    type: 'list',
    default: [],
    check: throttledReplicas,
    allowed: 'must be * or a comma-separated list of partition:brokerId',
    synonyms: [],
    doc: 'Replicas whose follower-side replication is throttled.',
    used: false,
  },
  {
    name: 'message.downconversion.enable',
    type: 'boolean',
    default: true,
    synonyms: log('message.downconversion.enable'),
    doc: 'Convert record batches down for consumers that ask for an older format.',
    used: false,
  },
  {
    name: 'remote.storage.enable',
    type: 'boolean',
    default: false,
    check: (v) => v === false,
    allowed: 'must be false (Samsa has no tiered storage)',
    synonyms: [],
    doc: 'Tiered storage; not supported by Samsa.',
    used: false,
  },
  {
    name: 'local.retention.ms',
    type: 'long',
    default: -2,
    min: -2,
    synonyms: log('local.retention.ms'),
    doc: 'Tiered storage: local retention time; -2 follows retention.ms.',
    used: false,
  },
  {
    name: 'local.retention.bytes',
    type: 'long',
    default: -2,
    min: -2,
    synonyms: log('local.retention.bytes'),
    doc: 'Tiered storage: local retention size; -2 follows retention.bytes.',
    used: false,
  },
  {
    name: 'remote.log.copy.disable',
    type: 'boolean',
    default: false,
    synonyms: [],
    doc: 'Tiered storage: stop copying segments to remote storage.',
    used: false,
  },
  {
    name: 'remote.log.delete.on.disable',
    type: 'boolean',
    default: false,
    synonyms: [],
    doc: 'Tiered storage: delete remote data when tiering is turned off.',
    used: false,
  },
];

/** The topic configs by name. */
export const TOPIC_CONFIGS: ReadonlyMap<string, TopicConfigDefinition> = indexDefinitions(TOPIC_CONFIG_DEFS);

/** The definition of a topic config; throws for a name not in the table (a programming error). */
export function topicConfigDef(name: string): TopicConfigDefinition {
  const def = TOPIC_CONFIGS.get(name);
  if (def === undefined) throw new Error(`no topic config named ${name}`);
  return def;
}
