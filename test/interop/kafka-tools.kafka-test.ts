/**
 * Apache Kafka's own command-line tools and Java clients (Kafka 3.9.2, the jars tools/kafka
 * resolves from Maven Central) as clients of a Samsa broker started in-process — not of a Kafka
 * broker. Each test starts its own broker (broker id 1, so the tools' output reads as it does
 * against a one-node Kafka), so every listing is exact.
 *
 * - kafka-topics: create with config overrides, list, describe (parsed: topic id, partition
 *   count, replication factor, configs, each partition's leader, replicas and ISR), add
 *   partitions, delete, and the errors (an existing topic, an unknown topic, too few brokers, an
 *   unknown config, fewer partitions).
 * - kafka-console-producer / kafka-console-consumer: keys, headers and values line for line,
 *   with the partition, offset and CreateTime the consumer prints.
 * - kafka-consumer-groups: a console consumer in a group, then --list, --describe (offsets, log
 *   end offsets, lag, parsed), --state, --reset-offsets --to-earliest --execute, --delete.
 * - kafka-configs: topic configs (dynamic, --all, with static broker overrides as synonyms),
 *   alter and delete; broker configs.
 * - The Java clients (test/interop/java/IdempotentRoundTrip.java, run as a single-file source
 *   program): AdminClient, an idempotent acks=all producer with each compression codec, a group
 *   consumer with manual commit; checked byte for byte and against the stored batches.
 * - The seed's workflow with Kafka's tools: create a topic, type lines into the console
 *   producer, read them back with the console consumer --from-beginning.
 *
 * Every expected output here was also checked by hand against Kafka 3.9.2 in ZooKeeper mode (the
 * mode Samsa models), which prints the same bytes; the few places where Samsa answers differently
 * say so. Kafka's tools log only WARN and above, to stderr (tools/kafka/tools-log4j.properties),
 * so stdout is exactly the tool's output; stderr of a successful run must hold nothing but the
 * notes the tool always writes there ("Processed a total of N messages", "... has no active
 * members."): a warning logged by the clients inside the tools fails the test.
 *
 * Without Java or Kafka's jars every test fails with what to install (kafkaMissing()).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type JavaRunResult, KAFKA_TOOLS_DIR, kafkaLibs, kafkaVersion, runKafkaJava } from '../kafka/kafka-broker.ts';
import {
  brokerView,
  type ClientLine,
  checkAcks,
  checkConsumed,
  checkStoredBatches,
  clientLines,
  linesOf,
  makeTestRecords,
  offsetsObject,
  recordsInput,
} from './client-records.ts';
import { GROUP_TEST_PROPS } from './group-helpers.ts';
import { ChildHandle, startTestBroker, type TestBroker, withTimeout } from './helpers.ts';
import { makeMessages } from './messages.ts';

/** The broker id the tests' brokers take (Kafka's example configs use 1 too). */
const BROKER_ID = 1;
const JAVA_PROGRAM = join(import.meta.dirname, 'java', 'IdempotentRoundTrip.java');

/** Main classes of Kafka 3.9's tools (what bin/kafka-*.sh run). */
const TOOLS = {
  'kafka-topics': 'org.apache.kafka.tools.TopicCommand',
  'kafka-console-producer': 'kafka.tools.ConsoleProducer',
  'kafka-console-consumer': 'org.apache.kafka.tools.consumer.ConsoleConsumer',
  'kafka-consumer-groups': 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
  'kafka-configs': 'kafka.admin.ConfigCommand',
} as const;
type Tool = keyof typeof TOOLS;

interface ToolRun extends JavaRunResult {
  /** The command line, for messages. */
  readonly what: string;
  readonly ms: number;
}

function explain(r: ToolRun): string {
  return `${r.what}: exit code ${r.code} after ${r.ms} ms\n--- stdout ---\n${r.stdout.slice(0, 4000)}\n--- stderr ---\n${r.stderr.slice(-4000)}`;
}

/** A command line: an argument list, or a string split at spaces (for arguments without any). */
type Args = string | readonly string[];
const argv = (args: Args): string[] => (typeof args === 'string' ? args.split(' ') : [...args]);

/** Runs a tool with '--bootstrap-server' pointing at the broker. */
async function tool(tb: TestBroker, name: Tool, command: Args, input?: string): Promise<ToolRun> {
  const started = performance.now();
  const args = argv(command);
  const full = ['--bootstrap-server', tb.bootstrap, ...args];
  const r = await runKafkaJava(TOOLS[name], full, { timeoutMs: 60_000, ...(input !== undefined ? { input } : {}) });
  return { ...r, what: `${name} ${args.join(' ')}`, ms: Math.round(performance.now() - started) };
}

/** Runs a tool that must succeed quietly (exit 0, nothing on stderr but `stderr`); returns stdout. */
async function ok(tb: TestBroker, name: Tool, args: Args, options: { input?: string; stderr?: string } = {}) {
  const r = await tool(tb, name, args, options.input);
  assert.equal(r.code, 0, explain(r));
  assert.equal(r.stderr, options.stderr ?? '', `stderr of a successful run\n${explain(r)}`);
  return r.stdout;
}

/** Runs a tool that must fail with exit code 1; returns the run. */
async function fails(tb: TestBroker, name: Tool, args: Args): Promise<ToolRun> {
  const r = await tool(tb, name, args);
  assert.equal(r.code, 1, explain(r));
  return r;
}

/** Starts a tool that keeps running (its output can be awaited line by line). */
function spawnTool(tb: TestBroker, name: Tool, args: Args): ChildHandle {
  return new ChildHandle('java', [
    '-Xmx512m',
    '-XX:TieredStopAtLevel=1',
    `-Dlog4j.configuration=file:${join(KAFKA_TOOLS_DIR, 'tools-log4j.properties')}`,
    '-cp',
    `${kafkaLibs()}/*`,
    TOOLS[name],
    '--bootstrap-server',
    tb.bootstrap,
    ...argv(args),
  ]);
}

/** A fresh broker for one test, closed (and its log dir removed) afterwards. */
async function withBroker(
  properties: Record<string, string | number | boolean>,
  body: (tb: TestBroker) => Promise<void>,
): Promise<void> {
  kafkaLibs(); // Fails first, saying what to install, when Java or the jars are missing.
  const tb = await startTestBroker({ 'broker.id': BROKER_ID, ...GROUP_TEST_PROPS, ...properties });
  try {
    await body(tb);
  } catch (e) {
    if (e instanceof Error) e.message += `\n--- broker log (last lines) ---\n${tb.logTail(40)}`;
    throw e;
  } finally {
    await tb.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Parsers of the tools' output

/** The `Key: value` fields of one tab-separated line of `kafka-topics --describe`. */
function describeFields(line: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of line.replace(/^\t/, '').split('\t')) {
    const colon = part.indexOf(': ');
    assert.ok(colon > 0, `no "Key: value" in ${JSON.stringify(part)} of line ${JSON.stringify(line)}`);
    fields[part.slice(0, colon)] = part.slice(colon + 2);
  }
  return fields;
}

interface DescribedTopic {
  readonly topic: Record<string, string>;
  readonly partitions: Record<string, string>[];
}

/** `kafka-topics --describe`: a topic line, then one tab-indented line per partition; by topic name. */
function parseTopicsDescribe(stdout: string): Map<string, DescribedTopic> {
  const out = new Map<string, DescribedTopic>();
  let current: DescribedTopic | null = null;
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('\t')) {
      assert.ok(current !== null, `a partition line before any topic line: ${line}`);
      current.partitions.push(describeFields(line));
    } else {
      current = { topic: describeFields(line), partitions: [] };
      const name = current.topic['Topic'];
      assert.ok(name !== undefined, `a topic line without Topic: ${line}`);
      out.set(name, current);
    }
  }
  return out;
}

/** What `kafka-topics --describe` prints for a healthy topic on broker BROKER_ID. */
function expectedDescribe(topic: string, topicId: string, partitions: number, configs: string): DescribedTopic {
  const id = String(BROKER_ID);
  return {
    topic: {
      Topic: topic,
      TopicId: topicId,
      PartitionCount: String(partitions),
      ReplicationFactor: '1',
      Configs: configs,
    },
    // Elr/LastKnownElr (KIP-966) are N/A, as against Kafka in ZooKeeper mode: the tool learns
    // them only from DescribeTopicPartitions, a KRaft API Samsa does not offer.
    partitions: Array.from({ length: partitions }, (_, p) => ({
      Topic: topic,
      Partition: String(p),
      Leader: id,
      Replicas: id,
      Isr: id,
      Elr: 'N/A',
      LastKnownElr: 'N/A',
    })),
  };
}

/** Rows of a whitespace-aligned table whose header reads `header` (cells hold no spaces). */
function tableRows(stdout: string, header: string): string[][] {
  const width = header.split(' ').length;
  const lines = stdout.split('\n');
  const at = lines.findIndex((l) => l.trim().split(/\s+/).join(' ') === header);
  assert.ok(at >= 0, `no table header ${header} in:\n${stdout}`);
  const rows: string[][] = [];
  for (const line of lines.slice(at + 1)) {
    if (line.trim() === '') break;
    const cells = line.trim().split(/\s+/);
    assert.equal(cells.length, width, `table row ${JSON.stringify(line)}`);
    rows.push(cells);
  }
  return rows;
}

const DESCRIBE_HEADER = 'GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID';

/** What `kafka-consumer-groups --describe` writes to stderr for a group without members. */
const noMembers = (group: string) => `\nConsumer group '${group}' has no active members.\n`;

/** `kafka-consumer-groups --describe` of a group without members: one row per partition, by partition. */
function describeGroupRows(
  stdout: string,
  group: string,
  topic: string,
): { partition: number; current: string; end: number; lag: string }[] {
  assert.ok(stdout.startsWith('\nGROUP '), `describe prints a blank line, then the table:\n${stdout}`);
  return tableRows(stdout, DESCRIBE_HEADER)
    .map((cells) => {
      const [g, t, partition, current, end, lag, ...member] = cells as [string, string, string, string, string, string];
      assert.deepEqual([g, t, ...member], [group, topic, '-', '-', '-'], `row ${cells.join(' ')}`);
      return { partition: Number(partition), current, end: Number(end), lag };
    })
    .sort((a, b) => a.partition - b.partition);
}

/**
 * `kafka-consumer-groups --reset-offsets`: "GROUP TOPIC PARTITION NEW-OFFSET", then the rows —
 * which Kafka 3.9 prints without line breaks between them — as partition → new offset.
 */
function resetRows(stdout: string, group: string, topic: string): Map<number, number> {
  const header = /GROUP\s+TOPIC\s+PARTITION\s+NEW-OFFSET\s*/.exec(stdout);
  assert.ok(header !== null, `no reset table in:\n${stdout}`);
  const cells = stdout
    .slice(header.index + header[0].length)
    .trim()
    .split(/\s+/);
  assert.equal(cells.length % 4, 0, `reset rows: ${stdout}`);
  const out = new Map<number, number>();
  for (let i = 0; i < cells.length; i += 4) {
    assert.deepEqual(cells.slice(i, i + 2), [group, topic], `reset row ${cells.slice(i, i + 4).join(' ')}`);
    out.set(Number(cells[i + 2]), Number(cells[i + 3]));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

describe(`Apache Kafka ${kafkaVersionOrLine()}'s tools and Java clients against Samsa`, () => {
  test('kafka-topics: create with config overrides, list, describe, add partitions, errors, delete', async () => {
    await withBroker({}, async (tb) => {
      const [created, createdAudit] = await Promise.all([
        ok(
          tb,
          'kafka-topics',
          '--create --topic events --partitions 3 --replication-factor 1 --config retention.ms=86400000 --config cleanup.policy=compact',
        ),
        ok(tb, 'kafka-topics', '--create --topic audit --partitions 1 --replication-factor 1'),
      ]);
      assert.equal(created, 'Created topic events.\n');
      assert.equal(createdAudit, 'Created topic audit.\n');
      const idOf = (topic: string): string => {
        const id = tb.broker.services.metadataCache.topic(topic)?.topicId;
        assert.ok(id !== undefined && /^[A-Za-z0-9_-]{22}$/.test(id), `topic id of ${topic}: ${id}`);
        return id;
      };
      const eventsId = idOf('events');
      const configs = 'cleanup.policy=compact,retention.ms=86400000';

      const [listed, describedAll, describedEvents] = await Promise.all([
        ok(tb, 'kafka-topics', '--list'),
        ok(tb, 'kafka-topics', '--describe'),
        ok(tb, 'kafka-topics', '--describe --topic events'),
      ]);
      assert.equal(listed, 'audit\nevents\n');
      assert.deepEqual(
        parseTopicsDescribe(describedAll),
        new Map([
          ['audit', expectedDescribe('audit', idOf('audit'), 1, '')],
          ['events', expectedDescribe('events', eventsId, 3, configs)],
        ]),
      );
      assert.deepEqual(
        parseTopicsDescribe(describedEvents),
        new Map([['events', expectedDescribe('events', eventsId, 3, configs)]]),
      );
      // The topic line exactly, tabs and all.
      assert.equal(
        describedEvents.split('\n')[0],
        `Topic: events\tTopicId: ${eventsId}\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: ${configs}`,
      );

      // Errors: exit code 1 and Kafka's message on stdout, the exception on stderr.
      const [exists, unknown, tooMany, badConfig] = await Promise.all([
        fails(tb, 'kafka-topics', '--create --topic events --partitions 1 --replication-factor 1'),
        fails(tb, 'kafka-topics', '--describe --topic missing'),
        fails(tb, 'kafka-topics', '--create --topic wide --partitions 1 --replication-factor 2'),
        fails(
          tb,
          'kafka-topics',
          '--create --topic odd --partitions 1 --replication-factor 1 --config no.such.config=1',
        ),
      ]);
      assert.equal(exists.stdout, "Error while executing topic command : Topic 'events' already exists.\n");
      assert.match(exists.stderr, /ERROR org\.apache\.kafka\.common\.errors\.TopicExistsException: /, explain(exists));
      // "Optional[...]" is how Kafka 3.9's TopicCommand prints the name, against Kafka too.
      assert.equal(
        unknown.stdout,
        "Error while executing topic command : Topic 'Optional[missing]' does not exist as expected\n",
      );
      assert.equal(
        tooMany.stdout,
        'Error while executing topic command : Replication factor: 2 larger than available brokers: 1.\n',
      );
      assert.match(tooMany.stderr, /InvalidReplicationFactorException/, explain(tooMany));
      assert.equal(
        badConfig.stdout,
        'Error while executing topic command : Unknown topic config name: no.such.config\n',
      );
      assert.match(badConfig.stderr, /InvalidConfigurationException/, explain(badConfig));

      // Add partitions: 3 → 5; fewer is refused (with Kafka's ZooKeeper-mode message).
      assert.equal(await ok(tb, 'kafka-topics', '--alter --topic events --partitions 5'), '');
      const [afterAlter, fewer] = await Promise.all([
        ok(tb, 'kafka-topics', '--describe --topic events'),
        fails(tb, 'kafka-topics', '--alter --topic events --partitions 4'),
      ]);
      assert.deepEqual(
        parseTopicsDescribe(afterAlter),
        new Map([['events', expectedDescribe('events', eventsId, 5, configs)]]),
      );
      assert.equal(
        fewer.stdout,
        'Error while executing topic command : Topic currently has 5 partitions, which is higher than the requested 4.\n',
      );
      assert.match(fewer.stderr, /InvalidPartitionsException/, explain(fewer));

      // Delete.
      assert.equal(await ok(tb, 'kafka-topics', '--delete --topic audit'), '');
      const [listedAfter, deleted] = await Promise.all([
        ok(tb, 'kafka-topics', '--list'),
        fails(tb, 'kafka-topics', '--describe --topic audit'),
      ]);
      assert.equal(listedAfter, 'events\n');
      assert.equal(
        deleted.stdout,
        "Error while executing topic command : Topic 'Optional[audit]' does not exist as expected\n",
      );
    });
  });

  test('kafka-console-producer and kafka-console-consumer: keys, headers and values line for line', async () => {
    await withBroker({}, async (tb) => {
      const topic = 'console-lines';
      await ok(tb, 'kafka-topics', `--create --topic ${topic} --partitions 1 --replication-factor 1`);
      // Values of every length (the first is empty), ASCII and multi-byte UTF-8, ':' inside;
      // headers with a multi-byte value. Line format: <headers>\t<key>:<value>.
      const messages = makeMessages(60, 'ck', 11);
      const headersOf = (i: number): string => `trace:t-${i},lang:${['de', 'ü€', '漢字'][i % 3]}`;
      const input = messages.map((m, i) => `${headersOf(i)}\t${m.key.toString()}:${m.value.toString()}\n`).join('');

      const before = Date.now();
      assert.equal(
        await ok(
          tb,
          'kafka-console-producer',
          `--topic ${topic} --property parse.key=true --property key.separator=: --property parse.headers=true`,
          { input },
        ),
        '',
      );
      const after = Date.now();

      const consumed = await ok(
        tb,
        'kafka-console-consumer',
        `--topic ${topic} --from-beginning --max-messages ${messages.length} --property print.timestamp=true --property print.partition=true --property print.offset=true --property print.headers=true --property print.key=true`,
        { stderr: `Processed a total of ${messages.length} messages\n` },
      );
      const lines = consumed.split('\n');
      assert.equal(lines.pop(), '', 'output ends with a line break');
      assert.equal(lines.length, messages.length, consumed);
      let lastTimestamp = before;
      lines.forEach((line, i) => {
        const m = /^CreateTime:(\d+)\t(.*)$/s.exec(line);
        assert.ok(m !== null, `line ${i}: ${line}`);
        const timestamp = Number(m[1]);
        assert.ok(timestamp >= lastTimestamp && timestamp <= after, `line ${i}: CreateTime ${timestamp}`);
        lastTimestamp = timestamp;
        const message = messages[i]!;
        assert.equal(
          m[2],
          `Partition:0\tOffset:${i}\t${headersOf(i)}\t${message.key.toString()}\t${message.value.toString()}`,
          `line ${i}`,
        );
      });
    });
  });

  test('kafka-consumer-groups: list, describe (offsets, lag), state, reset offsets, delete', async () => {
    await withBroker({}, async (tb) => {
      const topic = 'orders';
      const group = 'billing';
      const partitions = 3;
      await ok(tb, 'kafka-topics', `--create --topic ${topic} --partitions 3 --replication-factor 1`);
      const first = Array.from({ length: 60 }, (_, i) => ({ key: `order-${i}`, value: `amount ${i * 7} €` }));
      const keyed = (records: readonly { key: string; value: string }[]): string =>
        records.map((r) => `${r.key}:${r.value}\n`).join('');
      const producerArgs = `--topic ${topic} --property parse.key=true --property key.separator=:`;
      await ok(tb, 'kafka-console-producer', producerArgs, { input: keyed(first) });

      const consumed = await ok(
        tb,
        'kafka-console-consumer',
        `--topic ${topic} --group ${group} --from-beginning --max-messages ${first.length} --property print.partition=true --property print.offset=true --property print.key=true`,
        { stderr: `Processed a total of ${first.length} messages\n` },
      );
      // Every record once; in each partition at offsets 0, 1, 2, ... in the order produced.
      const partitionOfKey = new Map<string, number>();
      const byPartition: { key: string; value: string }[][] = Array.from({ length: partitions }, () => []);
      for (const line of consumed.split('\n').slice(0, -1)) {
        const m = /^Partition:(\d+)\tOffset:(\d+)\t([^\t]*)\t(.*)$/.exec(line);
        assert.ok(m !== null, `console consumer line: ${line}`);
        const [p, o, key, value] = [Number(m[1]), Number(m[2]), m[3]!, m[4]!];
        assert.ok(p < partitions, line);
        assert.equal(o, byPartition[p]!.length, `offset of ${line}`);
        byPartition[p]!.push({ key, value });
        partitionOfKey.set(key, p);
      }
      for (let p = 0; p < partitions; p++) {
        assert.ok(byPartition[p]!.length > 0, `partition ${p} got records`);
        assert.deepEqual(
          byPartition[p],
          first.filter((r) => partitionOfKey.get(r.key) === p),
          `partition ${p}: every record, in the order produced`,
        );
      }
      const ends = byPartition.map((rs) => rs.length);

      // More records, for keys already seen (so their partitions are known): the group's lag.
      const second = first.slice(0, 7).map((r) => ({ key: r.key, value: `${r.value} (again)` }));
      await ok(tb, 'kafka-console-producer', producerArgs, { input: keyed(second) });
      const lag = Array.from(
        { length: partitions },
        (_, p) => second.filter((r) => partitionOfKey.get(r.key) === p).length,
      );
      const logEnd = ends.map((e, p) => e + lag[p]!);

      const [described, listed, listedState, state] = await Promise.all([
        ok(tb, 'kafka-consumer-groups', `--describe --group ${group}`, { stderr: noMembers(group) }),
        ok(tb, 'kafka-consumer-groups', '--list'),
        ok(tb, 'kafka-consumer-groups', '--list --state'),
        ok(tb, 'kafka-consumer-groups', `--describe --group ${group} --state`, { stderr: noMembers(group) }),
      ]);
      assert.deepEqual(
        describeGroupRows(described, group, topic),
        ends.map((e, p) => ({ partition: p, current: String(e), end: logEnd[p], lag: String(lag[p]) })),
        described,
      );
      assert.equal(listed, `${group}\n`);
      assert.deepEqual(tableRows(listedState, 'GROUP STATE'), [[group, 'Empty']]);
      assert.match(
        state,
        new RegExp(
          `^\\nGROUP\\s+COORDINATOR \\(ID\\)\\s+ASSIGNMENT-STRATEGY\\s+STATE\\s+#MEMBERS\\s*\\n` +
            `${group}\\s+127\\.0\\.0\\.1:${tb.port}\\s+\\(${BROKER_ID}\\)\\s+Empty\\s+0\\s*$`,
        ),
      );
      assert.deepEqual(await brokerView(tb.bootstrap, group, topic, partitions), {
        committed: offsetsObject(ends),
        end: offsetsObject(logEnd),
      });

      // A member at work: a console consumer in another group, without commits, has read every
      // record and waits for one more (--max-messages is one above what is there).
      const live = 'auditors';
      const total = logEnd.reduce((a, b) => a + b, 0);
      const member = spawnTool(
        tb,
        'kafka-console-consumer',
        `--topic ${topic} --group ${live} --from-beginning --max-messages ${total + 1} --consumer-property enable.auto.commit=false --property print.partition=true --property print.offset=true`,
      );
      try {
        for (let p = 0; p < partitions; p++) {
          await member.waitForLine(new RegExp(`^Partition:${p}\\tOffset:${logEnd[p]! - 1}\\t`), 30_000);
        }
        const [members, offsets, liveState] = await Promise.all([
          ok(tb, 'kafka-consumer-groups', `--describe --group ${live} --members --verbose`),
          ok(tb, 'kafka-consumer-groups', `--describe --group ${live}`),
          ok(tb, 'kafka-consumer-groups', `--describe --group ${live} --state`),
        ]);
        const memberRows = tableRows(members, 'GROUP CONSUMER-ID HOST CLIENT-ID #PARTITIONS ASSIGNMENT');
        assert.equal(memberRows.length, 1, members);
        const [, memberId] = memberRows[0]!;
        assert.match(memberId!, /^console-consumer-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        // Kafka 3.9 prints the assignment of one topic as "(0,1,2)".
        assert.deepEqual(memberRows[0], [live, memberId, '/127.0.0.1', 'console-consumer', '3', '(0,1,2)']);
        assert.deepEqual(
          tableRows(offsets, DESCRIBE_HEADER).sort((a, b) => Number(a[2]) - Number(b[2])),
          logEnd.map((e, p) => `${live} ${topic} ${p} - ${e} - ${memberId} /127.0.0.1 console-consumer`.split(' ')),
          offsets,
        );
        assert.match(
          liveState,
          new RegExp(
            `^\\nGROUP\\s+COORDINATOR \\(ID\\)\\s+ASSIGNMENT-STRATEGY\\s+STATE\\s+#MEMBERS\\s*\\n` +
              `${live}\\s+127\\.0\\.0\\.1:${tb.port}\\s+\\(${BROKER_ID}\\)\\s+range\\s+Stable\\s+1\\s*$`,
          ),
        );
        // One more record and the member is done.
        await ok(tb, 'kafka-console-producer', producerArgs, { input: keyed([{ key: first[0]!.key, value: 'last' }]) });
        logEnd[partitionOfKey.get(first[0]!.key)!]! += 1;
        const exit = await withTimeout(member.exited, 30_000, 'the console consumer to exit after its last record');
        assert.deepEqual(exit, { code: 0, signal: null }, member.output);
        assert.match(member.output, new RegExp(`^Processed a total of ${total + 1} messages$`, 'm'));
      } finally {
        if (!member.hasExited) await member.stop('SIGKILL');
      }

      // Back to the start of every partition.
      const reset = await ok(
        tb,
        'kafka-consumer-groups',
        `--reset-offsets --group ${group} --topic ${topic} --to-earliest --execute`,
      );
      assert.deepEqual(resetRows(reset, group, topic), new Map(Array.from({ length: partitions }, (_, p) => [p, 0])));
      const [afterReset, view] = await Promise.all([
        ok(tb, 'kafka-consumer-groups', `--describe --group ${group}`, { stderr: noMembers(group) }),
        brokerView(tb.bootstrap, group, topic, partitions),
      ]);
      assert.deepEqual(
        describeGroupRows(afterReset, group, topic),
        logEnd.map((e, p) => ({ partition: p, current: '0', end: e, lag: String(e) })),
        afterReset,
      );
      assert.deepEqual(view, { committed: offsetsObject(ends.map(() => 0)), end: offsetsObject(logEnd) });

      // Delete it; then it is gone.
      assert.equal(
        await ok(tb, 'kafka-consumer-groups', `--delete --group ${group}`),
        `Deletion of requested consumer groups ('${group}') was successful.\n`,
      );
      const [listedAfter, describedAfter] = await Promise.all([
        ok(tb, 'kafka-consumer-groups', '--list'),
        ok(tb, 'kafka-consumer-groups', `--describe --group ${group}`),
      ]);
      // The member left 'auditors' without commits: an empty group, still listed (as by Kafka).
      assert.equal(listedAfter, `${live}\n`);
      // Kafka 3.9 says so on stdout and still exits 0.
      assert.equal(describedAfter, `\nError: Consumer group '${group}' does not exist.\n`);
    });
  });

  test('kafka-configs: topic configs (dynamic, --all, alter, delete) and broker configs', async () => {
    // Static broker settings that topic configs inherit: they show as STATIC_BROKER_CONFIG synonyms.
    const statics = { 'log.segment.bytes': 536870912, 'num.partitions': 2 };
    await withBroker(statics, async (tb) => {
      const topic = 'settings';
      const configs = (args: string) => ok(tb, 'kafka-configs', `--entity-type topics --entity-name ${topic} ${args}`);
      // No --partitions: num.partitions (2) applies.
      await ok(tb, 'kafka-topics', `--create --topic ${topic} --replication-factor 1 --config retention.ms=3600000`);

      const retention = (ms: number) =>
        `  retention.ms=${ms} sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=${ms}}\n`;
      const [dynamic, all, describedTopic] = await Promise.all([
        configs('--describe'),
        configs('--describe --all'),
        ok(tb, 'kafka-topics', `--describe --topic ${topic}`),
      ]);
      assert.equal(dynamic, `Dynamic configs for topic ${topic} are:\n${retention(3600000)}`);
      assert.equal(all, `All configs for topic ${topic} are:\n${allTopicConfigs(3600000)}`);
      // kafka-topics shows every config that is not a default, the static broker one included.
      assert.equal(
        describedTopic.split('\n')[0]?.split('\t').at(-1),
        'Configs: segment.bytes=536870912,retention.ms=3600000',
      );

      assert.equal(
        await configs('--alter --add-config retention.ms=7200000,max.message.bytes=2000000,segment.bytes=1048576'),
        `Completed updating config for topic ${topic}.\n`,
      );
      assert.equal(
        await configs('--describe'),
        `Dynamic configs for topic ${topic} are:\n` +
          '  max.message.bytes=2000000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:max.message.bytes=2000000, DEFAULT_CONFIG:message.max.bytes=1048588}\n' +
          retention(7200000) +
          '  segment.bytes=1048576 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:segment.bytes=1048576, STATIC_BROKER_CONFIG:log.segment.bytes=536870912, DEFAULT_CONFIG:log.segment.bytes=1073741824}\n',
      );
      assert.equal(
        await configs('--alter --delete-config max.message.bytes,segment.bytes'),
        `Completed updating config for topic ${topic}.\n`,
      );
      assert.equal(await configs('--describe'), `Dynamic configs for topic ${topic} are:\n${retention(7200000)}`);

      // Refused changes: exit 1, nothing on stdout, Kafka's exception and the broker's message on stderr.
      const [unknownName, badValue, unknownTopic, brokerAlter] = await Promise.all([
        tool(tb, 'kafka-configs', `--alter --entity-type topics --entity-name ${topic} --add-config foo.bar=1`),
        tool(tb, 'kafka-configs', `--alter --entity-type topics --entity-name ${topic} --add-config retention.ms=xyz`),
        tool(tb, 'kafka-configs', '--alter --entity-type topics --entity-name nope --add-config retention.ms=5'),
        tool(
          tb,
          'kafka-configs',
          `--alter --entity-type brokers --entity-name ${BROKER_ID} --add-config log.cleaner.threads=2`,
        ),
      ]);
      for (const r of [unknownName, badValue, unknownTopic, brokerAlter]) {
        assert.equal(r.code, 1, explain(r));
        assert.equal(r.stdout, '', explain(r));
      }
      assert.match(
        unknownName.stderr,
        /^Caused by: org\.apache\.kafka\.common\.errors\.InvalidConfigurationException: Unknown topic config name: foo\.bar$/m,
        explain(unknownName),
      );
      // Kafka words the reason "Not a number of type LONG"; Samsa says what is allowed instead.
      assert.match(
        badValue.stderr,
        /^Caused by: org\.apache\.kafka\.common\.errors\.InvalidConfigurationException: Invalid config value for resource ConfigResource\(type=TOPIC, name='settings'\): Invalid value '?xyz'? for configuration retention\.ms: /m,
        explain(badValue),
      );
      assert.match(
        unknownTopic.stderr,
        /^Caused by: org\.apache\.kafka\.common\.errors\.UnknownTopicOrPartitionException/m,
        explain(unknownTopic),
      );
      // Documented: Samsa has no dynamic broker configs (Kafka would take this one).
      assert.match(
        brokerAlter.stderr,
        /^Caused by: org\.apache\.kafka\.common\.errors\.InvalidRequestException: Samsa does not support dynamic broker configs/m,
        explain(brokerAlter),
      );

      // Broker configs: none dynamic; the static ones with their defaults as synonyms. Samsa's
      // broker.id default is 0 (Kafka's is -1, "generate one"); Samsa lists Kafka 0.8-era keys
      // and not KRaft's, so only a sample is compared.
      const id = String(BROKER_ID);
      const [brokerDynamic, brokerAll] = await Promise.all([
        ok(tb, 'kafka-configs', `--describe --entity-type brokers --entity-name ${id}`),
        ok(tb, 'kafka-configs', `--describe --entity-type brokers --entity-name ${id} --all`),
      ]);
      assert.equal(brokerDynamic, `Dynamic configs for broker ${id} are:\n`);
      const brokerLines = brokerAll.split('\n');
      assert.equal(brokerLines[0], `All configs for broker ${id} are:`);
      const byName = new Map(brokerLines.slice(1, -1).map((l) => [/^ {2}([^=]+)=/.exec(l)?.[1], l]));
      const expected = [
        `broker.id=${id} sensitive=false synonyms={STATIC_BROKER_CONFIG:broker.id=${id}, DEFAULT_CONFIG:broker.id=0}`,
        `log.dirs=${tb.dir.path} sensitive=false synonyms={STATIC_BROKER_CONFIG:log.dirs=${tb.dir.path}}`,
        'num.partitions=2 sensitive=false synonyms={STATIC_BROKER_CONFIG:num.partitions=2, DEFAULT_CONFIG:num.partitions=1}',
        'log.segment.bytes=536870912 sensitive=false synonyms={STATIC_BROKER_CONFIG:log.segment.bytes=536870912, DEFAULT_CONFIG:log.segment.bytes=1073741824}',
        'group.initial.rebalance.delay.ms=0 sensitive=false synonyms={STATIC_BROKER_CONFIG:group.initial.rebalance.delay.ms=0, DEFAULT_CONFIG:group.initial.rebalance.delay.ms=3000}',
        'log.retention.hours=168 sensitive=false synonyms={DEFAULT_CONFIG:log.retention.hours=168}',
        'message.max.bytes=1048588 sensitive=false synonyms={DEFAULT_CONFIG:message.max.bytes=1048588}',
        'auto.create.topics.enable=true sensitive=false synonyms={DEFAULT_CONFIG:auto.create.topics.enable=true}',
      ];
      for (const line of expected) {
        const name = line.slice(0, line.indexOf('='));
        assert.equal(byName.get(name), `  ${line}`, `broker config ${name}`);
      }
      assert.ok(byName.size > 100, `broker --all lists ${byName.size} configs`);
    });
  });

  test('Java clients: AdminClient, idempotent acks=all producer with each codec, group consumer with manual commit', async () => {
    await withBroker({}, async (tb) => {
      const codecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
      const partitions = 3;
      const zeros = Array.from({ length: partitions }, () => 0);
      const java = async (args: string[], input?: string): Promise<ClientLine[]> => {
        const started = performance.now();
        const r = await runKafkaJava(JAVA_PROGRAM, args, {
          timeoutMs: 120_000,
          ...(input !== undefined ? { input } : {}),
        });
        const run = {
          code: r.code,
          signal: null,
          stdout: Buffer.from(r.stdout),
          stderr: r.stderr,
          timedOut: r.code === null,
          ms: Math.round(performance.now() - started),
        };
        const lines = clientLines(`IdempotentRoundTrip.java ${args.join(' ')}`, run);
        // The clients log WARN and above: a clean run logs nothing.
        assert.equal(r.stderr, '', `stderr of IdempotentRoundTrip.java ${args[0]}`);
        return lines;
      };

      const topics = codecs.map((c) => `java-${c}`);
      const admin = await java(['admin', tb.bootstrap, String(partitions), ...topics]);
      assert.deepEqual(admin, [
        {
          type: 'cluster',
          clusterId: tb.broker.services.metadataCache.clusterId,
          controller: BROKER_ID,
          nodes: [{ id: BROKER_ID, host: '127.0.0.1', port: tb.port }],
        },
        { type: 'topics', names: [...topics].sort() },
      ]);

      const records = makeTestRecords(300, 'java', partitions, 17);
      const lines = await java(
        ['roundtrip', tb.bootstrap, 'java', 'java-group', String(partitions), ...codecs],
        recordsInput(records),
      );
      for (const codec of codecs) {
        const topic = `java-${codec}`;
        const mine = lines.filter((l) => (l as { run?: string }).run === codec);
        const end = checkAcks(`${codec} produce`, mine, records, zeros);
        await checkStoredBatches(`${codec} produce`, tb.dir.path, topic, zeros, { codec, idempotent: true });
        const consumed = linesOf(mine, 'record');
        checkConsumed(`${codec} consume`, consumed, records, zeros);
        for (const r of consumed) assert.equal((r as { timestampType?: string }).timestampType, 'CreateTime');
        assert.deepEqual(
          linesOf(mine, 'assignment').map(({ partitions: ps }) => ps),
          [[0, 1, 2]],
        );
        assert.deepEqual(
          linesOf(mine, 'committed').map(({ offsets }) => offsets),
          [offsetsObject(end)],
        );
        assert.deepEqual(await brokerView(tb.bootstrap, `java-group-${codec}`, topic, partitions), {
          committed: offsetsObject(end),
          end: offsetsObject(end),
        });
      }
    });
  });

  test("the seed's workflow with Kafka's tools: create a topic, console producer, console consumer --from-beginning", async () => {
    await withBroker({}, async (tb) => {
      const topic = 'test';
      assert.equal(
        await ok(tb, 'kafka-topics', `--create --topic ${topic} --partitions 1 --replication-factor 1`),
        `Created topic ${topic}.\n`,
      );
      assert.equal(await ok(tb, 'kafka-topics', '--list'), `${topic}\n`);
      const input = [
        'This is a message',
        'This is another message',
        '',
        ...makeMessages(40, 'seed', 3).map((m) => m.value.toString()),
      ]
        .map((l) => `${l}\n`)
        .join('');
      const count = input.split('\n').length - 1;
      assert.equal(await ok(tb, 'kafka-console-producer', `--topic ${topic}`, { input }), '');
      const output = await ok(
        tb,
        'kafka-console-consumer',
        `--topic ${topic} --from-beginning --max-messages ${count}`,
        { stderr: `Processed a total of ${count} messages\n` },
      );
      assert.equal(output, input);
    });
  });
});

/** The version in the suite's name; the line when the jars are missing (the tests then fail). */
function kafkaVersionOrLine(): string {
  try {
    return kafkaVersion();
  } catch {
    return '3.9';
  }
}

/**
 * `kafka-configs --describe --all` of a topic with retention.ms=<retention> set, on a broker with
 * log.segment.bytes=536870912 set and Kafka's defaults otherwise: every topic config of Kafka 3.9,
 * as Kafka 3.9 prints it (the synonyms and their gaps are Kafka's).
 */
function allTopicConfigs(retention: number): string {
  const lines = [
    'cleanup.policy=delete sensitive=false synonyms={DEFAULT_CONFIG:log.cleanup.policy=delete}',
    'compression.gzip.level=-1 sensitive=false synonyms={DEFAULT_CONFIG:compression.gzip.level=-1}',
    'compression.lz4.level=9 sensitive=false synonyms={DEFAULT_CONFIG:compression.lz4.level=9}',
    'compression.type=producer sensitive=false synonyms={DEFAULT_CONFIG:compression.type=producer}',
    'compression.zstd.level=3 sensitive=false synonyms={DEFAULT_CONFIG:compression.zstd.level=3}',
    'delete.retention.ms=86400000 sensitive=false synonyms={DEFAULT_CONFIG:log.cleaner.delete.retention.ms=86400000}',
    'file.delete.delay.ms=60000 sensitive=false synonyms={DEFAULT_CONFIG:log.segment.delete.delay.ms=60000}',
    'flush.messages=9223372036854775807 sensitive=false synonyms={DEFAULT_CONFIG:log.flush.interval.messages=9223372036854775807}',
    'flush.ms=9223372036854775807 sensitive=false synonyms={}',
    'follower.replication.throttled.replicas= sensitive=false synonyms={}',
    'index.interval.bytes=4096 sensitive=false synonyms={DEFAULT_CONFIG:log.index.interval.bytes=4096}',
    'leader.replication.throttled.replicas= sensitive=false synonyms={}',
    'local.retention.bytes=-2 sensitive=false synonyms={DEFAULT_CONFIG:log.local.retention.bytes=-2}',
    'local.retention.ms=-2 sensitive=false synonyms={DEFAULT_CONFIG:log.local.retention.ms=-2}',
    'max.compaction.lag.ms=9223372036854775807 sensitive=false synonyms={DEFAULT_CONFIG:log.cleaner.max.compaction.lag.ms=9223372036854775807}',
    'max.message.bytes=1048588 sensitive=false synonyms={DEFAULT_CONFIG:message.max.bytes=1048588}',
    'message.downconversion.enable=true sensitive=false synonyms={DEFAULT_CONFIG:log.message.downconversion.enable=true}',
    'message.format.version=3.0-IV1 sensitive=false synonyms={DEFAULT_CONFIG:log.message.format.version=3.0-IV1}',
    'message.timestamp.after.max.ms=9223372036854775807 sensitive=false synonyms={DEFAULT_CONFIG:log.message.timestamp.after.max.ms=9223372036854775807}',
    'message.timestamp.before.max.ms=9223372036854775807 sensitive=false synonyms={DEFAULT_CONFIG:log.message.timestamp.before.max.ms=9223372036854775807}',
    'message.timestamp.difference.max.ms=9223372036854775807 sensitive=false synonyms={DEFAULT_CONFIG:log.message.timestamp.difference.max.ms=9223372036854775807}',
    'message.timestamp.type=CreateTime sensitive=false synonyms={DEFAULT_CONFIG:log.message.timestamp.type=CreateTime}',
    'min.cleanable.dirty.ratio=0.5 sensitive=false synonyms={DEFAULT_CONFIG:log.cleaner.min.cleanable.ratio=0.5}',
    'min.compaction.lag.ms=0 sensitive=false synonyms={DEFAULT_CONFIG:log.cleaner.min.compaction.lag.ms=0}',
    'min.insync.replicas=1 sensitive=false synonyms={DEFAULT_CONFIG:min.insync.replicas=1}',
    'preallocate=false sensitive=false synonyms={DEFAULT_CONFIG:log.preallocate=false}',
    'remote.log.copy.disable=false sensitive=false synonyms={}',
    'remote.log.delete.on.disable=false sensitive=false synonyms={}',
    'remote.storage.enable=false sensitive=false synonyms={}',
    'retention.bytes=-1 sensitive=false synonyms={DEFAULT_CONFIG:log.retention.bytes=-1}',
    `retention.ms=${retention} sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=${retention}}`,
    'segment.bytes=536870912 sensitive=false synonyms={STATIC_BROKER_CONFIG:log.segment.bytes=536870912, DEFAULT_CONFIG:log.segment.bytes=1073741824}',
    'segment.index.bytes=10485760 sensitive=false synonyms={DEFAULT_CONFIG:log.index.size.max.bytes=10485760}',
    'segment.jitter.ms=0 sensitive=false synonyms={}',
    'segment.ms=604800000 sensitive=false synonyms={}',
    'unclean.leader.election.enable=false sensitive=false synonyms={DEFAULT_CONFIG:unclean.leader.election.enable=false}',
  ];
  return lines.map((l) => `  ${l}\n`).join('');
}
