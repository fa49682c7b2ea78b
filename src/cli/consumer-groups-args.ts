/**
 * The command line of `samsa consumer-groups`, which takes the options of Kafka's
 * kafka-consumer-groups.sh (ConsumerGroupCommandOptions, Kafka 3.9) and checks them the way it
 * does: exactly one action; --describe, --delete and --reset-offsets need --group or --all-groups;
 * --members/--offsets/--state are exclusive sub-actions of --describe; --reset-offsets takes one
 * scenario and one scope and is a dry run unless --execute is given. Values are checked here too
 * (offsets, datetimes, durations, topic:partition lists, state names), so a bad command line fails
 * before anything connects, with a message naming the option and the value.
 */
import { UsageError } from './cli-deps.ts';

export const CONSUMER_GROUPS_SUMMARY = 'List, describe, delete consumer groups and reset their offsets';

export const CONSUMER_GROUPS_USAGE = `Usage: samsa consumer-groups --bootstrap-server host:port[,host:port] <action> [options]

Lists, describes and deletes consumer groups and resets their committed offsets, like Kafka's
kafka-consumer-groups.sh: the same options and the same tables (not yet: --delete-offsets,
--from-file, --export, --command-config, --type).

Actions (exactly one):
  --list                     List all consumer groups (with --state [states]: their states,
                             optionally only those in the comma-separated states)
  --describe                 Describe groups (--group G or --all-groups): for each partition the
                             committed offset, log end offset, lag and owning member
      --offsets              The default: partitions, offsets and lag
      --members              The group's members (--verbose: and their partitions)
      --state                The group's coordinator, assignment strategy, state and member count
  --delete                   Delete groups (--group G ... or --all-groups); a group must be empty
  --reset-offsets            Reset committed offsets of an inactive group (--group G or --all-groups)
      Scope (one):   --all-topics | --topic T[:P,P...] (repeatable)
      Scenario (one):
        --to-earliest          Log start offset
        --to-latest            Log end offset
        --to-offset N          Offset N (kept between the log start and end offsets)
        --to-datetime T        First offset at or after T, 'YYYY-MM-DDTHH:mm:SS.sss' (UTC, or with a
                               zone such as Z, +02, +0200 or +02:00)
        --by-duration D        First offset at or after now minus D, 'PnDTnHnMnS'
        --shift-by N           Current committed offset plus N (N may be negative)
        --to-current           The current committed offset (the log end offset if none)
      --dry-run              Show the new offsets only (the default)
      --execute              Commit the new offsets

Options:
  --bootstrap-server S       REQUIRED: the broker(s) to connect to, host:port[,host:port]
  --group G                  A consumer group (repeatable)
  --all-groups               Every consumer group
  --timeout MS               How long to wait for the cluster (default 5000)
  -h, --help                 Show this help

Examples:
  samsa consumer-groups --bootstrap-server localhost:9092 --list
  samsa consumer-groups --bootstrap-server localhost:9092 --describe --group my-group
  samsa consumer-groups --bootstrap-server localhost:9092 --reset-offsets --group my-group \\
      --topic orders --to-earliest --execute
`;

export type ConsumerGroupsAction = 'list' | 'describe' | 'delete' | 'reset-offsets';
export type DescribeView = 'offsets' | 'members' | 'state';

/** Topics to reset: a whole topic (partitions null) or the partitions listed after `topic:`. */
export interface TopicScope {
  readonly topic: string;
  readonly partitions: readonly number[] | null;
}

export type ResetScenario =
  | { readonly kind: 'to-earliest' }
  | { readonly kind: 'to-latest' }
  | { readonly kind: 'to-current' }
  | { readonly kind: 'to-offset'; readonly offset: number }
  | { readonly kind: 'shift-by'; readonly shift: number }
  | { readonly kind: 'to-datetime'; readonly timestamp: number }
  | { readonly kind: 'by-duration'; readonly durationMs: number };

export interface ConsumerGroupsArgs {
  readonly help: boolean;
  readonly bootstrapServer: string;
  readonly action: ConsumerGroupsAction;
  readonly groups: readonly string[];
  readonly allGroups: boolean;
  readonly timeoutMs: number;
  /** --describe only. */
  readonly view: DescribeView;
  readonly verbose: boolean;
  /** --list --state: null without --state, [] for every state, else the states to keep (Kafka's names). */
  readonly listStates: readonly string[] | null;
  /** --reset-offsets only: null means --all-topics. */
  readonly topics: readonly TopicScope[] | null;
  readonly scenario: ResetScenario | null;
  readonly execute: boolean;
  /** True when neither --dry-run nor --execute was given (Kafka warns). */
  readonly implicitDryRun: boolean;
}

/** The states of Kafka 3.9's ConsumerGroupState, as it prints them (Unknown excluded). */
export const CONSUMER_GROUP_STATES = [
  'PreparingRebalance',
  'CompletingRebalance',
  'Stable',
  'Dead',
  'Empty',
  'Assigning',
  'Reconciling',
] as const;

type Flag =
  | 'list'
  | 'describe'
  | 'delete'
  | 'reset-offsets'
  | 'all-groups'
  | 'all-topics'
  | 'members'
  | 'offsets'
  | 'verbose'
  | 'dry-run'
  | 'execute'
  | 'to-earliest'
  | 'to-latest'
  | 'to-current';
type Valued =
  | 'bootstrap-server'
  | 'group'
  | 'topic'
  | 'timeout'
  | 'to-offset'
  | 'to-datetime'
  | 'by-duration'
  | 'shift-by';

const FLAGS: ReadonlySet<string> = new Set<Flag>([
  'list',
  'describe',
  'delete',
  'reset-offsets',
  'all-groups',
  'all-topics',
  'members',
  'offsets',
  'verbose',
  'dry-run',
  'execute',
  'to-earliest',
  'to-latest',
  'to-current',
]);
const VALUED: ReadonlySet<string> = new Set<Valued>([
  'bootstrap-server',
  'group',
  'topic',
  'timeout',
  'to-offset',
  'to-datetime',
  'by-duration',
  'shift-by',
]);
/** Options of kafka-consumer-groups.sh that samsa does not have. */
const NOT_SUPPORTED: ReadonlySet<string> = new Set([
  'delete-offsets',
  'from-file',
  'export',
  'command-config',
  'type',
  'validate-regex',
]);
const SCENARIOS = ['to-offset', 'to-datetime', 'by-duration', 'to-earliest', 'to-latest', 'to-current', 'shift-by'];

/** Parses and checks the arguments after `consumer-groups`; throws UsageError. */
export function parseConsumerGroupsArgs(args: readonly string[]): ConsumerGroupsArgs {
  const flags = new Set<string>();
  const values = new Map<string, string[]>();
  let state: string | null | undefined; // undefined: absent; null: given without a value
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--') || arg === '--') throw new UsageError(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq > 0 ? eq : undefined);
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (name === 'state') {
      // An optional value, as in Kafka: the next word unless it is an option.
      const next = args[i + 1];
      if (state !== undefined) throw new UsageError('--state given twice');
      if (inline !== undefined) state = inline;
      else if (next !== undefined && !next.startsWith('-')) state = args[++i]!;
      else state = null;
    } else if (FLAGS.has(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      flags.add(name);
    } else if (VALUED.has(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      let list = values.get(name);
      if (list === undefined) values.set(name, (list = []));
      list.push(value);
    } else if (NOT_SUPPORTED.has(name)) {
      throw new UsageError(`--${name} (of kafka-consumer-groups.sh) is not supported by samsa`);
    } else {
      throw new UsageError(`unknown option '${arg}'`);
    }
  }
  if (help) return helpOnly();

  const has = (name: string): boolean =>
    flags.has(name) || values.has(name) || (name === 'state' && state !== undefined);
  const single = (name: Valued): string | undefined => {
    const list = values.get(name);
    if (list !== undefined && list.length > 1) throw new UsageError(`--${name} given more than once`);
    return list?.[0];
  };

  const bootstrapServer = single('bootstrap-server');
  if (bootstrapServer === undefined) throw new UsageError('--bootstrap-server is required');
  if (bootstrapServer.trim() === '') throw new UsageError('--bootstrap-server needs a value (host:port)');

  const actions = (['list', 'describe', 'delete', 'reset-offsets'] as const).filter((a) => flags.has(a));
  if (actions.length !== 1) {
    throw new UsageError('Command must include exactly one action: --list, --describe, --delete, --reset-offsets');
  }
  const action = actions[0]!;
  const groups = values.get('group') ?? [];
  const allGroups = flags.has('all-groups');

  // Options that belong to some actions only.
  const onlyWith = (option: string, allowed: readonly ConsumerGroupsAction[]): void => {
    if (has(option) && !allowed.includes(action)) {
      throw new UsageError(`--${option} can only be used with ${allowed.map((a) => `--${a}`).join(' or ')}`);
    }
  };
  onlyWith('members', ['describe']);
  onlyWith('offsets', ['describe']);
  onlyWith('verbose', ['describe']);
  onlyWith('state', ['describe', 'list']);
  onlyWith('group', ['describe', 'delete', 'reset-offsets']);
  onlyWith('all-groups', ['describe', 'delete', 'reset-offsets']);
  onlyWith('topic', ['reset-offsets']);
  onlyWith('all-topics', ['reset-offsets']);
  onlyWith('dry-run', ['reset-offsets']);
  onlyWith('execute', ['reset-offsets']);
  for (const s of SCENARIOS) onlyWith(s, ['reset-offsets']);
  if (groups.length > 0 && allGroups) throw new UsageError('--group and --all-groups cannot be used together');
  if (action !== 'list' && groups.length === 0 && !allGroups) {
    throw new UsageError(`--${action} needs --group or --all-groups`);
  }
  for (const g of groups) if (g === '') throw new UsageError('--group needs a non-empty group id');

  const timeoutText = single('timeout');
  const timeoutMs = timeoutText === undefined ? 5000 : parseInteger('--timeout', timeoutText);
  if (timeoutMs <= 0) throw new UsageError(`--timeout must be a positive number of milliseconds, not '${timeoutText}'`);

  let view: DescribeView = 'offsets';
  if (action === 'describe') {
    const views = (['members', 'offsets', 'state'] as const).filter((v) => has(v));
    if (views.length > 1) {
      throw new UsageError('Option --describe takes at most one of these options: --members, --offsets, --state');
    }
    if (typeof state === 'string') throw new UsageError('Option --describe does not take a value for --state');
    view = views[0] ?? 'offsets';
  }

  let listStates: string[] | null = null;
  if (action === 'list' && state !== undefined) listStates = state === null || state === '' ? [] : parseStates(state);

  let topics: TopicScope[] | null = null;
  let scenario: ResetScenario | null = null;
  let execute = false;
  let implicitDryRun = false;
  if (action === 'reset-offsets') {
    if (flags.has('dry-run') && flags.has('execute')) {
      throw new UsageError('Option --reset-offsets only accepts one of --execute and --dry-run');
    }
    execute = flags.has('execute');
    implicitDryRun = !execute && !flags.has('dry-run');
    const given = SCENARIOS.filter((s) => has(s));
    if (given.length === 0) {
      throw new UsageError(
        `Option --reset-offsets requires one of the following scenarios: ${SCENARIOS.map((s) => `--${s}`).join(', ')}`,
      );
    }
    if (given.length > 1) throw new UsageError(`Option --${given[0]} can't be used with option --${given[1]}`);
    scenario = parseScenario(given[0]!, (n) => single(n as Valued)!);
    const topicArgs = values.get('topic') ?? [];
    if (flags.has('all-topics') && topicArgs.length > 0) {
      throw new UsageError('--all-topics and --topic cannot be used together');
    }
    if (!flags.has('all-topics') && topicArgs.length === 0) {
      throw new UsageError('One of the reset scopes should be defined: --all-topics, --topic.');
    }
    topics = flags.has('all-topics') ? null : topicArgs.map(parseTopicScope);
  }

  return {
    help: false,
    bootstrapServer,
    action,
    groups,
    allGroups,
    timeoutMs,
    view,
    verbose: flags.has('verbose'),
    listStates,
    topics,
    scenario,
    execute,
    implicitDryRun,
  };
}

function helpOnly(): ConsumerGroupsArgs {
  return {
    help: true,
    bootstrapServer: '',
    action: 'list',
    groups: [],
    allGroups: false,
    timeoutMs: 5000,
    view: 'offsets',
    verbose: false,
    listStates: null,
    topics: null,
    scenario: null,
    execute: false,
    implicitDryRun: false,
  };
}

function parseScenario(kind: string, value: (name: string) => string): ResetScenario {
  switch (kind) {
    case 'to-earliest':
    case 'to-latest':
    case 'to-current':
      return { kind };
    case 'to-offset':
      return { kind, offset: parseInteger('--to-offset', value(kind)) };
    case 'shift-by':
      return { kind, shift: parseInteger('--shift-by', value(kind)) };
    case 'to-datetime': {
      const text = value(kind);
      const timestamp = parseDateTime(text);
      if (timestamp === null) {
        throw new UsageError(
          `--to-datetime: invalid datetime '${text}' (expected YYYY-MM-DDTHH:mm:SS.sss, e.g. 2024-05-01T12:00:00.000, optionally with a zone: Z, +02, +0200 or +02:00)`,
        );
      }
      return { kind, timestamp };
    }
    case 'by-duration': {
      const text = value(kind);
      const durationMs = parseDuration(text);
      if (durationMs === null) {
        throw new UsageError(`--by-duration: invalid duration '${text}' (expected PnDTnHnMnS, e.g. P1DT2H or PT30M)`);
      }
      return { kind, durationMs };
    }
    default:
      throw new UsageError(`unknown scenario --${kind}`);
  }
}

/** A safe integer, or a UsageError naming the option. */
function parseInteger(option: string, text: string): number {
  if (!/^[-+]?\d+$/.test(text.trim())) throw new UsageError(`${option} needs an integer, not '${text}'`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new UsageError(`${option}: '${text}' is out of range`);
  return n;
}

/** `topic` or `topic:0,1,2` (Kafka's --topic format for --reset-offsets). */
export function parseTopicScope(arg: string): TopicScope {
  const colon = arg.indexOf(':');
  if (colon < 0) {
    if (arg === '') throw new UsageError('--topic needs a topic name');
    return { topic: arg, partitions: null };
  }
  const topic = arg.slice(0, colon);
  const list = arg.slice(colon + 1);
  if (topic === '' || list === '' || list.includes(':')) {
    throw new UsageError(`Invalid topic arg '${arg}', expected topic name and partitions (topic or topic:0,1,2)`);
  }
  const partitions = list.split(',').map((p) => {
    if (!/^\d+$/.test(p.trim())) throw new UsageError(`Invalid partition '${p}' specified in topic arg '${arg}'`);
    return Number(p.trim());
  });
  return { topic, partitions: [...new Set(partitions)] };
}

/** Comma-separated state names, any case (Kafka's ConsumerGroupState.parse); throws UsageError listing the valid ones. */
export function parseStates(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(',')) {
    const lower = part.trim().toLowerCase();
    const s = CONSUMER_GROUP_STATES.find((x) => x.toLowerCase() === lower);
    if (s === undefined) {
      throw new UsageError(`Invalid state list '${text}'. Valid states are: ${CONSUMER_GROUP_STATES.join(', ')}`);
    }
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

/**
 * Kafka's Utils.getDateTime: `yyyy-MM-dd'T'HH:mm:ss.SSS` with an optional zone (`Z`, `+hh`,
 * `+hhmm`, `+hh:mm`); without one the time is UTC. Fields are checked strictly (no 25th hour, no
 * February 30th). Returns ms since the epoch, or null when the text is not such a datetime.
 */
export function parseDateTime(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(text.trim());
  if (m === null) return null;
  const [year, month, day, hour, minute, second, ms] = m.slice(1, 8).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(utc);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  const zone = m[8];
  if (zone === undefined || zone === 'Z') return utc;
  const digits = zone.slice(1).replace(':', '');
  const zh = Number(digits.slice(0, 2));
  const zm = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (zh > 23 || zm > 59) return null;
  const offset = (zh * 60 + zm) * 60_000;
  return zone[0] === '+' ? utc - offset : utc + offset;
}

/**
 * An ISO-8601 duration as Java's Duration.parse reads it, `PnDTnHnMn.nS` (days, hours, minutes,
 * seconds with up to 9 decimals; each part may be signed). Returns milliseconds, or null.
 */
export function parseDuration(text: string): number | null {
  const m = /^([-+]?)P(?:([-+]?\d+)D)?(?:T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+)(?:[.,](\d{1,9}))?S)?)?$/i.exec(
    text.trim(),
  );
  if (m === null) return null;
  const [, sign, d, h, min, s, frac] = m;
  if (d === undefined && h === undefined && min === undefined && s === undefined) return null;
  // "PT" alone is not a duration either.
  if (/T$/i.test(text.trim())) return null;
  const secondsSign = s?.startsWith('-') ? -1 : 1;
  const fracMs = frac === undefined ? 0 : Math.floor(Number(frac.padEnd(9, '0')) / 1e6) * secondsSign;
  const total =
    Number(d ?? 0) * 86_400_000 +
    Number(h ?? 0) * 3_600_000 +
    Number(min ?? 0) * 60_000 +
    Number(s ?? 0) * 1000 +
    fracMs;
  return sign === '-' ? -total : total;
}
