/**
 * DescribeConfigs, AlterConfigs and IncrementalAlterConfigs per config resource — topics (their
 * overrides in the store), this broker (read-only: Samsa has no dynamic broker configs) and the
 * broker's loggers — with Kafka 3.9's checks, codes and messages (ConfigHelper,
 * ConfigAdminManager, ZkAdminManager). One answer per resource, in request order.
 */
import { formatConfigValue } from '../common/config-def.ts';
import { describeError, type Logger } from '../common/logger.ts';
import { topicNameProblem } from '../controller/topic-names.ts';
import type { MetadataCache } from '../metadata/metadata-cache.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import type { DescribeConfigsResponseDescribeConfigsResourceResult as DescribeConfigsEntry } from '../protocol/messages/generated/describe-configs.ts';
import { TOPIC_CONFIGS } from '../storage/topic-config-defs.ts';
import {
  ADMIN_OK,
  AdminError,
  type AdminOutcome,
  AlterConfigOpType,
  ConfigResourceType,
  resourceTypeName,
} from './admin-error.ts';
import type { BrokerConfig } from './config/broker-config.ts';
import { describeBrokerConfig, describeTopicConfig } from './config/describe-config.ts';
import { validateTopicConfigs } from './config/topic-config.ts';
import type { TopicConfigStore } from './topic-config-store.ts';

export interface ConfigResourceRef {
  readonly resourceType: number;
  readonly resourceName: string;
}

export interface DescribeConfigsQuery extends ConfigResourceRef {
  /** Only these names; null or empty: all. */
  readonly configurationKeys: readonly string[] | null;
}

export interface DescribedConfigs extends AdminOutcome {
  configs: DescribeConfigsEntry[];
}

/** AlterConfigs: the resource's complete new set of overrides. */
export interface AlterConfigsResource extends ConfigResourceRef {
  readonly configs: readonly { readonly name: string; readonly value: string | null }[];
}

/** IncrementalAlterConfigs: operations on single configs (AlterConfigOpType). */
export interface IncrementalAlterConfigsResource extends ConfigResourceRef {
  readonly configs: readonly {
    readonly name: string;
    readonly configOperation: number;
    readonly value: string | null;
  }[];
}

const fail = (code: number, message: string | null): never => {
  throw new AdminError(code, message);
};

const BROKER_CONFIGS_READ_ONLY =
  'Samsa does not support dynamic broker configs yet; set them in server.properties (or with --override) and restart the broker.';
const LOG_LEVELS_READ_ONLY =
  'Samsa does not support changing log levels at runtime; restart the broker with --log-level.';

/**
 * Lifecycle: stateless apart from its dependencies; topic overrides are read from and written
 * to the store through the TopicConfigStore (which tells the running logs).
 */
export class ConfigResources {
  private readonly brokerId: number;
  private readonly config: BrokerConfig;
  private readonly metadataCache: MetadataCache;
  private readonly topicConfigs: TopicConfigStore;
  private readonly logger: Logger;

  constructor(opts: {
    config: BrokerConfig;
    metadataCache: MetadataCache;
    topicConfigs: TopicConfigStore;
    logger: Logger;
  }) {
    this.brokerId = opts.config.brokerId;
    this.config = opts.config;
    this.metadataCache = opts.metadataCache;
    this.topicConfigs = opts.topicConfigs;
    this.logger = opts.logger;
  }

  describe(
    resources: readonly DescribeConfigsQuery[],
    options: { includeSynonyms?: boolean; includeDocumentation?: boolean },
  ): Promise<DescribedConfigs[]> {
    return Promise.all(
      resources.map(async (r) => {
        try {
          return { ...ADMIN_OK, configs: await this.describeOne(r, options) };
        } catch (e) {
          return { ...this.outcome('describe configs', r, e), configs: [] };
        }
      }),
    );
  }

  private async describeOne(
    r: DescribeConfigsQuery,
    options: { includeSynonyms?: boolean; includeDocumentation?: boolean },
  ): Promise<DescribeConfigsEntry[]> {
    const opts = { names: r.configurationKeys, ...options };
    switch (r.resourceType) {
      case ConfigResourceType.TOPIC: {
        const problem = topicNameProblem(r.resourceName);
        if (problem !== null) fail(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
        if (this.metadataCache.topic(r.resourceName) === undefined) fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null);
        const stored = await this.topicConfigs.read(r.resourceName);
        return describeTopicConfig(stored?.overrides ?? new Map(), this.config, opts);
      }
      case ConfigResourceType.BROKER:
        // The empty name is the cluster-wide dynamic default: none in Samsa.
        if (r.resourceName === '') return [];
        if (this.brokerIdOf(r.resourceName) !== this.brokerId) {
          fail(
            ErrorCode.INVALID_REQUEST,
            `Unexpected broker id, expected ${this.brokerId} or empty string, but received ${r.resourceName}`,
          );
        }
        return describeBrokerConfig(this.config, opts);
      case ConfigResourceType.BROKER_LOGGER:
        this.checkLoggerResource(r.resourceName);
        // Kafka lists its log4j loggers; Samsa has one logger with one level, set at start.
        return [];
      default:
        return fail(ErrorCode.INVALID_REQUEST, `Unsupported resource type: ${resourceTypeName(r.resourceType)}`);
    }
  }

  /** AlterConfigs: replaces a topic's overrides with exactly the given set. */
  alter(resources: readonly AlterConfigsResource[], validateOnly: boolean): Promise<AdminOutcome[]> {
    const duplicates = duplicateResources(resources);
    return Promise.all(
      resources.map(async (r, i) => {
        if (duplicates.has(i)) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: EACH_RESOURCE_ONCE };
        try {
          checkKeys(r.configs.map((c) => c.name));
          const nulls = r.configs.filter((c) => c.value === null).map((c) => c.name);
          if (nulls.length > 0) fail(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${nulls.join(', ')}`);
          switch (r.resourceType) {
            case ConfigResourceType.TOPIC: {
              const next = new Map(r.configs.map((c) => [c.name, c.value!]));
              await this.alterTopic(r, () => this.checked(r, next), validateOnly);
              return ADMIN_OK;
            }
            case ConfigResourceType.BROKER:
              this.checkBrokerResource(r.resourceName);
              return fail(ErrorCode.INVALID_REQUEST, BROKER_CONFIGS_READ_ONLY);
            default:
              return fail(
                ErrorCode.INVALID_REQUEST,
                `AlterConfigs is only supported for topics and brokers, but resource type is ${resourceTypeName(r.resourceType)}`,
              );
          }
        } catch (e) {
          return this.outcome('alter configs', r, e);
        }
      }),
    );
  }

  /** IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT (list-typed configs) on a topic's overrides. */
  incrementalAlter(
    resources: readonly IncrementalAlterConfigsResource[],
    validateOnly: boolean,
  ): Promise<AdminOutcome[]> {
    const duplicates = duplicateResources(resources);
    return Promise.all(
      resources.map(async (r, i) => {
        if (duplicates.has(i)) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: EACH_RESOURCE_ONCE };
        try {
          checkKeys(r.configs.map((c) => c.name));
          const nulls = r.configs.filter((c) => c.value === null && c.configOperation !== AlterConfigOpType.DELETE);
          if (nulls.length > 0) {
            fail(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${nulls.map((c) => c.name).join(', ')}`);
          }
          const unknownOp = r.configs.find((c) => !KNOWN_OPS.has(c.configOperation));
          if (unknownOp) {
            fail(ErrorCode.INVALID_REQUEST, `Unknown configuration operation type: ${unknownOp.configOperation}`);
          }
          switch (r.resourceType) {
            case ConfigResourceType.TOPIC:
              await this.alterTopic(r, (current) => this.checked(r, applyOperations(current, r.configs)), validateOnly);
              return ADMIN_OK;
            case ConfigResourceType.BROKER:
              this.checkBrokerResource(r.resourceName);
              return fail(ErrorCode.INVALID_REQUEST, BROKER_CONFIGS_READ_ONLY);
            case ConfigResourceType.BROKER_LOGGER:
              this.checkLoggerResource(r.resourceName);
              return fail(ErrorCode.INVALID_REQUEST, LOG_LEVELS_READ_ONLY);
            default:
              return fail(ErrorCode.INVALID_REQUEST, `Unexpected resource type ${resourceTypeName(r.resourceType)}.`);
          }
        } catch (e) {
          return this.outcome('incremental alter configs', r, e);
        }
      }),
    );
  }

  private async alterTopic(
    r: ConfigResourceRef,
    change: (current: ReadonlyMap<string, string>) => Map<string, string>,
    validateOnly: boolean,
  ): Promise<void> {
    const topic = r.resourceName;
    if (topic === '') fail(ErrorCode.INVALID_REQUEST, 'Default topic resources are not allowed.');
    if (this.metadataCache.topic(topic) === undefined) {
      fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${topic}' does not exist.`);
    }
    await this.topicConfigs.update(topic, change, validateOnly);
  }

  /** Validates a topic's complete new overrides (Kafka's LogConfig.validate) and returns them. */
  private checked(r: ConfigResourceRef, next: Map<string, string>): Map<string, string> {
    for (const name of next.keys()) {
      if (!TOPIC_CONFIGS.has(name)) fail(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${name}`);
    }
    const problem = validateTopicConfigs(next, this.config);
    if (problem !== null) {
      fail(
        ErrorCode.INVALID_CONFIG,
        `Invalid config value for resource ConfigResource(type=TOPIC, name='${r.resourceName}'): ${problem}`,
      );
    }
    return next;
  }

  private brokerIdOf(name: string): number {
    if (!/^[+-]?\d{1,10}$/.test(name))
      fail(ErrorCode.INVALID_REQUEST, `Broker id must be an integer, but it is: ${name}`);
    return Number(name);
  }

  /** A BROKER resource to alter: this broker's id, or empty (the cluster-wide default). */
  private checkBrokerResource(name: string): void {
    if (name !== '' && this.brokerIdOf(name) !== this.brokerId) {
      fail(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${this.brokerId}, but received ${name}`);
    }
  }

  private checkLoggerResource(name: string): void {
    if (name === '') fail(ErrorCode.INVALID_REQUEST, 'Broker id must not be empty');
    if (this.brokerIdOf(name) !== this.brokerId) {
      fail(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${this.brokerId} but received ${name}`);
    }
  }

  private outcome(what: string, r: ConfigResourceRef, e: unknown): AdminOutcome {
    if (e instanceof AdminError) return { errorCode: e.errorCode, errorMessage: e.errorMessage };
    this.logger.error(
      `${what} for ${resourceTypeName(r.resourceType)} '${r.resourceName}' failed: ${describeError(e)}`,
    );
    return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null };
  }
}

const EACH_RESOURCE_ONCE = 'Each resource must appear at most once.';
const KNOWN_OPS: ReadonlySet<number> = new Set(Object.values(AlterConfigOpType));

/** Indexes of resources named more than once (every occurrence), as Kafka's preprocess finds them. */
function duplicateResources(resources: readonly ConfigResourceRef[]): Set<number> {
  const seen = new Map<string, number[]>();
  resources.forEach((r, i) => {
    const key = `${r.resourceType}:${r.resourceName}`;
    seen.set(key, [...(seen.get(key) ?? []), i]);
  });
  return new Set([...seen.values()].filter((ix) => ix.length > 1).flat());
}

function checkKeys(names: readonly string[]): void {
  if (new Set(names).size !== names.length) fail(ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys');
}

/**
 * Kafka's prepareIncrementalConfigs: SET and DELETE on any config; APPEND and SUBTRACT only on
 * list-typed ones, starting from the override or else the config's own default. Items are
 * compared as written; empty items are dropped (Kafka keeps a leading empty one).
 */
function applyOperations(
  current: ReadonlyMap<string, string>,
  ops: IncrementalAlterConfigsResource['configs'],
): Map<string, string> {
  const next = new Map(current);
  for (const op of ops) {
    switch (op.configOperation) {
      case AlterConfigOpType.SET:
        next.set(op.name, op.value!);
        break;
      case AlterConfigOpType.DELETE:
        next.delete(op.name);
        break;
      default: {
        const append = op.configOperation === AlterConfigOpType.APPEND;
        const def = TOPIC_CONFIGS.get(op.name);
        if (def === undefined) fail(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${op.name}`);
        if (def!.type !== 'list') {
          fail(
            ErrorCode.INVALID_CONFIG,
            `Config value ${append ? 'append' : 'subtract'} is not allowed for config key: ${op.name}`,
          );
        }
        const items = (text: string): string[] => text.split(',').filter((s) => s !== '');
        const old = items(next.get(op.name) ?? formatConfigValue('list', def!.default) ?? '');
        const given = items(op.value!);
        if (append) {
          next.set(op.name, [...old, ...given.filter((v, i) => !old.includes(v) && given.indexOf(v) === i)].join(','));
        } else {
          for (const v of given) {
            const at = old.indexOf(v);
            if (at >= 0) old.splice(at, 1);
          }
          next.set(op.name, old.join(','));
        }
      }
    }
  }
  return next;
}
