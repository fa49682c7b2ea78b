/**
 * Kafka clients from PyPI against a Samsa broker: kafka-python (the newest 2.x release) and
 * confluent-kafka (whose wheel bundles its own, recent librdkafka), at the exact versions of
 * test/interop/python/requirements.txt, installed by pip into the venv .venv/interop
 * (python-venv.ts; made once, reused while the requirements stay the same), driven through
 * test/interop/python/{kafka_python,confluent_kafka}_pypi.py and JSON lines (client-records.ts).
 *
 * With each client: its admin client creates a 4-partition topic; an idempotent producer writes
 * keyed records with headers and explicit CreateTimes (compressed: gzip with kafka-python, zstd
 * with confluent-kafka); group consumers read them (confluent-kafka: two members splitting the 4
 * partitions) and commit; a second batch of records (uncompressed / lz4) is read by a new member
 * of the same group, which resumes from the commits. Checked byte for byte: keys, values, header
 * names, values and order, timestamps, partitions and offsets; the offsets each client reads back
 * with committed() and the ones Samsa's own client fetches; the stored batches' codec, producer
 * id and sequence numbers.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  brokerView,
  checkAcks,
  checkConsumed,
  checkStoredBatches,
  clientLines,
  consumeChecked,
  linesOf,
  makeTestRecords,
  offsetsObject,
  produceChecked,
  recordsInput,
} from './client-records.ts';
import { GROUP_TEST_PROPS } from './group-helpers.ts';
import { run, sharedBroker } from './helpers.ts';
import { interopPython, REQUIREMENTS } from './python-venv.ts';

const PARTITIONS = 4;
const ZEROS = Array.from({ length: PARTITIONS }, () => 0);
const ALL = Array.from({ length: PARTITIONS }, (_, p) => p);
const T = { timeout: 240_000 };

/** The version requirements.txt pins for `name`. */
function pinned(name: string): string {
  const line = readFileSync(REQUIREMENTS, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}==`));
  if (line === undefined) throw new Error(`${REQUIREMENTS} pins no version of ${name}`);
  return line.slice(name.length + 2).trim();
}

const KAFKA_PYTHON = pinned('kafka-python');
const CONFLUENT_KAFKA = pinned('confluent-kafka');

async function script(name: string, args: string[], input?: string) {
  const python = await interopPython();
  // -B: no __pycache__ beside the scripts.
  const r = await run(python, ['-B', join(import.meta.dirname, 'python', name), ...args], {
    timeoutMs: 60_000,
    ...(input !== undefined ? { input } : {}),
  });
  return clientLines(`${name} ${args.join(' ')}`, r);
}

describe('Kafka clients from PyPI (venv .venv/interop)', () => {
  const broker = sharedBroker(GROUP_TEST_PROPS);
  after(() => broker.close());

  test(
    `kafka-python ${KAFKA_PYTHON}: idempotent gzip producer, group consumer, commit, a second member resumes`,
    T,
    async () => {
      const tb = await broker.get();
      const py = (args: string[], input?: string) => script('kafka_python_pypi.py', args, input);
      const topic = 'kafka-python-pypi';
      const group = 'kafka-python-pypi-group';

      const created = await py(['create', tb.bootstrap, topic, String(PARTITIONS)]);
      assert.deepEqual(created, [{ type: 'created', topic, version: KAFKA_PYTHON }]);

      const target = { bootstrap: tb.bootstrap, logDir: tb.dir.path, topic, partitions: PARTITIONS };
      // Round one: gzip, read by the group's first member from the start.
      const first = makeTestRecords(200, 'kpp', PARTITIONS, 11);
      const end1 = await produceChecked(py, target, 'gzip', first, ZEROS);
      await consumeChecked('first member', py, target, group, first, ZEROS, end1);

      // Round two: uncompressed; a new member of the group reads only these, from the commits on.
      const second = makeTestRecords(40, 'kpp2', PARTITIONS, 12);
      const end2 = await produceChecked(py, target, 'none', second, end1);
      await consumeChecked('resuming member', py, target, group, second, end1, end2);
    },
  );

  test(
    `confluent-kafka ${CONFLUENT_KAFKA}: two group members split 4 partitions, idempotent zstd producer, commit, resume`,
    T,
    async () => {
      const tb = await broker.get();
      const py = (args: string[], input?: string) => script('confluent_kafka_pypi.py', args, input);
      const topic = 'confluent-kafka-pypi';
      const group = 'confluent-kafka-pypi-group';

      const created = await py(['create', tb.bootstrap, topic, String(PARTITIONS)]);
      const c = created as unknown as { type: string; topic: string; version: string; librdkafka: string }[];
      assert.deepEqual(
        c.map((l) => [l.type, l.topic, l.version]),
        [['created', topic, CONFLUENT_KAFKA]],
      );
      assert.match(c[0]!.librdkafka, /^\d+\.\d+\.\d+/, 'the librdkafka its wheel bundles');

      // Round one: two members share the group; once each has its share, the producer writes.
      const first = makeTestRecords(200, 'ckp', PARTITIONS, 21);
      const read1 = await py(['group', tb.bootstrap, topic, group, 'zstd'], recordsInput(first));
      const end1 = checkAcks('zstd produce', read1, first, ZEROS);
      await checkStoredBatches('zstd produce', tb.dir.path, topic, ZEROS, { codec: 'zstd', idempotent: true });
      const records = linesOf(read1, 'record');
      checkConsumed('two members', records, first, ZEROS);
      const assignments = linesOf(read1, 'assignment').sort((a, b) => a.member! - b.member!);
      assert.deepEqual(
        assignments.map((a) => a.partitions.length),
        [2, 2],
        `each member holds 2 partitions: ${JSON.stringify(assignments)}`,
      );
      assert.deepEqual(assignments.flatMap((a) => a.partitions).sort(), ALL, 'together they hold every partition once');
      for (const a of assignments) {
        const read = [...new Set(records.filter((r) => r.member === a.member).map((r) => r.partition))].sort();
        assert.deepEqual(read, a.partitions, `member ${a.member} read exactly its partitions`);
      }
      assert.deepEqual(
        linesOf(read1, 'committed').sort((a, b) => a.member! - b.member!),
        assignments.map((a) => ({
          type: 'committed',
          member: a.member,
          offsets: Object.fromEntries(a.partitions.map((p) => [String(p), end1[p]])),
        })),
        'each member commits and reads back the end offsets of its partitions',
      );
      assert.deepEqual(await brokerView(tb.bootstrap, group, topic, PARTITIONS), {
        committed: offsetsObject(end1),
        end: offsetsObject(end1),
      });

      // Round two: lz4 from a new idempotent producer; one new member resumes from the commits.
      const target = { bootstrap: tb.bootstrap, logDir: tb.dir.path, topic, partitions: PARTITIONS };
      const second = makeTestRecords(40, 'ckp2', PARTITIONS, 22);
      const end2 = await produceChecked(py, target, 'lz4', second, end1);
      await consumeChecked('resuming member', py, target, group, second, end1, end2);
    },
  );
});
