/**
 * `samsa server [server.properties] [--override key=value ...] [--log-level level]`: reads
 * Kafka's properties (file, then overrides), resolves the broker configuration — a bad value
 * stops here with a message naming the key, the value and what is allowed, exit code 1 — starts
 * the broker and runs until SIGINT or SIGTERM, then closes it cleanly (stop accepting, finish
 * in-flight requests, flush and close logs). A second signal while closing exits at once.
 */
import { brokerConfigFromProps } from '../broker/config/broker-config.ts';
import type { BrokerHandle } from '../broker/config/broker-options.ts';
import { parseOverride, parseProperties } from '../broker/config/properties-format.ts';
import { ConfigError } from '../common/config-def.ts';
import { describeError, LineLogger, type LogLevel } from '../common/logger.ts';
import { type CliDeps, type CliSignal, EXIT, UsageError } from './cli-deps.ts';

export const SERVER_SUMMARY = 'Start a broker';

export const SERVER_USAGE = `Usage: samsa server [server.properties] [--override key=value ...] [--log-level level]

Starts a broker that Kafka clients use unchanged. Properties use Kafka's names; the file is a
Kafka server.properties (Kafka 0.8's example file works as is). With no file: broker 0 listening
on port 9092 on every interface (advertised as localhost:9092), data in ./samsa-data, and the
embedded metadata store (no ZooKeeper). SIGINT or SIGTERM stops it cleanly.

Options:
  --override key=value   Set a property, taking precedence over the file (repeatable)
  --log-level level      debug, info (default), warn or error
  -h, --help             Show this help
`;

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface ServerArgs {
  /** The properties file, or null for none. */
  readonly file: string | null;
  /** `--override` pairs in the order given. */
  readonly overrides: readonly (readonly [string, string])[];
  readonly logLevel: LogLevel;
  readonly help: boolean;
}

/** Parses the arguments after `server`; throws UsageError. */
export function parseServerArgs(args: readonly string[]): ServerArgs {
  let file: string | null = null;
  const overrides: [string, string][] = [];
  let logLevel: LogLevel = 'info';
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const option = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const takeValue = (): string => {
      if (option !== arg) return arg.slice(eq + 1);
      const value = args[++i];
      if (value === undefined) throw new UsageError(`${option} needs a value`);
      return value;
    };
    if (option === '-h' || option === '--help') {
      help = true;
    } else if (option === '--override') {
      const text = takeValue();
      try {
        overrides.push(parseOverride(text));
      } catch (e) {
        throw new UsageError(e instanceof ConfigError ? e.message : String(e));
      }
    } else if (option === '--log-level') {
      const level = takeValue();
      if (!LOG_LEVELS.includes(level as LogLevel)) {
        throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, not '${level}'`);
      }
      logLevel = level as LogLevel;
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`unknown option '${arg}'`);
    } else if (file === null) {
      file = arg;
    } else {
      throw new UsageError(`one properties file only (got '${file}' and '${arg}')`);
    }
  }
  return { file, overrides, logLevel, help };
}

/** Reads the file and applies the overrides; returns the properties or an error message. */
function loadProperties(parsed: ServerArgs, deps: CliDeps): Map<string, string> | string {
  let props = new Map<string, string>();
  if (parsed.file !== null) {
    let text: string;
    try {
      text = deps.readTextFile(parsed.file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return `cannot read ${parsed.file}: ${code ?? describeError(e)}`;
    }
    try {
      props = parseProperties(text);
    } catch (e) {
      if (e instanceof ConfigError) return `${parsed.file}: ${e.message}`;
      throw e;
    }
  }
  for (const [key, value] of parsed.overrides) {
    props.delete(key);
    props.set(key, value);
  }
  return props;
}

/** Runs `samsa server`; resolves with the exit code once the broker has stopped (or failed to start). */
export async function runServerCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const parsed = parseServerArgs(args);
  if (parsed.help) {
    deps.stdout(SERVER_USAGE);
    return EXIT.OK;
  }
  const fail = (message: string): number => {
    deps.stderr(`samsa server: ${message}\n`);
    return EXIT.FAILURE;
  };
  const logger = new LineLogger(parsed.logLevel, { clock: deps.clock, write: deps.stderr });
  const props = loadProperties(parsed, deps);
  if (typeof props === 'string') return fail(props);
  let config: ReturnType<typeof brokerConfigFromProps>;
  try {
    config = brokerConfigFromProps(props, { logger });
  } catch (e) {
    if (e instanceof ConfigError) return fail(e.message);
    throw e;
  }

  // Signals are watched from before the start, so one that arrives while starting still stops the broker.
  let signals = 0;
  let requestStop!: () => void;
  const stopRequested = new Promise<void>((resolve) => {
    requestStop = resolve;
  });
  const onSignal = (signal: CliSignal): void => {
    signals++;
    if (signals === 1) {
      logger.info(`Received ${signal}; shutting down`);
      requestStop();
    } else {
      logger.warn(`Received ${signal} again; exiting without finishing the shutdown`);
      deps.exit(EXIT.FAILURE);
    }
  };
  const unsubscribe = (['SIGINT', 'SIGTERM'] as const).map((s) => deps.onSignal(s, () => onSignal(s)));
  const stopWatching = (): void => {
    for (const off of unsubscribe) off();
  };

  let broker: BrokerHandle;
  try {
    broker = await deps.startBroker({ config, logger, clock: deps.clock });
  } catch (e) {
    stopWatching();
    return fail(e instanceof ConfigError ? e.message : `failed to start: ${describeError(e)}`);
  }
  await stopRequested;
  try {
    await broker.close();
  } catch (e) {
    logger.error(`Shutdown failed: ${describeError(e)}`);
    return EXIT.FAILURE;
  } finally {
    stopWatching();
  }
  logger.info('Broker stopped');
  return EXIT.OK;
}
