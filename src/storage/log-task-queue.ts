/**
 * The serial executor of one log: every change to a log (append, roll, truncation, segment
 * deletion, compaction swap) runs here, one at a time, in arrival order. Reads and flushes do
 * not queue: they run beside it.
 *
 *   push ──▶ [ a1 a2 a3 op a4 ... ]  ──drain──▶  runAppends([a1 a2 a3]) ▶ op() ▶ runAppends([a4 ...])
 *
 * Consecutive appends are handed over together (group commit): the log writes them with one
 * `writev`, so a burst of produce requests costs one thread-pool round trip instead of one each.
 * A group is capped by bytes and buffer count (IOV_MAX); the log may split it further at a roll.
 * Up to three groups are in flight: the next group's write is started before the current one has
 * completed (the log completes them in order). An op waits until every write in flight is done.
 *
 * Every append is prepared (the log checks its CRCs) before it joins a group. The appends of the
 * next group are prepared while the current group's write runs in the thread pool, so the check
 * overlaps the write, and it reads the bytes shortly before they are written rather than when
 * they were queued. An append whose preparation fails is rejected and never written.
 *
 * States: idle (nothing queued, `draining` false) → draining (a drain loop runs until the queue is
 * empty) → idle. `close()` waits for the queue to empty and refuses new work afterwards.
 */
import { StorageError } from './errors.ts';

export interface QueuedAppend {
  readonly bytes: number;
  /** Settled by runAppends. */
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

interface QueuedOp {
  run: () => unknown;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** An append's preparation: not yet run, passed, or refused (the append was rejected). */
type PrepareState = 'pending' | 'ready' | 'rejected';

interface InFlightGroup {
  group: QueuedAppend[];
  written: Promise<() => void>;
  /** `written` has settled (the queue's own flag: a promise cannot be asked). */
  done: boolean;
}

type Entry = { kind: 'append'; a: QueuedAppend; state: PrepareState } | { kind: 'op'; op: QueuedOp };

const MAX_GROUP_BYTES = 1024 * 1024;
const MAX_GROUP_BUFFERS = 1024;
/**
 * Groups written at once: the next group's write waits in the thread pool while the current one
 * runs, so the disk never idles for a round trip. 1 MiB appends (bench/storage-append.bench.ts):
 * 0.77–0.80 of a writeSync loop with one, 0.82–0.84 with two, 0.84–0.89 with three.
 */
const MAX_GROUPS_IN_FLIGHT = 3;

export class LogTaskQueue {
  private entries: Entry[] = [];
  private head = 0;
  private draining = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  /** Set while the drain waits for writes in flight with nothing queued: new work wakes it. */
  private waitingForWrites: (() => void) | null = null;
  private readonly runAppends: (group: QueuedAppend[]) => Promise<() => void>;
  private readonly prepare: (a: QueuedAppend) => void;
  private readonly name: string;

  /**
   * `runAppends` writes a group and resolves with a function that settles the group's promises.
   * The queue calls that function once the group's write is done and, when more is queued, after
   * it has started the next groups' writes, so callers woken by those promises (which may
   * validate their next batch right away) run while the disk works.
   * `prepare` checks an append before it is written and throws to refuse it (the queue then
   * rejects it with that error).
   */
  constructor(
    name: string,
    runAppends: (group: QueuedAppend[]) => Promise<() => void>,
    prepare: (a: QueuedAppend) => void = () => {},
  ) {
    this.name = name;
    this.runAppends = runAppends;
    this.prepare = prepare;
  }

  pushAppend(a: QueuedAppend): void {
    if (this.closed) {
      a.reject(new StorageError('LOG_CLOSED', `log ${this.name} is closed`));
      return;
    }
    this.entries.push({ kind: 'append', a, state: 'pending' });
    this.kick();
  }

  /** Runs `run` after everything queued before it; resolves with its result. */
  pushOp<T>(run: () => T | Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StorageError('LOG_CLOSED', `log ${this.name} is closed`));
    return new Promise<T>((resolve, reject) => {
      this.entries.push({ kind: 'op', op: { run, resolve: resolve as (v: unknown) => void, reject } });
      this.kick();
    });
  }

  /** Waits for queued work to finish, then refuses more. */
  async close(): Promise<void> {
    this.closed = true;
    if (!this.draining && this.head === this.entries.length) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private kick(): void {
    if (this.waitingForWrites !== null) {
      const wake = this.waitingForWrites;
      this.waitingForWrites = null;
      wake();
    }
    if (this.draining) return;
    this.draining = true;
    void this.drain();
  }

  private async drain(): Promise<void> {
    // Groups whose writes were started and not yet settled, oldest first.
    const inFlight: InFlightGroup[] = [];
    const settleOldest = async (): Promise<void> => {
      const { group, written } = inFlight.shift()!;
      try {
        (await written)();
      } catch (err) {
        for (const a of group) a.reject(err);
      }
    };
    while (this.head < this.entries.length) {
      const e = this.entries[this.head]!;
      if (e.kind === 'op') {
        while (inFlight.length > 0) await settleOldest();
        this.head++;
        try {
          e.op.resolve(await e.op.run());
        } catch (err) {
          e.op.reject(err);
        }
      } else {
        const group: QueuedAppend[] = [];
        let bytes = 0;
        while (this.head < this.entries.length && group.length < MAX_GROUP_BUFFERS) {
          const n = this.entries[this.head]!;
          if (n.kind !== 'append' || (group.length > 0 && bytes + n.a.bytes > MAX_GROUP_BYTES)) break;
          this.head++;
          if (!this.prepared(n)) continue;
          group.push(n.a);
          bytes += n.a.bytes;
        }
        if (group.length > 0) {
          // runAppends starts its write before its first await; the next group's checks and the
          // previous group's wake-ups then run while the thread pool writes.
          const g: InFlightGroup = { group, written: this.runAppends(group), done: false };
          g.written.then(
            () => (g.done = true),
            () => (g.done = true),
          );
          inFlight.push(g);
          this.prepareNextGroup();
          if (inFlight.length >= MAX_GROUPS_IN_FLIGHT) await settleOldest();
        }
      }
      if (this.head > 1024 && this.head * 2 > this.entries.length) {
        this.entries = this.entries.slice(this.head);
        this.head = 0;
      }
      // Nothing more queued: wait for the oldest write in flight, or for new work, whichever
      // comes first (an append queued meanwhile is written at once, beside the ones in flight).
      while (this.head >= this.entries.length && inFlight.length > 0) {
        const oldest = inFlight[0]!;
        if (!oldest.done) {
          await new Promise<void>((wake) => {
            this.waitingForWrites = wake;
            oldest.written.then(
              () => wake(),
              () => wake(),
            );
          });
          this.waitingForWrites = null;
        }
        if (oldest.done) await settleOldest();
      }
    }
    this.entries = [];
    this.head = 0;
    this.draining = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Prepares `e` once; false when it was refused (and so rejected). */
  private prepared(e: Entry & { kind: 'append' }): boolean {
    if (e.state === 'pending') {
      try {
        this.prepare(e.a);
        e.state = 'ready';
      } catch (err) {
        e.state = 'rejected';
        e.a.reject(err);
      }
    }
    return e.state === 'ready';
  }

  /** Prepares the appends that will form the next group (the same limits as drain's). */
  private prepareNextGroup(): void {
    let bytes = 0;
    let count = 0;
    for (let i = this.head; i < this.entries.length && count < MAX_GROUP_BUFFERS; i++) {
      const n = this.entries[i]!;
      if (n.kind !== 'append' || (count > 0 && bytes + n.a.bytes > MAX_GROUP_BYTES)) break;
      if (this.prepared(n)) {
        bytes += n.a.bytes;
        count++;
      }
    }
  }
}
