/**
 * Shared pieces of the client tests: a real broker on 127.0.0.1 and a free port with a fresh log
 * dir, topics created and records produced through a Connection, and small fake brokers (a
 * node:net server scripted per test) for what a real broker never does on purpose.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Broker, startBroker } from '../../src/broker/start-broker.ts';
import type { Connection } from '../../src/client/connection.ts';
import { throwIfError } from '../../src/client/errors.ts';
import { MemoryLogger } from '../../src/common/logger.ts';
import { FrameSplitter } from '../../src/protocol/framing.ts';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';
import { encodeRecordBatch } from '../../src/protocol/records/record-encoder.ts';
import { type DecodedRequest, decodeRequestFrame } from '../../src/protocol/request.ts';

export interface TestBroker {
  readonly broker: Broker;
  readonly port: number;
  /** `127.0.0.1:<port>`. */
  readonly bootstrap: string;
  readonly logger: MemoryLogger;
  close(): Promise<void>;
}

/** A broker with its own log dir; `properties` are Kafka property names. */
export async function startTestBroker(properties: Record<string, string | number | boolean> = {}): Promise<TestBroker> {
  const dir = await mkdtemp(join(tmpdir(), 'samsa-client-'));
  const logger = new MemoryLogger();
  const broker = await startBroker({ port: 0, host: '127.0.0.1', logDirs: [dir], properties, logger });
  let closing: Promise<void> | null = null;
  return {
    broker,
    port: broker.port,
    bootstrap: `127.0.0.1:${broker.port}`,
    logger,
    close: () => {
      closing ??= broker.close().finally(() => rm(dir, { recursive: true, force: true }));
      return closing;
    },
  };
}

/** Creates a topic (replication factor 1) and fails the test on any error. */
export async function createTopic(conn: Connection, name: string, partitions: number): Promise<void> {
  const res = await conn.send(ApiKey.CreateTopics, {
    topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 10_000,
    validateOnly: false,
  });
  for (const t of res.topics)
    throwIfError(t.errorCode, { subject: `topic '${t.name}'`, message: t.errorMessage ?? null });
}

/** Appends records (values `v0`, `v1`, ...) with the given create timestamps; resolves with the base offset. */
export async function produce(
  conn: Connection,
  topic: string,
  partition: number,
  timestamps: readonly number[],
): Promise<number> {
  const batch = encodeRecordBatch({
    records: timestamps.map((timestamp, i) => ({ value: Buffer.from(`v${i}`), timestamp })),
  });
  const res = await conn.send(ApiKey.Produce, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 10_000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records: batch }] }],
  });
  const p = res.responses[0]!.partitionResponses[0]!;
  throwIfError(p.errorCode, { subject: `${topic}-${partition}` });
  return p.baseOffset;
}

/** A port nothing listens on (bound, then released). */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A scripted fake broker: `onRequest` sees each decoded request and may write raw bytes back. */
export interface FakeBroker {
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: DecodedRequest[];
  close(): Promise<void>;
}

export async function startFakeBroker(onRequest: (req: DecodedRequest, socket: Socket) => void): Promise<FakeBroker> {
  const requests: DecodedRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const splitter = new FrameSplitter(1 << 20, (frame) => {
      const req = decodeRequestFrame(Buffer.from(frame));
      requests.push(req);
      onRequest(req, socket);
    });
    socket.on('data', (chunk: Buffer) => splitter.push(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
