/**
 * One TCP connection to one broker: the ApiVersions handshake, then pipelined requests.
 *
 * Lifecycle: `Connection.connect()` opens the socket (within `connectTimeoutMs`), sends
 * ApiVersions at the highest version our codec has (falling back once to the version the broker
 * names when it answers UNSUPPORTED_VERSION, as KIP-511 describes), records the version to use for
 * every API (version-negotiation.ts), and resolves. Then `send()` any number of requests without
 * waiting; `close()` ends it. A connection never reopens: the owner (ClusterClient) makes a new one.
 *
 * Pipelining: requests are written as they are sent; each gets the next correlation id and joins
 * the in-flight queue. A broker answers in request order, so every response frame belongs to the
 * request at the head of the queue:
 *
 *     written:   [c1][c2][c3][c4]          in flight: c1 c2 c3 c4
 *     answered:  [c1][c2]                  head ─────────^ (c3 next)
 *
 * A frame whose correlation id is not the head's means the stream is broken: the connection
 * fails every in-flight request and closes. A body that does not decode fails only its request.
 *
 * Timeouts: each request has a timer on the injected Clock (`requestTimeoutMs`, or per request).
 * When one fires, that request fails with RequestTimeoutError and the connection closes, failing
 * the rest with ConnectionClosedError: a late answer would otherwise be matched to the wrong
 * request (the Java client does the same). Requests sent without an expected answer (acks=0
 * produce) are written and resolve at once; they take no queue slot, as the broker sends nothing.
 *
 * Invariants: in-flight entries are exactly the requests written and not yet settled, in write
 * order; once closed, nothing is written and every send() rejects.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { type Clock, systemClock, type Timer } from '../common/clock.ts';
import { Fifo } from '../common/fifo.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import { FrameSplitter } from '../protocol/framing.ts';
import { ApiKey, type ApiMessages, apiTable } from '../protocol/messages/generated/api-table.ts';
import type { ApiVersionsResponse } from '../protocol/messages/generated/api-versions.ts';
import { decodeResponseFrame, encodeRequestFrame } from '../protocol/request.ts';
import {
  BadResponseError,
  ConnectError,
  ConnectionClosedError,
  errorText,
  KafkaProtocolError,
  RequestTimeoutError,
  UnsupportedVersionError,
} from './errors.ts';
import { type ApiVersionRange, clientVersionRanges, negotiateVersions } from './version-negotiation.ts';

export interface ConnectionOptions {
  readonly host: string;
  readonly port: number;
  /** The client id in every request header. Default 'samsa'. */
  readonly clientId?: string | null;
  /** Time for the connect and request timeouts. Default: the system clock. */
  readonly clock?: Clock;
  /** Default 10 000. */
  readonly connectTimeoutMs?: number;
  /** Default 30 000; send() may override it per request. */
  readonly requestTimeoutMs?: number;
  /** Largest response frame accepted. Default 100 MiB. */
  readonly maxFrameBytes?: number;
  /** Highest version to use per API key (below what the codecs support), e.g. to test old versions. */
  readonly maxVersions?: Readonly<Record<number, number>>;
  /** ClientSoftwareName/Version sent in ApiVersions v3+. */
  readonly softwareName?: string;
  readonly softwareVersion?: string;
}

export interface SendOptions {
  /** A version to use instead of the negotiated one; must be in both sides' ranges. */
  readonly version?: number;
  readonly timeoutMs?: number;
}

interface InFlight {
  readonly correlationId: number;
  readonly apiKey: number;
  readonly version: number;
  readonly decode: (frame: Buffer) => unknown;
  readonly resolve: (body: unknown) => void;
  readonly reject: (e: Error) => void;
  timer: Timer | null;
}

const DEFAULT_MAX_FRAME = 100 * 1024 * 1024;
const MAX_CORRELATION_ID = 0x7fffffff;

export class Connection {
  readonly host: string;
  readonly port: number;
  private readonly socket: Socket;
  private readonly clock: Clock;
  private readonly clientId: string | null;
  private readonly requestTimeoutMs: number;
  private readonly ours: Map<number, ApiVersionRange>;
  private readonly inFlight = new Fifo<InFlight>();
  private nextCorrelationId = 1;
  private brokerRanges = new Map<number, ApiVersionRange>();
  private versions = new Map<number, number>();
  private failure: Error | null = null;
  private readonly closedPromise: Promise<void>;

  private constructor(socket: Socket, options: ConnectionOptions, clock: Clock) {
    this.socket = socket;
    this.host = options.host;
    this.port = options.port;
    this.clock = clock;
    this.clientId = options.clientId === undefined ? 'samsa' : options.clientId;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.ours = clientVersionRanges(options.maxVersions);
    const splitter = new FrameSplitter(options.maxFrameBytes ?? DEFAULT_MAX_FRAME, (frame) => this.onFrame(frame), {
      trustSizes: true,
    });
    socket.on('data', (chunk: Buffer) => {
      if (!splitter.push(chunk)) {
        this.fail(new BadResponseError(`${this.address}: ${splitter.error?.message ?? 'bad frame'}`));
      }
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      this.fail(
        new ConnectionClosedError(`connection to ${this.address} failed: ${e.code ?? e.message}`, { cause: e }),
      );
    });
    this.closedPromise = new Promise((resolve) => {
      socket.once('close', () => {
        this.fail(new ConnectionClosedError(`${this.address} closed the connection`));
        resolve();
      });
    });
  }

  /** Opens a connection and completes the ApiVersions handshake. Rejects with ConnectError or KafkaProtocolError. */
  static async connect(options: ConnectionOptions): Promise<Connection> {
    const clock = options.clock ?? systemClock;
    const socket = await openSocket(options.host, options.port, options.connectTimeoutMs ?? 10_000, clock);
    const conn = new Connection(socket, options, clock);
    try {
      await conn.handshake(options.softwareName ?? 'samsa', options.softwareVersion ?? 'unknown');
    } catch (e) {
      await conn.close();
      if (e instanceof KafkaProtocolError) throw e;
      throw new ConnectError(`ApiVersions handshake with ${conn.address} failed: ${errorText(e)}`, { cause: e });
    }
    return conn;
  }

  /** `host:port`. */
  get address(): string {
    return this.host.includes(':') ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
  }

  get isClosed(): boolean {
    return this.failure !== null;
  }

  /** Requests written and not yet answered. */
  get inFlightCount(): number {
    return this.inFlight.length;
  }

  /** The broker's advertised range for an API, or undefined when it does not serve it. */
  brokerRange(apiKey: number): ApiVersionRange | undefined {
    return this.brokerRanges.get(apiKey);
  }

  /** The version send() uses for an API, or undefined when there is none both sides speak. */
  versionFor(apiKey: number): number | undefined {
    return this.versions.get(apiKey);
  }

  /** Sends a request and resolves with the decoded response body. */
  send<K extends keyof ApiMessages>(
    apiKey: K,
    body: ApiMessages[K]['request'],
    options: SendOptions = {},
  ): Promise<ApiMessages[K]['response']> {
    let version: number;
    try {
      version = this.pickVersion(apiKey, options.version);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.write(apiKey, version, body, options.timeoutMs ?? this.requestTimeoutMs, (frame) => {
      const decoded = decodeResponseFrame(apiKey, version, frame);
      return decoded.body;
    }) as Promise<ApiMessages[K]['response']>;
  }

  /**
   * Writes a request the broker does not answer (Produce with acks=0). Resolves once it is
   * handed to the socket.
   */
  sendWithoutResponse<K extends keyof ApiMessages>(
    apiKey: K,
    body: ApiMessages[K]['request'],
    options: SendOptions = {},
  ): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    try {
      const version = this.pickVersion(apiKey, options.version);
      this.socket.write(
        encodeRequestFrame({ apiKey, correlationId: this.takeCorrelationId(), clientId: this.clientId }, body, version),
      );
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Fails every in-flight request with ConnectionClosedError and closes the socket. Idempotent. */
  close(): Promise<void> {
    this.fail(new ConnectionClosedError(`connection to ${this.address} was closed`));
    return this.closedPromise;
  }

  private pickVersion(apiKey: number, wanted: number | undefined): number {
    const name = apiTable.get(apiKey)?.name ?? `API ${apiKey}`;
    if (wanted === undefined) {
      const v = this.versions.get(apiKey);
      if (v !== undefined) return v;
      const b = this.brokerRanges.get(apiKey);
      throw new UnsupportedVersionError(
        apiKey,
        b === undefined
          ? `the broker at ${this.address} does not support ${name}`
          : `no version of ${name} in common with the broker at ${this.address} (it supports ${b.minVersion}-${b.maxVersion})`,
      );
    }
    const o = this.ours.get(apiKey);
    const b = this.brokerRanges.get(apiKey);
    const inRange = (r: ApiVersionRange | undefined): boolean =>
      r !== undefined && wanted >= r.minVersion && wanted <= r.maxVersion;
    if (!inRange(o) || !inRange(b)) {
      throw new UnsupportedVersionError(
        apiKey,
        `${name} v${wanted} is not supported by both the client and ${this.address}`,
      );
    }
    return wanted;
  }

  private takeCorrelationId(): number {
    const id = this.nextCorrelationId;
    this.nextCorrelationId = id >= MAX_CORRELATION_ID ? 1 : id + 1;
    return id;
  }

  private write(
    apiKey: number,
    version: number,
    body: unknown,
    timeoutMs: number,
    decode: (frame: Buffer) => unknown,
  ): Promise<unknown> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const correlationId = this.takeCorrelationId();
    let frame: Buffer;
    try {
      frame = encodeRequestFrame(
        { apiKey: apiKey as keyof ApiMessages, correlationId, clientId: this.clientId },
        body as never,
        version,
      );
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise((resolve, reject) => {
      const entry: InFlight = { correlationId, apiKey, version, decode, resolve, reject, timer: null };
      entry.timer = this.clock.schedule(timeoutMs, () => {
        entry.timer = null;
        const name = apiTable.get(apiKey)?.name ?? `API ${apiKey}`;
        this.fail(
          new ConnectionClosedError(`connection to ${this.address} closed after a request timed out`),
          entry,
          new RequestTimeoutError(`${name} request to ${this.address} got no answer within ${timeoutMs} ms`),
        );
      });
      this.inFlight.push(entry);
      this.socket.write(frame);
    });
  }

  private onFrame(frame: Buffer): void {
    if (this.failure !== null) return;
    const head = this.inFlight.peek();
    const correlationId = frame.length >= 4 ? frame.readInt32BE(0) : -1;
    if (head === undefined || head.correlationId !== correlationId) {
      this.fail(
        new BadResponseError(
          head === undefined
            ? `${this.address} sent a response (correlation id ${correlationId}) to no request`
            : `${this.address} answered correlation id ${correlationId} where ${head.correlationId} was next`,
        ),
      );
      return;
    }
    this.inFlight.shift();
    head.timer?.cancel();
    let body: unknown;
    try {
      body = head.decode(frame);
    } catch (e) {
      const name = apiTable.get(head.apiKey)?.name ?? `API ${head.apiKey}`;
      head.reject(
        new BadResponseError(`cannot decode ${name} v${head.version} response from ${this.address}: ${errorText(e)}`, {
          cause: e,
        }),
      );
      return;
    }
    head.resolve(body);
  }

  /**
   * Closes for good: every in-flight request fails with `error` (or `ownError` for `owner`), later
   * sends fail with `error`. The first failure wins.
   */
  private fail(error: Error, owner?: InFlight, ownError?: Error): void {
    if (this.failure !== null) return;
    this.failure = error;
    for (let e = this.inFlight.shift(); e !== undefined; e = this.inFlight.shift()) {
      e.timer?.cancel();
      e.reject(e === owner && ownError !== undefined ? ownError : error);
    }
    this.socket.destroy();
  }

  /**
   * ApiVersions at our highest version. A broker that does not know that version answers
   * UNSUPPORTED_VERSION in a v0 body naming its own ApiVersions range; then once more at the
   * highest version both know.
   */
  private async handshake(softwareName: string, softwareVersion: string): Promise<void> {
    const ours = this.ours.get(ApiKey.ApiVersions)!;
    let version = ours.maxVersion;
    for (let attempt = 0; ; attempt++) {
      const res = (await this.write(
        ApiKey.ApiVersions,
        version,
        { clientSoftwareName: softwareName, clientSoftwareVersion: softwareVersion },
        this.requestTimeoutMs,
        (frame) => decodeApiVersions(version, frame),
      )) as ApiVersionsResponse;
      if (res.errorCode === ErrorCode.UNSUPPORTED_VERSION && attempt === 0) {
        const theirs = res.apiKeys.find((k) => k.apiKey === ApiKey.ApiVersions);
        const next = Math.min(theirs?.maxVersion ?? 0, ours.maxVersion);
        if (next < version) {
          version = next;
          continue;
        }
      }
      if (res.errorCode !== ErrorCode.NONE) {
        throw new KafkaProtocolError(res.errorCode, { subject: `ApiVersions v${version} to ${this.address}` });
      }
      this.brokerRanges = new Map(res.apiKeys.map((k) => [k.apiKey, k]));
      this.versions = negotiateVersions(res.apiKeys, this.ours);
      return;
    }
  }
}

/**
 * An ApiVersions response: header v0 at every version, then the body, whose first field is the
 * int16 error code. An UNSUPPORTED_VERSION answer is a v0 body whatever version was asked.
 */
function decodeApiVersions(version: number, frame: Buffer): ApiVersionsResponse {
  const errorCode = frame.length >= 6 ? frame.readInt16BE(4) : ErrorCode.NONE;
  const v = errorCode === ErrorCode.UNSUPPORTED_VERSION ? 0 : version;
  return decodeResponseFrame(ApiKey.ApiVersions, v, frame).body;
}

function openSocket(host: string, port: number, timeoutMs: number, clock: Clock): Promise<Socket> {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port });
    socket.setNoDelay(true);
    const timer = clock.schedule(timeoutMs, () => {
      socket.destroy();
      reject(new ConnectError(`cannot connect to ${address}: no connection within ${timeoutMs} ms`));
    });
    const onError = (e: NodeJS.ErrnoException): void => {
      timer.cancel();
      reject(new ConnectError(`cannot connect to ${address}: ${e.code ?? e.message}`, { cause: e }));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      timer.cancel();
      socket.off('error', onError);
      resolve(socket);
    });
  });
}
