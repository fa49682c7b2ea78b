/**
 * One kafkajs 2.2.4 group member as a child process, so a test can kill it (SIGKILL: no
 * LeaveGroup, as a crash) or stop it (SIGTERM: consumer.disconnect(), a graceful leave).
 *
 *   node test/interop/kafkajs-group-member.ts '<json options>'
 *
 * Options: bootstrap, groupId, topic, sessionTimeout, and mode:
 *   - "auto": kafkajs auto-commit (after each batch, and on disconnect);
 *   - "at-least-once": process a message, then commit its offset + 1 (the seed's second option);
 *   - "at-most-once": commit the offset + 1, then process the message (the seed's first option).
 * With `hangAt`, the member stops cold at that offset — after processing it but before committing
 * (at-least-once), or after committing but before processing it (at-most-once) — to be killed
 * there: the crash the seed describes.
 *
 * Prints one JSON object per line: {"event":"assigned","partitions":[...]} after every rebalance,
 * {"event":"processed","partition":p,"offset":o,"value":v}, {"event":"hang","offset":o}.
 */
import { Kafka, logLevel } from 'kafkajs';

interface Options {
  bootstrap: string;
  groupId: string;
  topic: string;
  sessionTimeout: number;
  mode: 'auto' | 'at-least-once' | 'at-most-once';
  hangAt?: number;
  clientId?: string;
}

const o = JSON.parse(process.argv[2] ?? '{}') as Options;
const print = (line: object): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

const kafka = new Kafka({
  clientId: o.clientId ?? 'samsa-group-member',
  brokers: [o.bootstrap],
  logLevel: logLevel.NOTHING,
  retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 },
});
const consumer = kafka.consumer({
  groupId: o.groupId,
  sessionTimeout: o.sessionTimeout,
  rebalanceTimeout: 10_000,
  heartbeatInterval: Math.min(1000, Math.max(100, Math.floor(o.sessionTimeout / 10))),
  maxWaitTimeInMs: 100,
  retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 },
});
consumer.on(consumer.events.GROUP_JOIN, (e) => {
  const partitions = e.payload.memberAssignment[o.topic] ?? [];
  print({ event: 'assigned', memberId: e.payload.memberId, partitions: [...partitions].sort((a, b) => a - b) });
});
consumer.on(consumer.events.CRASH, (e) => print({ event: 'crash', error: String(e.payload.error) }));

process.on('SIGTERM', () => {
  void consumer.disconnect().finally(() => process.exit(0));
});

await consumer.connect();
await consumer.subscribe({ topic: o.topic, fromBeginning: true });
const hang = (): Promise<never> => new Promise(() => {});
const commit = (partition: number, offset: string) =>
  consumer.commitOffsets([{ topic: o.topic, partition, offset: String(Number(offset) + 1) }]);
await consumer.run({
  autoCommit: o.mode === 'auto',
  eachMessage: async ({ partition, message }) => {
    const offset = Number(message.offset);
    const processed = { event: 'processed', partition, offset, value: message.value?.toString() ?? null };
    if (o.mode === 'at-most-once') {
      await commit(partition, message.offset);
      if (offset === o.hangAt) {
        print({ event: 'hang', offset });
        await hang();
      }
      print(processed);
    } else {
      print(processed);
      if (offset === o.hangAt) {
        print({ event: 'hang', offset });
        await hang();
      }
      if (o.mode === 'at-least-once') await commit(partition, message.offset);
    }
  },
});
