/**
 * Shared pieces of the ApiVersions, Metadata, topic and config scenarios (api-versions and admin
 * .kafka-test.ts): requests that are not part of a trace (setup and waiting) and record batches
 * with fixed timestamps, so both brokers store the same bytes.
 */
import { ErrorCode } from '../../src/protocol/error-codes.ts';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';
import type { CreateTopicsRequestCreatableTopic } from '../../src/protocol/messages/generated/create-topics.ts';
import { encodeRecordBatch } from '../../src/protocol/records/index.ts';
import { quiet, READY_WITHIN_MS, type Session, until } from './harness.ts';

/** The timestamp of every record produced by these scenarios (2023-11-14T22:13:20Z). */
export const T0 = 1_700_000_000_000;

export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export { quiet, until };

/** Waits, without recording, until Metadata shows `topic` with every partition led. */
export async function topicReady(s: Session, topic: string): Promise<void> {
  const c = await s.connect();
  await until(`topic ${topic} on ${s.broker}`, async () => {
    const r = await quiet(c, ApiKey.Metadata, 1, { topics: [{ name: topic }] });
    const t = r.topics[0];
    const ready =
      t?.errorCode === ErrorCode.NONE && t.partitions.length > 0 && t.partitions.every((p) => p.leaderId >= 0);
    return ready ? true : undefined;
  });
}

/**
 * Waits, without recording, until FindCoordinator answers for a group — which makes the broker
 * create __consumer_offsets first — and Metadata shows that topic led.
 */
export async function offsetsTopicReady(s: Session): Promise<void> {
  const c = await s.connect();
  await until(`group coordinator on ${s.broker}`, async () => {
    const r = await quiet(c, ApiKey.FindCoordinator, 3, { key: 'adm-group', keyType: 0 });
    return r.errorCode === ErrorCode.NONE ? true : undefined;
  });
  await topicReady(s, '__consumer_offsets');
}

/** A CreateTopics entry: `numPartitions` partitions of replication factor 1, no configs. */
export function topic(
  name: string,
  more: Partial<CreateTopicsRequestCreatableTopic> = {},
): CreateTopicsRequestCreatableTopic {
  return { name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [], ...more };
}

/** Creates topics without recording (setup) and waits until they are led; fails on any error. */
export async function createTopics(s: Session, topics: CreateTopicsRequestCreatableTopic[]): Promise<void> {
  const c = await s.connect();
  const r = await quiet(c, ApiKey.CreateTopics, 7, { topics, timeoutMs: READY_WITHIN_MS, validateOnly: false });
  const failed = r.topics.filter((t) => t.errorCode !== ErrorCode.NONE);
  if (failed.length > 0) {
    throw new Error(`setup: creating ${failed.map((t) => `${t.name} (error ${t.errorCode})`).join(', ')} failed`);
  }
  for (const t of topics) await topicReady(s, t.name);
}

/** A batch of `count` records `v0`, `v1`, … with keys, all at T0. */
export function batch(count: number): Buffer {
  return encodeRecordBatch({
    baseTimestamp: T0,
    records: Array.from({ length: count }, (_, i) => ({
      key: Buffer.from(`k${i}`),
      value: Buffer.from(`v${i}`),
      timestamp: T0,
    })),
  });
}

/** Produces `count` records to a partition without recording (setup, acks=all); fails on an error. */
export async function produce(s: Session, name: string, partition: number, count: number): Promise<void> {
  const c = await s.connect();
  const r = await quiet(c, ApiKey.Produce, 7, {
    transactionalId: null,
    acks: -1,
    timeoutMs: READY_WITHIN_MS,
    topicData: [{ name, partitionData: [{ index: partition, records: batch(count) }] }],
  });
  const code = r.responses[0]?.partitionResponses[0]?.errorCode;
  if (code !== ErrorCode.NONE) throw new Error(`setup: producing to ${name}-${partition} failed (error ${code})`);
}
