import { describeError, type Logger, silentLogger } from '../../common/logger.ts';
import {
  type CreateOptions,
  MetadataError,
  type MetadataOp,
  type MetadataStore,
  type NodeData,
  type Stat,
  type WatchEvent,
} from '../metadata-store.ts';
import { foldSessionId, type ZkStat } from './jute.ts';
import { type ZkOp, ZooKeeperClient, type ZooKeeperClientOptions } from './zk-client.ts';
import { toMetadataError, ZooKeeperError } from './zk-errors.ts';
import type { ZkSessionState } from './zk-session.ts';

export interface ZooKeeperStoreOptions extends ZooKeeperClientOptions {
  /** Called once if the session expires (its ephemeral nodes are gone; open a new store and re-register). */
  onSessionExpired?: (reason: string) => void;
}

/**
 * Opens a ZooKeeper session and returns it as a MetadataStore. The chroot of the connect string
 * is created when missing. Rejects with a ZooKeeperConnectError naming the servers when none
 * answers within `connectionTimeoutMs`.
 */
export async function connectZooKeeper(options: ZooKeeperStoreOptions): Promise<ZkMetadataStore> {
  const client = await ZooKeeperClient.connect(options);
  try {
    await client.ensureChroot();
  } catch (err) {
    await client.close();
    throw toMetadataError(err, client.chroot);
  }
  const store = new ZkMetadataStore(client, options.logger ?? silentLogger);
  if (options.onSessionExpired) store.onSessionExpired(options.onSessionExpired);
  return store;
}

/**
 * The MetadataStore of a cluster: one ZooKeeper session (see ZooKeeperClient), with ZooKeeper's
 * answers translated to the interface's terms.
 *
 * - Errors: NONODE → NO_NODE, NODEEXISTS → NODE_EXISTS, BADVERSION → BAD_VERSION, NOTEMPTY →
 *   NOT_EMPTY, NOCHILDRENFOREPHEMERALS / BADARGUMENTS → BAD_PATH, SESSIONEXPIRED or a closed
 *   client → SESSION_CLOSED, CONNECTIONLOSS (a write in flight when the connection dropped) →
 *   CONNECTION_LOSS. Anything else (server faults) is thrown as the ZooKeeperError.
 * - `sessionId` and `ephemeralOwner` are ZooKeeper's 64-bit ids folded into safe integers the same
 *   way, so comparing them tells whether this session owns a node.
 * - watchData is an `exists` watch, so it fires on creation too. watchChildren is a `getChildren`
 *   watch; on a node that does not exist it falls back to an `exists` watch, so the listener hears
 *   'created' when the node appears (then re-reads and re-watches its children).
 * - Listeners never run after the session is closed or expired.
 *
 * Lifecycle: open (connectZooKeeper) → [expired: `onSessionExpired` listeners run once] → closed.
 * In both final states every call fails with SESSION_CLOSED.
 */
export class ZkMetadataStore implements MetadataStore {
  readonly sessionId: number;
  readonly client: ZooKeeperClient;
  private readonly logger: Logger;
  private readonly expiredListeners: ((reason: string) => void)[] = [];

  constructor(client: ZooKeeperClient, logger: Logger = silentLogger) {
    this.client = client;
    this.logger = logger;
    this.sessionId = foldSessionId(client.sessionId);
    client.onSessionExpired((reason) => {
      for (const listener of this.expiredListeners) listener(reason);
    });
  }

  /** Adds a listener told once when the session expires. */
  onSessionExpired(listener: (reason: string) => void): void {
    this.expiredListeners.push(listener);
  }

  get state(): ZkSessionState {
    return this.client.state;
  }

  private get open(): boolean {
    const s = this.client.state;
    return s === 'connected' || s === 'reconnecting';
  }

  async get(path: string): Promise<NodeData | null> {
    try {
      const { data, stat } = await this.client.getData(path);
      return { data, stat: toStat(stat) };
    } catch (err) {
      if (isCode(err, 'NONODE')) return null;
      throw toMetadataError(err, path);
    }
  }

  async exists(path: string): Promise<Stat | null> {
    try {
      const stat = await this.client.exists(path);
      return stat ? toStat(stat) : null;
    } catch (err) {
      throw toMetadataError(err, path);
    }
  }

  async getChildren(path: string): Promise<string[]> {
    try {
      return (await this.client.getChildren(path)).sort();
    } catch (err) {
      throw toMetadataError(err, path);
    }
  }

  async create(path: string, data: Buffer, options?: CreateOptions): Promise<string> {
    try {
      return await this.client.create(path, data, options ?? {});
    } catch (err) {
      throw createError(err, path);
    }
  }

  async ensurePath(path: string): Promise<void> {
    if (path === '/' || (await this.exists(path))) return;
    const parts = path.split('/').filter((p) => p !== '');
    // One pipelined round trip: ZooKeeper applies a session's requests in order, so each parent
    // exists by the time its child's create runs.
    const creates = parts.map(async (_, i) => {
      const prefix = `/${parts.slice(0, i + 1).join('/')}`;
      try {
        await this.client.create(prefix, Buffer.alloc(0));
      } catch (err) {
        if (!isCode(err, 'NODEEXISTS')) throw createError(err, prefix);
      }
    });
    const results = await Promise.allSettled(creates);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async set(path: string, data: Buffer, expectedVersion?: number): Promise<Stat> {
    try {
      return toStat(await this.client.setData(path, data, expectedVersion ?? -1));
    } catch (err) {
      throw toMetadataError(err, path);
    }
  }

  async delete(path: string, expectedVersion?: number): Promise<void> {
    try {
      await this.client.delete(path, expectedVersion ?? -1);
    } catch (err) {
      throw toMetadataError(err, path);
    }
  }

  async deleteRecursive(path: string): Promise<void> {
    // A child created while we delete makes the parent's delete fail NOT_EMPTY: go around again.
    for (let attempt = 1; ; attempt++) {
      let children: string[];
      try {
        children = await this.client.getChildren(path);
      } catch (err) {
        if (isCode(err, 'NONODE')) return;
        throw toMetadataError(err, path);
      }
      const base = path === '/' ? '' : path;
      const reserved = path === '/' && this.client.chroot === '' ? 'zookeeper' : null;
      await Promise.all(children.filter((c) => c !== reserved).map((c) => this.deleteRecursive(`${base}/${c}`)));
      if (path === '/') return;
      try {
        await this.client.delete(path);
        return;
      } catch (err) {
        if (isCode(err, 'NONODE')) return;
        if (!isCode(err, 'NOTEMPTY') || attempt >= 5) throw toMetadataError(err, path);
      }
    }
  }

  async multi(ops: readonly MetadataOp[]): Promise<void> {
    const zkOps = ops.map(toZkOp);
    try {
      await this.client.multi(zkOps);
    } catch (err) {
      const failed = err instanceof ZooKeeperError ? ops.find((op) => op.path === err.path) : undefined;
      throw failed?.op === 'create' ? createError(err, failed.path) : toMetadataError(err, ops[0]?.path ?? '/');
    }
  }

  watchData(path: string, listener: (event: WatchEvent) => void): void {
    this.client.exists(path, this.guard(listener)).catch((err) => this.watchFailed(path, err));
  }

  watchChildren(path: string, listener: (event: WatchEvent) => void): void {
    const guarded = this.guard(listener);
    this.client.getChildren(path, guarded).catch(async (err) => {
      if (!isCode(err, 'NONODE')) return this.watchFailed(path, err);
      // No node, so no children watch: wait for the node to appear instead.
      try {
        if ((await this.client.exists(path, guarded)) !== null) guarded('created');
      } catch (e) {
        this.watchFailed(path, e);
      }
    });
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** A listener that stays silent once the session is over. */
  private guard(listener: (event: WatchEvent) => void): (event: WatchEvent) => void {
    let fired = false;
    return (event) => {
      if (fired || !this.open) return;
      fired = true;
      listener(event);
    };
  }

  private watchFailed(path: string, err: unknown): void {
    if (!this.open) return;
    this.logger.warn(`could not set a ZooKeeper watch on ${path}: ${describeError(err)}`);
  }
}

function toZkOp(op: MetadataOp): ZkOp {
  switch (op.op) {
    case 'create':
      return { op: 'create', path: op.path, data: op.data, mode: op.options ?? {} };
    case 'set':
      return { op: 'setData', path: op.path, data: op.data, version: op.expectedVersion ?? -1 };
    case 'delete':
      return { op: 'delete', path: op.path, version: op.expectedVersion ?? -1 };
    case 'check':
      return { op: 'check', path: op.path, version: op.expectedVersion };
  }
}

function toStat(s: ZkStat): Stat {
  return { version: s.version, childrenVersion: s.cversion, ephemeralOwner: foldSessionId(s.ephemeralOwner) };
}

function isCode(err: unknown, code: ZooKeeperError['code']): boolean {
  return err instanceof ZooKeeperError && err.code === code;
}

/** A create's NONODE is about the parent, as the in-memory store reports it. */
function createError(err: unknown, path: string): unknown {
  if (isCode(err, 'NONODE')) {
    const parent = path.slice(0, Math.max(1, path.lastIndexOf('/')));
    return new MetadataError('NO_NODE', parent, `parent ${parent} of ${path} does not exist`);
  }
  return toMetadataError(err, path);
}
