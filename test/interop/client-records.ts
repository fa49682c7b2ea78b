/**
 * Records and checks shared by the interop tests that drive a client program through JSON lines
 * (pypi-clients.test.ts with test/interop/python/*_pypi.py, franz-go.test.ts with
 * test/interop/go/): the records to produce, written to the program's stdin; the lines it prints;
 * byte-exact checks of what it produced and consumed; and the group's committed offsets and the
 * partitions' end offsets read with Samsa's own client (src/client).
 *
 * Lines a client program reads on stdin, one per record:
 *   {"key": b64, "value": b64, "headers": [{"key": str, "value": b64}], "partition": n, "timestamp": ms}
 * Lines it prints on stdout (others are allowed and ignored here):
 *   {"type": "ack", "index": i, "partition": p, "offset": o}            one per produced record
 *   {"type": "record", "member": m, "partition": p, "offset": o, "key": b64, "value": b64,
 *    "headers": [{"key": str, "value": b64}], "timestamp": ms}          one per consumed record
 *   {"type": "assignment", "member": m, "partitions": [p, ...]}         a consumer's final assignment
 *   {"type": "committed", "member": m, "offsets": {"p": offset}}        what the client reads back
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Admin, OffsetSpec } from '../../src/client/admin.ts';
import { ClusterClient } from '../../src/client/cluster-client.ts';
import { iterateBatches } from '../../src/protocol/records/batch-cursor.ts';
import { codecName } from '../../src/protocol/records/batch-format.ts';
import { type BatchHeader, readBatchHeader } from '../../src/protocol/records/batch-header.ts';
import { describeRun, type RunResult } from './helpers.ts';
import { makeMessages, prng } from './messages.ts';

export interface TestRecord {
  readonly key: Buffer;
  readonly value: Buffer;
  readonly headers: readonly (readonly [string, Buffer])[];
  readonly partition: number;
  readonly timestamp: number;
}

/** A fixed CreateTime base (2024-05-01T00:00:00Z), so the timestamps read back are checkable exactly. */
export const BASE_TIMESTAMP = 1_714_521_600_000;

/**
 * `count` records for `partitions` partitions (round robin): keys `<prefix>-<i>` followed by a
 * few binary bytes; values that are text (multi-byte UTF-8 too), random binary, empty (every
 * 97th) or, every 50th, a 20 KiB run of repetitive text (which the codecs really compress);
 * headers with binary and empty values and a repeated name; CreateTimes BASE_TIMESTAMP + i.
 */
export function makeTestRecords(count: number, prefix: string, partitions: number, seed: number): TestRecord[] {
  const rand = prng(seed);
  const texts = makeMessages(count, prefix, seed);
  const randomBytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
  return texts.map((m, i) => {
    let value = m.value;
    if (i % 50 === 49) value = Buffer.from(`${prefix} record ${i}; `.repeat(20_480 / (prefix.length + 16)));
    else if (i % 3 === 1) value = randomBytes(Math.floor(rand() * 300));
    const headers: [string, Buffer][] = [
      ['seq', Buffer.from(String(i))],
      ['bin', randomBytes(i % 7)],
    ];
    if (i % 4 === 0) headers.push(['seq', Buffer.from(`again-${i}`)], ['ünï', Buffer.from('€')]);
    return {
      key: Buffer.concat([m.key, Buffer.from([0, 0xff, i & 0xff])]),
      value,
      headers,
      partition: i % partitions,
      timestamp: BASE_TIMESTAMP + i,
    };
  });
}

/** The records as the JSON lines a client program reads on stdin. */
export function recordsInput(records: readonly TestRecord[]): string {
  return records
    .map((r) =>
      JSON.stringify({
        key: r.key.toString('base64'),
        value: r.value.toString('base64'),
        headers: r.headers.map(([key, value]) => ({ key, value: value.toString('base64') })),
        partition: r.partition,
        timestamp: r.timestamp,
      }),
    )
    .join('\n')
    .concat('\n');
}

export interface AckLine {
  type: 'ack';
  index: number;
  partition: number;
  offset: number;
}
export interface RecordLine {
  type: 'record';
  member?: number;
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: { key: string; value: string | null }[];
  timestamp: number;
}
export interface AssignmentLine {
  type: 'assignment';
  member?: number;
  partitions: number[];
}
export interface CommittedLine {
  type: 'committed';
  member?: number;
  offsets: Record<string, number>;
}
export type ClientLine = AckLine | RecordLine | AssignmentLine | CommittedLine | { type: 'other' };

/** The JSON lines of a finished client program, after checking it exited 0. */
export function clientLines(what: string, r: RunResult): ClientLine[] {
  assert.equal(r.code, 0, describeRun(what, r));
  const lines: ClientLine[] = [];
  for (const line of r.stdout.toString('utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      lines.push(JSON.parse(line) as ClientLine);
    } catch {
      assert.fail(`${what} printed a line that is not JSON: ${line.slice(0, 200)}\n${describeRun(what, r)}`);
    }
  }
  return lines;
}

export const linesOf = <K extends ClientLine['type']>(lines: readonly ClientLine[], type: K) =>
  lines.filter((l): l is Extract<ClientLine, { type: K }> => l.type === type);

/**
 * Each record acknowledged once, in its partition, at the next offset of that partition (from
 * `startOffsets`, by partition). Returns the offsets after them.
 */
export function checkAcks(
  what: string,
  lines: readonly ClientLine[],
  records: readonly TestRecord[],
  startOffsets: readonly number[],
): number[] {
  const acks = linesOf(lines, 'ack').sort((a, b) => a.index - b.index);
  assert.deepEqual(
    acks.map((a) => a.index),
    records.map((_, i) => i),
    `${what}: one ack per record`,
  );
  const next = [...startOffsets];
  for (const a of acks) {
    const r = records[a.index]!;
    assert.equal(a.partition, r.partition, `${what}: record ${a.index} partition`);
    assert.equal(a.offset, next[r.partition], `${what}: record ${a.index} offset in partition ${r.partition}`);
    next[r.partition]! += 1;
  }
  return next;
}

/**
 * The consumed records are exactly `records` (each once), at the offsets they were produced at
 * (partition p's from `startOffsets[p]` on, in order), byte for byte: key, value, headers (names,
 * values, order), CreateTime.
 */
export function checkConsumed(
  what: string,
  consumed: readonly RecordLine[],
  records: readonly TestRecord[],
  startOffsets: readonly number[],
): void {
  assert.equal(consumed.length, records.length, `${what}: number of records consumed`);
  for (let p = 0; p < startOffsets.length; p++) {
    const want = records.filter((r) => r.partition === p);
    const got = consumed.filter((r) => r.partition === p).sort((a, b) => a.offset - b.offset);
    assert.deepEqual(
      got.map((r) => r.offset),
      want.map((_, i) => startOffsets[p]! + i),
      `${what}: offsets consumed from partition ${p}`,
    );
    got.forEach((g, i) => {
      const w = want[i]!;
      const where = `${what}: partition ${p} offset ${g.offset}`;
      assert.equal(g.key, w.key.toString('base64'), `${where}: key`);
      assert.equal(g.value, w.value.toString('base64'), `${where}: value (key ${w.key.toString('latin1')})`);
      assert.deepEqual(
        g.headers,
        w.headers.map(([key, value]) => ({ key, value: value.toString('base64') })),
        `${where}: headers`,
      );
      assert.equal(g.timestamp, w.timestamp, `${where}: timestamp`);
    });
  }
}

/** Partition → offset, for the first `partitions` partitions. */
export function offsetsObject(offsets: readonly number[]): Record<string, number> {
  return Object.fromEntries(offsets.map((o, p) => [String(p), o]));
}

/** Reads a group's committed offsets and a topic's end offsets with Samsa's own client. */
export async function brokerView(
  bootstrap: string,
  group: string,
  topic: string,
  partitions: number,
): Promise<{ committed: Record<string, number>; end: Record<string, number> }> {
  const client = new ClusterClient({ bootstrap, clientId: 'samsa-interop-check', operationTimeoutMs: 15_000 });
  try {
    const admin = new Admin(client);
    const all = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }));
    const committed = await admin.fetchOffsets(group, all);
    const end = await admin.listOffsets(all.map((tp) => ({ ...tp, timestamp: OffsetSpec.LATEST })));
    return {
      committed: Object.fromEntries(committed.map((o) => [String(o.partition), o.offset])),
      end: Object.fromEntries(end.map((o) => [String(o.partition), o.offset])),
    };
  } finally {
    await client.close();
  }
}

/** The header of every batch stored for a partition, read from the broker's log dir. */
export async function storedBatches(logDir: string, topic: string, partition: number): Promise<BatchHeader[]> {
  const dir = join(logDir, `${topic}-${partition}`);
  const segments = (await readdir(dir)).filter((f) => f.endsWith('.log')).sort();
  const out: BatchHeader[] = [];
  for (const name of segments) {
    const buf = await readFile(join(dir, name));
    for (const entry of iterateBatches(buf)) {
      if (entry.kind === 'batch') out.push(readBatchHeader(entry.bytes));
    }
  }
  return out;
}

/**
 * The batches a producer wrote to `partitions` partitions from `startOffsets` on: compressed
 * with `codec` (or, where compression would not pay, as librdkafka and franz-go decide, none; at
 * least one batch with `codec`), and, when `idempotent`, with one producer id whose sequence
 * numbers start at 0 in each partition and follow on batch after batch.
 */
export async function checkStoredBatches(
  what: string,
  logDir: string,
  topic: string,
  startOffsets: readonly number[],
  expected: { codec: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'; idempotent: boolean },
): Promise<void> {
  const codecs = new Set<string>();
  const producerIds = new Set<number>();
  for (let p = 0; p < startOffsets.length; p++) {
    const batches = (await storedBatches(logDir, topic, p)).filter((b) => b.baseOffset >= startOffsets[p]!);
    assert.ok(batches.length > 0, `${what}: partition ${p} has batches from offset ${startOffsets[p]}`);
    let sequence = 0;
    for (const b of batches) {
      const where = `${what}: partition ${p} batch at offset ${b.baseOffset}`;
      codecs.add(codecName(b.compression));
      assert.equal(b.magic, 2, `${where}: magic`);
      if (expected.idempotent) {
        assert.ok(b.producerId >= 0 && b.producerEpoch >= 0, `${where}: producer id ${b.producerId}`);
        producerIds.add(b.producerId);
        assert.equal(b.baseSequence, sequence, `${where}: base sequence`);
        sequence += b.recordCount;
      } else {
        assert.equal(b.producerId, -1, `${where}: producer id`);
      }
    }
  }
  assert.ok(codecs.has(expected.codec), `${what}: no batch is ${expected.codec} (${[...codecs].join(', ')})`);
  assert.deepEqual(
    [...codecs].filter((c) => c !== expected.codec && c !== 'none'),
    [],
    `${what}: codecs of the batches`,
  );
  if (expected.idempotent) assert.equal(producerIds.size, 1, `${what}: one producer id in every partition`);
}

/** Runs a client program with arguments (and stdin) and returns the JSON lines it printed. */
export type ClientProgram = (args: string[], input?: string) => Promise<ClientLine[]>;

/** Where a client test runs: the broker's address and log dir, the topic and its partitions. */
export interface ClientTarget {
  bootstrap: string;
  logDir: string;
  topic: string;
  partitions: number;
}

/**
 * Has `client` produce `records` idempotently with `codec`, checks every ack (offsets following
 * on from `from`) and the batches stored, and returns the partitions' new end offsets.
 */
export async function produceChecked(
  client: ClientProgram,
  t: ClientTarget,
  codec: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd',
  records: readonly TestRecord[],
  from: readonly number[],
): Promise<number[]> {
  const what = `${codec === 'none' ? 'plain' : codec} produce`;
  const end = checkAcks(
    what,
    await client(['produce', t.bootstrap, t.topic, codec], recordsInput(records)),
    records,
    from,
  );
  await checkStoredBatches(what, t.logDir, t.topic, from, { codec, idempotent: true });
  return end;
}

/**
 * Has one new member of `group` read `records` (stored from `from` on) with `client`: checks the
 * records byte for byte, that it held every partition, and that it committed `end`, as the
 * client and the broker both say.
 */
export async function consumeChecked(
  what: string,
  client: ClientProgram,
  t: ClientTarget,
  group: string,
  records: readonly TestRecord[],
  from: readonly number[],
  end: readonly number[],
): Promise<void> {
  const read = await client(['consume', t.bootstrap, t.topic, group, String(records.length)]);
  checkConsumed(what, linesOf(read, 'record'), records, from);
  const all = Array.from({ length: t.partitions }, (_, p) => p);
  assert.deepEqual(linesOf(read, 'assignment'), [{ type: 'assignment', member: 0, partitions: all }]);
  assert.deepEqual(linesOf(read, 'committed'), [{ type: 'committed', member: 0, offsets: offsetsObject(end) }]);
  assert.deepEqual(await brokerView(t.bootstrap, group, t.topic, t.partitions), {
    committed: offsetsObject(end),
    end: offsetsObject(end),
  });
}
