import { randomBytes } from 'node:crypto';
import { MetadataError, type MetadataStore } from '../metadata/metadata-store.ts';
import {
  decodeTopicAssignment,
  decodeTopicConfig,
  encodeTopicAssignment,
  encodeTopicConfig,
  Paths,
  type TopicAssignment,
} from '../metadata/paths.ts';

/**
 * Topic changes as writes to the coordination store — what Kafka's AdminZkClient does. Any broker
 * may call these (the one that received CreateTopics, DeleteTopics, CreatePartitions or
 * AlterConfigs); the controller notices the writes through its watches and acts on them.
 */
export class TopicAdminError extends Error {
  readonly code: 'TOPIC_EXISTS' | 'UNKNOWN_TOPIC' | 'CONCURRENT_CHANGE' | 'PENDING_DELETION';
  constructor(code: TopicAdminError['code'], message: string) {
    super(message);
    this.name = 'TopicAdminError';
    this.code = code;
  }
}

export function newTopicId(): string {
  // Kafka reserves the all-zero id and the one with only the lowest bit set as sentinels.
  for (;;) {
    const id = randomBytes(16);
    if (!id.subarray(0, 15).every((b) => b === 0) || id[15]! > 1) return id.toString('base64url');
  }
}

/** Writes the topic's config and assignment atomically. Returns the topic id. */
export async function createTopic(
  store: MetadataStore,
  name: string,
  partitions: Map<number, number[]>,
  configs: ReadonlyMap<string, string>,
): Promise<string> {
  const topicId = newTopicId();
  if (await store.exists(Paths.deleteTopic(name))) {
    throw new TopicAdminError('PENDING_DELETION', `Topic '${name}' is marked for deletion.`);
  }
  try {
    await store.multi([
      ...((await store.exists(Paths.topicConfig(name)))
        ? [{ op: 'delete' as const, path: Paths.topicConfig(name) }]
        : []),
      { op: 'create', path: Paths.topicConfig(name), data: encodeTopicConfig(configs) },
      { op: 'create', path: Paths.topic(name), data: encodeTopicAssignment({ topicId, partitions }) },
    ]);
  } catch (e) {
    if (e instanceof MetadataError && e.code === 'NODE_EXISTS') {
      throw new TopicAdminError('TOPIC_EXISTS', `Topic '${name}' already exists.`);
    }
    throw e;
  }
  return topicId;
}

/** Marks a topic for deletion; the controller deletes it. */
export async function requestTopicDeletion(store: MetadataStore, name: string): Promise<void> {
  if (!(await store.exists(Paths.topic(name))))
    throw new TopicAdminError('UNKNOWN_TOPIC', `Topic '${name}' does not exist.`);
  try {
    await store.create(Paths.deleteTopic(name), Buffer.alloc(0));
  } catch (e) {
    if (!(e instanceof MetadataError && e.code === 'NODE_EXISTS')) throw e;
  }
}

export async function readAssignment(
  store: MetadataStore,
  name: string,
): Promise<{ a: TopicAssignment; version: number } | null> {
  const node = await store.get(Paths.topic(name));
  return node ? { a: decodeTopicAssignment(name, node.data), version: node.stat.version } : null;
}

/** Adds partitions to an existing topic (conditional on the assignment not having changed). */
export async function addPartitions(
  store: MetadataStore,
  name: string,
  current: { a: TopicAssignment; version: number },
  added: Map<number, number[]>,
): Promise<void> {
  const partitions = new Map([...current.a.partitions, ...added]);
  try {
    await store.set(
      Paths.topic(name),
      encodeTopicAssignment({ topicId: current.a.topicId, partitions }),
      current.version,
    );
  } catch (e) {
    if (e instanceof MetadataError && e.code === 'BAD_VERSION') {
      throw new TopicAdminError('CONCURRENT_CHANGE', `Topic '${name}' was changed concurrently; try again.`);
    }
    throw e;
  }
}

export async function readTopicConfig(store: MetadataStore, name: string): Promise<Map<string, string>> {
  const node = await store.get(Paths.topicConfig(name));
  return node ? decodeTopicConfig(name, node.data) : new Map();
}

/** Replaces a topic's config overrides. */
export async function writeTopicConfig(
  store: MetadataStore,
  name: string,
  configs: ReadonlyMap<string, string>,
): Promise<void> {
  if (!(await store.exists(Paths.topic(name))))
    throw new TopicAdminError('UNKNOWN_TOPIC', `Topic '${name}' does not exist.`);
  const data = encodeTopicConfig(configs);
  if (await store.exists(Paths.topicConfig(name))) await store.set(Paths.topicConfig(name), data);
  else await store.create(Paths.topicConfig(name), data);
}
