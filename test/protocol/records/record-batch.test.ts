import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as F from '../../../src/protocol/records/batch-format.ts';
import { readBatchHeader } from '../../../src/protocol/records/batch-header.ts';
import {
  setBaseOffset,
  setMaxTimestampAndType,
  setPartitionLeaderEpoch,
} from '../../../src/protocol/records/batch-patch.ts';
import { crc32c } from '../../../src/protocol/records/crc32c.ts';
import { decodeRecords, forEachRecord } from '../../../src/protocol/records/record-decoder.ts';
import { encodeRecordBatch, type RecordBatchInput } from '../../../src/protocol/records/record-encoder.ts';
import { RecordView } from '../../../src/protocol/records/record-view.ts';
import { validateBatch } from '../../../src/protocol/records/validate-batch.ts';
import { hexOrNull, normalizeHeaders, recordArb, throwsCode } from './helpers.ts';

const batchArb = fc.record({
  baseOffset: fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 2 ** 52 })),
  partitionLeaderEpoch: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
  compression: fc.constantFrom(0, 1, 2, 3, 4) as fc.Arbitrary<F.CompressionCodec>,
  compressOptions: fc.record({ xerialSnappy: fc.boolean() }),
  timestampType: fc.constantFrom(0, 1) as fc.Arbitrary<F.TimestampType>,
  isTransactional: fc.boolean(),
  isControl: fc.boolean(),
  producerId: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 2 ** 52 })),
  producerEpoch: fc.integer({ min: -1, max: 32767 }),
  baseSequence: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
  records: fc.array(recordArb, { maxLength: 30 }),
});

function expectedTimestamps(input: RecordBatchInput, maxTimestamp: number): number[] {
  return input.records.map((r) => (input.timestampType === 1 ? maxTimestamp : r.timestamp!));
}

describe('RecordBatch v2 encode / decode', () => {
  it('round-trips random batches through decodeRecords and forEachRecord, all codecs', () => {
    fc.assert(
      fc.property(batchArb, (input) => {
        const batch = encodeRecordBatch(input);
        const header = validateBatch(batch);
        assert.equal(header.baseOffset, input.baseOffset);
        assert.equal(header.partitionLeaderEpoch, input.partitionLeaderEpoch);
        assert.equal(header.compression, input.compression);
        assert.equal(header.timestampType, input.timestampType);
        assert.equal(header.isTransactional, input.isTransactional);
        assert.equal(header.isControl, input.isControl);
        assert.equal(header.producerId, input.producerId);
        assert.equal(header.producerEpoch, input.producerEpoch);
        assert.equal(header.baseSequence, input.baseSequence);
        assert.equal(header.recordCount, input.records.length);
        assert.equal(header.sizeInBytes, batch.length);
        const n = input.records.length;
        assert.equal(header.lastOffsetDelta, Math.max(0, n - 1));
        assert.equal(header.baseTimestamp, n > 0 ? input.records[0]!.timestamp : -1);
        // As Kafka's MemoryRecordsBuilder: the max starts at NO_TIMESTAMP (-1).
        const maxTs = Math.max(-1, ...input.records.map((r) => r.timestamp));
        assert.equal(header.maxTimestamp, maxTs);

        const decoded = decodeRecords(batch, { verifyCrc: true });
        const timestamps = expectedTimestamps(input, maxTs);
        assert.equal(decoded.length, n);
        decoded.forEach((r, i) => {
          const want = input.records[i]!;
          assert.equal(r.offset, input.baseOffset + i);
          assert.equal(r.timestamp, timestamps[i]);
          assert.equal(hexOrNull(r.key), hexOrNull(want.key));
          assert.equal(hexOrNull(r.value), hexOrNull(want.value));
          assert.deepEqual(normalizeHeaders(r.headers), normalizeHeaders(want.headers));
        });

        let i = 0;
        forEachRecord(batch, (v) => {
          const d = decoded[i++]!;
          assert.equal(v.offset, d.offset);
          assert.equal(v.offsetDelta, d.offset - input.baseOffset);
          assert.equal(v.timestamp, d.timestamp);
          assert.equal(hexOrNull(v.key()), hexOrNull(d.key));
          assert.equal(hexOrNull(v.value()), hexOrNull(d.value));
          assert.equal(v.keyLength, d.key === null ? -1 : d.key.length);
          assert.equal(v.valueLength, d.value === null ? -1 : d.value.length);
          assert.equal(v.headerCount, d.headers.length);
          assert.deepEqual(normalizeHeaders(v.headers()), normalizeHeaders(d.headers));
        });
        assert.equal(i, n);
      }),
      { numRuns: 300 },
    );
  });

  it('key and value are views of the batch, not copies (uncompressed)', () => {
    const batch = encodeRecordBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from('value') }] });
    const [r] = decodeRecords(batch);
    assert.equal(r!.value!.buffer, batch.buffer);
    batch[batch.length - 2] = 0x58; // last value byte ('e' → 'X'); the header count follows
    assert.equal(r!.value!.toString(), 'valuX');
  });

  it('honours explicit offset deltas, baseTimestamp, maxTimestamp and lastOffsetDelta', () => {
    const batch = encodeRecordBatch({
      baseOffset: 100,
      baseTimestamp: 1000,
      maxTimestamp: 5000,
      lastOffsetDelta: 9,
      records: [
        { value: Buffer.from('a'), offsetDelta: 2, timestamp: 900 },
        { value: Buffer.from('b'), offsetDelta: 7 },
      ],
    });
    const h = validateBatch(batch);
    assert.equal(h.lastOffsetDelta, 9);
    assert.equal(h.lastOffset, 109);
    assert.equal(h.maxTimestamp, 5000);
    assert.deepEqual(
      decodeRecords(batch).map((r) => [r.offset, r.timestamp]),
      [
        [102, 900],
        [107, 1000],
      ],
    );
  });

  it('an empty batch is 61 bytes and decodes to no records', () => {
    for (const compression of [0, 1, 2, 3, 4] as const) {
      const batch = encodeRecordBatch({ compression, records: [] });
      const h = validateBatch(batch);
      assert.equal(h.recordCount, 0);
      assert.deepEqual(decodeRecords(batch), []);
      if (compression === 0) assert.equal(batch.length, F.BATCH_HEADER_SIZE);
    }
  });

  it('a reused view is filled in place; forEachRecord allocates one view per batch at most', () => {
    const batch = encodeRecordBatch({ records: [{ value: Buffer.from('x') }, { value: Buffer.from('y') }] });
    const view = new RecordView();
    const seen: RecordView[] = [];
    forEachRecord(batch, (v) => seen.push(v), { view });
    assert.equal(seen.length, 2);
    assert.ok(seen.every((v) => v === view));
  });

  it('uses the LogAppendTime (maxTimestamp) for every record when the type bit is set', () => {
    const batch = encodeRecordBatch({
      records: [
        { value: null, timestamp: 5 },
        { value: null, timestamp: 9 },
      ],
    });
    setMaxTimestampAndType(batch, 0, 123_456, 1);
    assert.deepEqual(
      decodeRecords(batch, { verifyCrc: true }).map((r) => r.timestamp),
      [123_456, 123_456],
    );
  });
});

describe('RecordBatch v2 header layout', () => {
  it('places every field at its documented offset', () => {
    const batch = encodeRecordBatch({
      baseOffset: 0x0102030405,
      partitionLeaderEpoch: 0x11223344,
      compression: 0,
      timestampType: 1,
      isTransactional: true,
      hasDeleteHorizon: true,
      producerId: 0x55667788,
      producerEpoch: 0x1234,
      baseSequence: 0x0a0b0c0d,
      baseTimestamp: 1_700_000_000_000,
      maxTimestamp: 1_700_000_000_999,
      records: [{ value: Buffer.from('v') }, { value: Buffer.from('w') }],
    });
    assert.equal(batch.readBigInt64BE(F.BASE_OFFSET_OFFSET), 0x0102030405n);
    assert.equal(batch.readInt32BE(F.BATCH_LENGTH_OFFSET), batch.length - 12);
    assert.equal(batch.readInt32BE(F.PARTITION_LEADER_EPOCH_OFFSET), 0x11223344);
    assert.equal(batch[F.MAGIC_OFFSET], 2);
    assert.equal(batch.readUInt32BE(F.CRC_OFFSET), crc32c(batch, 21));
    assert.equal(batch.readInt16BE(F.ATTRIBUTES_OFFSET), 0x08 | 0x10 | 0x40);
    assert.equal(batch.readInt32BE(F.LAST_OFFSET_DELTA_OFFSET), 1);
    assert.equal(batch.readBigInt64BE(F.BASE_TIMESTAMP_OFFSET), 1_700_000_000_000n);
    assert.equal(batch.readBigInt64BE(F.MAX_TIMESTAMP_OFFSET), 1_700_000_000_999n);
    assert.equal(batch.readBigInt64BE(F.PRODUCER_ID_OFFSET), 0x55667788n);
    assert.equal(batch.readInt16BE(F.PRODUCER_EPOCH_OFFSET), 0x1234);
    assert.equal(batch.readInt32BE(F.BASE_SEQUENCE_OFFSET), 0x0a0b0c0d);
    assert.equal(batch.readInt32BE(F.RECORD_COUNT_OFFSET), 2);
    const h = readBatchHeader(batch);
    assert.equal(h.hasDeleteHorizon, true);
    assert.equal(h.isControl, false);
    assert.equal(h.timestampType, 1);
  });

  it('encodes a known record byte for byte', () => {
    // One record: key "k", value "v", timestampDelta 0, offsetDelta 0, no headers.
    const batch = encodeRecordBatch({
      baseTimestamp: 0,
      records: [{ key: Buffer.from('k'), value: Buffer.from('v') }],
    });
    const record = batch.subarray(F.RECORDS_OFFSET);
    // length 8 → zigzag 16; attributes 0; ts 0; offset 0; key len 1 → 2, 'k'; value len 1 → 2, 'v'; 0 headers
    assert.deepEqual([...record], [16, 0, 0, 0, 2, 0x6b, 2, 0x76, 0]);
  });
});

describe('validateBatch', () => {
  const good = encodeRecordBatch({ records: [{ value: Buffer.from('hello') }, { value: Buffer.from('world') }] });

  it('accepts a good batch at an offset inside a larger buffer', () => {
    const buf = Buffer.concat([Buffer.alloc(5), good, Buffer.alloc(3)]);
    assert.equal(validateBatch(buf, 5).recordCount, 2);
  });

  it('reports each kind of damage with its code', () => {
    throwsCode(() => validateBatch(good.subarray(0, 10)), 'TRUNCATED');
    throwsCode(() => validateBatch(good.subarray(0, 40)), 'TRUNCATED');
    throwsCode(() => validateBatch(good.subarray(0, good.length - 1)), 'TRUNCATED');
    const mutate = (f: (b: Buffer) => void, fixCrc = true) => {
      const b = Buffer.from(good);
      f(b);
      if (fixCrc) b.writeUInt32BE(crc32c(b, 21), 17);
      return b;
    };
    throwsCode(() => validateBatch(mutate((b) => (b[16] = 1))), 'BAD_MAGIC');
    throwsCode(() => validateBatch(mutate((b) => b.writeInt32BE(48, 8))), 'BAD_LENGTH');
    throwsCode(() => validateBatch(mutate((b) => (b[b.length - 1]! ^= 1), false)), 'CRC_MISMATCH');
    throwsCode(() => validateBatch(mutate((b) => b.writeInt16BE(5, 21))), 'UNSUPPORTED_COMPRESSION');
    throwsCode(() => validateBatch(mutate((b) => b.writeInt32BE(-1, 57))), 'BAD_RECORD');
    throwsCode(() => validateBatch(mutate((b) => b.writeInt32BE(-1, 23))), 'BAD_RECORD');
    throwsCode(() => validateBatch(mutate((b) => b.writeInt32BE(3, 57))), 'BAD_RECORD'); // 3 > lastOffsetDelta + 1
    throwsCode(
      () =>
        validateBatch(
          mutate((b) => {
            b.writeInt32BE(1000, 23);
            b.writeInt32BE(1000, 57); // cannot fit 1000 records in 14 bytes
          }),
        ),
      'BAD_RECORD',
    );
    throwsCode(() => validateBatch(mutate((b) => b.writeInt32BE(0x7fffffff, 0))), 'UNSAFE_INTEGER');
  });
});

describe('in-place patches', () => {
  it('setBaseOffset and setPartitionLeaderEpoch keep the CRC valid', () => {
    const batch = encodeRecordBatch({ records: [{ value: Buffer.from('a') }, { value: Buffer.from('b') }] });
    const buf = Buffer.concat([Buffer.alloc(7), batch]);
    const crc = buf.readUInt32BE(7 + 17);
    setBaseOffset(buf, 7, 2 ** 40 + 5);
    setPartitionLeaderEpoch(buf, 7, 42);
    assert.equal(buf.readUInt32BE(7 + 17), crc);
    const h = validateBatch(buf, 7);
    assert.equal(h.baseOffset, 2 ** 40 + 5);
    assert.equal(h.partitionLeaderEpoch, 42);
    assert.deepEqual(
      decodeRecords(buf.subarray(7)).map((r) => r.offset),
      [2 ** 40 + 5, 2 ** 40 + 6],
    );
  });

  it('setMaxTimestampAndType recomputes the CRC and can switch back', () => {
    const batch = encodeRecordBatch({ records: [{ value: Buffer.from('a'), timestamp: 10 }] });
    setMaxTimestampAndType(batch, 0, 99, 1);
    let h = validateBatch(batch);
    assert.equal(h.maxTimestamp, 99);
    assert.equal(h.timestampType, 1);
    setMaxTimestampAndType(batch, 0, 10, 0);
    h = validateBatch(batch);
    assert.equal(h.timestampType, 0);
    assert.equal(decodeRecords(batch)[0]!.timestamp, 10);
  });

  it('patches refuse what is not a v2 batch', () => {
    throwsCode(() => setBaseOffset(Buffer.alloc(30), 0, 1), 'TRUNCATED');
    throwsCode(() => setPartitionLeaderEpoch(Buffer.alloc(61), 0, 1), 'BAD_MAGIC');
    const batch = encodeRecordBatch({ records: [] });
    throwsCode(() => setMaxTimestampAndType(Buffer.concat([batch, batch]).subarray(0, 70), 61, 1, 1), 'TRUNCATED');
  });
});
