import type { Clock, Timer } from '../../common/clock.ts';
import { Fifo } from '../../common/fifo.ts';
import { describeError, type Logger } from '../../common/logger.ts';
import { Reader } from '../../protocol/primitives/reader.ts';
import { formatAddress, type ZkServerAddress } from './connect-string.ts';
import {
  type ConnectResponse,
  encodeConnectRequest,
  encodeSetWatches,
  frameRequest,
  readReplyHeader,
  readWatcherEvent,
  sessionIdHex,
} from './jute.ts';
import { ZkConnection, type ZkConnectionHandlers } from './zk-connection.ts';
import { OpCode, Xid, ZooKeeperConnectError, ZooKeeperError } from './zk-errors.ts';
import { ZkWatchRegistry } from './zk-watches.ts';

/** A request waiting to be sent or answered. */
export interface ZkRequest {
  type: number;
  /** The request record, without the header. */
  body: Buffer;
  /** The client's path, for errors ('' when none). */
  path: string;
  /** Safe to send again after a connection loss (reads). Writes in flight then fail with CONNECTIONLOSS. */
  resend: boolean;
  /** Called with the reply's error code and a reader at its body; may throw on bytes that do not decode. */
  reply(err: number, r: Reader): void;
  fail(err: ZooKeeperError): void;
}

interface Pending extends ZkRequest {
  xid: number;
  /** Session plumbing (SetWatches, CloseSession): dropped, not retried, on a connection loss. */
  internal: boolean;
}

export type ZkSessionState = 'connecting' | 'connected' | 'reconnecting' | 'closing' | 'closed' | 'expired';

export interface ZkSessionOptions {
  servers: readonly ZkServerAddress[];
  /** For messages only. */
  connectString: string;
  sessionTimeoutMs: number;
  connectionTimeoutMs: number;
  clock: Clock;
  logger: Logger;
  /** Largest request frame sent (the server's jute.maxbuffer, 1 MiB - 1 by default). */
  maxRequestBytes: number;
  /** Largest answer frame accepted. */
  maxResponseBytes: number;
}

const PING_FRAME = frameRequest(Xid.ping, OpCode.ping, Buffer.alloc(0));
const MIN_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 1000;
/** Largest SetWatches batch (ZooKeeper's client uses 128 KiB so the server never refuses one). */
const SET_WATCHES_BATCH_BYTES = 128 * 1024;

/**
 * A ZooKeeper session over a sequence of connections: the handshake, the in-order request
 * pipeline, pings, failover between servers, and the end of the session.
 *
 * States (`state`):
 *   connecting    first handshake not done; requests queue. → connected on a ConnectResponse;
 *                 → closed when `connectionTimeoutMs` passes (start() rejects, naming the servers).
 *   connected     requests are written at once with increasing xids; answers come back in that
 *                 order (xid checked). A ping goes out when nothing was sent for a third of the
 *                 negotiated timeout; hearing nothing for two thirds drops the connection.
 *                 → reconnecting on any connection loss; → closing on close().
 *   reconnecting  the session lives on the servers; the next server of the list is tried (a short
 *                 backoff after each full pass; each handshake gets timeout / max(3, servers)). Writes that were in flight fail with CONNECTIONLOSS
 *                 (they may or may not have been applied); reads in flight and all new requests wait
 *                 and are sent after the handshake, behind a SetWatches that re-arms every watch
 *                 (the server fires those whose node changed since the last zxid seen).
 *                 → connected when a server takes the session back; → expired when a server says the
 *                 session expired (timeout 0 in its answer), or when no server was heard from for
 *                 4/3 of the session timeout (the servers have expired it by then).
 *   closing       CloseSession sent behind the requests already in flight. → closed on its answer.
 *   closed, expired  final: every request fails (CLOSED / SESSIONEXPIRED); expiry listeners are
 *                 told once on expiry.
 *
 * Invariants: `inflight` holds exactly the requests written on the current connection, in xid
 * order; `outbox` is empty while connected; a connection that is not `this.conn` is ignored.
 */
export class ZkSession {
  readonly watches = new ZkWatchRegistry();
  private readonly opts: ZkSessionOptions;
  private readonly servers: ZkServerAddress[];
  private stateValue: ZkSessionState = 'connecting';
  private conn: ZkConnection | null = null;
  private sessionIdValue = 0n;
  private passwd: Buffer = Buffer.alloc(16);
  private lastZxid = 0n;
  private negotiated = 0;
  private xid = 1;
  private readonly outbox = new Fifo<Pending>();
  private readonly inflight = new Fifo<Pending>();
  private lastSend = 0;
  private lastRecv = 0;
  private nextServer = 0;
  private attemptsThisPass = 0;
  private backoffMs = MIN_BACKOFF_MS;
  private lastError = '';
  private attemptTimer: Timer | null = null;
  private retryTimer: Timer | null = null;
  private tickTimer: Timer | null = null;
  private expiryTimer: Timer | null = null;
  private startTimer: Timer | null = null;
  private closeTimer: Timer | null = null;
  private startWaiter: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private closePromise: Promise<void> | null = null;
  private closeWaiter: (() => void) | null = null;
  private readonly expiredListeners: ((reason: string) => void)[] = [];
  private readonly handlers: ZkConnectionHandlers = {
    onHandshake: (c, r) => this.onHandshake(c, r),
    onFrame: (c, p) => this.onFrame(c, p),
    onClose: (c, reason) => this.onClose(c, reason),
  };

  constructor(opts: ZkSessionOptions) {
    this.opts = opts;
    // Spread sessions over the ensemble, as ZooKeeper's own client does.
    this.servers = [...opts.servers];
    for (let i = this.servers.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [this.servers[i], this.servers[j]] = [this.servers[j]!, this.servers[i]!];
    }
  }

  get state(): ZkSessionState {
    return this.stateValue;
  }

  get sessionId(): bigint {
    return this.sessionIdValue;
  }

  /** The session timeout the server granted (0 before the first handshake). */
  get negotiatedTimeoutMs(): number {
    return this.negotiated;
  }

  /** The server of the current connection, if any. */
  get server(): string | null {
    return this.conn ? this.conn.name : null;
  }

  onExpired(listener: (reason: string) => void): void {
    this.expiredListeners.push(listener);
  }

  /** Opens the session; rejects with ZooKeeperConnectError if no server answers in time. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.startWaiter = { resolve, reject };
      this.startTimer = this.opts.clock.schedule(this.opts.connectionTimeoutMs, () => this.startTimedOut());
      this.attempt();
    });
  }

  submit(request: ZkRequest): void {
    const s = this.stateValue;
    if (s === 'closing' || s === 'closed') {
      request.fail(new ZooKeeperError('CLOSED', request.path));
      return;
    }
    if (s === 'expired') {
      request.fail(new ZooKeeperError('SESSIONEXPIRED', request.path));
      return;
    }
    if (8 + request.body.length > this.opts.maxRequestBytes) {
      request.fail(
        new ZooKeeperError(
          'REQUEST_TOO_LARGE',
          request.path,
          `request for ${request.path} is ${8 + request.body.length} bytes, over ZooKeeper's limit of ${this.opts.maxRequestBytes} (jute.maxbuffer)`,
        ),
      );
      return;
    }
    const pending: Pending = Object.assign(request, { xid: 0, internal: false });
    if (s === 'connected') this.send(pending);
    else this.outbox.push(pending);
  }

  /** Ends the session (the server deletes its ephemeral nodes). Idempotent. */
  close(): Promise<void> {
    if (this.closePromise) return this.closePromise;
    const s = this.stateValue;
    if (s === 'closed' || s === 'expired') return Promise.resolve();
    if (s !== 'connected') {
      this.finishClose();
      return Promise.resolve();
    }
    this.stateValue = 'closing';
    this.closePromise = new Promise((resolve) => {
      this.closeWaiter = resolve;
    });
    const done = (): void => this.finishClose();
    this.send({
      type: OpCode.closeSession,
      body: Buffer.alloc(0),
      path: '',
      resend: false,
      reply: done,
      fail: done,
      xid: 0,
      internal: true,
    });
    this.closeTimer = this.opts.clock.schedule(Math.min(this.negotiated, 5000), done);
    return this.closePromise;
  }

  // --- connections ------------------------------------------------------------------------------

  private attempt(): void {
    const address = this.servers[this.nextServer]!;
    this.nextServer = (this.nextServer + 1) % this.servers.length;
    this.attemptsThisPass++;
    const request = encodeConnectRequest(this.lastZxid, this.opts.sessionTimeoutMs, this.sessionIdValue, this.passwd);
    const conn = new ZkConnection(address, request, this.opts.maxResponseBytes, this.handlers);
    this.conn = conn;
    // At least three tries per session timeout even with one server: a server that is starting
    // can accept a connection and never answer it (ZooKeeper 3.8), and the session must not expire
    // while we wait on that socket.
    const timeout = this.negotiated || this.opts.sessionTimeoutMs;
    const limit = Math.max(100, Math.floor(timeout / Math.max(3, this.servers.length)));
    this.attemptTimer = this.opts.clock.schedule(limit, () => conn.close(`no answer within ${limit} ms`));
  }

  private onHandshake(conn: ZkConnection, response: ConnectResponse): void {
    if (conn !== this.conn) return;
    this.cancel('attemptTimer');
    if (response.timeOut <= 0) {
      this.expire(`${conn.name} reports that the session expired`);
      return;
    }
    const first = this.stateValue === 'connecting';
    this.sessionIdValue = response.sessionId;
    this.passwd = response.passwd;
    this.negotiated = response.timeOut;
    this.attemptsThisPass = 0;
    this.backoffMs = MIN_BACKOFF_MS;
    this.cancel('expiryTimer');
    this.stateValue = 'connected';
    this.lastSend = this.lastRecv = this.opts.clock.monotonic();
    this.opts.logger.info(
      `ZooKeeper session ${sessionIdHex(this.sessionIdValue)} ${first ? 'established' : 'resumed'} on ${conn.name}, timeout ${this.negotiated} ms`,
    );
    this.sendSetWatches();
    for (let p = this.outbox.shift(); p !== undefined; p = this.outbox.shift()) this.send(p);
    this.tickTimer = this.opts.clock.schedule(this.negotiated / 3, () => this.tick());
    if (first) {
      this.cancel('startTimer');
      this.startWaiter?.resolve();
      this.startWaiter = null;
    }
  }

  private onClose(conn: ZkConnection, reason: string): void {
    if (conn !== this.conn) return;
    this.conn = null;
    this.cancel('attemptTimer');
    this.cancel('tickTimer');
    this.lastError = `${conn.name}: ${reason}`;
    switch (this.stateValue) {
      case 'closing':
        this.finishClose();
        return;
      case 'closed':
      case 'expired':
        return;
      case 'connected': {
        this.opts.logger.warn(
          `ZooKeeper connection to ${conn.name} lost (${reason}); session ${sessionIdHex(this.sessionIdValue)} reconnecting`,
        );
        this.requeueAfterLoss();
        this.stateValue = 'reconnecting';
        const left = (this.negotiated * 4) / 3 - (this.opts.clock.monotonic() - this.lastRecv);
        this.expiryTimer = this.opts.clock.schedule(Math.max(0, left), () => {
          this.expiryTimer = null;
          this.expire(
            `no ZooKeeper server answered for ${Math.round((this.negotiated * 4) / 3)} ms (${this.lastError})`,
          );
        });
        this.attemptsThisPass = 0;
        this.attempt();
        return;
      }
      case 'connecting':
      case 'reconnecting':
        this.opts.logger.debug(`ZooKeeper connect attempt failed: ${this.lastError}`);
        if (this.attemptsThisPass < this.servers.length) {
          this.attempt();
          return;
        }
        this.attemptsThisPass = 0;
        this.retryTimer = this.opts.clock.schedule(this.backoffMs, () => {
          this.retryTimer = null;
          this.attempt();
        });
        this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
        return;
    }
  }

  /** Writes in flight fail (their fate is unknown); reads in flight go back to the front of the queue. */
  private requeueAfterLoss(): void {
    const keep: Pending[] = [];
    for (let p = this.inflight.shift(); p !== undefined; p = this.inflight.shift()) {
      if (p.internal) continue;
      if (p.resend) keep.push(p);
      else p.fail(new ZooKeeperError('CONNECTIONLOSS', p.path));
    }
    for (let p = this.outbox.shift(); p !== undefined; p = this.outbox.shift()) keep.push(p);
    for (const p of keep) this.outbox.push(p);
  }

  // --- requests ---------------------------------------------------------------------------------

  private send(p: Pending): void {
    p.xid = this.xid;
    this.xid = this.xid === 0x7fffffff ? 1 : this.xid + 1;
    this.inflight.push(p);
    this.lastSend = this.opts.clock.monotonic();
    this.conn!.write(frameRequest(p.xid, p.type, p.body));
  }

  private sendSetWatches(): void {
    if (this.watches.size === 0) return;
    const { data, exist, child } = this.watches.paths();
    const queue: [0 | 1 | 2, string][] = [
      ...data.map((p) => [0, p] as [0, string]),
      ...exist.map((p) => [1, p] as [1, string]),
      ...child.map((p) => [2, p] as [2, string]),
    ];
    while (queue.length > 0) {
      const batch: [string[], string[], string[]] = [[], [], []];
      let bytes = 0;
      while (queue.length > 0 && bytes < SET_WATCHES_BATCH_BYTES) {
        const [kind, path] = queue.shift()!;
        batch[kind].push(path);
        bytes += 4 + Buffer.byteLength(path);
      }
      const warn = (err: number | ZooKeeperError): void => {
        if (err !== 0)
          this.opts.logger.warn(`ZooKeeper SetWatches failed: ${err instanceof Error ? err.message : err}`);
      };
      this.send({
        type: OpCode.setWatches,
        body: encodeSetWatches(this.lastZxid, ...batch),
        path: '',
        resend: false,
        reply: warn,
        fail: warn,
        xid: 0,
        internal: true,
      });
    }
  }

  private onFrame(conn: ZkConnection, payload: Buffer): void {
    if (conn !== this.conn) return;
    this.lastRecv = this.opts.clock.monotonic();
    const r = new Reader(payload);
    const header = readReplyHeader(r);
    if (r.error !== null) {
      conn.close(`undecodable reply header: ${r.error.message}`);
      return;
    }
    if (header.xid === Xid.ping || header.xid === Xid.auth) return;
    if (header.xid === Xid.notification) {
      this.notify(r);
      return;
    }
    const p = this.inflight.peek();
    if (p === undefined || p.xid !== header.xid) {
      conn.close(`answer for xid ${header.xid} while xid ${p?.xid ?? 'none'} was expected`);
      return;
    }
    this.inflight.shift();
    if (header.zxid > 0n) this.lastZxid = header.zxid;
    try {
      p.reply(header.err, r);
    } catch (err) {
      p.fail(new ZooKeeperError('PROTOCOL', p.path, `undecodable answer for ${p.path}: ${describeError(err)}`));
    }
  }

  private notify(r: Reader): void {
    const event = readWatcherEvent(r);
    if (r.error !== null) {
      this.opts.logger.warn(`undecodable ZooKeeper watch event: ${r.error.message}`);
      return;
    }
    const hit = this.watches.take(event.type, event.path);
    if (hit === null) return;
    for (const watcher of hit.watchers) {
      queueMicrotask(() => {
        try {
          watcher(hit.event);
        } catch (err) {
          this.opts.logger.error(`ZooKeeper watch listener for ${event.path} threw: ${describeError(err)}`);
        }
      });
    }
  }

  /** Pings and the read timeout, rescheduled for whichever is due first. */
  private tick(): void {
    this.tickTimer = null;
    const conn = this.conn;
    if (this.stateValue !== 'connected' && this.stateValue !== 'closing') return;
    if (conn === null) return;
    const now = this.opts.clock.monotonic();
    const pingInterval = this.negotiated / 3;
    const readTimeout = (this.negotiated * 2) / 3;
    const idleRecv = now - this.lastRecv;
    if (idleRecv >= readTimeout) {
      conn.close(`nothing heard for ${Math.round(idleRecv)} ms`);
      return;
    }
    let idleSend = now - this.lastSend;
    if (idleSend >= pingInterval) {
      conn.write(PING_FRAME);
      this.lastSend = now;
      idleSend = 0;
    }
    const next = Math.max(1, Math.min(pingInterval - idleSend, readTimeout - idleRecv));
    this.tickTimer = this.opts.clock.schedule(next, () => this.tick());
  }

  // --- endings ----------------------------------------------------------------------------------

  private startTimedOut(): void {
    this.startTimer = null;
    if (this.stateValue !== 'connecting') return;
    const servers = this.opts.servers.map(formatAddress).join(',');
    const message =
      `could not connect to ZooKeeper at ${servers} within ${this.opts.connectionTimeoutMs} ms` +
      (this.lastError ? ` (last error: ${this.lastError})` : ' (no answer)');
    this.startWaiter?.reject(new ZooKeeperConnectError(this.opts.connectString, message));
    this.startWaiter = null;
    this.end('closed', message);
  }

  private expire(reason: string): void {
    if (this.stateValue === 'closed' || this.stateValue === 'expired') return;
    this.opts.logger.warn(`ZooKeeper session ${sessionIdHex(this.sessionIdValue)} expired: ${reason}`);
    this.end('expired', `session expired: ${reason}`);
    for (const listener of this.expiredListeners) {
      try {
        listener(reason);
      } catch (err) {
        this.opts.logger.error(`ZooKeeper session expiry listener threw: ${describeError(err)}`);
      }
    }
  }

  private finishClose(): void {
    if (this.stateValue === 'closed' || this.stateValue === 'expired') return;
    this.end('closed');
    this.opts.logger.info(`ZooKeeper session ${sessionIdHex(this.sessionIdValue)} closed`);
    this.closeWaiter?.();
    this.closeWaiter = null;
  }

  /** Final state: timers off, connection dropped, every waiting request failed, watches forgotten. */
  private end(state: 'closed' | 'expired', message?: string): void {
    this.stateValue = state;
    for (const t of ['attemptTimer', 'retryTimer', 'tickTimer', 'expiryTimer', 'startTimer', 'closeTimer'] as const) {
      this.cancel(t);
    }
    const conn = this.conn;
    this.conn = null;
    conn?.close(`session ${state}`);
    const code = state === 'closed' ? 'CLOSED' : 'SESSIONEXPIRED';
    const fail = (p: Pending): void => {
      if (!p.internal) p.fail(new ZooKeeperError(code, p.path, message && `${p.path || 'request'}: ${message}`));
    };
    for (let p = this.inflight.shift(); p !== undefined; p = this.inflight.shift()) fail(p);
    for (let p = this.outbox.shift(); p !== undefined; p = this.outbox.shift()) fail(p);
    this.watches.clear();
    this.startWaiter?.reject(new Error(`ZooKeeper session ${state} before it was established`));
    this.startWaiter = null;
  }

  private cancel(
    name: 'attemptTimer' | 'retryTimer' | 'tickTimer' | 'expiryTimer' | 'startTimer' | 'closeTimer',
  ): void {
    this[name]?.cancel();
    this[name] = null;
  }
}
