import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';
import type { FetchResponse } from '../../src/protocol/messages/generated/fetch.ts';
import { apiSchemas } from '../../src/protocol/messages/generated/schema.ts';
import { GATHER_MIN_BYTES, isGathered, Writer } from '../../src/protocol/primitives/writer.ts';
import { decodeResponseFrame, encodeFetchResponseFrame, encodeResponseFrame } from '../../src/protocol/request.ts';
import { arbMessage } from './messages/random-messages.ts';

// Property: for every Fetch version, a response encoded as chunks (gather Writer) is, joined,
// exactly the single-buffer encoding, and every record set large enough to gather is one of the
// chunks itself (the same Buffer, not a copy).

// SAMSA_PROPERTY_RUNS raises the count for a deeper local run.
const RUNS = Number(process.env['SAMSA_PROPERTY_RUNS'] ?? 20);

const fetchSchema = apiSchemas.find((a) => a.apiKey === ApiKey.Fetch)!.response;

/** Record sets around the gather threshold, tiny ones, large ones, and null. */
const arbRecords = fc.option(
  fc
    .tuple(
      fc.oneof(
        fc.integer({ min: 0, max: 16 }),
        fc.integer({ min: GATHER_MIN_BYTES - 2, max: GATHER_MIN_BYTES + 2 }),
        fc.integer({ min: GATHER_MIN_BYTES, max: 100_000 }),
      ),
      fc.integer({ min: 0, max: 255 }),
    )
    .map(([n, seed]) => {
      const b = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i++) b[i] = (seed + i * 31) & 0xff;
      return b;
    }),
  { nil: null, freq: 5 },
);

function recordSets(body: FetchResponse): Buffer[] {
  const out: Buffer[] = [];
  for (const t of body.responses) for (const p of t.partitions) if (p.records != null) out.push(p.records);
  return out;
}

function joined(frame: Buffer | Uint8Array[]): Buffer {
  return Array.isArray(frame) ? Buffer.concat(frame) : frame;
}

describe('Fetch response frames as chunks', () => {
  for (let v = fetchSchema.versions[0]; v <= fetchSchema.versions[1]; v++) {
    it(`v${v}: joined chunks equal the single-buffer frame; gathered record sets are uncopied`, () => {
      const arb = arbMessage(fetchSchema, v, (_f, path) =>
        path === 'responses.partitions.records' ? arbRecords : undefined,
      );
      let chunkedRuns = 0;
      fc.assert(
        fc.property(arb, fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (m, correlationId) => {
          const body = m as unknown as FetchResponse;
          const single = encodeResponseFrame(ApiKey.Fetch, v, correlationId, body);
          const frame = encodeFetchResponseFrame(v, correlationId, body);
          const bytes = joined(frame);
          assert.deepStrictEqual(bytes, single);
          assert.equal(bytes.readInt32BE(0), bytes.length - 4, 'size prefix');
          const gathered = recordSets(body).filter((r) => isGathered(r.length));
          if (gathered.length === 0) {
            assert.ok(Buffer.isBuffer(frame), 'nothing to gather: one Buffer');
            return;
          }
          assert.ok(Array.isArray(frame));
          chunkedRuns++;
          // Each gathered record set is a chunk of its own, in order, and nothing else is that large
          // a copy: the other chunks are pieces of one buffer holding the rest.
          const own = frame.filter((c) => gathered.includes(c as Buffer));
          assert.deepStrictEqual(own, gathered);
          const rest = frame.filter((c) => !gathered.includes(c as Buffer));
          const restBytes = rest.reduce((n, c) => n + c.length, 0);
          assert.equal(restBytes, single.length - gathered.reduce((n, r) => n + r.length, 0));
          assert.ok(
            frame.every((c) => c.length > 0),
            'no empty chunks',
          );
          assert.equal(decodeResponseFrame(ApiKey.Fetch, v, bytes.subarray(4)).correlationId, correlationId);
        }),
        { numRuns: RUNS },
      );
      assert.ok(chunkedRuns > 0, 'some runs gathered record sets');
    });
  }

  it('gather Writer: prefixes stay in the buffer, record sets become chunks, small ones are copied', () => {
    const big = Buffer.alloc(GATHER_MIN_BYTES, 7);
    const small = Buffer.from([1, 2, 3]);
    const w = Writer.gather(4 + 4 + (4 + small.length) + 1 + 2 + 1);
    w.int32(42);
    w.records(big);
    w.nullableRecords(small);
    w.compactNullableRecords(null);
    w.compactRecords(big); // uvarint(4097) is 2 bytes
    w.int8(9);
    const chunks = w.finishChunks();
    assert.equal(chunks.length, 5);
    assert.equal(chunks[1], big);
    assert.equal(chunks[3], big);
    const single = new Writer(w.buf.length + 2 * big.length);
    single.int32(42);
    single.records(big);
    single.nullableRecords(small);
    single.compactNullableRecords(null);
    single.compactRecords(big);
    single.int8(9);
    assert.deepStrictEqual(Buffer.concat(chunks), single.finish());
  });

  it('gather Writer: a wrong size is an error, and each mode refuses the other finish', () => {
    const w = Writer.gather(8);
    w.int32(1);
    assert.throws(() => w.finishChunks(), /wrote 4 bytes into a buffer sized 8/);
    assert.throws(() => w.finish(), /gather Writer/);
    assert.throws(() => new Writer(0).finishChunks(), /single-buffer Writer/);
  });
});
