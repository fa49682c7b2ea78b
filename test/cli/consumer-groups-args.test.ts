import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/cli/cli-deps.ts';
import {
  parseConsumerGroupsArgs,
  parseDateTime,
  parseDuration,
  parseStates,
  parseTopicScope,
} from '../../src/cli/consumer-groups-args.ts';

const B = ['--bootstrap-server', 'localhost:9092'];

function usageError(args: readonly string[], message: string | RegExp): void {
  assert.throws(
    () => parseConsumerGroupsArgs(args),
    (e: unknown) => {
      assert.ok(e instanceof UsageError, `UsageError, got ${String(e)}`);
      if (typeof message === 'string') assert.equal(e.message, message);
      else assert.match(e.message, message);
      return true;
    },
  );
}

describe('consumer-groups arguments', () => {
  it('--list, with defaults', () => {
    const a = parseConsumerGroupsArgs([...B, '--list']);
    assert.equal(a.action, 'list');
    assert.equal(a.bootstrapServer, 'localhost:9092');
    assert.equal(a.timeoutMs, 5000);
    assert.equal(a.listStates, null);
    assert.equal(a.help, false);
  });

  it('--list --state with and without a state list; --option=value works too', () => {
    assert.deepEqual(parseConsumerGroupsArgs([...B, '--list', '--state']).listStates, []);
    assert.deepEqual(parseConsumerGroupsArgs([...B, '--state', '--list']).listStates, []);
    assert.deepEqual(parseConsumerGroupsArgs([...B, '--list', '--state', 'stable,EMPTY']).listStates, [
      'Stable',
      'Empty',
    ]);
    assert.deepEqual(parseConsumerGroupsArgs(['--bootstrap-server=h:1', '--list', '--state=dead']).listStates, [
      'Dead',
    ]);
    usageError(
      [...B, '--list', '--state', 'stable,bogus'],
      "Invalid state list 'stable,bogus'. Valid states are: PreparingRebalance, CompletingRebalance, Stable, Dead, Empty, Assigning, Reconciling",
    );
  });

  it('--describe: groups, views, verbose', () => {
    const a = parseConsumerGroupsArgs([...B, '--describe', '--group', 'g1', '--group', 'g2']);
    assert.equal(a.action, 'describe');
    assert.deepEqual(a.groups, ['g1', 'g2']);
    assert.equal(a.view, 'offsets');
    assert.equal(
      parseConsumerGroupsArgs([...B, '--describe', '--all-groups', '--members', '--verbose']).view,
      'members',
    );
    assert.equal(parseConsumerGroupsArgs([...B, '--describe', '--group', 'g', '--state']).view, 'state');
    assert.equal(parseConsumerGroupsArgs([...B, '--describe', '--group', 'g', '--offsets']).view, 'offsets');
    usageError(
      [...B, '--describe', '--group', 'g', '--members', '--state'],
      'Option --describe takes at most one of these options: --members, --offsets, --state',
    );
    usageError(
      [...B, '--describe', '--group', 'g', '--state', 'stable'],
      'Option --describe does not take a value for --state',
    );
    usageError([...B, '--describe'], '--describe needs --group or --all-groups');
    usageError(
      [...B, '--describe', '--group', 'g', '--all-groups'],
      '--group and --all-groups cannot be used together',
    );
  });

  it('--delete', () => {
    assert.deepEqual(parseConsumerGroupsArgs([...B, '--delete', '--group', 'a']).groups, ['a']);
    assert.equal(parseConsumerGroupsArgs([...B, '--delete', '--all-groups']).allGroups, true);
    usageError([...B, '--delete'], '--delete needs --group or --all-groups');
    usageError([...B, '--delete', '--group', 'a', '--topic', 't'], '--topic can only be used with --reset-offsets');
  });

  it('--reset-offsets: scope, scenario, dry run by default', () => {
    const a = parseConsumerGroupsArgs([...B, '--reset-offsets', '--group', 'g', '--topic', 't', '--to-earliest']);
    assert.equal(a.action, 'reset-offsets');
    assert.deepEqual(a.topics, [{ topic: 't', partitions: null }]);
    assert.deepEqual(a.scenario, { kind: 'to-earliest' });
    assert.equal(a.execute, false);
    assert.equal(a.implicitDryRun, true);

    const b = parseConsumerGroupsArgs([
      ...B,
      '--reset-offsets',
      '--group',
      'g',
      '--topic',
      't1:0,2',
      '--topic',
      't2',
      '--to-offset',
      '42',
      '--execute',
    ]);
    assert.deepEqual(b.topics, [
      { topic: 't1', partitions: [0, 2] },
      { topic: 't2', partitions: null },
    ]);
    assert.deepEqual(b.scenario, { kind: 'to-offset', offset: 42 });
    assert.equal(b.execute, true);
    assert.equal(b.implicitDryRun, false);

    const c = parseConsumerGroupsArgs([
      ...B,
      '--reset-offsets',
      '--all-groups',
      '--all-topics',
      '--to-latest',
      '--dry-run',
    ]);
    assert.equal(c.topics, null);
    assert.equal(c.execute, false);
    assert.equal(c.implicitDryRun, false);

    assert.deepEqual(
      parseConsumerGroupsArgs([
        ...B,
        '--reset-offsets',
        '--group',
        'g',
        '--all-topics',
        '--to-datetime',
        '2024-05-01T12:00:00.000',
      ]).scenario,
      { kind: 'to-datetime', timestamp: Date.UTC(2024, 4, 1, 12) },
    );
    assert.deepEqual(
      parseConsumerGroupsArgs([...B, '--reset-offsets', '--group', 'g', '--all-topics', '--shift-by', '-3']).scenario,
      { kind: 'shift-by', shift: -3 },
    );
    assert.deepEqual(
      parseConsumerGroupsArgs([...B, '--reset-offsets', '--group', 'g', '--all-topics', '--by-duration', 'PT1H'])
        .scenario,
      { kind: 'by-duration', durationMs: 3_600_000 },
    );
  });

  it('--reset-offsets: bad combinations and values are usage errors naming the option and value', () => {
    const R = [...B, '--reset-offsets', '--group', 'g'];
    usageError(
      [...R, '--topic', 't', '--to-earliest', '--dry-run', '--execute'],
      'Option --reset-offsets only accepts one of --execute and --dry-run',
    );
    usageError(
      [...R, '--topic', 't'],
      'Option --reset-offsets requires one of the following scenarios: --to-offset, --to-datetime, --by-duration, --to-earliest, --to-latest, --to-current, --shift-by',
    );
    usageError(
      [...R, '--topic', 't', '--to-earliest', '--to-latest'],
      "Option --to-earliest can't be used with option --to-latest",
    );
    usageError([...R, '--to-earliest'], 'One of the reset scopes should be defined: --all-topics, --topic.');
    usageError(
      [...R, '--to-earliest', '--all-topics', '--topic', 't'],
      '--all-topics and --topic cannot be used together',
    );
    usageError([...R, '--topic', 't', '--to-offset', 'ten'], "--to-offset needs an integer, not 'ten'");
    usageError([...R, '--topic', 't', '--to-offset'], '--to-offset needs a value');
    usageError(
      [...R, '--topic', 't', '--to-datetime', '2024-05-01 12:00'],
      /^--to-datetime: invalid datetime '2024-05-01 12:00' \(expected YYYY-MM-DDTHH:mm:SS\.sss/,
    );
    usageError(
      [...R, '--topic', 't', '--by-duration', '1h'],
      "--by-duration: invalid duration '1h' (expected PnDTnHnMnS, e.g. P1DT2H or PT30M)",
    );
    usageError([...R, '--topic', 't:x', '--to-latest'], "Invalid partition 'x' specified in topic arg 't:x'");
    usageError([...R, '--topic', 't:', '--to-latest'], /^Invalid topic arg 't:'/);
    usageError(
      [...B, '--reset-offsets', '--topic', 't', '--to-latest'],
      '--reset-offsets needs --group or --all-groups',
    );
  });

  it('actions: exactly one', () => {
    usageError(B, 'Command must include exactly one action: --list, --describe, --delete, --reset-offsets');
    usageError(
      [...B, '--list', '--describe', '--group', 'g'],
      'Command must include exactly one action: --list, --describe, --delete, --reset-offsets',
    );
  });

  it('options outside their action, unknown and unsupported options, missing values', () => {
    usageError(['--list'], '--bootstrap-server is required');
    usageError(['--bootstrap-server', '', '--list'], '--bootstrap-server needs a value (host:port)');
    usageError(
      [...B, '--list', '--group', 'g'],
      '--group can only be used with --describe or --delete or --reset-offsets',
    );
    usageError([...B, '--list', '--members'], '--members can only be used with --describe');
    usageError([...B, '--list', '--to-earliest'], '--to-earliest can only be used with --reset-offsets');
    usageError([...B, '--delete', '--group', 'g', '--execute'], '--execute can only be used with --reset-offsets');
    usageError([...B, '--list', '--verbose'], '--verbose can only be used with --describe');
    usageError([...B, '--list', '--frobnicate'], "unknown option '--frobnicate'");
    usageError([...B, '--list', 'extra'], "unexpected argument 'extra'");
    usageError([...B, '--list', '--export'], '--export (of kafka-consumer-groups.sh) is not supported by samsa');
    usageError([...B, '--list', '--timeout', '0'], "--timeout must be a positive number of milliseconds, not '0'");
    usageError([...B, '--list', '--list=yes'], '--list takes no value');
    usageError([...B, '--describe', '--group'], '--group needs a value');
    usageError([...B, '--bootstrap-server', 'b:2', '--list'], '--bootstrap-server given more than once');
  });

  it('--help wins over everything else', () => {
    assert.equal(parseConsumerGroupsArgs(['--help']).help, true);
    assert.equal(parseConsumerGroupsArgs(['--list', '-h']).help, true);
  });
});

describe('--to-datetime values (Kafka Utils.getDateTime)', () => {
  it('no zone means UTC; Z, +hh, +hhmm, +hh:mm and negative zones', () => {
    const utc = Date.UTC(2024, 1, 29, 23, 59, 58, 123);
    assert.equal(parseDateTime('2024-02-29T23:59:58.123'), utc);
    assert.equal(parseDateTime('2024-02-29T23:59:58.123Z'), utc);
    assert.equal(parseDateTime('2024-02-29T23:59:58.123+02'), utc - 2 * 3_600_000);
    assert.equal(parseDateTime('2024-02-29T23:59:58.123+0230'), utc - 2.5 * 3_600_000);
    assert.equal(parseDateTime('2024-02-29T23:59:58.123+02:30'), utc - 2.5 * 3_600_000);
    assert.equal(parseDateTime('2024-02-29T23:59:58.123-05:00'), utc + 5 * 3_600_000);
  });

  it('strict: impossible dates and times, missing milliseconds or T are refused', () => {
    for (const bad of [
      '2023-02-29T00:00:00.000',
      '2024-13-01T00:00:00.000',
      '2024-04-31T00:00:00.000',
      '2024-01-01T24:00:00.000',
      '2024-01-01T00:60:00.000',
      '2024-01-01T00:00:00',
      '2024-01-01 00:00:00.000',
      '2024-01-01T00:00:00.000+25',
      '2024-1-01T00:00:00.000',
      'yesterday',
    ]) {
      assert.equal(parseDateTime(bad), null, bad);
    }
  });
});

describe('--by-duration values (Java Duration.parse)', () => {
  it('days, hours, minutes, seconds and fractions', () => {
    assert.equal(parseDuration('PT0S'), 0);
    assert.equal(parseDuration('PT30M'), 1_800_000);
    assert.equal(parseDuration('P1DT2H3M4.5S'), 86_400_000 + 7_200_000 + 180_000 + 4_500);
    assert.equal(parseDuration('P2D'), 172_800_000);
    assert.equal(parseDuration('pt1h'), 3_600_000);
    assert.equal(parseDuration('-PT1H'), -3_600_000);
  });

  it('refuses what is not a duration', () => {
    for (const bad of ['', 'P', 'PT', '1H', 'PT1.5H', 'P1Y', 'PT1H30', 'P1DT'])
      assert.equal(parseDuration(bad), null, bad);
  });
});

describe('--topic and --state values', () => {
  it('topic and topic:partitions', () => {
    assert.deepEqual(parseTopicScope('orders'), { topic: 'orders', partitions: null });
    assert.deepEqual(parseTopicScope('orders:2,0,2'), { topic: 'orders', partitions: [2, 0] });
    assert.throws(() => parseTopicScope('orders:0:1'), UsageError);
    assert.throws(() => parseTopicScope(':0'), UsageError);
    assert.throws(() => parseTopicScope('orders:-1'), UsageError);
  });

  it('states in any case, without duplicates', () => {
    assert.deepEqual(parseStates('stable, Empty ,STABLE'), ['Stable', 'Empty']);
    assert.throws(() => parseStates('Unknown'), UsageError);
  });
});
