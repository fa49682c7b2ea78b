/**
 * Reads a whole topic from the beginning with kafkajs by assigned partitions — no consumer group
 * (groups come in a later issue, and kafkajs's Consumer always joins one).
 *
 * It drives the same internals kafkajs's Consumer uses, one level down: a `Cluster` (from
 * kafkajs/src/cluster) for metadata, leaders and ListOffsets (earliest, then latest under the
 * isolation level), the leader's `Broker.fetch` (Fetch v11, sessionless, read_committed by
 * default), and `Batch` (kafkajs/src/consumer/batch) to drop records below the fetch offset,
 * control records and aborted transactions. So the requests on the wire are the ones a kafkajs
 * consumer sends, minus FindCoordinator/JoinGroup/SyncGroup/OffsetFetch/Heartbeat.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** What kafkajs decodes a record into (kafkajs/src/protocol/recordBatch/record/v0/decoder.js). */
export interface KafkajsMessage {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[] | undefined>;
  isControlRecord?: boolean;
}

interface KafkajsPartitionData {
  partition: number;
  errorCode: number;
  highWatermark: string;
  lastStableOffset?: string;
  messages: KafkajsMessage[];
}

interface KafkajsBroker {
  fetch(request: {
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<{ responses: { topicName: string; partitions: KafkajsPartitionData[] }[] }>;
}

interface KafkajsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadata(): Promise<void>;
  findTopicPartitionMetadata(topic: string): { partitionId: number; leader: number }[];
  findBroker(args: { nodeId: number | string }): Promise<KafkajsBroker>;
  fetchTopicsOffset(
    topics: { topic: string; partitions: { partition: number }[]; fromBeginning: boolean }[],
  ): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
}

interface KafkajsBatch {
  messages: KafkajsMessage[];
  messagesWithinOffset: KafkajsMessage[];
}

const Cluster = require('kafkajs/src/cluster') as new (options: Record<string, unknown>) => KafkajsCluster;
const Batch = require('kafkajs/src/consumer/batch') as new (
  topic: string,
  fetchedOffset: string,
  partitionData: KafkajsPartitionData,
) => KafkajsBatch;
const { createLogger, LEVELS } = require('kafkajs/src/loggers') as {
  createLogger(options: { level: number; logCreator: unknown }): unknown;
  LEVELS: Record<'NOTHING' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG', number>;
};
const LoggerConsole = require('kafkajs/src/loggers/console') as unknown;
const defaultSocketFactory = require('kafkajs/src/network/socketFactory') as () => unknown;
const InstrumentationEventEmitter = require('kafkajs/src/instrumentation/emitter') as new () => unknown;

export const READ_UNCOMMITTED = 0;
export const READ_COMMITTED = 1;

export interface ReadRecord {
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  /** Header name → values (kafkajs folds repeated names into an array; here always an array). */
  headers: Record<string, Buffer[]>;
  timestamp: number;
}

export interface ReadResult {
  /** Records per partition, in offset order. */
  readonly partitions: Map<number, ReadRecord[]>;
  /** Per partition: the earliest offset and the end offset (ListOffsets latest) read up to. */
  readonly ranges: Map<number, { start: number; end: number }>;
  /** Fetch requests sent. */
  readonly fetches: number;
}

export interface ReadOptions {
  brokers: string[];
  topic: string;
  isolationLevel?: number;
  /** Fetches in a row that return nothing before giving up (each waits up to maxWaitTime). */
  maxEmptyFetches?: number;
  /** Per fetch, per partition. */
  partitionMaxBytes?: number;
}

/** Reads every partition of `topic` from its earliest offset up to the end offset ListOffsets reports. */
export async function readTopicWithKafkajs(options: ReadOptions): Promise<ReadResult> {
  const {
    brokers,
    topic,
    isolationLevel = READ_COMMITTED,
    maxEmptyFetches = 20,
    partitionMaxBytes = 1 << 20,
  } = options;
  const cluster = new Cluster({
    logger: createLogger({ level: LEVELS.NOTHING, logCreator: LoggerConsole }),
    socketFactory: defaultSocketFactory(),
    brokers,
    clientId: 'samsa-interop-reader',
    connectionTimeout: 3000,
    requestTimeout: 15000,
    enforceRequestTimeout: true,
    metadataMaxAge: 300000,
    retry: { retries: 3, initialRetryTime: 100 },
    allowAutoTopicCreation: false,
    maxInFlightRequests: null,
    isolationLevel,
    instrumentationEmitter: new InstrumentationEventEmitter(),
    offsets: new Map(),
  });
  await cluster.connect();
  try {
    await cluster.addTargetTopic(topic);
    await cluster.refreshMetadata();
    const partitionMeta = cluster.findTopicPartitionMetadata(topic);
    if (partitionMeta.length === 0) throw new Error(`kafkajs sees no partitions for topic ${topic}`);
    const asked = partitionMeta.map((p) => ({ partition: p.partitionId }));
    const offsetsOf = async (fromBeginning: boolean): Promise<Map<number, number>> => {
      const result = await cluster.fetchTopicsOffset([{ topic, partitions: asked, fromBeginning }]);
      const m = new Map<number, number>();
      for (const t of result) for (const p of t.partitions) m.set(p.partition, Number(p.offset));
      return m;
    };
    const starts = await offsetsOf(true);
    const ends = await offsetsOf(false);
    const ranges = new Map<number, { start: number; end: number }>();
    const next = new Map<number, number>();
    const partitions = new Map<number, ReadRecord[]>();
    for (const { partitionId } of partitionMeta) {
      const start = starts.get(partitionId);
      const end = ends.get(partitionId);
      if (start === undefined || end === undefined)
        throw new Error(`no ListOffsets answer for ${topic}-${partitionId}`);
      ranges.set(partitionId, { start, end });
      next.set(partitionId, start);
      partitions.set(partitionId, []);
    }

    let fetches = 0;
    let emptyInARow = 0;
    for (;;) {
      const pending = partitionMeta.filter((p) => next.get(p.partitionId)! < ranges.get(p.partitionId)!.end);
      if (pending.length === 0) break;
      const byLeader = new Map<number, number[]>();
      for (const p of pending) byLeader.set(p.leader, [...(byLeader.get(p.leader) ?? []), p.partitionId]);
      let progressed = false;
      for (const [leader, ps] of byLeader) {
        const broker = await cluster.findBroker({ nodeId: leader });
        const fetchOffsets = new Map(ps.map((p) => [p, next.get(p)!]));
        fetches++;
        const response = await broker.fetch({
          isolationLevel,
          maxWaitTime: 500,
          minBytes: 1,
          maxBytes: 10 << 20,
          topics: [
            {
              topic,
              partitions: ps.map((p) => ({
                partition: p,
                fetchOffset: String(fetchOffsets.get(p)),
                maxBytes: partitionMaxBytes,
              })),
            },
          ],
        });
        for (const t of response.responses) {
          for (const data of t.partitions) {
            if (data.errorCode !== 0) throw new Error(`fetch ${topic}-${data.partition}: error code ${data.errorCode}`);
            const fetched = fetchOffsets.get(data.partition);
            if (fetched === undefined) throw new Error(`fetch answered partition ${data.partition}, not asked for`);
            const batch = new Batch(topic, String(fetched), data);
            const within = batch.messagesWithinOffset;
            if (within.length === 0) continue;
            const end = ranges.get(data.partition)!.end;
            for (const m of batch.messages) {
              const offset = Number(m.offset);
              if (offset >= end) break;
              partitions.get(data.partition)!.push({
                partition: data.partition,
                offset,
                key: m.key,
                value: m.value,
                headers: normalizeHeaders(m.headers),
                timestamp: Number(m.timestamp),
              });
            }
            next.set(data.partition, Number(within[within.length - 1]!.offset) + 1);
            progressed = true;
          }
        }
      }
      if (progressed) emptyInARow = 0;
      else if (++emptyInARow >= maxEmptyFetches) {
        const where = pending.map(
          (p) => `${p.partitionId}@${next.get(p.partitionId)}/${ranges.get(p.partitionId)!.end}`,
        );
        throw new Error(`${topic}: ${emptyInARow} fetches in a row returned nothing; partition@next/end: ${where}`);
      }
    }
    return { partitions, ranges, fetches };
  } finally {
    await cluster.disconnect();
  }
}

function normalizeHeaders(headers: Record<string, Buffer | Buffer[] | undefined>): Record<string, Buffer[]> {
  const out: Record<string, Buffer[]> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v : [v];
  }
  return out;
}

/** All records of a read, partition by partition. */
export function allRecords(result: ReadResult): ReadRecord[] {
  return [...result.partitions.keys()].sort((a, b) => a - b).flatMap((p) => result.partitions.get(p)!);
}
