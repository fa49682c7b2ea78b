/**
 * `samsa consumer-groups` end to end: runCli against a real broker. Offsets are committed and
 * read back independently of the command's own client code (raw OffsetCommit/OffsetFetch on a
 * Connection, and kafkajs as a live group member), so the command is checked against the broker,
 * not against itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { runCli } from '../../src/cli/run-cli.ts';
import { Connection } from '../../src/client/connection.ts';
import { throwIfError } from '../../src/client/errors.ts';
import { systemClock } from '../../src/common/clock.ts';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';
import { createTopic, produce, startTestBroker, type TestBroker, unusedPort } from '../client/helpers.ts';
import { FakeCli } from './fake-deps.ts';

interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs `samsa consumer-groups <args>` with the system clock (the client's timers must run). */
async function consumerGroups(args: readonly string[]): Promise<CliResult> {
  const cli = new FakeCli();
  const code = await runCli(['consumer-groups', ...args], { ...cli.deps, clock: systemClock });
  return { code, out: cli.out, err: cli.err };
}

/** `%-Ns`. */
const p = (s: string, n: number): string => s.padEnd(n);

/** Data rows of a --describe table, split into columns. */
function describeRows(out: string): string[][] {
  const lines = out.split('\n').filter((l) => l.trim() !== '');
  assert.match(
    lines[0] ?? '',
    /^GROUP +TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +HOST +CLIENT-ID$/,
  );
  return lines.slice(1).map((l) => l.trim().split(/ +/));
}

describe('samsa consumer-groups without a cluster', () => {
  it('--help prints the usage', async () => {
    const r = await consumerGroups(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.out, /^Usage: samsa consumer-groups --bootstrap-server host:port/);
  });

  it('usage errors exit 2 naming the option, before connecting', async () => {
    const missing = await consumerGroups(['--list']);
    assert.equal(missing.code, 2);
    assert.equal(
      missing.err,
      "samsa consumer-groups: --bootstrap-server is required\nRun 'samsa consumer-groups --help' for usage.\n",
    );
    const bad = await consumerGroups(['--bootstrap-server', 'localhost', '--list']);
    assert.equal(bad.code, 2);
    assert.match(
      bad.err,
      /^samsa consumer-groups: --bootstrap-server: invalid broker address 'localhost' \(expected host:port\)\n/,
    );
    const port = await consumerGroups(['--bootstrap-server', 'localhost:99999', '--list']);
    assert.equal(port.code, 2);
    assert.match(port.err, /invalid port in broker address 'localhost:99999'/);
  });

  it('an unreachable cluster fails with exit 1 and the reason', async () => {
    const port = await unusedPort();
    const r = await consumerGroups(['--bootstrap-server', `127.0.0.1:${port}`, '--list']);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.equal(
      r.err,
      `Error: Executing consumer group command failed due to cannot connect to 127.0.0.1:${port}: ECONNREFUSED\n`,
    );
  });
});

describe('samsa consumer-groups against a broker', () => {
  let tb: TestBroker;
  let conn: Connection;
  let B: string[];

  /** Commits as a simple consumer (generation -1), straight on the wire. */
  async function commit(group: string, topic: string, offsets: Record<number, number>): Promise<void> {
    const res = await conn.send(ApiKey.OffsetCommit, {
      groupId: group,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        {
          name: topic,
          partitions: Object.entries(offsets).map(([partition, offset]) => ({
            partitionIndex: Number(partition),
            committedOffset: offset,
            committedMetadata: null,
          })),
        },
      ],
    });
    for (const t of res.topics)
      for (const x of t.partitions) throwIfError(x.errorCode, { subject: `${t.name}-${x.partitionIndex}` });
  }

  /** The group's committed offsets by partition of `topic`, straight from OffsetFetch. */
  async function committed(group: string, topic: string): Promise<Record<number, number>> {
    const res = await conn.send(ApiKey.OffsetFetch, {
      groups: [{ groupId: group, topics: null }],
      requireStable: false,
    });
    const g = res.groups![0]!;
    throwIfError(g.errorCode);
    const out: Record<number, number> = {};
    for (const t of g.topics) {
      if (t.name !== topic) continue;
      for (const x of t.partitions) if (x.committedOffset >= 0) out[x.partitionIndex] = x.committedOffset;
    }
    return out;
  }

  before(async () => {
    tb = await startTestBroker({ 'group.initial.rebalance.delay.ms': 0, 'offsets.topic.num.partitions': 3 });
    conn = await Connection.connect({ host: '127.0.0.1', port: tb.port });
    B = ['--bootstrap-server', tb.bootstrap];
    // orders: log end offsets 5, 3 and 0; record timestamps 1 s, 2 s, ... after the epoch.
    await createTopic(conn, 'orders', 3);
    await produce(conn, 'orders', 0, [1000, 2000, 3000, 4000, 5000]);
    await produce(conn, 'orders', 1, [1000, 2000, 3000]);
    // recent: three records 3 h, 2 h and 1 h old.
    const now = Date.now();
    await createTopic(conn, 'recent', 1);
    await produce(conn, 'recent', 0, [now - 3 * 3_600_000, now - 2 * 3_600_000, now - 3_600_000]);
    // The first FindCoordinator creates __consumer_offsets and answers COORDINATOR_NOT_AVAILABLE
    // (as Kafka does); asked again, the broker names itself once the partition is led.
    for (let attempt = 1; ; attempt++) {
      const res = await conn.send(ApiKey.FindCoordinator, { keyType: 0, coordinatorKeys: ['reports'] });
      if (res.coordinators![0]!.errorCode === 0) break;
      assert.ok(attempt < 1000, `no coordinator: ${JSON.stringify(res.coordinators)}`);
    }
    await commit('reports', 'orders', { 0: 2, 1: 3 });
  });
  after(async () => {
    await conn?.close();
    await tb?.close();
  });

  it('--list prints each consumer group on a line; --state adds the state column', async () => {
    const list = await consumerGroups([...B, '--list']);
    assert.equal(list.code, 0, list.err);
    assert.ok(list.out.split('\n').includes('reports'), list.out);
    const states = await consumerGroups([...B, '--list', '--state']);
    assert.equal(states.code, 0, states.err);
    assert.ok(states.out.startsWith(`${p('GROUP', 25)} ${p('STATE', 20)}\n`), states.out);
    assert.ok(states.out.includes(`\n${p('reports', 25)} ${p('Empty', 20)}\n`), states.out);
    const stable = await consumerGroups([...B, '--list', '--state', 'stable']);
    assert.equal(stable.out.includes('reports'), false, 'filtered out: not Stable');
  });

  it('--describe: committed offset, log end offset and lag per partition of an inactive group', async () => {
    const r = await consumerGroups([...B, '--describe', '--group', 'reports']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, "\nConsumer group 'reports' has no active members.\n");
    const row = (partition: string, cur: string, end: string, lag: string): string =>
      `${p('reports', 15)} ${p('orders', 15)} ${p(partition, 10)} ${p(cur, 15)} ${p(end, 15)} ${p(lag, 15)} ${p('-', 15)} ${p('-', 15)} -`;
    assert.equal(
      r.out,
      [
        '',
        `${p('GROUP', 15)} ${p('TOPIC', 15)} ${p('PARTITION', 10)} ${p('CURRENT-OFFSET', 15)} ${p('LOG-END-OFFSET', 15)} ${p('LAG', 15)} ${p('CONSUMER-ID', 15)} ${p('HOST', 15)} CLIENT-ID`,
        row('0', '2', '5', '3'),
        row('1', '3', '3', '0'),
        '',
      ].join('\n'),
    );
  });

  it('--describe --state and --members of an inactive group', async () => {
    const state = await consumerGroups([...B, '--describe', '--group', 'reports', '--state']);
    assert.equal(state.code, 0, state.err);
    const coordinator = `127.0.0.1:${tb.port}  (0)`;
    const w = Math.max(25, coordinator.length);
    assert.equal(
      state.out,
      `\n${p('GROUP', w)} ${p('COORDINATOR (ID)', 25)} ${p('ASSIGNMENT-STRATEGY', 20)} ${p('STATE', 15)} #MEMBERS` +
        `\n${p('reports', w)} ${p(coordinator, 25)} ${p('', 20)} ${p('Empty', 15)} 0\n`,
    );
    const members = await consumerGroups([...B, '--describe', '--group', 'reports', '--members']);
    assert.equal(members.code, 0, members.err);
    assert.equal(
      members.out,
      `\n${p('GROUP', 15)} ${p('CONSUMER-ID', 15)} ${p('HOST', 15)} ${p('CLIENT-ID', 15)} ${p('#PARTITIONS', 15)} \n`,
    );
    assert.equal(members.err, "\nConsumer group 'reports' has no active members.\n");
  });

  it('--describe of a group that does not exist: exit 1', async () => {
    const r = await consumerGroups([...B, '--describe', '--group', 'no-such-group']);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.equal(r.err, "Error: Consumer group 'no-such-group' does not exist.\n");
  });

  it('--reset-offsets is a dry run unless --execute; --execute commits what it prints', async () => {
    const dry = await consumerGroups([
      ...B,
      '--reset-offsets',
      '--group',
      'reports',
      '--topic',
      'orders',
      '--to-earliest',
    ]);
    assert.equal(dry.code, 0, dry.err);
    assert.match(dry.err, /^WARN: No action will be performed as the --execute option is missing\./);
    const header = `\n${p('GROUP', 30)} ${p('TOPIC', 30)} ${p('PARTITION', 10)} ${p('NEW-OFFSET', 15)}`;
    const row = (partition: number, offset: number): string =>
      `\n${p('reports', 30)} ${p('orders', 30)} ${p(String(partition), 10)} ${p(String(offset), 15)}`;
    assert.equal(dry.out, `${header}${row(0, 0)}${row(1, 0)}${row(2, 0)}\n`);
    assert.deepEqual(await committed('reports', 'orders'), { 0: 2, 1: 3 }, 'a dry run changes nothing');

    const exec = await consumerGroups([
      ...B,
      '--reset-offsets',
      '--group',
      'reports',
      '--topic',
      'orders',
      '--to-earliest',
      '--execute',
    ]);
    assert.equal(exec.code, 0, exec.err);
    assert.equal(exec.err, '');
    assert.equal(exec.out, dry.out);
    assert.deepEqual(await committed('reports', 'orders'), { 0: 0, 1: 0, 2: 0 });

    const latest = await consumerGroups([
      ...B,
      '--reset-offsets',
      '--group',
      'reports',
      '--all-topics',
      '--to-latest',
      '--execute',
    ]);
    assert.equal(latest.code, 0, latest.err);
    assert.equal(latest.out, `${header}${row(0, 5)}${row(1, 3)}${row(2, 0)}\n`);
    assert.deepEqual(await committed('reports', 'orders'), { 0: 5, 1: 3, 2: 0 });
  });

  it('--to-offset keeps offsets between the log start and end; --shift-by and --to-current', async () => {
    const R = [...B, '--reset-offsets', '--group', 'reports', '--execute'];
    const to = await consumerGroups([...R, '--topic', 'orders:0,1', '--to-offset', '4']);
    assert.equal(to.code, 0, to.err);
    assert.equal(
      to.err,
      'WARN: New offset (4) is higher than latest offset for topic partition orders-1. Value will be set to 3\n',
    );
    assert.deepEqual(await committed('reports', 'orders'), { 0: 4, 1: 3, 2: 0 });

    const shift = await consumerGroups([...R, '--topic', 'orders:0', '--shift-by', '-3']);
    assert.equal(shift.code, 0, shift.err);
    assert.deepEqual(await committed('reports', 'orders'), { 0: 1, 1: 3, 2: 0 });
    const under = await consumerGroups([...R, '--topic', 'orders:0', '--shift-by', '-10']);
    assert.match(
      under.err,
      /New offset \(-9\) is lower than earliest offset for topic partition orders-0\. Value will be set to 0/,
    );
    assert.deepEqual(await committed('reports', 'orders'), { 0: 0, 1: 3, 2: 0 });

    const current = await consumerGroups([
      ...B,
      '--reset-offsets',
      '--group',
      'reports',
      '--topic',
      'orders',
      '--to-current',
      '--dry-run',
    ]);
    assert.equal(current.code, 0, current.err);
    assert.match(current.out, /\nreports +orders +0 +0 +\nreports +orders +1 +3 +\nreports +orders +2 +0 +\n$/);
  });

  it('--to-datetime and --by-duration pick the first offset at or after the time', async () => {
    const R = [...B, '--reset-offsets', '--group', 'reports', '--execute'];
    // orders-0 has records at 1 s, 2 s, 3 s, ... after the epoch: 2.5 s is offset 2's (3 s).
    const utc = await consumerGroups([...R, '--topic', 'orders:0', '--to-datetime', '1970-01-01T00:00:02.500']);
    assert.equal(utc.code, 0, utc.err);
    assert.deepEqual((await committed('reports', 'orders'))[0], 2);
    const zoned = await consumerGroups([...R, '--topic', 'orders:0', '--to-datetime', '1970-01-01T01:00:01.000+01:00']);
    assert.equal(zoned.code, 0, zoned.err);
    assert.deepEqual((await committed('reports', 'orders'))[0], 0);

    // After every record (or an empty partition): Kafka's warning, and the log end offset.
    const late = await consumerGroups([...R, '--topic', 'orders:0,2', '--to-datetime', '2999-01-01T00:00:00.000']);
    assert.equal(late.code, 0, late.err);
    assert.ok(
      late.out.startsWith(
        '\nWarn: Partition 0 from topic orders is empty. Falling back to latest known offset.\n' +
          '\nWarn: Partition 2 from topic orders is empty. Falling back to latest known offset.\n',
      ),
      late.out,
    );
    assert.deepEqual(await committed('reports', 'orders'), { 0: 5, 1: 3, 2: 0 });

    // recent-0 has records 3 h, 2 h and 1 h old: 90 minutes back is the third one.
    const ago = await consumerGroups([...R, '--topic', 'recent', '--by-duration', 'PT90M']);
    assert.equal(ago.code, 0, ago.err);
    assert.deepEqual(await committed('reports', 'recent'), { 0: 2 });
    const longAgo = await consumerGroups([...R, '--topic', 'recent', '--by-duration', 'P1D']);
    assert.equal(longAgo.code, 0, longAgo.err);
    assert.deepEqual(await committed('reports', 'recent'), { 0: 0 });
  });

  it('--reset-offsets of a partition that does not exist fails and commits nothing', async () => {
    const r = await consumerGroups([
      ...B,
      '--reset-offsets',
      '--group',
      'reports',
      '--topic',
      'orders:7',
      '--to-latest',
      '--execute',
    ]);
    assert.equal(r.code, 1);
    assert.equal(
      r.err,
      'Error: Executing consumer group command failed due to UNKNOWN_TOPIC_OR_PARTITION: topic-partition orders-7: This server does not host this topic-partition.\n',
    );
    const t = await consumerGroups([
      ...B,
      '--reset-offsets',
      '--group',
      'reports',
      '--topic',
      'nope',
      '--to-latest',
      '--execute',
    ]);
    assert.equal(t.code, 1);
    assert.match(t.err, /UNKNOWN_TOPIC_OR_PARTITION: topic 'nope'/);
  });

  it('--reset-offsets of a new group creates its offsets', async () => {
    const r = await consumerGroups([
      ...B,
      '--reset-offsets',
      '--group',
      'fresh',
      '--topic',
      'orders',
      '--to-latest',
      '--execute',
    ]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(await committed('fresh', 'orders'), { 0: 5, 1: 3, 2: 0 });
  });

  describe('with a live kafkajs consumer in the group', () => {
    let kafka: Kafka;
    let consumer: Consumer | null = null;

    before(async () => {
      kafka = new Kafka({
        clientId: 'cg-test-client',
        brokers: [tb.bootstrap],
        logLevel: logLevel.NOTHING,
        retry: { retries: 5, initialRetryTime: 50, maxRetryTime: 1000 },
      });
      consumer = kafka.consumer({
        groupId: 'live',
        sessionTimeout: 10_000,
        heartbeatInterval: 500,
        maxWaitTimeInMs: 50,
      });
      // Done once kafkajs has committed the end of both non-empty partitions.
      const committedAll = new Promise<void>((resolve) => {
        const seen = new Map<number, number>();
        consumer!.on(consumer!.events.COMMIT_OFFSETS, (e) => {
          for (const t of e.payload.topics) {
            for (const x of t.partitions) seen.set(Number(x.partition), Number(x.offset));
          }
          if (seen.get(0) === 5 && seen.get(1) === 3) resolve();
        });
      });
      await consumer.connect();
      await consumer.subscribe({ topic: 'orders', fromBeginning: true });
      await consumer.run({ eachMessage: async () => {} });
      await committedAll;
    });
    after(async () => {
      await consumer?.disconnect();
    });

    it('--describe shows the owning member, its host and client id, and the lag', async () => {
      const r = await consumerGroups([...B, '--describe', '--group', 'live']);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.err, '');
      const rows = describeRows(r.out);
      assert.equal(rows.length, 3);
      const memberId = rows[0]![6]!;
      assert.match(memberId, /^cg-test-client-/);
      assert.deepEqual(
        rows.map((c) => c.slice(0, 6)),
        [
          ['live', 'orders', '0', '5', '5', '0'],
          ['live', 'orders', '1', '3', '3', '0'],
          ['live', 'orders', '2', '-', '0', '-'],
        ],
      );
      for (const c of rows) assert.deepEqual(c.slice(6), [memberId, '/127.0.0.1', 'cg-test-client']);
    });

    it('--describe --members --verbose and --state', async () => {
      const members = await consumerGroups([...B, '--describe', '--group', 'live', '--members', '--verbose']);
      assert.equal(members.code, 0, members.err);
      const lines = members.out.split('\n').filter((l) => l !== '');
      assert.match(lines[0]!, /^GROUP +CONSUMER-ID +HOST +CLIENT-ID +#PARTITIONS +ASSIGNMENT$/);
      assert.equal(lines.length, 2);
      assert.match(lines[1]!, /^live +cg-test-client-\S+ +\/127\.0\.0\.1 +cg-test-client +3 +orders\(0,1,2\)$/);

      const state = await consumerGroups([...B, '--describe', '--group', 'live', '--state']);
      assert.equal(state.code, 0, state.err);
      assert.match(state.out, /\nlive +127\.0\.0\.1:\d+ {2}\(0\) +RoundRobinAssigner +Stable +1\n$/);
    });

    it('--list --state shows it Stable', async () => {
      const r = await consumerGroups([...B, '--list', '--state', 'Stable']);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, `${p('GROUP', 25)} ${p('STATE', 20)}\n${p('live', 25)} ${p('Stable', 20)}\n`);
    });

    it('--reset-offsets and --delete are refused while the group is active', async () => {
      const reset = await consumerGroups([
        ...B,
        '--reset-offsets',
        '--group',
        'live',
        '--topic',
        'orders',
        '--to-earliest',
        '--execute',
      ]);
      assert.equal(reset.code, 1);
      assert.equal(
        reset.err,
        "Error: Assignments can only be reset if the group 'live' is inactive, but the current state is Stable.\n",
      );
      assert.deepEqual(await committed('live', 'orders'), { 0: 5, 1: 3 });
      const del = await consumerGroups([...B, '--delete', '--group', 'live']);
      assert.equal(del.code, 1);
      assert.equal(
        del.err,
        "Error: Deletion of some consumer groups failed:\n* Group 'live' could not be deleted due to: NON_EMPTY_GROUP: The group is not empty.\n",
      );
    });

    it('after the member leaves: rows without owner, then --delete works', async () => {
      await consumer!.disconnect();
      consumer = null;
      const r = await consumerGroups([...B, '--describe', '--group', 'live']);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.err, "\nConsumer group 'live' has no active members.\n");
      assert.deepEqual(describeRows(r.out), [
        ['live', 'orders', '0', '5', '5', '0', '-', '-', '-'],
        ['live', 'orders', '1', '3', '3', '0', '-', '-', '-'],
      ]);
      const del = await consumerGroups([...B, '--delete', '--group', 'live']);
      assert.equal(del.code, 0, del.err);
      assert.equal(del.out, "Deletion of requested consumer groups ('live') was successful.\n");
      assert.deepEqual(await committed('live', 'orders'), {});
      const gone = await consumerGroups([...B, '--describe', '--group', 'live']);
      assert.equal(gone.code, 1);
    });
  });

  it('--delete: partial failure names the group and reason; --all-groups deletes the rest', async () => {
    const r = await consumerGroups([...B, '--delete', '--group', 'fresh', '--group', 'ghost']);
    assert.equal(r.code, 1);
    assert.equal(r.out, "\nThese consumer groups were deleted successfully: 'fresh'\n");
    assert.equal(
      r.err,
      "Error: Deletion of some consumer groups failed:\n* Group 'ghost' could not be deleted due to: GROUP_ID_NOT_FOUND: The group id does not exist.\n",
    );
    const all = await consumerGroups([...B, '--delete', '--all-groups']);
    assert.equal(all.code, 0, all.err);
    assert.equal(all.out, "Deletion of requested consumer groups ('reports') was successful.\n");
    const list = await consumerGroups([...B, '--list']);
    assert.equal(list.out, '');
  });
});
