/**
 * kcat (Debian `kcat`, built on librdkafka 2.0.2) against a Samsa broker: metadata with -L, and
 * 10,000 keyed messages with headers produced with -P and consumed back with
 * `-C -o beginning -e` (assigned partitions, no group), compared byte for byte, once per
 * compression codec librdkafka offers.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { describeRun, requireKcat, run, sharedBroker, type TestBroker } from './helpers.ts';
import { makeMessages, type TestMessage } from './messages.ts';

const PARTITIONS = 3;
const COUNT = 10_000;
const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
/** Passed to every produce with -H; kcat attaches the same headers to each message. */
const HEADERS: readonly [string, string][] = [
  ['trace', 'abc-123'],
  ['source', 'kcat'],
  ['lang', 'ü€'],
];
/** Fields: partition, offset, key length, value length, key, value, headers. */
const FORMAT = '%p|%o|%K|%S|%k|%s|%h\\n';

interface Consumed {
  partition: number;
  offset: number;
  keyLength: number;
  valueLength: number;
  key: Buffer;
  value: Buffer;
  headers: string;
}

/** Splits kcat -f output at byte level (values are UTF-8 without '|' or '\n'). */
function parseConsumed(stdout: Buffer): Consumed[] {
  const out: Consumed[] = [];
  let start = 0;
  while (start < stdout.length) {
    let end = stdout.indexOf(0x0a, start);
    if (end < 0) end = stdout.length;
    const line = stdout.subarray(start, end);
    start = end + 1;
    if (line.length === 0) continue;
    const fields: Buffer[] = [];
    let from = 0;
    for (let i = 0; i < 6; i++) {
      const bar = line.indexOf(0x7c, from);
      if (bar < 0) throw new Error(`malformed kcat line: ${line.toString('utf8')}`);
      fields.push(line.subarray(from, bar));
      from = bar + 1;
    }
    fields.push(line.subarray(from));
    const [p, o, kl, vl, key, value, headers] = fields as [Buffer, Buffer, Buffer, Buffer, Buffer, Buffer, Buffer];
    out.push({
      partition: Number(p.toString()),
      offset: Number(o.toString()),
      keyLength: Number(kl.toString()),
      valueLength: Number(vl.toString()),
      key,
      value,
      headers: headers.toString('utf8'),
    });
  }
  return out;
}

describe('kcat (librdkafka 2.0.2)', () => {
  const broker = sharedBroker({ 'num.partitions': PARTITIONS, 'auto.create.topics.enable': true });
  after(() => broker.close());
  /** Every test starts here: kcat must be installed (the test fails saying how, otherwise). */
  const setUp = async (): Promise<{ kcat: string; tb: TestBroker }> => ({
    kcat: requireKcat(),
    tb: await broker.get(),
  });

  const produce = (kcat: string, tb: TestBroker, topic: string, messages: readonly TestMessage[], codec: string) => {
    const input = Buffer.concat(messages.flatMap((m) => [m.key, Buffer.from(':'), m.value, Buffer.from('\n')]));
    const headerArgs = HEADERS.flatMap(([k, v]) => ['-H', `${k}=${v}`]);
    return run(
      kcat,
      ['-b', tb.bootstrap, '-P', '-t', topic, '-K:', ...headerArgs, '-z', codec, '-X', 'message.send.max.retries=0'],
      { input, timeoutMs: 30_000 },
    );
  };

  test('-L shows the broker, the topic and its partitions with leader, replicas and ISR', async () => {
    const { kcat, tb } = await setUp();
    const topic = 'kcat-metadata';
    const produced = await produce(kcat, tb, topic, makeMessages(3, 'meta'), 'none');
    assert.equal(produced.code, 0, describeRun('kcat -P', produced));

    const r = await run(kcat, ['-b', tb.bootstrap, '-L'], { timeoutMs: 15_000 });
    assert.equal(r.code, 0, describeRun('kcat -L', r));
    const text = r.stdout.toString('utf8');
    const brokerId = tb.broker.brokerId;
    assert.match(text, new RegExp(`from broker ${brokerId}: 127\\.0\\.0\\.1:${tb.port}/${brokerId}`), text);
    assert.match(text, /^ 1 brokers:$/m, text);
    assert.match(
      text,
      new RegExp(`^\\s+broker ${brokerId} at 127\\.0\\.0\\.1:${tb.port}( \\(controller\\))?$`, 'm'),
      text,
    );
    assert.match(text, new RegExp(`^\\s+topic "${topic}" with ${PARTITIONS} partitions:$`, 'm'), text);
    for (let p = 0; p < PARTITIONS; p++) {
      assert.match(
        text,
        new RegExp(`^\\s+partition ${p}, leader ${brokerId}, replicas: ${brokerId}, isrs: ${brokerId}$`, 'm'),
        text,
      );
    }
    assert.doesNotMatch(text, /Broker:|error/i, text);
  });

  for (const codec of CODECS) {
    test(`-z ${codec}: 10,000 keyed messages with headers come back byte for byte`, async () => {
      const { kcat, tb } = await setUp();
      const topic = `kcat-${codec}`;
      const messages = makeMessages(COUNT, `k${codec}`, codec.length * 7919);
      const produced = await produce(kcat, tb, topic, messages, codec);
      assert.equal(produced.code, 0, describeRun(`kcat -P -z ${codec}`, produced));

      const consumed = await run(
        kcat,
        ['-b', tb.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', FORMAT],
        { timeoutMs: 30_000 },
      );
      assert.equal(consumed.code, 0, describeRun(`kcat -C (${codec})`, consumed, 500));
      const records = parseConsumed(consumed.stdout);
      assert.equal(records.length, COUNT, `consumed ${records.length} of ${COUNT}\n${consumed.stderr}`);

      // Group by partition; offsets must run 0, 1, 2, ... in each.
      const byPartition = new Map<number, Consumed[]>();
      for (const r of records) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r]);
      assert.deepEqual(
        [...byPartition.keys()].sort(),
        Array.from({ length: PARTITIONS }, (_, i) => i),
        'every partition got messages',
      );
      const expectedHeaders = HEADERS.map(([k, v]) => `${k}=${v}`).join(',');
      const partitionOfKey = new Map<string, number>();
      for (const [p, rs] of byPartition) {
        rs.forEach((r, i) => {
          assert.equal(r.offset, i, `partition ${p}: record ${i} has offset ${r.offset}`);
          partitionOfKey.set(r.key.toString('latin1'), p);
        });
      }
      // Within a partition, the order produced; every byte of key, value and headers as sent.
      for (const [p, rs] of byPartition) {
        const expected = messages.filter((m) => partitionOfKey.get(m.key.toString('latin1')) === p);
        assert.equal(rs.length, expected.length, `partition ${p}: duplicates or unknown keys`);
        rs.forEach((r, i) => {
          const m = expected[i]!;
          const where = `partition ${p} offset ${r.offset}`;
          assert.ok(r.key.equals(m.key), `${where}: key ${r.key.toString()} != ${m.key.toString()}`);
          assert.ok(r.value.equals(m.value), `${where}: value differs for key ${m.key.toString()}`);
          assert.equal(r.keyLength, m.key.length, `${where}: key length`);
          assert.equal(r.valueLength, m.value.length, `${where}: value length (empty must stay empty, not null)`);
          assert.equal(r.headers, expectedHeaders, `${where}: headers`);
        });
      }
    });
  }
});
