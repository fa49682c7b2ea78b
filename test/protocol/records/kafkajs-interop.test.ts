import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import zlib from 'node:zlib';
import fc from 'fast-check';
import type { CompressionCodec } from '../../../src/protocol/records/batch-format.ts';
import { decodeRecords } from '../../../src/protocol/records/record-decoder.ts';
import { encodeRecordBatch } from '../../../src/protocol/records/record-encoder.ts';
import type { RecordHeader } from '../../../src/protocol/records/record-types.ts';
import { validateBatch } from '../../../src/protocol/records/validate-batch.ts';
import { bytesArb, hexOrNull, nullableBytesArb, require } from './helpers.ts';

// kafkajs 2.2.4 as an independent implementation of RecordBatch v2 (CommonJS internals).
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js');
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js');
const batchDecoder = require('kafkajs/src/protocol/recordBatch/v0/decoder.js');
const Decoder = require('kafkajs/src/protocol/decoder.js');
const Long = require('kafkajs/src/utils/long.js');
const { Codecs, Types } = require('kafkajs/src/protocol/message/compression/index.js');

// kafkajs core has gzip only; plug in codecs: kafkajs-snappy (snappyjs, raw blocks), lz4js
// (pure-JS LZ4 frames) and zstd from node:zlib (@kafkajs/zstd does not build here).
const lz4js = require('lz4js') as { compress(b: Uint8Array): Uint8Array; decompress(b: Uint8Array): Uint8Array };
Codecs[Types.Snappy] = require('kafkajs-snappy');
Codecs[Types.LZ4] = () => ({
  compress: async (encoder: { buffer: Buffer }) => Buffer.from(lz4js.compress(encoder.buffer)),
  decompress: async (buf: Buffer) => Buffer.from(lz4js.decompress(buf)),
});
Codecs[Types.ZSTD] = () => ({
  compress: async (encoder: { buffer: Buffer }) => zlib.zstdCompressSync(encoder.buffer),
  decompress: async (buf: Buffer) => zlib.zstdDecompressSync(buf),
});

interface KRecord {
  key: Buffer | null;
  value: Buffer | null;
  timestampDelta: number;
  headers: RecordHeader[];
}

// kafkajs takes headers as an object, so keys are unique and not integer-like (object key order).
const uniqueHeadersArb = fc
  .uniqueArray(fc.record({ key: fc.string({ maxLength: 6 }).map((s) => `h-${s}`), value: bytesArb }), {
    selector: (h) => h.key,
    maxLength: 3,
  })
  .map((hs) => hs as RecordHeader[]);

const kRecordArb: fc.Arbitrary<KRecord> = fc.record({
  key: nullableBytesArb,
  value: nullableBytesArb,
  timestampDelta: fc.integer({ min: 0, max: 100_000 }),
  headers: uniqueHeadersArb,
});

const codecArb = fc.constantFrom(0, 1, 2, 3, 4) as fc.Arbitrary<CompressionCodec>;

function headersObject(hs: RecordHeader[]): Record<string, Buffer> {
  const o: Record<string, Buffer> = {};
  for (const h of hs) o[h.key] = h.value!;
  return o;
}

describe('kafkajs 2.2.4 interop', () => {
  it('we decode exactly what kafkajs encodes (all codecs)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(kRecordArb, { minLength: 1, maxLength: 20 }),
        codecArb,
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
        fc.boolean(),
        async (records, compression, firstOffset, firstTimestamp, transactional) => {
          const kafkajsRecords = records.map((r, i) =>
            Record({
              offsetDelta: i,
              timestampDelta: r.timestampDelta,
              key: r.key,
              value: r.value,
              headers: headersObject(r.headers),
            }),
          );
          const maxTimestamp = firstTimestamp + Math.max(...records.map((r) => r.timestampDelta));
          const encoded = await RecordBatch({
            compression,
            firstOffset: Long.fromNumber(firstOffset),
            firstTimestamp,
            maxTimestamp,
            lastOffsetDelta: records.length - 1,
            transactional,
            producerId: Long.fromNumber(77),
            producerEpoch: 2,
            firstSequence: 9,
            records: kafkajsRecords,
          });
          const buf: Buffer = encoded.buffer;
          const h = validateBatch(buf);
          assert.equal(h.compression, compression);
          assert.equal(h.isTransactional, transactional);
          assert.equal(h.producerId, 77);
          assert.equal(h.baseSequence, 9);
          assert.equal(h.maxTimestamp, maxTimestamp);
          const decoded = decodeRecords(buf, { verifyCrc: true });
          assert.equal(decoded.length, records.length);
          decoded.forEach((d, i) => {
            const r = records[i]!;
            assert.equal(d.offset, firstOffset + i);
            assert.equal(d.timestamp, firstTimestamp + r.timestampDelta);
            assert.equal(hexOrNull(d.key), hexOrNull(r.key));
            assert.equal(hexOrNull(d.value), hexOrNull(r.value));
            assert.deepEqual(
              d.headers.map((x) => [x.key, hexOrNull(x.value)]),
              r.headers.map((x) => [x.key, hexOrNull(x.value)]),
            );
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('kafkajs decodes exactly what we encode (all codecs, xerial snappy too)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(kRecordArb, { minLength: 1, maxLength: 20 }),
        codecArb,
        fc.boolean(),
        fc.integer({ min: 0, max: 2 ** 40 }),
        async (records, compression, xerialSnappy, baseOffset) => {
          const t0 = 1_764_000_000_000;
          const batch = encodeRecordBatch({
            baseOffset,
            compression,
            compressOptions: { xerialSnappy },
            producerId: 12,
            producerEpoch: 1,
            baseSequence: 100,
            records: records.map((r) => ({ ...r, timestamp: t0 + r.timestampDelta })),
          });
          const decoded = await batchDecoder(new Decoder(batch));
          assert.equal(decoded.producerId, '12');
          assert.equal(decoded.firstSequence, 100);
          assert.equal(decoded.records.length, records.length);
          decoded.records.forEach(
            (
              d: {
                offset: string;
                timestamp: string;
                key: Buffer | null;
                value: Buffer | null;
                headers: Record<string, Buffer>;
              },
              i: number,
            ) => {
              const r = records[i]!;
              assert.equal(d.offset, String(baseOffset + i));
              assert.equal(d.timestamp, String(t0 + r.timestampDelta));
              assert.equal(hexOrNull(d.key), hexOrNull(r.key));
              assert.equal(hexOrNull(d.value), hexOrNull(r.value));
              assert.deepEqual(
                Object.entries(d.headers).map(([k, v]) => [k, hexOrNull(v)]),
                r.headers.map((x) => [x.key, hexOrNull(x.value)]),
              );
            },
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('our uncompressed encoding is byte-identical to kafkajs for the same fields', async () => {
    const t0 = 1_764_000_000_000;
    const records = [
      {
        key: Buffer.from('key'),
        value: Buffer.from('value'),
        timestampDelta: 0,
        headers: [{ key: 'h-a', value: Buffer.from('1') }],
      },
      { key: null, value: Buffer.from('second'), timestampDelta: 25, headers: [] },
    ];
    const theirs = await RecordBatch({
      firstOffset: Long.fromNumber(0),
      firstTimestamp: t0,
      maxTimestamp: t0 + 25,
      partitionLeaderEpoch: 0,
      lastOffsetDelta: 1,
      producerId: Long.fromNumber(-1),
      producerEpoch: 0,
      firstSequence: 0,
      records: records.map((r, i) =>
        Record({
          offsetDelta: i,
          timestampDelta: r.timestampDelta,
          key: r.key,
          value: r.value,
          headers: headersObject(r.headers),
        }),
      ),
    });
    const ours = encodeRecordBatch({
      partitionLeaderEpoch: 0,
      producerId: -1,
      producerEpoch: 0,
      baseSequence: 0,
      records: records.map((r) => ({ ...r, timestamp: t0 + r.timestampDelta })),
    });
    assert.equal(ours.toString('hex'), theirs.buffer.toString('hex'));
  });
});
