/**
 * Topic configs at the broker's edge: checking what CreateTopics / AlterConfigs /
 * IncrementalAlterConfigs bring (an INVALID_CONFIG answer carries the message), and resolving a
 * topic's effective values — its overrides, else the first broker synonym that is set (converted
 * to the topic property's unit), else the default — as Kafka's LogConfig.fromProps does.
 * The table itself is storage/topic-config-defs.ts.
 */
import { type ConfigValue, checkConfigValue, parseConfigValue } from '../../common/config-def.ts';
import { logConfigFromProps } from '../../storage/config.ts';
import { StorageError } from '../../storage/errors.ts';
import { TOPIC_CONFIGS, type TopicConfigDefinition } from '../../storage/topic-config-defs.ts';
import type { BrokerConfig } from './broker-config.ts';

/** A topic's overrides as stored (/config/topics/<topic>) or as a request brings them. */
export type TopicOverrides = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

/**
 * Checks one topic config; null when it is fine, else a message naming the key, the value and
 * what is allowed (Kafka's wording for unknown names and null values).
 */
export function validateTopicConfig(name: string, value: string | null): string | null {
  const def = TOPIC_CONFIGS.get(name);
  if (def === undefined) return `Unknown topic config name: ${name}`;
  if (value === null) return `Null value not supported for topic configs: ${name}`;
  return checkConfigValue(def, value);
}

/**
 * Checks a whole set of topic configs: each one, then the rules between them
 * (min.compaction.lag.ms ≤ max.compaction.lag.ms, and what storage needs of a LogConfig).
 * `broker` supplies the values the set does not override. Null when all is fine.
 */
export function validateTopicConfigs(
  configs: Iterable<readonly [string, string | null]> | Readonly<Record<string, string | null>>,
  broker?: BrokerConfig,
): string | null {
  const entries: (readonly [string, string | null])[] =
    Symbol.iterator in configs
      ? [...(configs as Iterable<readonly [string, string | null]>)]
      : Object.entries(configs as Record<string, string | null>);
  const overrides = new Map<string, string>();
  for (const [name, value] of entries) {
    const problem = validateTopicConfig(name, value);
    if (problem !== null) return problem;
    overrides.set(name, value!);
  }
  const min = resolveTopicConfig('min.compaction.lag.ms', overrides, broker) as number;
  const max = resolveTopicConfig('max.compaction.lag.ms', overrides, broker) as number;
  if (min > max) {
    return `conflict topic config setting min.compaction.lag.ms (${min}) > max.compaction.lag.ms (${max})`;
  }
  try {
    logConfigFromProps(broker ? brokerLogProps(broker) : {}, Object.fromEntries(overrides));
  } catch (e) {
    if (e instanceof StorageError) return `Invalid topic configuration: ${e.message}`;
    throw e;
  }
  return null;
}

/** The log properties the broker was started with, as storage reads them. */
function brokerLogProps(broker: BrokerConfig): Record<string, string> {
  return Object.fromEntries(broker.originals);
}

/** Where a topic config's effective value came from. */
export interface ResolvedTopicConfig {
  readonly def: TopicConfigDefinition;
  readonly value: ConfigValue;
  /** 'topic': an override; 'broker': the named broker synonym; 'default': the table's default. */
  readonly from: 'topic' | 'broker' | 'default';
  /** The broker property that supplied the value, when `from` is 'broker'. */
  readonly brokerName: string | null;
}

/** Resolves one topic config (name must be in the table; override values must be valid). */
export function resolveTopicConfigDetail(
  name: string,
  overrides: TopicOverrides,
  broker?: BrokerConfig,
): ResolvedTopicConfig {
  const def = TOPIC_CONFIGS.get(name);
  if (def === undefined) throw new RangeError(`no topic config named ${name}`);
  const own = overrides instanceof Map ? overrides.get(name) : (overrides as Record<string, string>)[name];
  if (own !== undefined) return { def, value: parseConfigValue(def, own), from: 'topic', brokerName: null };
  if (broker !== undefined) {
    for (const syn of def.synonyms) {
      if (!broker.originals.has(syn.name)) continue;
      let value = broker.values.get(syn.name) ?? null;
      if (typeof value === 'number' && syn.unit !== 1) value *= syn.unit;
      // Kafka's logRetentionTimeMillis: any negative retention is -1, "unlimited".
      if (name === 'retention.ms' && typeof value === 'number' && value < 0) value = -1;
      return { def, value, from: 'broker', brokerName: syn.name };
    }
  }
  return { def, value: def.default, from: 'default', brokerName: null };
}

/** A topic config's effective value. */
export function resolveTopicConfig(name: string, overrides: TopicOverrides, broker?: BrokerConfig): ConfigValue {
  return resolveTopicConfigDetail(name, overrides, broker).value;
}

/** Every topic config's effective value, in table order. */
export function resolveTopicConfigs(overrides: TopicOverrides, broker?: BrokerConfig): Map<string, ConfigValue> {
  const out = new Map<string, ConfigValue>();
  for (const name of TOPIC_CONFIGS.keys()) out.set(name, resolveTopicConfig(name, overrides, broker));
  return out;
}
