/**
 * The `samsa` command line: global options (--help, --version) and the command table. Each
 * command lives in its own file and gets the arguments after its name plus the injected
 * CliDeps; it resolves with the exit code (0 done, 1 failed, 2 usage error). runCli never
 * throws: an unexpected error is printed and gives exit code 1.
 */
import { type CliDeps, EXIT, UsageError } from './cli-deps.ts';
import { CONSUMER_GROUPS_SUMMARY, runConsumerGroupsCommand } from './consumer-groups-command.ts';
import { runServerCommand, SERVER_SUMMARY } from './server-command.ts';

/** One `samsa` command. */
export interface CliCommand {
  /** One line for `samsa --help`. */
  readonly summary: string;
  readonly run: (args: readonly string[], deps: CliDeps) => Promise<number>;
}

/** Commands by name; add one file and one line per command. */
export const COMMANDS: Readonly<Record<string, CliCommand>> = {
  server: { summary: SERVER_SUMMARY, run: runServerCommand },
  'consumer-groups': { summary: CONSUMER_GROUPS_SUMMARY, run: runConsumerGroupsCommand },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length)) + 2;
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`);
  return `Usage: samsa <command> [options]

A distributed commit log that speaks the Apache Kafka protocol.

Commands:
${lines.join('\n')}

Options:
  -h, --help     Show this help ('samsa <command> --help' for a command's)
  -V, --version  Print the version

Example: samsa server config/server.properties --override log.dirs=/var/lib/samsa
`;
}

/** Runs `samsa <argv...>` (argv without node and script); resolves with the exit code. */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    deps.stderr(usage());
    return EXIT.USAGE;
  }
  if (first === '-h' || first === '--help' || first === 'help') {
    deps.stdout(usage());
    return EXIT.OK;
  }
  if (first === '-V' || first === '--version' || first === 'version') {
    deps.stdout(`samsa ${deps.version}\n`);
    return EXIT.OK;
  }
  const command = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  if (command === undefined) {
    const what = first.startsWith('-') ? `unknown option '${first}'` : `unknown command '${first}'`;
    deps.stderr(`samsa: ${what}\nRun 'samsa --help' for usage.\n`);
    return EXIT.USAGE;
  }
  try {
    return await command.run(rest, deps);
  } catch (e) {
    if (e instanceof UsageError) {
      deps.stderr(`samsa ${first}: ${e.message}\nRun 'samsa ${first} --help' for usage.\n`);
      return EXIT.USAGE;
    }
    deps.stderr(`samsa ${first}: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.FAILURE;
  }
}
