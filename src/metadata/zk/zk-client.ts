import { type Clock, systemClock } from '../../common/clock.ts';
import { type Logger, silentLogger } from '../../common/logger.ts';
import type { Reader } from '../../protocol/primitives/reader.ts';
import { parseConnectString, toClientPath, toServerPath } from './connect-string.ts';
import {
  encodeCreate,
  encodeMulti,
  encodePathVersion,
  encodePathWatch,
  encodeSetData,
  type JuteMultiOp,
  readChildren,
  readGetData,
  readMultiResponse,
  readStat,
  readUstring,
  type ZkStat,
} from './jute.ts';
import { createFlags, OpCode, ZK_ERROR_CODES, ZooKeeperError } from './zk-errors.ts';
import { ZkSession, type ZkSessionState } from './zk-session.ts';
import type { ZkWatcher } from './zk-watches.ts';

export interface ZooKeeperClientOptions {
  /** `host:port[,host:port...][/chroot]`. */
  connect: string;
  /** Asked of the server, which bounds it to [2, 20] ticks unless configured otherwise. Default 18000. */
  sessionTimeoutMs?: number;
  /** How long connect() waits for a first session. Default: the session timeout. */
  connectionTimeoutMs?: number;
  clock?: Clock;
  logger?: Logger;
  /** Largest request frame (the server's jute.maxbuffer). Default 1 MiB - 1. */
  maxRequestBytes?: number;
}

export interface ZkCreateMode {
  ephemeral?: boolean;
  sequential?: boolean;
}

/** An op of a multi, with client paths; versions -1 (or absent) match any. */
export type ZkOp =
  | { op: 'create'; path: string; data: Buffer; mode?: ZkCreateMode }
  | { op: 'setData'; path: string; data: Buffer; version?: number }
  | { op: 'delete'; path: string; version?: number }
  | { op: 'check'; path: string; version: number };

export type ZkOpResult = { op: 'create'; path: string } | { op: 'setData'; stat: ZkStat } | { op: 'delete' | 'check' };

const DEFAULT_SESSION_TIMEOUT_MS = 18_000;
const DEFAULT_MAX_REQUEST_BYTES = 0xfffff;
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * A ZooKeeper client: the operations Samsa needs (create, delete, exists, getData, setData,
 * getChildren, multi) over one session, with the chroot of the connect string applied to every
 * path sent and removed from every path received. Errors are ZooKeeperErrors named after
 * ZooKeeper's codes (NONODE, NODEEXISTS, ...).
 *
 * Lifecycle: `ZooKeeperClient.connect()` resolves once a server granted a session; the session
 * survives connection losses and server failover (see ZkSession) until `close()` or expiry, which
 * `onSessionExpired` listeners hear. Watches are one-shot, as in ZooKeeper: a watcher passed to
 * exists/getChildren fires at most once.
 */
export class ZooKeeperClient {
  readonly chroot: string;
  private readonly session: ZkSession;

  private constructor(session: ZkSession, chroot: string) {
    this.session = session;
    this.chroot = chroot;
  }

  static async connect(options: ZooKeeperClientOptions): Promise<ZooKeeperClient> {
    const { servers, chroot } = parseConnectString(options.connect);
    const sessionTimeoutMs = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    const session = new ZkSession({
      servers,
      connectString: options.connect,
      sessionTimeoutMs,
      connectionTimeoutMs: options.connectionTimeoutMs ?? sessionTimeoutMs,
      clock: options.clock ?? systemClock,
      logger: options.logger ?? silentLogger,
      maxRequestBytes: options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES,
      maxResponseBytes: MAX_RESPONSE_BYTES,
    });
    await session.start();
    return new ZooKeeperClient(session, chroot);
  }

  /** The 64-bit session id. */
  get sessionId(): bigint {
    return this.session.sessionId;
  }

  get state(): ZkSessionState {
    return this.session.state;
  }

  get negotiatedTimeoutMs(): number {
    return this.session.negotiatedTimeoutMs;
  }

  /** The server currently connected to (`host:port`), or null between connections. */
  get server(): string | null {
    return this.session.server;
  }

  onSessionExpired(listener: (reason: string) => void): void {
    this.session.onExpired(listener);
  }

  /** Creates a node (open ACL); returns the path created, which differs from `path` when sequential. */
  async create(path: string, data: Buffer, mode: ZkCreateMode = {}): Promise<string> {
    const sp = this.serverPath(path, mode.sequential === true);
    const flags = createFlags(mode.ephemeral === true, mode.sequential === true);
    return this.call(OpCode.create, encodeCreate(sp, data, flags), path, false, (r) =>
      toClientPath(this.chroot, readUstring(r)),
    );
  }

  async delete(path: string, version = -1): Promise<void> {
    return this.call(OpCode.delete, encodePathVersion(this.serverPath(path), version), path, false, () => undefined);
  }

  /** The node's stat, or null if it does not exist. A watcher fires on its creation, change or deletion. */
  async exists(path: string, watcher?: ZkWatcher): Promise<ZkStat | null> {
    const sp = this.serverPath(path);
    return new Promise((resolve, reject) =>
      this.session.submit({
        type: OpCode.exists,
        body: encodePathWatch(sp, watcher !== undefined),
        path,
        resend: true,
        reply: (err, r) => {
          if (err === ZK_ERROR_CODES.NONODE) {
            if (watcher) this.session.watches.add('exist', sp, watcher);
            resolve(null);
          } else if (err !== 0) {
            reject(ZooKeeperError.fromCode(err, path));
          } else {
            const stat = decoded(r, readStat(r));
            if (watcher) this.session.watches.add('data', sp, watcher);
            resolve(stat);
          }
        },
        fail: reject,
      }),
    );
  }

  async getData(path: string): Promise<{ data: Buffer; stat: ZkStat }> {
    return this.call(OpCode.getData, encodePathWatch(this.serverPath(path), false), path, true, readGetData);
  }

  async setData(path: string, data: Buffer, version = -1): Promise<ZkStat> {
    return this.call(OpCode.setData, encodeSetData(this.serverPath(path), data, version), path, false, readStat);
  }

  /** The children's names (unordered). A watcher fires when the list changes or the node is deleted;
   *  it is not set when the node does not exist (NONODE). */
  async getChildren(path: string, watcher?: ZkWatcher): Promise<string[]> {
    const sp = this.serverPath(path);
    return this.call(OpCode.getChildren, encodePathWatch(sp, watcher !== undefined), path, true, (r) => {
      const children = decoded(r, readChildren(r));
      if (watcher) this.session.watches.add('child', sp, watcher);
      return children;
    });
  }

  /**
   * Applies every op or none. On failure throws the ZooKeeperError of the first op that failed,
   * with that op's path.
   */
  async multi(ops: readonly ZkOp[]): Promise<ZkOpResult[]> {
    if (ops.length === 0) return [];
    const jute = ops.map((op) => this.juteOp(op));
    const path = ops[0]!.path;
    return new Promise((resolve, reject) =>
      this.session.submit({
        type: OpCode.multi,
        body: encodeMulti(jute),
        path,
        resend: false,
        reply: (err, r) => {
          // A failed multi answers with per-op results; an error in the header alone is rare
          // (e.g. a marshalling failure) and names no op.
          const results = r.remaining > 0 ? decoded(r, readMultiResponse(r)) : [];
          const failedAt = results.findIndex((x) => x.err !== 0);
          if (failedAt !== -1) {
            reject(ZooKeeperError.fromCode(results[failedAt]!.err, ops[failedAt]!.path));
          } else if (err !== 0) {
            reject(ZooKeeperError.fromCode(err, path));
          } else if (results.length !== ops.length) {
            throw new Error(`multi of ${ops.length} ops answered with ${results.length} results`);
          } else {
            resolve(
              results.map((x): ZkOpResult => {
                if (x.type === 'create') return { op: 'create', path: toClientPath(this.chroot, x.path) };
                if (x.type === 'setData') return { op: 'setData', stat: x.stat };
                return { op: x.type === 'check' ? 'check' : 'delete' };
              }),
            );
          }
        },
        fail: reject,
      }),
    );
  }

  /** Creates the chroot path and its parents on the server when missing (the chroot must exist
   *  before anything can be created under it). */
  async ensureChroot(): Promise<void> {
    if (this.chroot === '') return;
    const parts = this.chroot.split('/').filter((p) => p !== '');
    const creates = parts.map((_, i) => {
      const sp = `/${parts.slice(0, i + 1).join('/')}`;
      return this.call(OpCode.create, encodeCreate(sp, Buffer.alloc(0), 0), sp, false, () => undefined).catch(
        (err: unknown) => {
          if (!(err instanceof ZooKeeperError && err.code === 'NODEEXISTS')) throw err;
        },
      );
    });
    await Promise.all(creates);
  }

  /** Ends the session: the server deletes its ephemeral nodes. */
  close(): Promise<void> {
    return this.session.close();
  }

  private juteOp(op: ZkOp): JuteMultiOp {
    switch (op.op) {
      case 'create': {
        const seq = op.mode?.sequential === true;
        const flags = createFlags(op.mode?.ephemeral === true, seq);
        return { type: 'create', path: this.serverPath(op.path, seq), data: op.data, flags };
      }
      case 'setData':
        return { type: 'setData', path: this.serverPath(op.path), data: op.data, version: op.version ?? -1 };
      case 'delete':
        return { type: 'delete', path: this.serverPath(op.path), version: op.version ?? -1 };
      case 'check':
        return { type: 'check', path: this.serverPath(op.path), version: op.version };
    }
  }

  private call<T>(type: number, body: Buffer, path: string, resend: boolean, read: (r: Reader) => T): Promise<T> {
    return new Promise((resolve, reject) =>
      this.session.submit({
        type,
        body,
        path,
        resend,
        reply: (err, r) => {
          if (err !== 0) reject(ZooKeeperError.fromCode(err, path));
          else resolve(decoded(r, read(r)));
        },
        fail: reject,
      }),
    );
  }

  private serverPath(path: string, sequential = false): string {
    validatePath(path, sequential);
    return toServerPath(this.chroot, path);
  }
}

/** The value read, once the reader reports no error. */
function decoded<T>(r: Reader, value: T): T {
  r.check();
  return value;
}

/** ZooKeeper's path rules (PathUtils.validatePath): absolute, no empty, '.' or '..' segments, no
 *  trailing '/' (allowed for a sequential create, whose name is then only the counter), no NUL. */
export function validatePath(path: string, sequential = false): void {
  const bad = (why: string): never => {
    throw new ZooKeeperError('BADARGUMENTS', path, `invalid ZooKeeper path '${path}': ${why}`);
  };
  if (typeof path !== 'string' || !path.startsWith('/')) bad('must start with /');
  if (path.length === 1) return;
  const body = sequential && path.endsWith('/') ? path.slice(0, -1) : path;
  if (body.endsWith('/')) bad('must not end with /');
  for (const segment of body.slice(1).split('/')) {
    if (segment === '') bad('empty segment');
    if (segment === '.' || segment === '..') bad(`relative segment '${segment}'`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f-\u009f\ud800-\uf8ff\ufff0-\uffff]/.test(body)) bad('forbidden character');
}
