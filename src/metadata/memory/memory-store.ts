import {
  type CreateOptions,
  MetadataError,
  type MetadataOp,
  type MetadataStore,
  type NodeData,
  type Stat,
  splitPath,
  type WatchEvent,
} from '../metadata-store.ts';

/** Where a MemoryMetadataTree keeps its persistent nodes between runs (injected; see storage/). */
export interface MetadataPersistence {
  load(): Buffer | null;
  /** Replaces the saved state durably (atomic write + fsync) before returning. */
  save(state: Buffer): void;
}

interface TreeNode {
  data: Buffer;
  version: number;
  childrenVersion: number;
  ephemeralOwner: number;
  children: Set<string>;
  sequence: number;
}

type Listener = (event: WatchEvent) => void;

/**
 * The in-memory coordination tree: what ZooKeeper is for a cluster, for a single node or for
 * several brokers in one process. Sessions (MemoryMetadataStore handles) connect to one tree.
 *
 * Invariants: every node but `/` has its parent in the tree; ephemeral nodes have no children;
 * each mutation is applied whole, then persisted (persistent nodes only), then watches fire —
 * asynchronously, in mutation order, so a listener never runs inside the mutation.
 */
export class MemoryMetadataTree {
  private readonly nodes = new Map<string, TreeNode>();
  private readonly dataWatches = new Map<string, Set<Listener>>();
  private readonly childWatches = new Map<string, Set<Listener>>();
  private readonly sessions = new Set<number>();
  private nextSession = 1;
  private readonly persistence: MetadataPersistence | undefined;

  constructor(persistence?: MetadataPersistence) {
    this.persistence = persistence;
    this.nodes.set('/', newNode(Buffer.alloc(0), 0));
    const saved = persistence?.load();
    if (saved) this.restore(saved);
  }

  /** Opens a session. */
  connect(): MemoryMetadataStore {
    const id = this.nextSession++;
    this.sessions.add(id);
    return new MemoryMetadataStore(this, id);
  }

  /** Ends a session as if it had expired: its ephemeral nodes go and their watchers hear it. */
  expireSession(sessionId: number): void {
    if (!this.sessions.delete(sessionId)) return;
    const owned = [...this.nodes.entries()].filter(([, n]) => n.ephemeralOwner === sessionId).map(([p]) => p);
    for (const path of owned) this.apply([{ op: 'delete', path }], sessionId, true);
  }

  isOpen(sessionId: number): boolean {
    return this.sessions.has(sessionId);
  }

  node(path: string): TreeNode | undefined {
    return this.nodes.get(path);
  }

  addWatch(kind: 'data' | 'children', path: string, listener: Listener): void {
    const map = kind === 'data' ? this.dataWatches : this.childWatches;
    let set = map.get(path);
    if (!set) map.set(path, (set = new Set()));
    set.add(listener);
  }

  /**
   * Validates every op against a scratch view, then applies them all. Throws the first failure,
   * leaving the tree untouched. Returns the created paths (for sequential creates).
   */
  apply(ops: readonly MetadataOp[], sessionId: number, internal = false): string[] {
    if (!internal && !this.sessions.has(sessionId)) throw new MetadataError('SESSION_CLOSED', ops[0]?.path ?? '/');
    // Dry run on a shallow overlay so that a multi sees its own earlier ops.
    const overlay = new Map<string, TreeNode | null>();
    const look = (p: string): TreeNode | undefined => {
      const o = overlay.get(p);
      return o === null ? undefined : (o ?? this.nodes.get(p));
    };
    const created: string[] = [];
    const events: [string, WatchEvent, 'data' | 'children'][] = [];
    for (const op of ops) {
      const existing = look(op.path);
      switch (op.op) {
        case 'create': {
          const { parent } = splitPath(op.path);
          const parentNode = look(parent);
          if (!parentNode) throw new MetadataError('NO_NODE', parent, `parent ${parent} of ${op.path} does not exist`);
          if (parentNode.ephemeralOwner !== 0) {
            throw new MetadataError('BAD_PATH', op.path, `ephemeral ${parent} cannot have children`);
          }
          let path = op.path;
          const parentCopy = cloneNode(parentNode);
          if (op.options?.sequential) path = `${op.path}${String(parentCopy.sequence++).padStart(10, '0')}`;
          if (look(path)) throw new MetadataError('NODE_EXISTS', path);
          const name = path.slice(path.lastIndexOf('/') + 1);
          parentCopy.children.add(name);
          parentCopy.childrenVersion++;
          overlay.set(parent, parentCopy);
          overlay.set(path, newNode(op.data, op.options?.ephemeral ? sessionId : 0));
          created.push(path);
          events.push([path, 'created', 'data'], [parent, 'children', 'children']);
          break;
        }
        case 'set': {
          if (!existing) throw new MetadataError('NO_NODE', op.path);
          checkVersion(op.path, existing, op.expectedVersion);
          const copy = cloneNode(existing);
          copy.data = op.data;
          copy.version++;
          overlay.set(op.path, copy);
          events.push([op.path, 'changed', 'data']);
          break;
        }
        case 'delete': {
          if (!existing) throw new MetadataError('NO_NODE', op.path);
          checkVersion(op.path, existing, op.expectedVersion);
          if (existing.children.size > 0) throw new MetadataError('NOT_EMPTY', op.path);
          const { parent, name } = splitPath(op.path);
          const parentCopy = cloneNode(look(parent)!);
          parentCopy.children.delete(name);
          parentCopy.childrenVersion++;
          overlay.set(parent, parentCopy);
          overlay.set(op.path, null);
          events.push([op.path, 'deleted', 'data'], [op.path, 'deleted', 'children'], [parent, 'children', 'children']);
          break;
        }
        case 'check': {
          if (!existing) throw new MetadataError('NO_NODE', op.path);
          checkVersion(op.path, existing, op.expectedVersion);
          break;
        }
      }
    }
    let persistentChange = false;
    for (const [path, node] of overlay) {
      const before = this.nodes.get(path);
      if (node === null) this.nodes.delete(path);
      else this.nodes.set(path, node);
      if ((node ?? before)?.ephemeralOwner === 0) persistentChange = true;
    }
    if (persistentChange && this.persistence) this.persistence.save(this.snapshot());
    for (const [path, event, kind] of events) this.fire(kind, path, event);
    return created;
  }

  private fire(kind: 'data' | 'children', path: string, event: WatchEvent): void {
    const map = kind === 'data' ? this.dataWatches : this.childWatches;
    const listeners = map.get(path);
    if (!listeners) return;
    map.delete(path);
    for (const l of listeners) queueMicrotask(() => l(event));
  }

  /** Persistent nodes as JSON: `{ "nodes": [[path, base64 data, version, childrenVersion, sequence]] }`. */
  private snapshot(): Buffer {
    const nodes: [string, string, number, number, number][] = [];
    for (const [path, n] of this.nodes) {
      if (n.ephemeralOwner === 0)
        nodes.push([path, n.data.toString('base64'), n.version, n.childrenVersion, n.sequence]);
    }
    return Buffer.from(JSON.stringify({ format: 1, nodes }));
  }

  private restore(saved: Buffer): void {
    let parsed: { format: number; nodes: [string, string, number, number, number][] };
    try {
      parsed = JSON.parse(saved.toString('utf8'));
    } catch (err) {
      throw new Error(`metadata snapshot is not valid JSON: ${(err as Error).message}`);
    }
    if (parsed.format !== 1 || !Array.isArray(parsed.nodes)) throw new Error('metadata snapshot has an unknown format');
    // Parents sort before children, so each node's parent exists when it is added.
    for (const [path, data, version, childrenVersion, sequence] of parsed.nodes.sort((a, b) =>
      a[0].localeCompare(b[0]),
    )) {
      const node = newNode(Buffer.from(data, 'base64'), 0);
      node.version = version;
      node.childrenVersion = childrenVersion;
      node.sequence = sequence;
      if (path === '/') {
        node.children = this.nodes.get('/')!.children;
        this.nodes.set('/', node);
        continue;
      }
      const { parent, name } = splitPath(path);
      const parentNode = this.nodes.get(parent);
      if (!parentNode) throw new Error(`metadata snapshot has ${path} without its parent`);
      parentNode.children.add(name);
      this.nodes.set(path, node);
    }
  }
}

function newNode(data: Buffer, ephemeralOwner: number): TreeNode {
  return { data, version: 0, childrenVersion: 0, ephemeralOwner, children: new Set(), sequence: 0 };
}

function cloneNode(n: TreeNode): TreeNode {
  return { ...n, children: new Set(n.children) };
}

function checkVersion(path: string, node: TreeNode, expected: number | undefined): void {
  if (expected !== undefined && expected !== -1 && node.version !== expected) {
    throw new MetadataError('BAD_VERSION', path, `${path} is at version ${node.version}, expected ${expected}`);
  }
}

function statOf(n: TreeNode): Stat {
  return { version: n.version, childrenVersion: n.childrenVersion, ephemeralOwner: n.ephemeralOwner };
}

/** One session on a MemoryMetadataTree. */
export class MemoryMetadataStore implements MetadataStore {
  readonly sessionId: number;
  private readonly tree: MemoryMetadataTree;

  constructor(tree: MemoryMetadataTree, sessionId: number) {
    this.tree = tree;
    this.sessionId = sessionId;
  }

  private node(path: string) {
    if (!this.tree.isOpen(this.sessionId)) throw new MetadataError('SESSION_CLOSED', path);
    return this.tree.node(path);
  }

  async get(path: string): Promise<NodeData | null> {
    const n = this.node(path);
    return n ? { data: n.data, stat: statOf(n) } : null;
  }

  async exists(path: string): Promise<Stat | null> {
    const n = this.node(path);
    return n ? statOf(n) : null;
  }

  async getChildren(path: string): Promise<string[]> {
    const n = this.node(path);
    if (!n) throw new MetadataError('NO_NODE', path);
    return [...n.children].sort();
  }

  async create(path: string, data: Buffer, options?: CreateOptions): Promise<string> {
    return this.tree.apply([{ op: 'create', path, data, ...(options ? { options } : {}) }], this.sessionId)[0]!;
  }

  async ensurePath(path: string): Promise<void> {
    const parts = path.split('/').filter((p) => p !== '');
    let current = '';
    for (const part of parts) {
      current += `/${part}`;
      if (this.node(current)) continue;
      try {
        this.tree.apply([{ op: 'create', path: current, data: Buffer.alloc(0) }], this.sessionId);
      } catch (err) {
        if (!(err instanceof MetadataError && err.code === 'NODE_EXISTS')) throw err;
      }
    }
  }

  async set(path: string, data: Buffer, expectedVersion?: number): Promise<Stat> {
    this.tree.apply(
      [{ op: 'set', path, data, ...(expectedVersion !== undefined ? { expectedVersion } : {}) }],
      this.sessionId,
    );
    return statOf(this.tree.node(path)!);
  }

  async delete(path: string, expectedVersion?: number): Promise<void> {
    this.tree.apply(
      [{ op: 'delete', path, ...(expectedVersion !== undefined ? { expectedVersion } : {}) }],
      this.sessionId,
    );
  }

  async deleteRecursive(path: string): Promise<void> {
    const n = this.node(path);
    if (!n) return;
    for (const child of [...n.children]) await this.deleteRecursive(`${path === '/' ? '' : path}/${child}`);
    if (path !== '/') await this.delete(path);
  }

  async multi(ops: readonly MetadataOp[]): Promise<void> {
    this.tree.apply(ops, this.sessionId);
  }

  watchData(path: string, listener: (event: WatchEvent) => void): void {
    this.tree.addWatch('data', path, (e) => {
      if (this.tree.isOpen(this.sessionId)) listener(e);
    });
  }

  watchChildren(path: string, listener: (event: WatchEvent) => void): void {
    this.tree.addWatch('children', path, (e) => {
      if (this.tree.isOpen(this.sessionId)) listener(e);
    });
  }

  async close(): Promise<void> {
    this.tree.expireSession(this.sessionId);
  }
}
