/**
 * kafkajs 2.2.4 consumer groups against a Samsa broker (members are child processes,
 * kafkajs-group-member.ts, so a crash is a real SIGKILL):
 * - a group of 3 on a 6-partition topic gets 2 partitions each; a member killed without leaving
 *   is expired after its session timeout and the other two take its partitions; a member that
 *   leaves (SIGTERM → disconnect → LeaveGroup) is replaced at once;
 * - two groups on one topic each receive every message (publish-subscribe), one group shares
 *   them (queue);
 * - committed offsets resume after every consumer and the broker have restarted;
 * - the seed's two delivery semantics across a consumer crash: commit after processing loses
 *   nothing (at-least-once), commit before processing repeats nothing (at-most-once);
 * - more consumers than partitions: the extra member gets nothing, and takes over a partition
 *   when a member leaves.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import {
  type GroupBroker,
  GroupMemberProcess,
  isSplit,
  startGroupBroker,
  untilAll,
  untilSplit,
} from './group-helpers.ts';

const T = { timeout: 60_000 };
const SESSION_MS = 3000;

const brokers: GroupBroker[] = [];
const members: GroupMemberProcess[] = [];
after(async () => {
  await Promise.all(members.map((m) => m.kill().catch(() => {})));
  for (const b of brokers) await b.close();
});

async function broker(): Promise<GroupBroker> {
  const b = await startGroupBroker();
  brokers.push(b);
  return b;
}

function member(
  b: GroupBroker,
  name: string,
  groupId: string,
  topic: string,
  extra: { sessionTimeout?: number; mode?: 'auto' | 'at-least-once' | 'at-most-once'; hangAt?: number } = {},
): GroupMemberProcess {
  const m = new GroupMemberProcess(name, {
    bootstrap: b.bootstrap,
    groupId,
    topic,
    sessionTimeout: extra.sessionTimeout ?? SESSION_MS,
    mode: extra.mode ?? 'auto',
    ...(extra.hangAt !== undefined ? { hangAt: extra.hangAt } : {}),
  });
  members.push(m);
  return m;
}

async function createAndFill(
  b: GroupBroker,
  topic: string,
  partitions: number,
  count: number,
  from = 0,
): Promise<void> {
  const kafka = new Kafka({ clientId: 'samsa-groups-setup', brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions }] });
  await admin.disconnect();
  if (count === 0) return;
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: Array.from({ length: count }, (_, i) => ({ partition: (from + i) % partitions, value: `m${from + i}` })),
  });
  await producer.disconnect();
}

const values = (ms: readonly GroupMemberProcess[]): string[] =>
  ms.flatMap((m) => m.events.filter((e) => e.event === 'processed').map((e) => e.value!));

describe('kafkajs 2.2.4 consumer groups', () => {
  test(
    '3 members share 6 partitions 2 each; a killed member is expired and the others take its partitions',
    T,
    async () => {
      const b = await broker();
      await createAndFill(b, 'six', 6, 0);
      const group = [1, 2, 3].map((i) => member(b, `m${i}`, 'g-kill', 'six'));
      await untilAll(group, () => isSplit(group, 6) && group.every((m) => m.assignment!.length === 2), 'a 2-2-2 split');
      const [victim, ...survivors] = group as [GroupMemberProcess, ...GroupMemberProcess[]];
      const mark = b.logger.lines.length;
      await victim.kill();
      await untilSplit(survivors, 6, "the survivors cover the dead member's partitions");
      assert.deepEqual(
        survivors.map((m) => m.assignment!.length),
        [3, 3],
      );
      // It was the session timeout, not a LeaveGroup, that removed it.
      await b.logger.waitFor(/has failed \(session timeout\)/, 1000, mark);
      assert.equal(b.logger.lines.slice(mark).filter((l) => l.includes('through LeaveGroup')).length, 0);
    },
  );

  test('a graceful leave rebalances at once, long before the session timeout', T, async () => {
    const b = await broker();
    await createAndFill(b, 'six-leave', 6, 0);
    // A 60 s session: only the LeaveGroup can end this test in time.
    const group = [1, 2, 3].map((i) => member(b, `l${i}`, 'g-leave', 'six-leave', { sessionTimeout: 60_000 }));
    await untilSplit(group, 6, 'the first split');
    const [leaver, ...stay] = group as [GroupMemberProcess, ...GroupMemberProcess[]];
    const mark = b.logger.lines.length;
    await leaver.stop();
    await untilAll(stay, () => isSplit(stay, 6), 'the two remaining members cover every partition', 20_000);
    await b.logger.waitFor(/has left group g-leave through LeaveGroup/, 1000, mark);
  });

  test('two groups on one topic each receive every message; the members of a group share them', T, async () => {
    const b = await broker();
    await createAndFill(b, 'pubsub', 3, 60);
    const a1 = member(b, 'a1', 'group-a', 'pubsub');
    const a2 = member(b, 'a2', 'group-a', 'pubsub');
    const b1 = member(b, 'b1', 'group-b', 'pubsub');
    const all = Array.from({ length: 60 }, (_, i) => `m${i}`).sort();
    await untilAll([a1, a2], () => new Set(values([a1, a2])).size === 60, 'group a received everything');
    await b1.until(() => new Set(values([b1])).size === 60, 'group b received everything');
    assert.deepEqual([...new Set(values([b1]))].sort(), all);
    assert.deepEqual([...new Set(values([a1, a2]))].sort(), all);
  });

  test('committed offsets resume after every consumer and the broker restart', T, async () => {
    const b = await broker();
    await createAndFill(b, 'resume', 2, 40);
    const first = member(b, 'first', 'g-resume', 'resume');
    await first.until(() => first.processed().length === 40, 'the first 40 messages');
    await first.stop(); // disconnect commits and leaves
    await b.restart();
    const kafka = new Kafka({ clientId: 'samsa-groups-setup', brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'resume',
      messages: Array.from({ length: 20 }, (_, i) => ({ partition: i % 2, value: `late${i}` })),
    });
    await producer.disconnect();
    const second = member(b, 'second', 'g-resume', 'resume');
    await second.until(() => second.processed().length >= 20, 'the 20 new messages');
    assert.deepEqual(
      values([second]).sort(),
      Array.from({ length: 20 }, (_, i) => `late${i}`).sort(),
      'only what came after the committed offsets',
    );
    await second.stop();
  });

  test('at-least-once: commit after processing — a crash loses nothing (one message may repeat)', T, async () => {
    const b = await broker();
    await createAndFill(b, 'alo', 1, 20);
    const crashing = member(b, 'alo-1', 'g-alo', 'alo', { mode: 'at-least-once', hangAt: 10 });
    await crashing.until(() => crashing.events.some((e) => e.event === 'hang'), 'processing offset 10, not committed');
    await crashing.kill();
    const next = member(b, 'alo-2', 'g-alo', 'alo', { mode: 'at-least-once' });
    await next.until(() => next.processed().includes(19), 'the rest of the partition');
    assert.deepEqual(
      crashing.processed(),
      Array.from({ length: 11 }, (_, i) => i),
    );
    assert.deepEqual(
      next.processed(),
      Array.from({ length: 10 }, (_, i) => i + 10),
      'from the last commit: 10 again',
    );
    const union = new Set([...crashing.processed(), ...next.processed()]);
    assert.equal(union.size, 20, 'nothing lost');
    await next.stop();
  });

  test('at-most-once: commit before processing — a crash repeats nothing (one message may be lost)', T, async () => {
    const b = await broker();
    await createAndFill(b, 'amo', 1, 20);
    const crashing = member(b, 'amo-1', 'g-amo', 'amo', { mode: 'at-most-once', hangAt: 10 });
    await crashing.until(() => crashing.events.some((e) => e.event === 'hang'), 'offset 10 committed, not processed');
    await crashing.kill();
    const next = member(b, 'amo-2', 'g-amo', 'amo', { mode: 'at-most-once' });
    await next.until(() => next.processed().includes(19), 'the rest of the partition');
    assert.deepEqual(
      crashing.processed(),
      Array.from({ length: 10 }, (_, i) => i),
    );
    assert.deepEqual(
      next.processed(),
      Array.from({ length: 9 }, (_, i) => i + 11),
      'from the last commit: 11',
    );
    const both = [...crashing.processed(), ...next.processed()];
    assert.equal(new Set(both).size, both.length, 'nothing processed twice');
    await next.stop();
  });

  test(
    'more consumers than partitions: the extra one gets nothing, then takes over when a member leaves',
    T,
    async () => {
      const b = await broker();
      await createAndFill(b, 'two', 2, 0);
      const group = [1, 2, 3].map((i) => member(b, `x${i}`, 'g-extra', 'two'));
      await untilAll(
        group,
        () => isSplit(group, 2) && group.filter((m) => m.assignment!.length === 0).length === 1,
        'a 1-1-0 split',
      );
      const idle = group.find((m) => m.assignment!.length === 0)!;
      const busy = group.find((m) => m.assignment!.length === 1)!;
      await busy.stop();
      const rest = group.filter((m) => m !== busy);
      await untilAll(rest, () => isSplit(rest, 2) && idle.assignment!.length === 1, 'the idle member took a partition');
    },
  );
});
