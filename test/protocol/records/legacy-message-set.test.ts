import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compress } from '../../../src/protocol/records/compression.ts';
import {
  decodeMessageSet,
  encodeMessageSet,
  forEachLegacyRecord,
} from '../../../src/protocol/records/legacy-message-set.ts';
import { hexOrNull, nullableBytesArb, onlyDecodeError, require, throwsCode } from './helpers.ts';

// kafkajs's CRC-32 and message-set codec serve as an independent implementation.
const kafkajsCrc32 = require('kafkajs/src/protocol/crc32.js') as (e: { buffer: Buffer }) => number;
const MessageSet = require('kafkajs/src/protocol/messageSet/index.js');
const messageSetDecoder = require('kafkajs/src/protocol/messageSet/decoder.js');
const Decoder = require('kafkajs/src/protocol/decoder.js');

/** Builds one message-set entry by hand: offset, size, crc, magic, attributes, [timestamp], key, value. */
function entry(
  offset: number,
  magic: 0 | 1,
  attributes: number,
  timestamp: number,
  key: Buffer | null,
  value: Buffer | null,
): Buffer {
  const body: Buffer[] = [Buffer.from([magic, attributes])];
  if (magic === 1) {
    const t = Buffer.alloc(8);
    t.writeBigInt64BE(BigInt(timestamp));
    body.push(t);
  }
  for (const f of [key, value]) {
    const len = Buffer.alloc(4);
    len.writeInt32BE(f === null ? -1 : f.length);
    body.push(len);
    if (f !== null) body.push(f);
  }
  const content = Buffer.concat(body);
  const head = Buffer.alloc(16);
  head.writeBigInt64BE(BigInt(offset), 0);
  head.writeInt32BE(content.length + 4, 8);
  head.writeUInt32BE(kafkajsCrc32({ buffer: content }) >>> 0, 12);
  return Buffer.concat([head, content]);
}

function plain(records: { offset: number; timestamp: number; key: Buffer | null; value: Buffer | null }[]) {
  return records.map((r) => [r.offset, r.timestamp, hexOrNull(r.key), hexOrNull(r.value)]);
}

describe('legacy message sets: hand-built vectors', () => {
  it('decodes v0 and v1 messages', () => {
    const set = Buffer.concat([
      entry(0, 0, 0, 0, null, Buffer.from('hello')),
      entry(1, 0, 0, 0, Buffer.from('k'), null),
      entry(2, 1, 0, 1_764_000_000_000, Buffer.from('key'), Buffer.from('value')),
      entry(3, 1, 0x08, 1_764_000_000_001, null, Buffer.alloc(0)),
    ]);
    // The first entry byte for byte: offset 0, size 19, crc, magic 0, attributes 0, key -1, value 5 'hello'.
    assert.equal(set.readInt32BE(8), 19);
    assert.deepEqual(plain(decodeMessageSet(set)), [
      [0, -1, null, '68656c6c6f'],
      [1, -1, '6b', null],
      [2, 1_764_000_000_000, '6b6579', '76616c7565'],
      [3, 1_764_000_000_001, null, ''],
    ]);
    // Our encoder writes the same bytes for the same messages.
    const ours = Buffer.concat([
      encodeMessageSet({ magic: 0, messages: [{ value: Buffer.from('hello') }, { key: Buffer.from('k') }] }),
    ]);
    assert.ok(ours.equals(set.subarray(0, ours.length)));
  });

  it('unwraps a v0 gzip wrapper (absolute inner offsets)', () => {
    const inner = Buffer.concat([
      entry(40, 0, 0, 0, null, Buffer.from('a')),
      entry(41, 0, 0, 0, null, Buffer.from('b')),
    ]);
    const wrapper = entry(41, 0, 1, 0, null, compress(1, inner));
    assert.deepEqual(
      decodeMessageSet(wrapper).map((r) => [r.offset, r.value!.toString()]),
      [
        [40, 'a'],
        [41, 'b'],
      ],
    );
  });

  it('unwraps a v1 wrapper (relative inner offsets, wrapper offset = last inner)', () => {
    const inner = Buffer.concat([
      entry(0, 1, 0, 100, null, Buffer.from('a')),
      entry(1, 1, 0, 200, null, Buffer.from('b')),
      entry(2, 1, 0, 150, null, Buffer.from('c')),
    ]);
    const wrapper = entry(1002, 1, 2, 200, null, compress(2, inner, { xerialSnappy: true }));
    assert.deepEqual(
      decodeMessageSet(wrapper).map((r) => [r.offset, r.timestamp]),
      [
        [1000, 100],
        [1001, 200],
        [1002, 150],
      ],
    );
    // With LogAppendTime on the wrapper, every inner message takes the wrapper's timestamp.
    const lat = entry(1002, 1, 2 | 0x08, 999, null, compress(2, inner));
    assert.deepEqual(
      decodeMessageSet(lat).map((r) => r.timestamp),
      [999, 999, 999],
    );
  });

  it('reports bad input with DecodeError codes', () => {
    const good = entry(0, 1, 0, 5, null, Buffer.from('x'));
    const badCrc = Buffer.from(good);
    badCrc[badCrc.length - 1] ^= 1;
    throwsCode(() => decodeMessageSet(badCrc), 'CRC_MISMATCH');
    throwsCode(() => decodeMessageSet(good.subarray(0, good.length - 1)), 'TRUNCATED');
    throwsCode(() => decodeMessageSet(entry(0, 1, 0, 5, null, null).subarray(0, 20)), 'TRUNCATED');
    const magic2 = Buffer.from(good);
    magic2[16] = 2;
    throwsCode(() => decodeMessageSet(magic2), 'BAD_MAGIC');
    throwsCode(() => decodeMessageSet(entry(0, 0, 1, 0, null, null)), 'BAD_RECORD'); // wrapper without a value
    throwsCode(() => decodeMessageSet(entry(0, 0, 4, 0, null, Buffer.from('z'))), 'UNSUPPORTED_COMPRESSION');
    const nested = entry(0, 0, 1, 0, null, compress(1, entry(0, 0, 1, 0, null, compress(1, good))));
    throwsCode(() => decodeMessageSet(nested), 'BAD_RECORD');
    const mixed = entry(0, 1, 1, 0, null, compress(1, entry(0, 0, 0, 0, null, Buffer.from('v0'))));
    throwsCode(() => decodeMessageSet(mixed), 'BAD_RECORD');
    throwsCode(() => decodeMessageSet(entry(0, 1, 1, 0, null, compress(1, Buffer.alloc(0)))), 'BAD_RECORD');
    const lyingKey = entry(0, 0, 0, 0, Buffer.from('abc'), null);
    lyingKey.writeInt32BE(50, 18);
    lyingKey.writeUInt32BE(kafkajsCrc32({ buffer: lyingKey.subarray(16) }) >>> 0, 12);
    throwsCode(() => decodeMessageSet(lyingKey), 'BAD_LENGTH');
  });
});

describe('legacy message sets: round trips and interop', () => {
  const messagesArb = fc.array(
    fc.record({ key: nullableBytesArb, value: nullableBytesArb, timestamp: fc.integer({ min: 0, max: 2 ** 45 }) }),
    { minLength: 1, maxLength: 10 },
  );

  it('round-trips every magic and legacy codec', () => {
    fc.assert(
      fc.property(
        messagesArb,
        fc.constantFrom(0, 1) as fc.Arbitrary<0 | 1>,
        fc.constantFrom(0, 1, 2, 3) as fc.Arbitrary<0 | 1 | 2 | 3>,
        fc.integer({ min: 0, max: 2 ** 40 }),
        (messages, magic, compression, baseOffset) => {
          const set = encodeMessageSet({ magic, compression, baseOffset, messages });
          const decoded = decodeMessageSet(set);
          assert.deepEqual(
            plain(decoded),
            messages.map((m, i) => [
              baseOffset + i,
              magic === 1 ? m.timestamp : -1,
              hexOrNull(m.key),
              hexOrNull(m.value),
            ]),
          );
          let n = 0;
          forEachLegacyRecord(set, (v) => {
            assert.equal(v.offset, decoded[n]!.offset);
            assert.equal(v.headerCount, 0);
            assert.deepEqual(v.headers(), []);
            n++;
          });
          assert.equal(n, messages.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('kafkajs decodes our sets (uncompressed and gzip wrappers) and we decode its sets', async () => {
    await fc.assert(
      fc.asyncProperty(
        messagesArb,
        fc.constantFrom(0, 1) as fc.Arbitrary<0 | 1>,
        fc.constantFrom(0, 1) as fc.Arbitrary<0 | 1>,
        async (messages, magic, compression) => {
          const ours = encodeMessageSet({ magic, compression, baseOffset: 7, messages });
          const sized = Buffer.alloc(4);
          sized.writeInt32BE(ours.length);
          const theirs = await messageSetDecoder(new Decoder(Buffer.concat([sized, ours])));
          assert.deepEqual(
            theirs.map((m: { offset: string; key: Buffer | null; value: Buffer | null }) => [
              m.offset,
              hexOrNull(m.key),
              hexOrNull(m.value),
            ]),
            messages.map((m, i) => [String(7 + i), hexOrNull(m.key), hexOrNull(m.value)]),
          );
          const kafkajsSet = MessageSet({
            messageVersion: magic,
            compression: 0,
            entries: messages.map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp })),
          }).buffer as Buffer;
          assert.deepEqual(
            decodeMessageSet(kafkajsSet).map((r) => [r.timestamp, hexOrNull(r.key), hexOrNull(r.value)]),
            messages.map((m) => [magic === 1 ? m.timestamp : -1, hexOrNull(m.key), hexOrNull(m.value)]),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('random bytes, truncations and bit flips give only DecodeError', () => {
    const sample = encodeMessageSet({
      magic: 1,
      compression: 1,
      messages: [{ value: Buffer.from('abc') }, { key: Buffer.from('k') }],
    });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.nat(), (a, at, bit) => {
        onlyDecodeError(() => decodeMessageSet(Buffer.from(a)));
        onlyDecodeError(() => decodeMessageSet(sample.subarray(0, at % sample.length)));
        const flipped = Buffer.from(sample);
        flipped[at % flipped.length]! ^= 1 << (bit % 8);
        onlyDecodeError(() => decodeMessageSet(flipped));
      }),
      { numRuns: 1000 },
    );
  });
});
