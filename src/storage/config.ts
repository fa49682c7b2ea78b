/**
 * Storage configuration with Kafka's property names and defaults.
 *
 * Two levels, as in Kafka: broker properties (`log.segment.bytes`, `log.retention.hours`, ...) set
 * the defaults of every log; topic properties (`segment.bytes`, `retention.ms`, ...) override them
 * per topic. `LogConfig` is the resolved per-log view; `LogManagerConfig` holds what only the
 * manager uses (dirs, check intervals, cleaner knobs). "Never"/"unlimited" are `Infinity`, where
 * Kafka uses Long.MAX_VALUE or -1.
 */
import { StorageError } from './errors.ts';
import { topicConfigDef } from './topic-config-defs.ts';

export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';
export type TimestampType = 'CreateTime' | 'LogAppendTime';

export interface LogConfig {
  /** segment.bytes / log.segment.bytes: roll when the active segment would exceed this. */
  segmentBytes: number;
  /** segment.ms / log.roll.ms, log.roll.hours: roll when the active segment is older than this. */
  segmentMs: number;
  /** segment.jitter.ms / log.roll.jitter.ms: the roll time is reduced by a random amount up to this. */
  segmentJitterMs: number;
  /** segment.index.bytes / log.index.size.max.bytes: the largest an index may grow before a roll. */
  segmentIndexBytes: number;
  /** index.interval.bytes / log.index.interval.bytes: bytes between offset-index entries. */
  indexIntervalBytes: number;
  /** flush.messages / log.flush.interval.messages: fsync after this many unflushed records. */
  flushMessages: number;
  /** flush.ms / log.flush.interval.ms: fsync when the last flush is older than this. */
  flushMs: number;
  /** retention.ms / log.retention.ms, .minutes, .hours: delete segments older than this. */
  retentionMs: number;
  /** retention.bytes / log.retention.bytes: delete the oldest segments while the log is larger. */
  retentionBytes: number;
  /** file.delete.delay.ms / log.segment.delete.delay.ms: how long a `.deleted` file lingers. */
  fileDeleteDelayMs: number;
  /** cleanup.policy / log.cleanup.policy. */
  cleanupPolicy: CleanupPolicy;
  /** delete.retention.ms / log.cleaner.delete.retention.ms: how long tombstones survive compaction. */
  deleteRetentionMs: number;
  /** min.cleanable.dirty.ratio / log.cleaner.min.cleanable.ratio. */
  minCleanableDirtyRatio: number;
  /** min.compaction.lag.ms / log.cleaner.min.compaction.lag.ms: records younger than this stay uncompacted. */
  minCompactionLagMs: number;
  /** max.message.bytes / message.max.bytes: the largest batch an append accepts. */
  maxMessageBytes: number;
  /** message.timestamp.type / log.message.timestamp.type. */
  messageTimestampType: TimestampType;
}

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  segmentJitterMs: 0,
  segmentIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  flushMessages: Infinity,
  flushMs: Infinity,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: Infinity,
  fileDeleteDelayMs: 60_000,
  cleanupPolicy: 'delete',
  deleteRetentionMs: 24 * 60 * 60 * 1000,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxMessageBytes: 1048588,
  messageTimestampType: 'CreateTime',
});

export interface LogManagerConfig {
  /** log.dirs (comma-separated) or log.dir. */
  logDirs: string[];
  /** log.retention.check.interval.ms (falls back to the old log.cleanup.interval.mins). */
  retentionCheckIntervalMs: number;
  /** log.flush.scheduler.interval.ms: how often logs are checked against flush.ms. */
  flushSchedulerIntervalMs: number;
  /** log.flush.offset.checkpoint.interval.ms: how often recovery points are checkpointed. */
  recoveryPointCheckpointIntervalMs: number;
  /** log.flush.start.offset.checkpoint.interval.ms: how often log start offsets are checkpointed. */
  logStartOffsetCheckpointIntervalMs: number;
  /** log.cleaner.enable. */
  cleanerEnable: boolean;
  /** log.cleaner.io.max.bytes.per.second: the cleaner's read+write budget. */
  cleanerIoMaxBytesPerSecond: number;
  /** log.cleaner.dedupe.buffer.size: bounds how many keys one cleaning pass can map (24 bytes a key). */
  cleanerDedupeBufferSize: number;
  /** log.cleaner.backoff.ms: sleep between cleaner passes when nothing is cleanable. */
  cleanerBackoffMs: number;
}

export const DEFAULT_LOG_MANAGER_CONFIG: Readonly<LogManagerConfig> = Object.freeze({
  logDirs: ['/tmp/kafka-logs'],
  retentionCheckIntervalMs: 300_000,
  flushSchedulerIntervalMs: Infinity,
  recoveryPointCheckpointIntervalMs: 60_000,
  logStartOffsetCheckpointIntervalMs: 60_000,
  cleanerEnable: true,
  cleanerIoMaxBytesPerSecond: Infinity,
  cleanerDedupeBufferSize: 128 * 1024 * 1024,
  cleanerBackoffMs: 15_000,
});

export type Props = Readonly<Record<string, string | number | boolean | undefined>>;

const MINUTE = 60 * 1000;

/** The topic-level name of each numeric LogConfig field; its broker synonyms come from TOPIC_CONFIGS. */
const LOG_FIELDS: ReadonlyArray<readonly [keyof LogConfig, string]> = [
  ['segmentBytes', 'segment.bytes'],
  ['segmentMs', 'segment.ms'],
  ['segmentJitterMs', 'segment.jitter.ms'],
  ['segmentIndexBytes', 'segment.index.bytes'],
  ['indexIntervalBytes', 'index.interval.bytes'],
  ['flushMessages', 'flush.messages'],
  ['flushMs', 'flush.ms'],
  ['retentionMs', 'retention.ms'],
  ['retentionBytes', 'retention.bytes'],
  ['fileDeleteDelayMs', 'file.delete.delay.ms'],
  ['deleteRetentionMs', 'delete.retention.ms'],
  ['minCleanableDirtyRatio', 'min.cleanable.dirty.ratio'],
  ['minCompactionLagMs', 'min.compaction.lag.ms'],
  ['maxMessageBytes', 'max.message.bytes'],
];

/** [field, topic property, [[broker property, multiplier to the field's unit], ...]]: the first broker property set wins. */
const LOG_PROPS: ReadonlyArray<readonly [keyof LogConfig, string, ReadonlyArray<readonly [string, number]>]> =
  LOG_FIELDS.map(([field, topicName]) => [
    field,
    topicName,
    topicConfigDef(topicName).synonyms.map((s) => [s.name, s.unit] as const),
  ]);

/** Kafka's Long.MAX_VALUE and -1 ("no limit") both become Infinity for these fields. */
const UNLIMITED_WHEN_NEGATIVE = new Set<keyof LogConfig>(['retentionMs', 'retentionBytes']);

function parseNumber(name: string, raw: string | number | boolean): number {
  const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (typeof raw === 'boolean' || !Number.isFinite(n)) {
    throw new StorageError('INVALID_CONFIG', `${name}=${String(raw)} is not a number`);
  }
  // Long.MAX_VALUE written as a literal loses precision in a double; anything that large means "never".
  return n >= 9.2e18 ? Infinity : n;
}

function check(cond: boolean, name: string, value: unknown, rule: string): void {
  if (!cond) throw new StorageError('INVALID_CONFIG', `${name}=${String(value)}: ${rule}`);
}

function validateLogConfig(c: LogConfig): LogConfig {
  check(c.segmentBytes >= 14, 'segment.bytes', c.segmentBytes, 'must be at least 14');
  check(c.segmentBytes <= 2 ** 31 - 1, 'segment.bytes', c.segmentBytes, 'must fit a 32-bit position');
  check(c.segmentMs >= 1, 'segment.ms', c.segmentMs, 'must be at least 1');
  check(c.segmentJitterMs >= 0, 'segment.jitter.ms', c.segmentJitterMs, 'must not be negative');
  check(c.segmentIndexBytes >= 12, 'segment.index.bytes', c.segmentIndexBytes, 'must hold at least one entry');
  check(c.indexIntervalBytes >= 0, 'index.interval.bytes', c.indexIntervalBytes, 'must not be negative');
  check(c.flushMessages >= 1, 'flush.messages', c.flushMessages, 'must be at least 1');
  check(c.flushMs >= 0, 'flush.ms', c.flushMs, 'must not be negative');
  check(c.fileDeleteDelayMs >= 0, 'file.delete.delay.ms', c.fileDeleteDelayMs, 'must not be negative');
  check(c.deleteRetentionMs >= 0, 'delete.retention.ms', c.deleteRetentionMs, 'must not be negative');
  check(c.maxMessageBytes >= 0, 'max.message.bytes', c.maxMessageBytes, 'must not be negative');
  const r = c.minCleanableDirtyRatio;
  check(r >= 0 && r <= 1, 'min.cleanable.dirty.ratio', r, 'must be in [0, 1]');
  return c;
}

function parsePolicy(name: string, raw: string | number | boolean): CleanupPolicy {
  const parts = String(raw)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .sort();
  const key = parts.join(',');
  if (key === 'delete' || key === 'compact' || key === 'compact,delete') return key;
  throw new StorageError('INVALID_CONFIG', `${name}=${String(raw)}: must be delete, compact or compact,delete`);
}

function parseTimestampType(name: string, raw: string | number | boolean): TimestampType {
  if (raw === 'CreateTime' || raw === 'LogAppendTime') return raw;
  throw new StorageError('INVALID_CONFIG', `${name}=${String(raw)}: must be CreateTime or LogAppendTime`);
}

/**
 * Resolves a LogConfig from broker properties, then topic overrides (topic-level names).
 * Unknown properties are ignored: the broker config owns the full property set.
 */
export function logConfigFromProps(broker: Props = {}, topic: Props = {}): LogConfig {
  const c: LogConfig = { ...DEFAULT_LOG_CONFIG };
  const numeric = c as unknown as Record<string, number>;
  for (const [field, topicName, brokerNames] of LOG_PROPS) {
    const t = topic[topicName];
    let value: number | undefined;
    if (t !== undefined) {
      value = parseNumber(topicName, t);
    } else {
      for (const [name, unit] of brokerNames) {
        const b = broker[name];
        if (b !== undefined) {
          value = parseNumber(name, b) * unit;
          break;
        }
      }
    }
    if (value === undefined) continue;
    if (UNLIMITED_WHEN_NEGATIVE.has(field) && value < 0) value = Infinity;
    numeric[field] = value;
  }
  const policy = topic['cleanup.policy'] ?? broker['log.cleanup.policy'];
  if (policy !== undefined) c.cleanupPolicy = parsePolicy('cleanup.policy', policy);
  const tsType = topic['message.timestamp.type'] ?? broker['log.message.timestamp.type'];
  if (tsType !== undefined) c.messageTimestampType = parseTimestampType('message.timestamp.type', tsType);
  return validateLogConfig(c);
}

/** Resolves the manager's configuration from broker properties. */
export function logManagerConfigFromProps(broker: Props = {}): LogManagerConfig {
  const c: LogManagerConfig = { ...DEFAULT_LOG_MANAGER_CONFIG, logDirs: [...DEFAULT_LOG_MANAGER_CONFIG.logDirs] };
  const dirs = broker['log.dirs'] ?? broker['log.dir'];
  if (dirs !== undefined) {
    c.logDirs = String(dirs)
      .split(',')
      .map((d) => d.trim())
      .filter((d) => d !== '');
    check(c.logDirs.length > 0, 'log.dirs', dirs, 'must name at least one directory');
  }
  const num = (name: string, unit = 1): number | undefined => {
    const v = broker[name];
    return v === undefined ? undefined : parseNumber(name, v) * unit;
  };
  c.retentionCheckIntervalMs =
    num('log.retention.check.interval.ms') ?? num('log.cleanup.interval.mins', MINUTE) ?? c.retentionCheckIntervalMs;
  c.flushSchedulerIntervalMs = num('log.flush.scheduler.interval.ms') ?? c.flushSchedulerIntervalMs;
  c.recoveryPointCheckpointIntervalMs =
    num('log.flush.offset.checkpoint.interval.ms') ?? c.recoveryPointCheckpointIntervalMs;
  c.logStartOffsetCheckpointIntervalMs =
    num('log.flush.start.offset.checkpoint.interval.ms') ?? c.logStartOffsetCheckpointIntervalMs;
  const enable = broker['log.cleaner.enable'];
  if (enable !== undefined) c.cleanerEnable = enable === true || String(enable).trim() === 'true';
  c.cleanerIoMaxBytesPerSecond = num('log.cleaner.io.max.bytes.per.second') ?? c.cleanerIoMaxBytesPerSecond;
  c.cleanerDedupeBufferSize = num('log.cleaner.dedupe.buffer.size') ?? c.cleanerDedupeBufferSize;
  c.cleanerBackoffMs = num('log.cleaner.backoff.ms') ?? c.cleanerBackoffMs;
  check(c.retentionCheckIntervalMs >= 1, 'log.retention.check.interval.ms', c.retentionCheckIntervalMs, '>= 1');
  check(c.flushSchedulerIntervalMs >= 1, 'log.flush.scheduler.interval.ms', c.flushSchedulerIntervalMs, '>= 1');
  check(c.cleanerIoMaxBytesPerSecond > 0, 'log.cleaner.io.max.bytes.per.second', c.cleanerIoMaxBytesPerSecond, '> 0');
  return c;
}
