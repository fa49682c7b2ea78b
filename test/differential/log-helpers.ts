/**
 * Request builders shared by the Produce, Fetch and ListOffsets differential scenarios
 * (produce.kafka-test.ts, fetch.kafka-test.ts, list-offsets.kafka-test.ts). Every record carries
 * a fixed timestamp so the bytes sent, stored and fetched back are the same on both brokers.
 */

import { ErrorCode } from '../../src/protocol/error-codes.ts';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';
import type { FetchRequest, FetchRequestFetchPartition } from '../../src/protocol/messages/generated/fetch.ts';
import type { ProduceResponsePartitionProduceResponse } from '../../src/protocol/messages/generated/produce.ts';
import { type CompressionCodec, CRC_OFFSET, CRC_START } from '../../src/protocol/records/batch-format.ts';
import { crc32c } from '../../src/protocol/records/crc32c.ts';
import { encodeRecordBatch } from '../../src/protocol/records/record-encoder.ts';
import type { Client, Session } from './harness.ts';

/** The timestamp of the first record of every batch (2023-11-14T22:13:20Z). */
export const T0 = 1_700_000_000_000;

export interface BatchOptions {
  /** Timestamp of the first record; record i gets `timestamp + i * step`. */
  timestamp?: number;
  step?: number;
  compression?: CompressionCodec;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  baseOffset?: number;
  /** Bytes of each value (repeating the record's tag), else the tag itself. */
  valueBytes?: number;
}

/** A RecordBatch v2 with one record per value (`key-i` keys), fixed timestamps. */
export function batchOf(values: readonly string[], o: BatchOptions = {}): Buffer {
  const ts = o.timestamp ?? T0;
  const step = o.step ?? 1;
  return encodeRecordBatch({
    baseOffset: o.baseOffset ?? 0,
    compression: o.compression ?? 0,
    producerId: o.producerId ?? -1,
    producerEpoch: o.producerEpoch ?? -1,
    baseSequence: o.baseSequence ?? -1,
    records: values.map((v, i) => ({
      key: Buffer.from(`key-${i}`),
      value: o.valueBytes === undefined ? Buffer.from(v) : Buffer.alloc(o.valueBytes, v),
      headers: [{ key: 'h', value: Buffer.from(v) }],
      timestamp: ts + i * step,
    })),
  });
}

/** Rewrites the CRC of the batch at `pos` after its bytes were edited on purpose. */
export function fixCrc(batch: Buffer, pos = 0): Buffer {
  const length = batch.readInt32BE(pos + 8);
  batch.writeUInt32BE(crc32c(batch, pos + CRC_START, pos + 12 + length), pos + CRC_OFFSET);
  return batch;
}

export interface TopicOptions {
  partitions?: number;
  configs?: Record<string, string>;
}

/** CreateTopics v4 (an answer of name, error code and message) for one topic. */
export async function createTopic(s: Session, name: string, o: TopicOptions = {}): Promise<void> {
  const r = await s.request(
    ApiKey.CreateTopics,
    4,
    {
      topics: [
        {
          name,
          numPartitions: o.partitions ?? 1,
          replicationFactor: 1,
          assignments: [],
          configs: Object.entries(o.configs ?? {}).map(([k, value]) => ({ name: k, value })),
        },
      ],
      timeoutMs: 30_000,
      validateOnly: false,
    },
    `create ${name}`,
  );
  const code = r.topics[0]?.errorCode;
  if (code !== 0) throw new Error(`${s.broker}: creating ${name} failed with error ${code}`);
}

/** The topic id of `name` from the broker's own Metadata v12 answer (recorded in the trace). */
export async function topicIdOf(s: Session, name: string): Promise<string> {
  const r = await s.request(
    ApiKey.Metadata,
    12,
    {
      topics: [{ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    },
    `metadata ${name}`,
  );
  const id = r.topics[0]?.topicId;
  if (id === undefined) throw new Error(`${s.broker}: no topic id for ${name}`);
  return id;
}

export interface ProduceOptions {
  acks?: number;
  version?: number;
  partition?: number;
  timeoutMs?: number;
  label?: string;
  via?: Client;
}

/** Produce `records` to one partition; returns that partition's answer. */
export async function produce(
  s: Session,
  topic: string,
  records: Buffer | null,
  o: ProduceOptions = {},
): Promise<ProduceResponsePartitionProduceResponse> {
  const version = o.version ?? 9;
  const body = {
    transactionalId: null,
    acks: o.acks ?? -1,
    timeoutMs: o.timeoutMs ?? 30_000,
    topicData: [{ name: topic, partitionData: [{ index: o.partition ?? 0, records }] }],
  };
  const label = o.label ?? `produce v${version}`;
  const r = o.via
    ? await o.via.request(ApiKey.Produce, version, body, label)
    : await s.request(ApiKey.Produce, version, body, label);
  const p = r.responses[0]?.partitionResponses[0];
  if (p === undefined) throw new Error(`${s.broker}: an empty produce answer`);
  return p;
}

export interface FetchOptions {
  version?: number;
  maxBytes?: number;
  partitionMaxBytes?: number;
  minBytes?: number;
  maxWaitMs?: number;
  isolationLevel?: number;
  /** For v13+: the topic id (else the name is used). */
  topicId?: string;
  label?: string;
}

/** A sessionless Fetch of one partition from `offset`. */
export function fetchRequest(
  topic: string,
  partitions: readonly { partition: number; offset: number; maxBytes?: number }[],
  o: FetchOptions = {},
): FetchRequest {
  const version = o.version ?? 11;
  return {
    replicaId: -1,
    replicaState: { replicaId: -1, replicaEpoch: -1 },
    maxWaitMs: o.maxWaitMs ?? 0,
    minBytes: o.minBytes ?? 1,
    maxBytes: o.maxBytes ?? 50 * 1024 * 1024,
    isolationLevel: o.isolationLevel ?? 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        ...(version >= 13 ? { topicId: o.topicId ?? '' } : { topic }),
        partitions: partitions.map(
          (p): FetchRequestFetchPartition => ({
            partition: p.partition,
            currentLeaderEpoch: -1,
            fetchOffset: p.offset,
            lastFetchedEpoch: -1,
            logStartOffset: -1,
            partitionMaxBytes: p.maxBytes ?? o.partitionMaxBytes ?? 1024 * 1024,
          }),
        ),
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
}

/** Fetch one partition from `offset` (recorded under `fetch v<version>` or `o.label`). */
export function fetch(s: Session, topic: string, offset: number, o: FetchOptions & { partition?: number } = {}) {
  const version = o.version ?? 11;
  return s.request(
    ApiKey.Fetch,
    version,
    fetchRequest(topic, [{ partition: o.partition ?? 0, offset }], o),
    o.label ?? `fetch v${version} @${offset}`,
  );
}

/** ListOffsets for one partition at `timestamp` (-1 latest, -2 earliest, -3 max timestamp). */
export function listOffsets(
  s: Session,
  topic: string,
  timestamp: number,
  o: { version?: number; partition?: number; isolationLevel?: number; label?: string } = {},
) {
  const version = o.version ?? 7;
  return s.request(
    ApiKey.ListOffsets,
    version,
    {
      replicaId: -1,
      isolationLevel: o.isolationLevel ?? 0,
      topics: [
        {
          name: topic,
          partitions: [{ partitionIndex: o.partition ?? 0, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }],
        },
      ],
    },
    o.label ?? `list offsets v${version} @${timestamp}`,
  );
}

/**
 * InitProducerId for an idempotent (non-transactional) producer. A fresh Kafka broker answers
 * its first calls COORDINATOR_LOAD_IN_PROGRESS while it asks its controller for a first block of
 * producer ids; clients retry, and so does this (those answers are left out of the trace: Samsa
 * allocates its block before answering, so it never sends that error).
 */
export async function initProducerId(s: Session, version: number) {
  for (let attempt = 0; ; attempt++) {
    const r = await s.request(
      ApiKey.InitProducerId,
      version,
      { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 },
      `init producer id v${version}`,
    );
    if (r.errorCode !== ErrorCode.COORDINATOR_LOAD_IN_PROGRESS || attempt >= 100) return r;
    s.trace.pop();
    // No event says when the block has arrived: poll, as a client's retry backoff does.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
