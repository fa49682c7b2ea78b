import { ClassicGroup } from './classic-group.ts';
import type { GroupDirectory } from './group-membership.ts';
import type { ShardWriter } from './shard-writer.ts';

/**
 * loading  — the partition's records are being read; requests answer COORDINATOR_LOAD_IN_PROGRESS
 * active   — groups loaded; requests are served
 * unloaded — leadership moved away (or shutdown); requests answer NOT_COORDINATOR. Terminal: a
 *            later election makes a new shard.
 */
export type ShardState = 'loading' | 'active' | 'unloaded';

/**
 * The groups of one `__consumer_offsets` partition this broker leads, at one leader epoch, and
 * the writer that appends their records. Made on election, filled by the loader, then served;
 * dropped on resignation.
 */
export class GroupShard implements GroupDirectory {
  readonly partition: number;
  /** The partition's leader epoch this shard was made for. */
  readonly epoch: number;
  readonly writer: ShardWriter;
  state: ShardState = 'loading';
  private readonly groups = new Map<string, ClassicGroup>();
  private readonly now: () => number;

  constructor(partition: number, epoch: number, writer: ShardWriter, now: () => number) {
    this.partition = partition;
    this.epoch = epoch;
    this.writer = writer;
    this.now = now;
  }

  get size(): number {
    return this.groups.size;
  }

  get(groupId: string): ClassicGroup | undefined {
    return this.groups.get(groupId);
  }

  getOrCreate(groupId: string): ClassicGroup {
    let g = this.groups.get(groupId);
    if (g === undefined) {
      g = new ClassicGroup(groupId, 'Empty', this.now());
      this.groups.set(groupId, g);
    }
    return g;
  }

  /** Loading: the group read from the log. */
  add(group: ClassicGroup): void {
    this.groups.set(group.groupId, group);
  }

  /** Removes `group` if it is the one held under its id. */
  delete(group: ClassicGroup): boolean {
    if (this.groups.get(group.groupId) !== group) return false;
    this.groups.delete(group.groupId);
    return true;
  }

  values(): IterableIterator<ClassicGroup> {
    return this.groups.values();
  }
}
