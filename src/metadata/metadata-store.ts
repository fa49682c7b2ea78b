/**
 * The coordination store every broker talks to, shaped like ZooKeeper so that the same code runs
 * against a real ZooKeeper ensemble (clusters) and the in-memory store (one node, or several
 * brokers in one process for tests).
 *
 * - A tree of nodes addressed by absolute paths (`/brokers/ids/1`); each holds bytes and a
 *   version that every successful `set` increments (conditional updates pass the expected one).
 * - Ephemeral nodes belong to the session that created them and vanish when it ends (a broker's
 *   registration, the controller's claim).
 * - Watches fire once per change of a node's data or existence (`watchData`) or of its children
 *   (`watchChildren`). As in ZooKeeper, a watch is one-shot: re-read and re-watch on every event.
 *   A watch is armed before any call made after it on the same handle is served, so "watch, then
 *   read" never misses a change; a change by another session is ordered after the watch only once
 *   such a later call has answered (on ZooKeeper the watch travels to the server asynchronously).
 * - `multi` applies several checks and writes atomically, or none of them.
 */
export interface Stat {
  /** Incremented by every set; 0 after create. */
  version: number;
  /** Version of the children list, incremented by every child create/delete. */
  childrenVersion: number;
  /** Session id of the owner for ephemeral nodes, 0 otherwise. */
  ephemeralOwner: number;
}

export interface NodeData {
  data: Buffer;
  stat: Stat;
}

export interface CreateOptions {
  ephemeral?: boolean;
  /** Appends a 10-digit, zero-padded, per-parent counter to the name (ZooKeeper's sequential nodes). */
  sequential?: boolean;
}

export type MetadataOp =
  | { op: 'create'; path: string; data: Buffer; options?: CreateOptions }
  | { op: 'set'; path: string; data: Buffer; expectedVersion?: number }
  | { op: 'delete'; path: string; expectedVersion?: number }
  | { op: 'check'; path: string; expectedVersion: number };

export type WatchEvent = 'created' | 'deleted' | 'changed' | 'children';

export interface MetadataStore {
  /** The session id of this handle (owner of its ephemeral nodes). */
  readonly sessionId: number;
  get(path: string): Promise<NodeData | null>;
  exists(path: string): Promise<Stat | null>;
  getChildren(path: string): Promise<string[]>;
  /** Creates a node; its parent must exist. Returns the path created (differs when sequential). */
  create(path: string, data: Buffer, options?: CreateOptions): Promise<string>;
  /** Creates the node and any missing parents (parents get empty data); no error if it exists. */
  ensurePath(path: string): Promise<void>;
  /** Sets data, optionally only if the version matches. Returns the new stat. */
  set(path: string, data: Buffer, expectedVersion?: number): Promise<Stat>;
  /** Deletes a node without children, optionally only if the version matches. */
  delete(path: string, expectedVersion?: number): Promise<void>;
  /** Deletes a node and everything under it; no error if it is missing. */
  deleteRecursive(path: string): Promise<void>;
  /** Applies every op or none; throws the error of the first op that fails. */
  multi(ops: readonly MetadataOp[]): Promise<void>;
  /** One-shot watch on a node's data and existence. */
  watchData(path: string, listener: (event: WatchEvent) => void): void;
  /** One-shot watch on a node's children list (fires also when the node is deleted). */
  watchChildren(path: string, listener: (event: WatchEvent) => void): void;
  /** Ends the session: its ephemeral nodes are deleted and its watches dropped. */
  close(): Promise<void>;
}

/**
 * Why a store call failed. SESSION_CLOSED: the session was closed or has expired (its ephemeral
 * nodes are gone); open a new one. CONNECTION_LOSS: only from stores reached over a network
 * (ZooKeeper) — the connection dropped while a write was in flight, so it may or may not have been
 * applied; re-read and decide. Reads and calls made while disconnected are retried by the store
 * and never fail this way.
 */
export type MetadataErrorCode =
  | 'NO_NODE'
  | 'NODE_EXISTS'
  | 'BAD_VERSION'
  | 'NOT_EMPTY'
  | 'SESSION_CLOSED'
  | 'BAD_PATH'
  | 'CONNECTION_LOSS';

export class MetadataError extends Error {
  readonly code: MetadataErrorCode;
  readonly path: string;
  constructor(code: MetadataErrorCode, path: string, message?: string) {
    super(message ?? `${code} at ${path}`);
    this.name = 'MetadataError';
    this.code = code;
    this.path = path;
  }
}

/** Splits `/a/b/c` into its parent `/a/b` and name `c`; rejects malformed paths. */
export function splitPath(path: string): { parent: string; name: string } {
  if (!path.startsWith('/') || path.length < 2 || path.endsWith('/') || path.includes('//')) {
    throw new MetadataError('BAD_PATH', path, `malformed path '${path}'`);
  }
  const i = path.lastIndexOf('/');
  return { parent: i === 0 ? '/' : path.slice(0, i), name: path.slice(i + 1) };
}
