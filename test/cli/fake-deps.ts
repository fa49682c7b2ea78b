import type { BrokerHandle, BrokerOptions } from '../../src/broker/config/broker-options.ts';
import type { CliDeps, CliSignal } from '../../src/cli/cli-deps.ts';
import { ManualClock } from '../../src/common/clock.ts';

/** A fake broker: records its options and close() calls; close() waits for `finishClose` when asked to. */
export interface FakeBroker extends BrokerHandle {
  readonly options: BrokerOptions;
  closeCalls: number;
}

/** CliDeps without a process: files from a map, output captured, signals raised by hand. */
export class FakeCli {
  readonly files = new Map<string, string>();
  out = '';
  err = '';
  readonly exits: number[] = [];
  readonly brokers: FakeBroker[] = [];
  /** Handlers currently subscribed, per signal. */
  readonly handlers = new Map<CliSignal, Set<() => void>>();
  /** When set, startBroker() rejects with it. */
  startError: Error | null = null;
  /** When set, close() rejects with it. */
  closeError: Error | null = null;
  /** Resolves when startBroker() is called; the start itself waits for `releaseStart` when `holdStart` is true. */
  holdStart = false;
  private release: (() => void) | null = null;
  private onStart: (() => void) | null = null;
  readonly started = new Promise<void>((resolve) => {
    this.onStart = resolve;
  });
  readonly clock = new ManualClock();

  readonly deps: CliDeps = {
    startBroker: async (options?: BrokerOptions) => {
      this.onStart?.();
      if (this.holdStart) await new Promise<void>((resolve) => (this.release = resolve));
      if (this.startError) throw this.startError;
      const broker: FakeBroker = {
        options: options ?? {},
        closeCalls: 0,
        listeners: [],
        close: async () => {
          broker.closeCalls++;
          if (this.closeError) throw this.closeError;
        },
      };
      this.brokers.push(broker);
      return broker;
    },
    readTextFile: (path) => {
      const text = this.files.get(path);
      if (text === undefined) {
        const e = new Error(`ENOENT: no such file or directory, open '${path}'`) as NodeJS.ErrnoException;
        e.code = 'ENOENT';
        throw e;
      }
      return text;
    },
    stdout: (text) => {
      this.out += text;
    },
    stderr: (text) => {
      this.err += text;
    },
    onSignal: (signal, handler) => {
      let set = this.handlers.get(signal);
      if (set === undefined) this.handlers.set(signal, (set = new Set()));
      set.add(handler);
      return () => set.delete(handler);
    },
    exit: (code) => {
      this.exits.push(code);
    },
    clock: this.clock,
    version: '9.8.7',
  };

  /** Delivers a signal to every subscribed handler. */
  raise(signal: CliSignal): void {
    for (const h of [...(this.handlers.get(signal) ?? [])]) h();
  }

  /** Number of subscribed handlers over all signals. */
  get subscribed(): number {
    let n = 0;
    for (const set of this.handlers.values()) n += set.size;
    return n;
  }

  releaseStart(): void {
    this.release?.();
  }
}

/** Lets pending promise callbacks run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
