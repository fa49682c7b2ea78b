// The broker's configuration: Kafka property tables, parsing, resolution, topic configs, DescribeConfigs.
export { ConfigError, type ConfigErrorCode } from '../../common/config-def.ts';
export {
  type BrokerConfig,
  type BrokerConfigOptions,
  brokerConfigFromProps,
  type PropertyInput,
  type ZooKeeperConfig,
} from './broker-config.ts';
export { BROKER_CONFIG_DEFS } from './broker-config-defs.ts';
export {
  type BrokerHandle,
  type BrokerOptions,
  type ResolvedBrokerOptions,
  resolveBrokerOptions,
  type StartBroker,
} from './broker-options.ts';
export { CONFIG_SOURCE, type DescribeOptions, describeBrokerConfig, describeTopicConfig } from './describe-config.ts';
export { formatListeners, type ListenerEndpoint } from './listeners.ts';
export { SAMSA_DEFAULT_LOG_DIR } from './log-config-defs.ts';
export { type PropertyEntry, parseOverride, parseProperties, parsePropertyEntries } from './properties-format.ts';
export {
  type ResolvedTopicConfig,
  resolveTopicConfig,
  resolveTopicConfigDetail,
  resolveTopicConfigs,
  type TopicOverrides,
  validateTopicConfig,
  validateTopicConfigs,
} from './topic-config.ts';
