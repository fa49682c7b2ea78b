/**
 * The client's view of a cluster: where the brokers are, which broker leads each partition, which
 * one coordinates each group, and one lazily opened Connection per broker.
 *
 * Lifecycle: construct with a bootstrap list (`host:port[,host:port]`); nothing connects until a
 * request needs it. The first request connects to the bootstrap addresses in order until one
 * answers; Metadata answers name the brokers by node id, and connections to them open when first
 * needed and are reused. A connection that closed (broker gone, request timeout) is replaced on
 * next use. `close()` closes every connection; the client is not reusable afterwards.
 *
 * Retries: `retry()` runs an operation until it succeeds, fails with a non-retriable error, or the
 * operation deadline passes, backing off `retryBackoffMs` (on the Clock) between attempts.
 * Retriable are Kafka's retriable error codes (COORDINATOR_NOT_AVAILABLE while __consumer_offsets
 * is created, NOT_COORDINATOR after a move, LEADER_NOT_AVAILABLE, ...) and connections that closed
 * under a request; an unreachable bootstrap list fails at once with its reason.
 */
import { type Clock, systemClock } from '../common/clock.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import { ApiKey } from '../protocol/messages/generated/api-table.ts';
import type { MetadataRequest } from '../protocol/messages/generated/metadata.ts';
import { type BrokerAddress, parseBootstrap } from './broker-address.ts';
import { Connection, type ConnectionOptions } from './connection.ts';
import { ConnectionClosedError, errorText, KafkaProtocolError, NoBrokerError, throwIfError } from './errors.ts';

export interface BrokerNode {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

export interface PartitionMetadata {
  readonly partition: number;
  readonly errorCode: number;
  /** -1 when the partition has no leader. */
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

export interface TopicMetadata {
  readonly name: string;
  /** 0, or e.g. UNKNOWN_TOPIC_OR_PARTITION for a topic that does not exist. */
  readonly errorCode: number;
  readonly isInternal: boolean;
  /** Sorted by partition. */
  readonly partitions: readonly PartitionMetadata[];
}

export interface ClusterMetadata {
  readonly clusterId: string | null;
  readonly controllerId: number;
  readonly brokers: readonly BrokerNode[];
  /** The topics asked for (every topic when null was asked), by name. */
  readonly topics: ReadonlyMap<string, TopicMetadata>;
}

/** Coordinator kinds of FindCoordinator. */
export const CoordinatorType = { GROUP: 0, TRANSACTION: 1 } as const;

export interface ClusterClientOptions
  extends Omit<ConnectionOptions, 'host' | 'port' | 'clock' | 'connectTimeoutMs' | 'requestTimeoutMs'> {
  /** `host:port[,host:port...]` or the parsed addresses. */
  readonly bootstrap: string | readonly BrokerAddress[];
  readonly clock?: Clock;
  /** Default 10 000. */
  readonly connectTimeoutMs?: number;
  /** Per request. Default 30 000. */
  readonly requestTimeoutMs?: number;
  /** How long retry() keeps trying one operation. Default 60 000 (Kafka's default.api.timeout.ms). */
  readonly operationTimeoutMs?: number;
  /** Pause between attempts. Default 100 (Kafka's retry.backoff.ms). */
  readonly retryBackoffMs?: number;
}

export class ClusterClient {
  readonly clock: Clock;
  private readonly options: ClusterClientOptions;
  private readonly bootstrapAddresses: readonly BrokerAddress[];
  private readonly operationTimeoutMs: number;
  private readonly retryBackoffMs: number;
  private bootstrapConnection: Promise<Connection> | null = null;
  private readonly connections = new Map<number, Promise<Connection>>();
  private readonly brokers = new Map<number, BrokerNode>();
  private readonly coordinators = new Map<string, number>();
  private closed = false;

  constructor(options: ClusterClientOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.bootstrapAddresses =
      typeof options.bootstrap === 'string' ? parseBootstrap(options.bootstrap) : [...options.bootstrap];
    if (this.bootstrapAddresses.length === 0) throw new RangeError('no bootstrap address');
    this.operationTimeoutMs = options.operationTimeoutMs ?? 60_000;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
  }

  /** The brokers the last Metadata or FindCoordinator answers named, by node id. */
  get knownBrokers(): readonly BrokerNode[] {
    return [...this.brokers.values()].sort((a, b) => a.nodeId - b.nodeId);
  }

  /** An open connection to some broker: one already open, else the first bootstrap address that answers. */
  async anyConnection(): Promise<Connection> {
    this.checkOpen();
    for (const p of this.connections.values()) {
      const c = await p.catch(() => null);
      if (c !== null && !c.isClosed) return c;
    }
    const current = this.bootstrapConnection;
    if (current !== null) {
      const c = await current.catch(() => null);
      if (c !== null && !c.isClosed) return c;
      if (this.bootstrapConnection === current) this.bootstrapConnection = null;
    }
    this.bootstrapConnection ??= this.connectBootstrap();
    return this.bootstrapConnection;
  }

  /** The connection to broker `nodeId`, opened on first use (its address from Metadata). */
  async connectionTo(nodeId: number): Promise<Connection> {
    this.checkOpen();
    const cached = this.connections.get(nodeId);
    if (cached !== undefined) {
      const c = await cached.catch(() => null);
      if (c !== null && !c.isClosed) return c;
      if (this.connections.get(nodeId) === cached) this.connections.delete(nodeId);
    }
    let node = this.brokers.get(nodeId);
    if (node === undefined) {
      await this.metadata([]);
      node = this.brokers.get(nodeId);
      if (node === undefined) throw new NoBrokerError(`broker ${nodeId} is not in the cluster metadata`);
    }
    const again = this.connections.get(nodeId);
    if (again !== undefined) return again;
    const p = Connection.connect(this.connectionOptions(node));
    this.connections.set(nodeId, p);
    p.catch(() => {
      if (this.connections.get(nodeId) === p) this.connections.delete(nodeId);
    });
    return p;
  }

  /**
   * Metadata for `topics` (null: every topic; []: brokers only). Never creates topics. Updates
   * the known brokers.
   */
  async metadata(topics: readonly string[] | null): Promise<ClusterMetadata> {
    const conn = await this.anyConnection();
    const v0 = conn.versionFor(ApiKey.Metadata) === 0;
    const request: MetadataRequest = {
      // v0 has no null: [] means every topic (so brokers-only asks for every topic, filtered below).
      topics: topics === null ? (v0 ? [] : null) : topics.map((name) => ({ name })),
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    };
    const res = await conn.send(ApiKey.Metadata, request);
    const brokers = res.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null }));
    for (const b of brokers) this.rememberBroker(b);
    const wanted = topics === null ? null : new Set(topics);
    const out = new Map<string, TopicMetadata>();
    for (const t of res.topics) {
      if (t.name === null || (wanted !== null && !wanted.has(t.name))) continue;
      out.set(t.name, {
        name: t.name,
        errorCode: t.errorCode,
        isInternal: t.isInternal ?? false,
        partitions: t.partitions
          .map((p) => ({
            partition: p.partitionIndex,
            errorCode: p.errorCode,
            leaderId: p.leaderId,
            leaderEpoch: p.leaderEpoch ?? -1,
            replicas: p.replicaNodes,
            isr: p.isrNodes,
          }))
          .sort((a, b) => a.partition - b.partition),
      });
    }
    return { clusterId: res.clusterId ?? null, controllerId: res.controllerId ?? -1, brokers, topics: out };
  }

  /** The coordinator of a group (or transactional id), asked once and remembered until forgotten. */
  async findCoordinator(key: string, keyType: number = CoordinatorType.GROUP): Promise<BrokerNode> {
    const cacheKey = `${keyType}:${key}`;
    const known = this.coordinators.get(cacheKey);
    if (known !== undefined) {
      const node = this.brokers.get(known);
      if (node !== undefined) return node;
    }
    const conn = await this.anyConnection();
    const version = conn.versionFor(ApiKey.FindCoordinator);
    const subject = keyType === CoordinatorType.GROUP ? `group '${key}'` : `transactional id '${key}'`;
    let node: BrokerNode;
    if (version !== undefined && version >= 4) {
      const res = await conn.send(ApiKey.FindCoordinator, { keyType, coordinatorKeys: [key] });
      const c = res.coordinators?.find((x) => x.key === key);
      if (c === undefined)
        throw new KafkaProtocolError(ErrorCode.UNKNOWN_SERVER_ERROR, {
          subject,
          message: 'no coordinator in the answer',
        });
      throwIfError(c.errorCode, { subject, message: c.errorMessage });
      node = { nodeId: c.nodeId, host: c.host, port: c.port, rack: null };
    } else {
      const res = await conn.send(ApiKey.FindCoordinator, { key, keyType });
      throwIfError(res.errorCode, { subject, message: res.errorMessage ?? null });
      node = { nodeId: res.nodeId ?? -1, host: res.host ?? '', port: res.port ?? -1, rack: null };
    }
    this.rememberBroker(node);
    this.coordinators.set(cacheKey, node.nodeId);
    return node;
  }

  /** Forgets a coordinator after NOT_COORDINATOR or COORDINATOR_NOT_AVAILABLE, so the next use asks again. */
  forgetCoordinator(key: string, keyType: number = CoordinatorType.GROUP): void {
    this.coordinators.delete(`${keyType}:${key}`);
  }

  /**
   * Runs `fn` on the coordinator's connection; on a coordinator error or a closed connection the
   * coordinator is forgotten before the error propagates (so retry() asks again).
   */
  async withCoordinator<T>(key: string, fn: (conn: Connection, node: BrokerNode) => Promise<T>): Promise<T> {
    try {
      const node = await this.findCoordinator(key);
      const conn = await this.connectionTo(node.nodeId);
      return await fn(conn, node);
    } catch (e) {
      if (
        e instanceof ConnectionClosedError ||
        (e instanceof KafkaProtocolError &&
          (e.code === ErrorCode.NOT_COORDINATOR || e.code === ErrorCode.COORDINATOR_NOT_AVAILABLE))
      ) {
        this.forgetCoordinator(key);
      }
      throw e;
    }
  }

  /**
   * Runs `op` until it resolves, throws something not worth retrying, or `timeoutMs` (default:
   * operationTimeoutMs) has passed since the first attempt; the last error is thrown then.
   */
  async retry<T>(op: () => Promise<T>, timeoutMs: number = this.operationTimeoutMs): Promise<T> {
    const deadline = this.clock.monotonic() + timeoutMs;
    for (;;) {
      try {
        return await op();
      } catch (e) {
        const retriable =
          (e instanceof KafkaProtocolError && e.retriable) || (e instanceof ConnectionClosedError && !this.closed);
        if (!retriable || this.clock.monotonic() + this.retryBackoffMs >= deadline) throw e;
      }
      await this.sleep(this.retryBackoffMs);
    }
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.connections.values()];
    if (this.bootstrapConnection !== null) all.push(this.bootstrapConnection);
    this.connections.clear();
    this.bootstrapConnection = null;
    await Promise.all(all.map((p) => p.then((c) => c.close()).catch(() => {})));
  }

  private checkOpen(): void {
    if (this.closed) throw new ConnectionClosedError('the client is closed');
  }

  private rememberBroker(node: BrokerNode): void {
    const old = this.brokers.get(node.nodeId);
    this.brokers.set(node.nodeId, node);
    if (old !== undefined && (old.host !== node.host || old.port !== node.port)) {
      // The broker moved: its old connection points elsewhere now.
      const p = this.connections.get(node.nodeId);
      this.connections.delete(node.nodeId);
      p?.then((c) => c.close()).catch(() => {});
    }
  }

  private connectionOptions(address: BrokerAddress): ConnectionOptions {
    const { bootstrap: _b, operationTimeoutMs: _o, retryBackoffMs: _r, ...rest } = this.options;
    return { ...rest, host: address.host, port: address.port, clock: this.clock };
  }

  private async connectBootstrap(): Promise<Connection> {
    const failures: unknown[] = [];
    for (const address of this.bootstrapAddresses) {
      try {
        return await Connection.connect(this.connectionOptions(address));
      } catch (e) {
        if (e instanceof KafkaProtocolError) throw e;
        failures.push(e);
      }
    }
    if (failures.length === 1) throw failures[0];
    throw new NoBrokerError(`cannot connect to any bootstrap broker: ${failures.map(errorText).join('; ')}`, {
      cause: failures[0],
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.schedule(ms, resolve));
  }
}
