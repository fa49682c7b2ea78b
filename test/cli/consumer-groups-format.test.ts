import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatAssignment,
  formatGroupState,
  formatGroupStates,
  formatMembers,
  formatOffsets,
  formatResetPlan,
} from '../../src/cli/consumer-groups-format.ts';

/** Kafka's `%-Ns`. */
const p = (s: string, n: number): string => s.padEnd(n);

describe('consumer-groups tables (Kafka 3.9 layout)', () => {
  it('--list --state: GROUP at least 15 + 10 wide, STATE 20 wide', () => {
    assert.equal(
      formatGroupStates([
        { groupId: 'g1', state: 'Empty' },
        { groupId: 'payments', state: 'Stable' },
      ]),
      `${p('GROUP', 25)} ${p('STATE', 20)}\n${p('g1', 25)} ${p('Empty', 20)}\n${p('payments', 25)} ${p('Stable', 20)}\n`,
    );
    const long = 'a-consumer-group-with-a-long-name';
    assert.equal(
      formatGroupStates([{ groupId: long, state: 'Dead' }]).split('\n')[1],
      `${long.padEnd(long.length + 10)} ${p('Dead', 20)}`,
    );
    assert.equal(formatGroupStates([]), `${p('GROUP', 25)} ${p('STATE', 20)}\n`);
  });

  it('--describe: the nine columns, "-" for missing values, widths grow with the data', () => {
    const text = formatOffsets([
      {
        group: 'g1',
        topic: 'orders',
        partition: 0,
        currentOffset: 2,
        logEndOffset: 5,
        lag: 3,
        consumerId: 'consumer-1-0f2c3a6e-aaaa-bbbb-cccc-0123456789ab',
        host: '/127.0.0.1',
        clientId: 'consumer-1',
      },
      {
        group: 'g1',
        topic: 'orders',
        partition: 1,
        currentOffset: null,
        logEndOffset: 7,
        lag: null,
        consumerId: '-',
        host: '-',
        clientId: '-',
      },
    ]);
    const cw = 'consumer-1-0f2c3a6e-aaaa-bbbb-cccc-0123456789ab'.length;
    const expected = [
      '',
      `${p('GROUP', 15)} ${p('TOPIC', 15)} ${p('PARTITION', 10)} ${p('CURRENT-OFFSET', 15)} ${p('LOG-END-OFFSET', 15)} ${p('LAG', 15)} ${p('CONSUMER-ID', cw)} ${p('HOST', 15)} CLIENT-ID`,
      `${p('g1', 15)} ${p('orders', 15)} ${p('0', 10)} ${p('2', 15)} ${p('5', 15)} ${p('3', 15)} ${p('consumer-1-0f2c3a6e-aaaa-bbbb-cccc-0123456789ab', cw)} ${p('/127.0.0.1', 15)} consumer-1`,
      `${p('g1', 15)} ${p('orders', 15)} ${p('1', 10)} ${p('-', 15)} ${p('7', 15)} ${p('-', 15)} ${p('-', cw)} ${p('-', 15)} -`,
      '',
    ].join('\n');
    assert.equal(text, expected);
  });

  it('--describe --members: #PARTITIONS, GROUP-INSTANCE-ID only for static members, ASSIGNMENT with --verbose', () => {
    const members = [
      {
        group: 'g',
        consumerId: 'c-1',
        groupInstanceId: '',
        host: '/10.0.0.1',
        clientId: 'app',
        assignment: [
          { topic: 't', partition: 2 },
          { topic: 'a', partition: 1 },
          { topic: 't', partition: 0 },
        ],
      },
      { group: 'g', consumerId: 'c-2', groupInstanceId: '', host: '/10.0.0.2', clientId: 'app', assignment: [] },
    ];
    assert.equal(
      formatMembers(members, false),
      [
        '',
        `${p('GROUP', 15)} ${p('CONSUMER-ID', 15)} ${p('HOST', 15)} ${p('CLIENT-ID', 15)} ${p('#PARTITIONS', 15)} `,
        `${p('g', 15)} ${p('c-1', 15)} ${p('/10.0.0.1', 15)} ${p('app', 15)} ${p('3', 15)} `,
        `${p('g', 15)} ${p('c-2', 15)} ${p('/10.0.0.2', 15)} ${p('app', 15)} ${p('0', 15)} `,
        '',
      ].join('\n'),
    );
    assert.equal(
      formatMembers(members, true),
      [
        '',
        `${p('GROUP', 15)} ${p('CONSUMER-ID', 15)} ${p('HOST', 15)} ${p('CLIENT-ID', 15)} ${p('#PARTITIONS', 15)} ASSIGNMENT`,
        `${p('g', 15)} ${p('c-1', 15)} ${p('/10.0.0.1', 15)} ${p('app', 15)} ${p('3', 15)} a(1), t(0,2)`,
        `${p('g', 15)} ${p('c-2', 15)} ${p('/10.0.0.2', 15)} ${p('app', 15)} ${p('0', 15)} -`,
        '',
      ].join('\n'),
    );
    const staticMember = [{ ...members[1]!, groupInstanceId: 'instance-7' }];
    assert.equal(
      formatMembers(staticMember, false).split('\n')[1],
      `${p('GROUP', 15)} ${p('CONSUMER-ID', 15)} ${p('GROUP-INSTANCE-ID', 17)} ${p('HOST', 15)} ${p('CLIENT-ID', 15)} ${p('#PARTITIONS', 15)} `,
    );
    assert.equal(
      formatMembers([], false),
      `\n${p('GROUP', 15)} ${p('CONSUMER-ID', 15)} ${p('HOST', 15)} ${p('CLIENT-ID', 15)} ${p('#PARTITIONS', 15)} \n`,
    );
  });

  it('assignment strings sort topics and partitions', () => {
    assert.equal(
      formatAssignment([
        { topic: 'z', partition: 10 },
        { topic: 'z', partition: 9 },
        { topic: 'b', partition: 0 },
      ]),
      'b(0), z(9,10)',
    );
    assert.equal(formatAssignment([]), '-');
  });

  it('--describe --state: the first column is as wide as the coordinator column (at least 25)', () => {
    assert.equal(
      formatGroupState({
        group: 'g1',
        coordinator: 'localhost:9092  (0)',
        assignmentStrategy: 'range',
        state: 'Stable',
        members: 2,
      }),
      `\n${p('GROUP', 25)} ${p('COORDINATOR (ID)', 25)} ${p('ASSIGNMENT-STRATEGY', 20)} ${p('STATE', 15)} #MEMBERS` +
        `\n${p('g1', 25)} ${p('localhost:9092  (0)', 25)} ${p('range', 20)} ${p('Stable', 15)} 2\n`,
    );
    const coordinator = 'broker-number-one.example.com:9092  (1)';
    assert.ok(
      formatGroupState({ group: 'g', coordinator, assignmentStrategy: '', state: 'Empty', members: 0 }).startsWith(
        `\n${p('GROUP', coordinator.length)} `,
      ),
    );
  });

  it('--reset-offsets: fixed widths, one row per partition, nothing when no group was processed', () => {
    assert.equal(
      formatResetPlan(1, [
        { group: 'g1', topic: 'orders', partition: 0, offset: 0 },
        { group: 'g1', topic: 'orders', partition: 1, offset: 12 },
      ]),
      `\n${p('GROUP', 30)} ${p('TOPIC', 30)} ${p('PARTITION', 10)} ${p('NEW-OFFSET', 15)}` +
        `\n${p('g1', 30)} ${p('orders', 30)} ${p('0', 10)} ${p('0', 15)}` +
        `\n${p('g1', 30)} ${p('orders', 30)} ${p('1', 10)} ${p('12', 15)}\n`,
    );
    assert.equal(
      formatResetPlan(1, []),
      `\n${p('GROUP', 30)} ${p('TOPIC', 30)} ${p('PARTITION', 10)} ${p('NEW-OFFSET', 15)}\n`,
    );
    assert.equal(formatResetPlan(0, []), '');
  });
});
