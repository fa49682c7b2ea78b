/**
 * Durability across a crash: `samsa server` runs as a child process with
 * log.flush.interval.messages=1; kafkajs produces with acks=all (no retries, so the client never
 * duplicates), one send loop per partition; the broker is SIGKILLed while sends are going; a new
 * broker on the same log dir must hold every acknowledged record exactly once, in order, per
 * partition. A send left unanswered by the kill may be there (whole, once, after the acknowledged
 * ones) or not.
 * Then SIGTERM stops the second broker cleanly (exit code 0).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { BROKER_STARTED, type ChildHandle, freePort, makeTempDir, spawnServer, type TempDir } from './helpers.ts';
import { readTopicWithKafkajs } from './kafkajs-reader.ts';

const PARTITIONS = 4;
const PER_SEND = 5;
/** Sends acknowledged (over all partitions) when the kill comes. */
const KILL_AFTER = 60;

let dir: TempDir | null = null;
const children: ChildHandle[] = [];
after(async () => {
  for (const c of children) await c.stop('SIGKILL').catch(() => {});
  await dir?.remove();
});

test('after SIGKILL and a restart on the same log dir, every record acknowledged with acks=all is there once, in order', async (t) => {
  dir = await makeTempDir('samsa-restart-');
  const port = await freePort();
  const overrides = {
    listeners: `PLAINTEXT://127.0.0.1:${port}`,
    'log.dirs': dir.path,
    'log.flush.interval.messages': 1,
  };
  const first = spawnServer(overrides);
  children.push(first);
  await first.waitForLine(BROKER_STARTED);

  const kafka = new Kafka({
    clientId: 'samsa-interop-restart',
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 10_000,
    retry: { retries: 0 },
  });
  const topic = 'restart';
  const admin = kafka.admin();
  await admin.connect();
  assert.equal(
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: PARTITIONS }] }),
    true,
  );
  await admin.disconnect();

  // One send loop per partition, all pipelined on kafkajs's one connection to the broker, so
  // several Produce requests are inside the broker when it is killed.
  const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
  await producer.connect();
  /** Values acknowledged, per partition, in send order. */
  const acked: string[][] = Array.from({ length: PARTITIONS }, () => []);
  /** Per partition, the send that had not been answered when it failed (it may have been written). */
  const unanswered: (string[] | null)[] = Array.from({ length: PARTITIONS }, () => null);
  let ackedSends = 0;
  let killed = false;
  const sendLoop = async (partition: number): Promise<void> => {
    for (let s = 0; s < 10_000; s++) {
      const values = Array.from({ length: PER_SEND }, (_, i) => `p${partition} send ${s} message ${i}`);
      try {
        const [meta] = await producer.send({
          topic,
          acks: -1,
          messages: values.map((value) => ({ partition, value })),
        });
        assert.equal(meta?.errorCode, 0);
        assert.equal(
          Number(meta?.baseOffset),
          acked[partition]!.length,
          `partition ${partition} send ${s}: base offset`,
        );
      } catch (e) {
        if (!killed) throw e;
        unanswered[partition] = values;
        return;
      }
      acked[partition]!.push(...values);
      if (++ackedSends === KILL_AFTER) {
        first.child.kill('SIGKILL');
        killed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: PARTITIONS }, (_, p) => sendLoop(p)));
  await producer.disconnect().catch(() => {});
  const exit = await first.exited;
  assert.equal(exit.signal, 'SIGKILL', 'the first broker died by SIGKILL');
  const ackedCount = acked.reduce((n, a) => n + a.length, 0);
  assert.ok(ackedCount >= KILL_AFTER * PER_SEND, `${ackedCount} records acknowledged before the kill`);

  const second = spawnServer(overrides);
  children.push(second);
  await second.waitForLine(BROKER_STARTED);
  const read = await readTopicWithKafkajs({ brokers: [`127.0.0.1:${port}`], topic });
  for (let p = 0; p < PARTITIONS; p++) {
    const got = (read.partitions.get(p) ?? []).map((r) => r.value?.toString() ?? '<null>');
    const want = acked[p]!;
    assert.deepEqual(got.slice(0, want.length), want, `partition ${p}: the acknowledged records, once, in order`);
    const extra = got.slice(want.length);
    assert.ok(
      extra.length === 0 || JSON.stringify(extra) === JSON.stringify(unanswered[p]),
      `partition ${p}: after the acknowledged records only the send unanswered at the kill may follow, whole and once; got ${JSON.stringify(extra)}`,
    );
    assert.deepEqual(
      (read.partitions.get(p) ?? []).map((r) => r.offset),
      got.map((_, i) => i),
      `partition ${p}: offsets`,
    );
  }
  const survivors = unanswered.filter((u, p) => u !== null && (read.partitions.get(p)?.length ?? 0) > acked[p]!.length);
  t.diagnostic(
    `${ackedCount} records acknowledged before SIGKILL, all found after the restart; ` +
      `${survivors.length} of the sends left unanswered were written`,
  );

  const stopped = await second.stop('SIGTERM');
  assert.equal(stopped.code, 0, `SIGTERM stops the broker cleanly; output:\n${second.output}`);
});
