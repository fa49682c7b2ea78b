/**
 * Pieces of the consumer group interop tests: a broker whose log lines can be awaited, restartable
 * on its log dir, and group members run as child processes (kafkajs-group-member.ts) whose JSON
 * event lines can be awaited. Every wait ends on an event; timers are only deadlines.
 */
import { join } from 'node:path';
import { type Broker, startBroker } from '../../src/broker/start-broker.ts';
import { MemoryLogger } from '../../src/common/logger.ts';
import { ChildHandle, makeTempDir, NODE, type TempDir, withTimeout } from './helpers.ts';

/** Broker settings for fast group tests: no initial delay, short sessions allowed. */
export const GROUP_TEST_PROPS = {
  'group.initial.rebalance.delay.ms': 0,
  'group.min.session.timeout.ms': 1000,
  'offsets.topic.num.partitions': 5,
};

/** A MemoryLogger whose lines can be awaited. */
export class WatchedLogger extends MemoryLogger {
  private readonly waiters = new Set<() => void>();

  override info(m: string): void {
    super.info(m);
    for (const w of this.waiters) w();
  }

  /** Resolves with the first line (from `from` on) matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs = 20_000, from = 0): Promise<string> {
    return withTimeout(
      new Promise<string>((resolve) => {
        const check = (): void => {
          const line = this.lines.slice(from).find((l) => pattern.test(l));
          if (line !== undefined) {
            this.waiters.delete(check);
            resolve(line);
          }
        };
        this.waiters.add(check);
        check();
      }),
      timeoutMs,
      `a broker log line matching ${pattern}`,
    );
  }
}

export interface GroupBroker {
  broker: Broker;
  bootstrap: string;
  logger: WatchedLogger;
  dir: TempDir;
  /** Closes the broker and starts a new one on the same log dir (new port). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startGroupBroker(props: Record<string, string | number> = {}): Promise<GroupBroker> {
  const dir = await makeTempDir('samsa-groups-');
  const properties = { ...GROUP_TEST_PROPS, ...props };
  const launch = async (): Promise<{ broker: Broker; logger: WatchedLogger }> => {
    const logger = new WatchedLogger();
    const broker = await startBroker({ port: 0, host: '127.0.0.1', logDirs: [dir.path], properties, logger });
    return { broker, logger };
  };
  let current = await launch();
  const gb: GroupBroker = {
    get broker() {
      return current.broker;
    },
    get bootstrap() {
      return `127.0.0.1:${current.broker.port}`;
    },
    get logger() {
      return current.logger;
    },
    dir,
    async restart() {
      await withTimeout(current.broker.close(), 15_000, 'broker close');
      current = await launch();
    },
    async close() {
      await withTimeout(current.broker.close(), 15_000, 'broker close').catch(() => {});
      await dir.remove();
    },
  };
  return gb;
}

export interface MemberEvent {
  event: string;
  partitions?: number[];
  partition?: number;
  offset?: number;
  value?: string | null;
  error?: string;
  memberId?: string;
}

const MEMBER_SCRIPT = join(import.meta.dirname, 'kafkajs-group-member.ts');

/** A kafkajs group member in a child process. */
export class GroupMemberProcess {
  readonly name: string;
  readonly child: ChildHandle;
  readonly events: MemberEvent[] = [];
  private parsed = 0;
  private readonly waiters = new Set<() => void>();

  constructor(
    name: string,
    options: {
      bootstrap: string;
      groupId: string;
      topic: string;
      sessionTimeout: number;
      mode: 'auto' | 'at-least-once' | 'at-most-once';
      hangAt?: number;
    },
  ) {
    this.name = name;
    this.child = new ChildHandle(NODE, [MEMBER_SCRIPT, JSON.stringify({ ...options, clientId: name })]);
    this.child.child.stdout?.on('data', () => this.parse());
    void this.child.exited.then(() => {
      this.parse();
      for (const w of this.waiters) w();
    });
  }

  private parse(): void {
    const lines = this.child.output.split('\n');
    // The last element is an incomplete line (or '').
    for (; this.parsed < lines.length - 1; this.parsed++) {
      const line = lines[this.parsed]!;
      if (!line.startsWith('{')) continue;
      try {
        this.events.push(JSON.parse(line) as MemberEvent);
      } catch {}
    }
    for (const w of this.waiters) w();
  }

  /** The partitions of its latest assignment (null before the first). */
  get assignment(): number[] | null {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!;
      if (e.event === 'assigned') return e.partitions ?? [];
    }
    return null;
  }

  /** Offsets it processed, in order. */
  processed(partition?: number): number[] {
    return this.events
      .filter((e) => e.event === 'processed' && (partition === undefined || e.partition === partition))
      .map((e) => e.offset!);
  }

  /** Resolves once `ready()` is true (checked on each event line); rejects on exit or timeout. */
  until(ready: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    return untilAll([this], ready, what, timeoutMs);
  }

  /** Calls `listener` on each event line and on exit; returns the unsubscribe function. */
  watch(listener: () => void): () => void {
    this.waiters.add(listener);
    return () => this.waiters.delete(listener);
  }

  /** SIGKILL: a crash, no LeaveGroup. */
  kill(): Promise<unknown> {
    return this.child.stop('SIGKILL');
  }

  /** SIGTERM: consumer.disconnect() — commits and leaves the group. */
  stop(): Promise<unknown> {
    return this.child.stop('SIGTERM', 20_000);
  }
}

/**
 * Resolves once `ready()` is true, checked whenever any of `members` prints an event; rejects when
 * one of them exits first, or after `timeoutMs`.
 */
export function untilAll(
  members: readonly GroupMemberProcess[],
  ready: () => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const unsubscribe: (() => void)[] = [];
  const waiting = new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (ready()) {
        resolve();
        return;
      }
      const gone = members.find((m) => m.child.hasExited);
      if (gone !== undefined) reject(new Error(`${gone.name} exited before ${what}; output:\n${gone.child.output}`));
    };
    for (const m of members) unsubscribe.push(m.watch(check));
    check();
  });
  return withTimeout(waiting, timeoutMs, what).finally(() => {
    for (const u of unsubscribe) u();
  });
}

/**
 * Resolves once the `members`' latest assignments are disjoint and cover `partitions` partitions
 * exactly — a completed rebalance as the members see it.
 */
export function untilSplit(members: readonly GroupMemberProcess[], partitions: number, what: string): Promise<void> {
  return untilAll(members, () => isSplit(members, partitions), what);
}

export function isSplit(members: readonly GroupMemberProcess[], partitions: number): boolean {
  const all: number[] = [];
  for (const m of members) {
    const a = m.assignment;
    if (a === null) return false;
    all.push(...a);
  }
  all.sort((a, b) => a - b);
  return all.length === partitions && all.every((p, i) => p === i);
}
