/**
 * DescribeConfigs entries for a topic or this broker, as Kafka 3.9's ConfigHelper builds them:
 * value, source, sensitivity, read-only flag, synonyms, type and documentation.
 *
 * Synonyms come in Kafka's order. For a topic config: the topic's own override
 * (DYNAMIC_TOPIC_CONFIG), then its broker synonyms that were set in server.properties
 * (STATIC_BROKER_CONFIG, in precedence order), then the broker synonyms' defaults
 * (DEFAULT_CONFIG). As in Kafka, the broker part is cut so that it starts at the first (highest
 * precedence) broker synonym: when that one is neither set nor has a default — log.retention.ms,
 * log.roll.ms, log.flush.interval.ms — the broker part is empty even if log.retention.hours is
 * set. The entry's source is its first synonym's source, or DEFAULT_CONFIG when there is none.
 * Samsa has no dynamic broker configs, so DYNAMIC_BROKER_CONFIG and DYNAMIC_DEFAULT_BROKER_CONFIG
 * never appear, and every broker config is read-only.
 */
import { CONFIG_TYPE_ID, type ConfigDefinition, type ConfigValue, formatConfigValue } from '../../common/config-def.ts';
import type {
  DescribeConfigsResponseDescribeConfigsResourceResult as DescribeConfigsEntry,
  DescribeConfigsResponseDescribeConfigsSynonym as DescribeConfigsSynonym,
} from '../../protocol/messages/generated/describe-configs.ts';
import { TOPIC_CONFIGS } from '../../storage/topic-config-defs.ts';
import type { BrokerConfig } from './broker-config.ts';
import { BROKER_CONFIG_DEFS } from './broker-config-defs.ts';
import { resolveTopicConfig, type TopicOverrides } from './topic-config.ts';

/** DescribeConfigs' configSource values (DescribeConfigsResponse.ConfigSource). */
export const CONFIG_SOURCE = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
  CLIENT_METRICS_CONFIG: 7,
} as const;

export interface DescribeOptions {
  /** Only these names (unknown ones are left out); null or empty: all. */
  readonly names?: readonly string[] | null;
  readonly includeSynonyms?: boolean;
  readonly includeDocumentation?: boolean;
}

/** Kafka's broker synonyms of a broker property (DynamicBrokerConfig.brokerConfigSynonyms), precedence order. */
const BROKER_SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['log.roll.ms', 'log.roll.hours'],
  ['log.roll.jitter.ms', 'log.roll.jitter.hours'],
  ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'],
  ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
];

function brokerSynonyms(name: string): readonly string[] {
  if (name === 'log.flush.scheduler.interval.ms') return [name];
  return BROKER_SYNONYM_GROUPS.find((g) => g.includes(name)) ?? [name];
}

/**
 * The broker part of the synonyms of `name`: set ones, then defaults, each in precedence order,
 * starting at `name` itself (Kafka drops what comes before it).
 */
function brokerSynonymEntries(name: string, broker: BrokerConfig, sensitive: boolean): DescribeConfigsSynonym[] {
  const names = brokerSynonyms(name);
  const out: DescribeConfigsSynonym[] = [];
  for (const n of names) {
    const raw = broker.originals.get(n);
    if (raw !== undefined)
      out.push({ name: n, value: sensitive ? null : raw, source: CONFIG_SOURCE.STATIC_BROKER_CONFIG });
  }
  for (const n of names) {
    const def = BROKER_CONFIG_DEFS.get(n);
    if (def === undefined || def.default === null) continue;
    const value = sensitive ? null : formatConfigValue(def.type, def.default);
    out.push({ name: n, value, source: CONFIG_SOURCE.DEFAULT_CONFIG });
  }
  const start = out.findIndex((s) => s.name === name);
  return start < 0 ? [] : out.slice(start);
}

function wanted(options: DescribeOptions): (name: string) => boolean {
  const names = options.names;
  if (names === null || names === undefined || names.length === 0) return () => true;
  const set = new Set(names);
  return (name) => set.has(name);
}

function entry(
  def: ConfigDefinition | undefined,
  name: string,
  value: ConfigValue | string,
  synonyms: DescribeConfigsSynonym[],
  readOnly: boolean,
  options: DescribeOptions,
): DescribeConfigsEntry {
  // Kafka treats a config of unknown type as sensitive.
  const sensitive = def === undefined || def.type === 'password';
  const text = sensitive ? null : typeof value === 'string' ? value : formatConfigValue(def.type, value);
  const configSource = synonyms[0]?.source ?? CONFIG_SOURCE.DEFAULT_CONFIG;
  return {
    name,
    value: text,
    readOnly,
    isDefault: configSource === CONFIG_SOURCE.DEFAULT_CONFIG,
    configSource,
    isSensitive: sensitive,
    synonyms: options.includeSynonyms ? synonyms : [],
    configType: def === undefined ? 0 : CONFIG_TYPE_ID[def.type],
    documentation: options.includeDocumentation ? (def?.doc ?? null) : null,
  };
}

/** DescribeConfigs entries of a topic, in the topic table's order. */
export function describeTopicConfig(
  topicOverrides: TopicOverrides,
  broker: BrokerConfig,
  options: DescribeOptions = {},
): DescribeConfigsEntry[] {
  const include = wanted(options);
  const own = topicOverrides instanceof Map ? topicOverrides : new Map(Object.entries(topicOverrides));
  const out: DescribeConfigsEntry[] = [];
  for (const [name, def] of TOPIC_CONFIGS) {
    if (!include(name)) continue;
    const value = resolveTopicConfig(name, own, broker);
    const first = def.synonyms[0];
    const synonyms = first === undefined ? [] : brokerSynonymEntries(first.name, broker, false);
    if (own.has(name)) {
      synonyms.unshift({
        name,
        value: formatConfigValue(def.type, value),
        source: CONFIG_SOURCE.DYNAMIC_TOPIC_CONFIG,
      });
    }
    out.push(entry(def, name, value, synonyms, false, options));
  }
  return out;
}

/**
 * DescribeConfigs entries of this broker (resource name = its id): every known property, then
 * the unknown ones that were supplied (sensitive, no value, as Kafka shows them).
 */
export function describeBrokerConfig(broker: BrokerConfig, options: DescribeOptions = {}): DescribeConfigsEntry[] {
  const include = wanted(options);
  const out: DescribeConfigsEntry[] = [];
  for (const [name, def] of BROKER_CONFIG_DEFS) {
    if (!include(name)) continue;
    const synonyms = brokerSynonymEntries(name, broker, def.type === 'password');
    const value = broker.values.get(name) ?? null;
    out.push(entry(def, name, value, synonyms, true, options));
  }
  for (const [name, raw] of broker.originals) {
    if (BROKER_CONFIG_DEFS.has(name) || !include(name)) continue;
    const synonyms = [{ name, value: null, source: CONFIG_SOURCE.STATIC_BROKER_CONFIG }];
    out.push(entry(undefined, name, raw, synonyms, true, options));
  }
  return out;
}
