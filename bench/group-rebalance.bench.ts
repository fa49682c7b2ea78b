// Rebalance time (issue 6): a group of 10 kafkajs consumers on a 100-partition topic, broker in a
// child process with group.initial.rebalance.delay.ms=0. One member leaves (disconnect →
// LeaveGroup); the figure is the time from the call to disconnect() until every remaining member
// has its new assignment (kafkajs GROUP_JOIN) and has started fetching again (FETCH_START after
// it). A new member then joins to restore 10 before the next round. The consumers heartbeat every
// 100 ms (kafkajs learns of a rebalance from its heartbeat) and long-poll fetches for 100 ms.
// Target: < 1 s. Median of ROUNDS rounds.
// Run: npm run build && node bench/group-rebalance.bench.ts

import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { startBrokerProcess } from './lib/broker-process.ts';

const ROUNDS = 5;
const MEMBERS = 10;
const PARTITIONS = 100;
const TOPIC = 'bench-rebalance';
const GROUP = 'bench-rebalance-group';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

interface Member {
  consumer: Consumer;
  /** performance.now() of the latest GROUP_JOIN, and whether a fetch started after it. */
  joinedAt: number;
  fetchingAt: number;
  partitions: number;
}

const broker = await startBrokerProcess({ 'group.initial.rebalance.delay.ms': '0', 'num.partitions': '1' });
const kafka = new Kafka({ clientId: 'bench', brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING });
const waiters = new Set<() => void>();
const wake = (): void => {
  for (const w of waiters) w();
};
const until = (ready: () => boolean): Promise<void> =>
  new Promise((resolve) => {
    const check = (): void => {
      if (ready()) {
        waiters.delete(check);
        resolve();
      }
    };
    waiters.add(check);
    check();
  });

async function addMember(): Promise<Member> {
  const consumer = kafka.consumer({
    groupId: GROUP,
    sessionTimeout: 10_000,
    heartbeatInterval: 100,
    maxWaitTimeInMs: 100,
  });
  const m: Member = { consumer, joinedAt: -1, fetchingAt: -1, partitions: 0 };
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    m.joinedAt = performance.now();
    m.fetchingAt = -1;
    m.partitions = e.payload.memberAssignment[TOPIC]?.length ?? 0;
    wake();
  });
  consumer.on(consumer.events.FETCH_START, () => {
    if (m.joinedAt >= 0 && m.fetchingAt < 0) {
      m.fetchingAt = performance.now();
      wake();
    }
  });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC });
  await consumer.run({ eachBatch: async () => {} });
  return m;
}

const stable = (ms: Member[], since: number): boolean =>
  ms.every((m) => m.joinedAt > since && m.fetchingAt > m.joinedAt) &&
  ms.reduce((n, m) => n + m.partitions, 0) === PARTITIONS;

try {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
  await admin.disconnect();
  const members: Member[] = [];
  for (let i = 0; i < MEMBERS; i++) members.push(await addMember());
  await until(() => stable(members, 0) && members.every((m) => m.partitions === PARTITIONS / MEMBERS));

  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const leaving = members.shift()!;
    const t0 = performance.now();
    await leaving.consumer.disconnect();
    await until(() => stable(members, t0));
    times.push(Math.max(...members.map((m) => m.fetchingAt)) - t0);
    // Back to 10 members, stable, before the next round.
    const t1 = performance.now();
    members.push(await addMember());
    await until(() => stable(members, t1));
  }
  console.log(
    `rebalance after a leave, ${MEMBERS} kafkajs members, ${PARTITIONS} partitions, initial delay 0: ` +
      `median ${Math.round(median(times))} ms until every remaining member fetches again ` +
      `(rounds: ${times.map((t) => Math.round(t)).join(', ')} ms)   target < 1000 ms`,
  );
  await Promise.all(members.map((m) => m.consumer.disconnect()));
} finally {
  await broker.stop();
}
