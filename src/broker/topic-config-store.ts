import { describeError, type Logger } from '../common/logger.ts';
import { MetadataError, type MetadataStore } from '../metadata/metadata-store.ts';
import { decodeTopicConfig, encodeTopicConfig, Paths } from '../metadata/paths.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import { type LogConfig, logConfigFromProps } from '../storage/config.ts';
import { AdminError } from './admin-error.ts';
import type { BrokerConfig } from './config/broker-config.ts';

/** Called after a topic's overrides changed (by this broker or any other). */
export type TopicConfigListener = (topic: string, overrides: ReadonlyMap<string, string>) => void;

const NO_OVERRIDES: ReadonlyMap<string, string> = new Map();
/** Read-modify-write attempts before a config change gives up on concurrent writers. */
const MAX_WRITE_ATTEMPTS = 5;
const RETRY_WRITE: ReadonlySet<string> = new Set(['BAD_VERSION', 'NODE_EXISTS', 'NO_NODE', 'CONNECTION_LOSS']);

/**
 * This broker's view of every topic's config overrides (`/config/topics/<topic>`), kept current
 * by store watches, so a change made through any broker reaches the running logs here.
 *
 * - start(): reads every override node and watches the children of /config/topics (new topics)
 *   and each node's data (changes, deletion). Watches are one-shot: each event re-arms before it
 *   re-reads, so no change is missed (a change may be seen twice; the second is no change).
 * - Listeners hear a topic when its overrides differ from what was known — not for the initial
 *   load, and not for a new topic without overrides. The known value is updated first, so a
 *   listener that asks logConfig(topic) gets the new config.
 * - Writes (update()) are conditional on the node's version and retried on a concurrent change;
 *   the written value is applied (and heard) at once, before the watch reports it.
 * - close(): stops reacting to watches. Reads of the cache stay valid.
 *
 * Store events are handled one at a time on a serial queue, so the cache only moves forward.
 */
export class TopicConfigStore {
  private readonly store: MetadataStore;
  private readonly config: BrokerConfig;
  private readonly logger: Logger;
  private readonly known = new Map<string, ReadonlyMap<string, string>>();
  private readonly watched = new Set<string>();
  private readonly listeners = new Set<TopicConfigListener>();
  private readonly brokerProps: Record<string, string>;
  private queue: Promise<void> = Promise.resolve();
  private loading = false;
  private closed = false;

  constructor(opts: { store: MetadataStore; config: BrokerConfig; logger: Logger }) {
    this.store = opts.store;
    this.config = opts.config;
    this.logger = opts.logger;
    this.brokerProps = Object.fromEntries(opts.config.originals);
  }

  async start(): Promise<void> {
    await this.store.ensurePath(Paths.topicConfigs);
    this.loading = true;
    try {
      await this.enqueue(() => this.syncChildren());
    } finally {
      this.loading = false;
    }
  }

  close(): void {
    this.closed = true;
  }

  /** Resolves once every store event received so far has been handled (tests). */
  idle(): Promise<void> {
    return this.queue;
  }

  onChange(listener: TopicConfigListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The topic's overrides as last seen (empty when none or not yet seen). */
  overrides(topic: string): ReadonlyMap<string, string> {
    return this.known.get(topic) ?? NO_OVERRIDES;
  }

  /** The topic's effective log config: broker defaults with its overrides on top. */
  logConfig(topic: string): LogConfig {
    const own = this.known.get(topic);
    if (own === undefined || own.size === 0) return this.config.logDefaults;
    try {
      return logConfigFromProps(this.brokerProps, Object.fromEntries(own));
    } catch (e) {
      // Written by another tool, or by a version with other rules: keep the log running.
      this.logger.warn(`topic ${topic}: config overrides not usable (${describeError(e)}); using broker defaults`);
      return this.config.logDefaults;
    }
  }

  /** Records the overrides of a topic this broker just created (no listener call: no log has them yet). */
  remember(topic: string, overrides: ReadonlyMap<string, string>): void {
    this.known.set(topic, new Map(overrides));
  }

  /** Reads a topic's overrides from the store (null: no config node) and refreshes the cache. */
  async read(topic: string): Promise<{ overrides: Map<string, string>; version: number } | null> {
    const node = await this.store.get(Paths.topicConfig(topic));
    if (node === null) return null;
    return { overrides: decodeTopicConfig(topic, node.data), version: node.stat.version };
  }

  /**
   * Read-modify-write of a topic's overrides: `change` gets the stored overrides and returns the
   * new ones (or throws AdminError). Unless `validateOnly`, the result is written conditionally
   * on the version read, retried when another writer got there first, then applied here.
   * Throws AdminError UNKNOWN_TOPIC_OR_PARTITION when the topic is gone.
   */
  async update(
    topic: string,
    change: (current: ReadonlyMap<string, string>) => Map<string, string>,
    validateOnly: boolean,
  ): Promise<Map<string, string>> {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const current = await this.read(topic);
      const next = change(current?.overrides ?? new Map());
      if (validateOnly) return next;
      try {
        const data = encodeTopicConfig(next);
        if (current !== null) {
          await this.store.set(Paths.topicConfig(topic), data, current.version);
        } else {
          if ((await this.store.exists(Paths.topic(topic))) === null) {
            throw new AdminError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${topic}' does not exist.`);
          }
          await this.store.create(Paths.topicConfig(topic), data);
        }
      } catch (e) {
        // Another writer got there first, or (CONNECTION_LOSS) our write may or may not have
        // landed: read again and redo the change — every change is idempotent over its result.
        if (e instanceof MetadataError && RETRY_WRITE.has(e.code)) continue;
        throw e;
      }
      this.apply(topic, next);
      return next;
    }
    throw new AdminError(
      ErrorCode.UNKNOWN_SERVER_ERROR,
      `The config of topic '${topic}' kept changing concurrently; try again.`,
    );
  }

  private enqueue(fn: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(async () => {
      if (this.closed) return;
      try {
        await fn();
      } catch (e) {
        if (e instanceof MetadataError && e.code === 'SESSION_CLOSED') return;
        this.logger.error(`topic configs: reading the store failed: ${describeError(e)}`);
      }
    });
    return this.queue;
  }

  /** Re-arms the children watch, then looks at every topic not watched yet. */
  private async syncChildren(): Promise<void> {
    this.store.watchChildren(Paths.topicConfigs, () => void this.enqueue(() => this.syncChildren()));
    const names = await this.store.getChildren(Paths.topicConfigs);
    for (const name of names) if (!this.watched.has(name)) await this.syncTopic(name);
    const present = new Set(names);
    for (const name of [...this.known.keys()]) {
      if (!present.has(name) && !this.watched.has(name)) this.known.delete(name);
    }
  }

  /** Re-arms the topic's data watch, then reads its node. */
  private async syncTopic(name: string): Promise<void> {
    this.watched.add(name);
    this.store.watchData(Paths.topicConfig(name), (event) => {
      // `watched` is cleared on the queue, so syncChildren never arms a second watch meanwhile.
      void this.enqueue(async () => {
        this.watched.delete(name);
        if (event === 'deleted') this.known.delete(name);
        else await this.syncTopic(name);
      });
    });
    const current = await this.read(name);
    if (current !== null) this.apply(name, current.overrides);
  }

  /** Records new overrides and tells the listeners if they differ from what was known. */
  private apply(topic: string, overrides: ReadonlyMap<string, string>): void {
    const before = this.known.get(topic) ?? NO_OVERRIDES;
    this.known.set(topic, overrides);
    if (this.loading || sameOverrides(before, overrides)) return;
    this.logger.info(`topic ${topic}: config overrides now ${formatOverrides(overrides)}`);
    for (const l of this.listeners) {
      try {
        l(topic, overrides);
      } catch (e) {
        this.logger.error(`topic ${topic}: config change listener failed: ${describeError(e)}`);
      }
    }
  }
}

function sameOverrides(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

function formatOverrides(o: ReadonlyMap<string, string>): string {
  return o.size === 0 ? '(none)' : [...o].map(([k, v]) => `${k}=${v}`).join(', ');
}
