import { EventType } from './zk-errors.ts';

export type ZkWatchEvent = 'created' | 'deleted' | 'changed' | 'children';
export type ZkWatcher = (event: ZkWatchEvent) => void;

/** Which server-side watch a listener stands on: exists/getData on a present node → data, exists
 *  on a missing node → exist, getChildren → child. SetWatches re-sends them by these three lists. */
export type ZkWatchKind = 'data' | 'exist' | 'child';

/**
 * The client's half of ZooKeeper's one-shot watches, keyed by server path. A listener is added
 * only when the reply that set the server-side watch arrives, so a notification that was already
 * on its way (for an older watch) cannot fire it. A notification removes and returns every
 * listener it triggers, as ZooKeeper's own client does:
 *
 *   NodeCreated, NodeDataChanged → data + exist      NodeDeleted → data + exist + child
 *   NodeChildrenChanged          → child
 */
export class ZkWatchRegistry {
  private readonly byKind: Record<ZkWatchKind, Map<string, Set<ZkWatcher>>> = {
    data: new Map(),
    exist: new Map(),
    child: new Map(),
  };

  add(kind: ZkWatchKind, serverPath: string, watcher: ZkWatcher): void {
    const map = this.byKind[kind];
    let set = map.get(serverPath);
    if (!set) map.set(serverPath, (set = new Set()));
    set.add(watcher);
  }

  /** Removes the listeners a notification triggers; returns them with the event they hear. */
  take(eventType: number, serverPath: string): { event: ZkWatchEvent; watchers: ZkWatcher[] } | null {
    let event: ZkWatchEvent;
    let kinds: ZkWatchKind[];
    switch (eventType) {
      case EventType.nodeCreated:
        [event, kinds] = ['created', ['data', 'exist']];
        break;
      case EventType.nodeDataChanged:
        [event, kinds] = ['changed', ['data', 'exist']];
        break;
      case EventType.nodeDeleted:
        [event, kinds] = ['deleted', ['data', 'exist', 'child']];
        break;
      case EventType.nodeChildrenChanged:
        [event, kinds] = ['children', ['child']];
        break;
      default:
        return null;
    }
    const watchers: ZkWatcher[] = [];
    for (const kind of kinds) {
      const set = this.byKind[kind].get(serverPath);
      if (!set) continue;
      this.byKind[kind].delete(serverPath);
      watchers.push(...set);
    }
    return { event, watchers };
  }

  /** Server paths with a live watch, per kind. */
  paths(): Record<ZkWatchKind, string[]> {
    return {
      data: [...this.byKind.data.keys()],
      exist: [...this.byKind.exist.keys()],
      child: [...this.byKind.child.keys()],
    };
  }

  get size(): number {
    return this.byKind.data.size + this.byKind.exist.size + this.byKind.child.size;
  }

  clear(): void {
    for (const map of Object.values(this.byKind)) map.clear();
  }
}
