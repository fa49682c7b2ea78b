import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { readBatchHeader } from '../../../src/protocol/records/batch-header.ts';
import { crc32c } from '../../../src/protocol/records/crc32c.ts';
import { decodeRecords, forEachRecord } from '../../../src/protocol/records/record-decoder.ts';
import { encodeRecordBatch } from '../../../src/protocol/records/record-encoder.ts';
import { validateBatch } from '../../../src/protocol/records/validate-batch.ts';
import { onlyDecodeError, recordArb, throwsCode } from './helpers.ts';

/** Every decoder over the same bytes; each may only return or throw DecodeError. */
function decodeAll(buf: Buffer): void {
  onlyDecodeError(() => readBatchHeader(buf));
  onlyDecodeError(() => validateBatch(buf));
  onlyDecodeError(() => decodeRecords(buf, { maxDecompressedBytes: 1 << 20 }));
  onlyDecodeError(() => forEachRecord(buf, (v) => v.headers(), { maxDecompressedBytes: 1 << 20 }));
}

/** Recomputes the CRC so damage reaches the record decoder instead of stopping at the checksum. */
function fixCrc(buf: Buffer): Buffer {
  if (buf.length >= 61)
    buf.writeUInt32BE(crc32c(buf, 21, Math.min(buf.length, 12 + Math.max(49, buf.readInt32BE(8)))), 17);
  return buf;
}

const sampleArb = fc.record({
  compression: fc.constantFrom(0, 0, 0, 1, 2, 3, 4) as fc.Arbitrary<0 | 1 | 2 | 3 | 4>,
  records: fc.array(recordArb, { minLength: 1, maxLength: 8 }),
});

describe('bad record batches give only DecodeError', () => {
  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (a) => decodeAll(Buffer.from(a))),
      { numRuns: 1000 },
    );
  });

  it('random bytes behind a plausible v2 header', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: -1, max: 50 }),
        (a, codec, count) => {
          const body = Buffer.from(a);
          const head = Buffer.alloc(61);
          head.writeInt32BE(49 + body.length, 8);
          head[16] = 2;
          head.writeInt16BE(codec, 21);
          head.writeInt32BE(Math.max(0, count - 1), 23);
          head.writeInt32BE(count, 57);
          decodeAll(fixCrc(Buffer.concat([head, body])));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('truncations of valid batches', () => {
    fc.assert(
      fc.property(sampleArb, fc.nat(), (input, at) => {
        const batch = encodeRecordBatch(input);
        const cut = batch.subarray(0, at % batch.length);
        decodeAll(cut);
        // A cut batch never validates.
        assert.ok(onlyDecodeError(() => validateBatch(cut)) !== null);
      }),
      { numRuns: 500 },
    );
  });

  it('flipped bits in valid batches (with and without a fixed-up CRC)', () => {
    fc.assert(
      fc.property(sampleArb, fc.nat(), fc.nat(), fc.boolean(), (input, at, bit, fix) => {
        const batch = encodeRecordBatch(input);
        const i = at % batch.length;
        batch[i]! ^= 1 << (bit % 8);
        if (fix) fixCrc(batch);
        decodeAll(batch);
        if (!fix && i >= 17) assert.ok(onlyDecodeError(() => validateBatch(batch)) !== null, 'CRC catches the flip');
      }),
      { numRuns: 1500 },
    );
  });

  it('random bytes overwriting the records of a valid uncompressed batch', () => {
    fc.assert(
      fc.property(
        fc.array(recordArb, { minLength: 1, maxLength: 5 }),
        fc.uint8Array({ minLength: 1, maxLength: 8 }),
        fc.nat(),
        (records, junk, at) => {
          const batch = encodeRecordBatch({ records });
          const pos = 61 + (at % (batch.length - 61));
          Buffer.from(junk).copy(batch, pos);
          decodeAll(fixCrc(batch));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('lying lengths and counts', () => {
  const records = [
    { key: Buffer.from('kk'), value: Buffer.from('vvvv'), headers: [{ key: 'h', value: Buffer.from('x') }] },
  ];

  it('a record count larger than the records', () => {
    const batch = encodeRecordBatch({ records, lastOffsetDelta: 5 });
    batch.writeInt32BE(2, 57);
    throwsCode(() => decodeRecords(fixCrc(batch)), 'TRUNCATED');
    batch.writeInt32BE(2_000_000_000, 57);
    throwsCode(() => decodeRecords(fixCrc(batch)), 'BAD_RECORD');
  });

  it('a record count smaller than the records (bytes left over)', () => {
    const batch = encodeRecordBatch({ records: [...records, ...records] });
    batch.writeInt32BE(1, 57);
    throwsCode(() => decodeRecords(fixCrc(batch)), 'BAD_RECORD');
  });

  it('a compressed batch whose count disagrees with its records', () => {
    const batch = encodeRecordBatch({ compression: 1, records: [...records, ...records] });
    batch.writeInt32BE(3, 57);
    throwsCode(() => decodeRecords(batch), 'TRUNCATED');
    batch.writeInt32BE(1, 57);
    throwsCode(() => decodeRecords(batch), 'BAD_RECORD');
  });

  it('key, value and header lengths that overrun their record', () => {
    // Record bytes: [len][attr][ts][off][keyLen=2→4]['kk'][valLen=4→8]['vvvv'][hc=1→2][hk=1→2]['h'][hv=1→2]['x']
    const batch = encodeRecordBatch({ records });
    const rec = 61;
    const patch = (offset: number, byte: number, code: string) => {
      const b = Buffer.from(batch);
      b[rec + offset] = byte;
      throwsCode(() => decodeRecords(b), code);
    };
    patch(4, 2 * 40, 'BAD_LENGTH'); // key length 40
    patch(4, 3, 'BAD_RECORD'); // key length -2
    patch(7, 2 * 40, 'BAD_LENGTH'); // value length 40
    patch(12, 2 * 9, 'BAD_RECORD'); // 9 headers cannot fit
    patch(12, 3, 'BAD_RECORD'); // header count -2
    patch(13, 2 * 9, 'BAD_LENGTH'); // header key length 9
    patch(13, 1, 'BAD_RECORD'); // header key length -1
    patch(15, 2 * 9, 'BAD_LENGTH'); // header value length 9
    patch(0, 2 * 60, 'TRUNCATED'); // record length 60
    patch(0, 1, 'BAD_RECORD'); // record length -1
    patch(0, 2 * 10, 'BAD_LENGTH'); // record length too short for its fields
    const b = Buffer.from(batch);
    b.fill(0xff, rec + 13, rec + 17); // the header key length varint runs off its record
    throwsCode(() => decodeRecords(b), 'TRUNCATED');
    b.fill(0xff, rec + 2, rec + 17); // a timestamp varlong longer than 10 bytes
    throwsCode(() => decodeRecords(b), 'BAD_VARINT');
  });

  it('an over-long varint and an invalid UTF-8 header key', () => {
    const batch = encodeRecordBatch({ records: [{ value: Buffer.from('v'), headers: [{ key: 'k', value: null }] }] });
    const bad = Buffer.from(batch);
    bad[61 + 9] = 0xff; // header key byte 'k' → 0xff
    assert.equal(decodeRecords(Buffer.from(batch))[0]!.headers[0]!.key, 'k');
    throwsCode(() => decodeRecords(bad), 'BAD_UTF8');
    const varint = Buffer.alloc(61 + 12);
    encodeRecordBatch({ records: [] }).copy(varint);
    varint.writeInt32BE(varint.length - 12, 8);
    varint.writeInt32BE(1, 57);
    varint.fill(0xff, 61, 61 + 6);
    varint[61 + 6] = 0x01;
    throwsCode(() => decodeRecords(varint), 'BAD_VARINT');
  });

  it('decompressed size over the limit', () => {
    const big = encodeRecordBatch({ compression: 4, records: [{ value: Buffer.alloc(2 << 20) }] });
    throwsCode(() => decodeRecords(big, { maxDecompressedBytes: 1 << 20 }), 'BAD_LENGTH');
    assert.equal(decodeRecords(big, { maxDecompressedBytes: 3 << 20 })[0]!.value!.length, 2 << 20);
  });

  it('CRC checked only when asked', () => {
    const batch = encodeRecordBatch({ records });
    batch[batch.length - 1] = 0x79; // 'x' → 'y' in the header value
    assert.equal(decodeRecords(batch)[0]!.headers[0]!.value!.toString(), 'y');
    throwsCode(() => decodeRecords(batch, { verifyCrc: true }), 'CRC_MISMATCH');
  });
});
