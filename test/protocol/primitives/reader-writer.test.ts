import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DecodeError } from '../../../src/protocol/decode-error.ts';
import { Reader } from '../../../src/protocol/primitives/reader.ts';
import {
  sizeOfCompactNullableBytes,
  sizeOfCompactString,
  sizeOfUvarint,
  sizeOfVarint,
  sizeOfVarlong,
  Writer,
} from '../../../src/protocol/primitives/writer.ts';

function bytes(...b: number[]): Buffer {
  return Buffer.from(b);
}

describe('Reader and Writer', () => {
  it('reads fixed-width big-endian integers', () => {
    const r = new Reader(bytes(0xff, 0x80, 0x00, 0x7f, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff));
    assert.equal(r.int8(), -1);
    assert.equal(r.int16(), -32768);
    assert.equal(r.int8(), 0x7f);
    assert.equal(r.int32(), -2);
    assert.equal(r.uint32(), 0xffffffff);
    assert.equal(r.error, null);
  });

  it('round-trips every primitive', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -128, max: 127 }),
        fc.integer({ min: -32768, max: 32767 }),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.maxSafeInteger(),
        fc.double({ noNaN: true }),
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.option(fc.string({ maxLength: 10 }), { nil: null }),
        fc.uint8Array({ maxLength: 50 }),
        (i8, i16, i32, u32, i64, f64, s, ns, b) => {
          const buf = Buffer.from(b);
          const size =
            1 +
            2 +
            4 +
            4 +
            8 +
            8 +
            2 +
            Buffer.byteLength(s) +
            sizeOfCompactString(s) +
            (ns === null ? 2 : 2 + Buffer.byteLength(ns));
          const w = new Writer(size + 4 + buf.length + sizeOfCompactNullableBytes(buf));
          w.int8(i8);
          w.int16(i16);
          w.int32(i32);
          w.uint32(u32);
          w.int64(i64);
          w.float64(f64);
          w.string(s);
          w.compactString(s);
          w.nullableString(ns);
          w.bytes(buf);
          w.compactNullableBytes(buf);
          const r = new Reader(w.finish());
          assert.equal(r.int8(), i8);
          assert.equal(r.int16(), i16);
          assert.equal(r.int32(), i32);
          assert.equal(r.uint32(), u32);
          assert.equal(r.int64(), i64);
          assert.equal(r.float64(), f64);
          assert.equal(r.string(), s);
          assert.equal(r.compactString(), s);
          assert.equal(r.nullableString(), ns);
          assert.deepEqual(r.bytes(), buf);
          assert.deepEqual(r.compactNullableBytes(), buf);
          assert.equal(r.remaining, 0);
          assert.equal(r.error, null);
        },
      ),
    );
  });

  it('round-trips varints and sizes them exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        fc.maxSafeInteger().filter((v) => Math.abs(v) <= Number.MAX_SAFE_INTEGER / 2),
        (u, s, l) => {
          const w = new Writer(sizeOfUvarint(u) + sizeOfVarint(s) + sizeOfVarlong(l));
          w.uvarint(u);
          w.varint(s);
          w.varlong(l);
          const r = new Reader(w.finish());
          assert.equal(r.uvarint(), u);
          assert.equal(r.varint(), s);
          assert.equal(r.varlong(), l);
          assert.equal(r.error, null);
        },
      ),
    );
  });

  it('encodes zigzag varints as protobuf does', () => {
    // zigzag: 0→0, -1→1, 1→2, -2→3, 2147483647→4294967294, -2147483648→4294967295
    const cases: [number, number[]][] = [
      [0, [0x00]],
      [-1, [0x01]],
      [1, [0x02]],
      [-2, [0x03]],
      [63, [0x7e]],
      [-64, [0x7f]],
      [64, [0x80, 0x01]],
      [300, [0xd8, 0x04]],
      [2147483647, [0xfe, 0xff, 0xff, 0xff, 0x0f]],
      [-2147483648, [0xff, 0xff, 0xff, 0xff, 0x0f]],
    ];
    for (const [value, expected] of cases) {
      const w = new Writer(sizeOfVarint(value));
      w.varint(value);
      assert.deepEqual([...w.finish()], expected, `varint ${value}`);
      assert.equal(new Reader(Buffer.from(expected)).varint(), value);
    }
  });

  it('uses Kafka printable UUIDs', () => {
    const raw = bytes(0x5e, 0x8c, 0x79, 0x3a, 0x8b, 0x3d, 0x4e, 0x8a, 0x9c, 0x11, 0x0e, 0x32, 0x12, 0x9c, 0x4b, 0x3f);
    const id = new Reader(raw).uuid();
    assert.equal(id.length, 22);
    const w = new Writer(16);
    w.uuid(id);
    assert.deepEqual(w.finish(), raw);
  });

  it('makes errors sticky and never throws while reading', () => {
    const r = new Reader(bytes(0x00, 0x01));
    assert.equal(r.int32(), 0);
    assert.ok(r.error instanceof DecodeError);
    assert.equal(r.error.code, 'TRUNCATED');
    const first = r.error;
    assert.equal(r.int16(), 0);
    assert.equal(r.string(), '');
    assert.equal(r.error, first);
    assert.throws(() => r.check(), DecodeError);
  });

  it('rejects lengths beyond the buffer before allocating', () => {
    const r = new Reader(bytes(0x7f, 0xff, 0xff, 0xff, 0x00));
    assert.deepEqual(r.bytes(), Buffer.alloc(0));
    assert.equal(r.error?.code, 'BAD_LENGTH');
    const a = new Reader(bytes(0x7f, 0xff, 0xff, 0xff));
    assert.equal(a.arrayLength(), 0);
    assert.equal(a.error?.code, 'BAD_LENGTH');
    const c = new Reader(bytes(0x00, 0x00, 0x00, 0x02, 0x01, 0x02, 0x03, 0x04));
    assert.equal(c.arrayLength(4), 0, 'two 4-byte elements do not fit in 4 bytes');
    assert.equal(c.error?.code, 'BAD_LENGTH');
  });

  it('distinguishes null from negative lengths', () => {
    assert.equal(new Reader(bytes(0xff, 0xff)).nullableString(), null);
    const bad = new Reader(bytes(0xff, 0xfe));
    bad.nullableString();
    assert.equal(bad.error?.code, 'BAD_LENGTH');
    const nonNull = new Reader(bytes(0xff, 0xff));
    nonNull.string();
    assert.equal(nonNull.error?.code, 'NULL_NOT_ALLOWED');
    assert.equal(new Reader(bytes(0xff, 0xff, 0xff, 0xff)).arrayLength(), -1);
    assert.equal(new Reader(bytes(0x00)).compactArrayLength(), -1);
    assert.equal(new Reader(bytes(0x00)).compactNullableString(), null);
  });

  it('rejects overlong and oversized varints', () => {
    const long = new Reader(bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x01));
    long.uvarint();
    assert.equal(long.error?.code, 'BAD_VARINT');
    const wide = new Reader(bytes(0xff, 0xff, 0xff, 0xff, 0x1f));
    wide.uvarint();
    assert.equal(wide.error?.code, 'BAD_VARINT');
    const longer = new Reader(Buffer.alloc(11, 0x80));
    longer.varlong();
    assert.ok(longer.error !== null);
    const cut = new Reader(bytes(0x80));
    cut.varint();
    assert.equal(cut.error?.code, 'TRUNCATED');
  });

  it('rejects int64 values outside the safe integer range', () => {
    const r = new Reader(bytes(0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    r.int64();
    assert.equal(r.error?.code, 'UNSAFE_INTEGER');
    assert.equal(new Reader(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)).int64(), -1);
    const max = new Reader(bytes(0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    assert.equal(max.int64(), Number.MAX_SAFE_INTEGER);
    const min = new Reader(bytes(0xff, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01));
    assert.equal(min.int64(), Number.MIN_SAFE_INTEGER);
  });

  it('keeps a leading byte order mark in a string (regression: TextDecoder strips it by default)', () => {
    const w = new Writer(sizeOfCompactString('\uFEFFx'));
    w.compactString('\uFEFFx');
    assert.equal(new Reader(w.finish()).compactString(), '\uFEFFx');
  });

  it('rejects invalid UTF-8 in strings', () => {
    const r = new Reader(bytes(0x00, 0x02, 0xc3, 0x28));
    r.string();
    assert.equal(r.error?.code, 'BAD_UTF8');
    assert.equal(new Reader(bytes(0x00, 0x02, 0xc3, 0xa9)).string(), 'é');
  });

  it('returns views, not copies, for bytes', () => {
    const buf = bytes(0x00, 0x00, 0x00, 0x02, 0xaa, 0xbb);
    const v = new Reader(buf).bytes();
    buf[4] = 0xcc;
    assert.equal(v[0], 0xcc);
  });

  it('skips tagged fields', () => {
    // two tagged fields: tag 0 with 2 bytes, tag 5 with 1 byte, then an int8
    const r = new Reader(bytes(0x02, 0x00, 0x02, 0xaa, 0xbb, 0x05, 0x01, 0xcc, 0x07));
    r.skipTaggedFields();
    assert.equal(r.int8(), 7);
    assert.equal(r.error, null);
  });

  it('checks the computed size on finish', () => {
    const w = new Writer(3);
    w.int16(1);
    assert.throws(() => w.finish(), /wrote 2 bytes into a buffer sized 3/);
  });
});
