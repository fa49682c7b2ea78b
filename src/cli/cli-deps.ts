/**
 * What a `samsa` command may touch of the outside world, injected so commands run in tests
 * without a process, a terminal, a file system or a broker: main.ts wires the real ones.
 */
import type { StartBroker } from '../broker/config/broker-options.ts';
import type { Clock } from '../common/clock.ts';

export type CliSignal = 'SIGINT' | 'SIGTERM';

export interface CliDeps {
  /** Starts a broker (src/broker/start-broker.ts in main.ts; a fake in tests). */
  readonly startBroker: StartBroker;
  /** Reads a text file (UTF-8); throws like fs.readFileSync. */
  readonly readTextFile: (path: string) => string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Calls `handler` on each delivery of `signal`; returns a function that stops that. */
  readonly onSignal: (signal: CliSignal, handler: () => void) => () => void;
  /** Ends the process now (a second SIGINT/SIGTERM while shutting down). */
  readonly exit: (code: number) => void;
  readonly clock: Clock;
  /** The package version, for --version. */
  readonly version: string;
}

/** A command line that cannot be understood; the command's usage follows the message. Exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes of `samsa`. */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2 } as const;
