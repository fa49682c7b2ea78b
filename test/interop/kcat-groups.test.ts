/**
 * kcat's balanced consumer (`kcat -G`, librdkafka 2.0.2: FindCoordinator v2, JoinGroup v5,
 * SyncGroup v3, Heartbeat v3, OffsetCommit v7, OffsetFetch v7 — flexible — LeaveGroup v1) against
 * a Samsa broker: two members of one group split the partitions of a topic between them and
 * together read every message; when one leaves, the other gets every partition. With
 * group.instance.id (static membership, KIP-345) a member killed and restarted within its session
 * timeout gets its partitions back without a rebalance.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { type GroupBroker, startGroupBroker } from './group-helpers.ts';
import { ChildHandle, requireKcat, withTimeout } from './helpers.ts';

const T = { timeout: 60_000 };
const PARTITIONS = 4;
const COUNT = 40;

/** A `kcat -G` member; its "assigned:" lines and message lines can be awaited. */
class KcatMember {
  readonly child: ChildHandle;
  private readonly waiters = new Set<() => void>();

  constructor(kcat: string, bootstrap: string, group: string, topic: string, extra: string[] = []) {
    this.child = new ChildHandle(kcat, [
      ...extra,
      '-u', // unbuffered: message lines arrive as they are read
      '-b',
      bootstrap,
      '-G',
      group,
      '-f',
      'MSG %p %o %s\\n',
      '-X',
      'session.timeout.ms=6000',
      '-X',
      'heartbeat.interval.ms=500',
      '-X',
      'auto.offset.reset=earliest',
      '-X',
      'auto.commit.interval.ms=100',
      topic,
    ]);
    const wake = (): void => {
      for (const w of this.waiters) w();
    };
    this.child.child.stdout?.on('data', wake);
    this.child.child.stderr?.on('data', wake);
  }

  /** The partitions of the member's latest assignment; null before one, [] after a revoke. */
  get assignment(): number[] | null {
    let latest: number[] | null = null;
    for (const line of this.child.output.split('\n')) {
      const m = /rebalanced \(memberid [^)]*\): (assigned|revoked): (.*)$/.exec(line);
      if (m === null) continue;
      latest = m[1] === 'revoked' ? [] : [...m[2]!.matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1])).sort();
    }
    return latest;
  }

  get values(): string[] {
    return this.child.output
      .split('\n')
      .filter((l) => l.startsWith('MSG '))
      .map((l) => l.split(' ')[3]!);
  }

  watch(check: () => void): () => void {
    this.waiters.add(check);
    return () => this.waiters.delete(check);
  }
}

function untilBoth(members: KcatMember[], ready: () => boolean, what: string): Promise<void> {
  const unsubscribe: (() => void)[] = [];
  return withTimeout(
    new Promise<void>((resolve) => {
      const check = (): void => {
        if (ready()) resolve();
      };
      for (const m of members) unsubscribe.push(m.watch(check));
      check();
    }),
    30_000,
    `${what}; kcat output:\n${members.map((m) => m.child.output).join('\n----\n')}`,
  ).finally(() => {
    for (const u of unsubscribe) u();
  });
}

let b: GroupBroker | null = null;
const kcats: KcatMember[] = [];
after(async () => {
  for (const k of kcats) await k.child.stop('SIGKILL').catch(() => {});
  await b?.close();
});

describe('kcat -G (librdkafka 2.0.2 balanced consumer)', () => {
  test('two members split the partitions and together read every message', T, async () => {
    const kcat = requireKcat();
    b = await startGroupBroker();
    const topic = 'kcat-group';
    const kafka = new Kafka({
      clientId: 'samsa-kcat-groups-setup',
      brokers: [b.bootstrap],
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: PARTITIONS }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: COUNT }, (_, i) => ({ partition: i % PARTITIONS, value: `v${i}` })),
    });
    await producer.disconnect();

    const one = new KcatMember(kcat, b.bootstrap, 'kcat-g', topic);
    const two = new KcatMember(kcat, b.bootstrap, 'kcat-g', topic);
    kcats.push(one, two);
    const split = (): boolean => {
      const a = one.assignment;
      const c = two.assignment;
      if (a === null || c === null || a.length === 0 || c.length === 0) return false;
      return [...a, ...c].sort().join() === '0,1,2,3';
    };
    await untilBoth([one, two], split, 'the two members to split the 4 partitions');
    assert.equal(one.assignment!.length + two.assignment!.length, PARTITIONS);
    const all = Array.from({ length: COUNT }, (_, i) => `v${i}`).sort();
    await untilBoth([one, two], () => new Set([...one.values, ...two.values]).size === COUNT, 'every message read');
    assert.deepEqual([...new Set([...one.values, ...two.values])].sort(), all);

    // One leaves (SIGTERM: librdkafka closes the consumer, leaving the group): the other gets all.
    await one.child.stop('SIGTERM');
    await untilBoth([two], () => two.assignment?.length === PARTITIONS, 'the remaining member to get every partition');
  });

  test(
    'static members: a member restarted with its group.instance.id keeps its partitions, no rebalance',
    T,
    async () => {
      const kcat = requireKcat();
      b ??= await startGroupBroker();
      const topic = 'kcat-static';
      const kafka = new Kafka({
        clientId: 'samsa-kcat-groups-setup',
        brokers: [b.bootstrap],
        logLevel: logLevel.NOTHING,
      });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: PARTITIONS }] });
      await admin.disconnect();
      const staticMember = (instance: string): KcatMember => {
        const m = new KcatMember(kcat, b!.bootstrap, 'kcat-static-g', topic, ['-X', `group.instance.id=${instance}`]);
        kcats.push(m);
        return m;
      };
      const a = staticMember('instance-a');
      const first = staticMember('instance-b');
      await untilBoth(
        [a, first],
        () =>
          (a.assignment?.length ?? 0) + (first.assignment?.length ?? 0) === PARTITIONS &&
          (a.assignment?.length ?? 0) > 0 &&
          (first.assignment?.length ?? 0) > 0,
        'a split between the static members',
      );
      const before = first.assignment!;
      const mark = b.logger.lines.length;
      const aOutput = a.child.output.length;
      await first.child.stop('SIGKILL');
      const restarted = staticMember('instance-b');
      await untilBoth(
        [restarted],
        () => restarted.assignment !== null && restarted.assignment.length > 0,
        'the restarted member assigned',
      );
      assert.deepEqual(restarted.assignment, before, 'the same partitions as before the crash');
      const after = b.logger.lines.slice(mark);
      assert.ok(
        after.some((l) => /static member instance-b rejoins in Stable/.test(l)),
        after.join('\n'),
      );
      assert.equal(after.filter((l) => /Preparing to rebalance group kcat-static-g/.test(l)).length, 0, 'no rebalance');
      assert.ok(!/revoked/.test(a.child.output.slice(aOutput)), 'the other member kept its partitions throughout');
    },
  );
});
