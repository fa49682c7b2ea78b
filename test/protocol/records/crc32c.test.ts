import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { crc32, crc32Js } from '../../../src/protocol/records/crc32.ts';
import { crc32c, crc32cJs, crc32cNative, NATIVE_MIN_BYTES } from '../../../src/protocol/records/crc32c.ts';
import { xxhash32 } from '../../../src/protocol/records/xxhash32.ts';
import { require } from './helpers.ts';

describe('crc32c', () => {
  it('matches the known vectors', () => {
    const v = Buffer.from('123456789');
    assert.equal(crc32cJs(v), 0xe3069283);
    assert.equal(crc32c(v), 0xe3069283);
    assert.equal(crc32cJs(Buffer.alloc(0)), 0);
    // RFC 3720 B.4: 32 bytes of zeros, of 0xff, and an incrementing sequence.
    assert.equal(crc32cJs(Buffer.alloc(32, 0)), 0x8a9136aa);
    assert.equal(crc32cJs(Buffer.alloc(32, 0xff)), 0x62a8ab43);
    assert.equal(crc32cJs(Buffer.from(Array.from({ length: 32 }, (_, i) => i))), 0x46dd794e);
  });

  it('loads the native implementation here', () => {
    assert.notEqual(crc32cNative, null);
  });

  it('JS, native and the dispatcher agree on random ranges of every size', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2 * NATIVE_MIN_BYTES + 40 }), fc.nat(), fc.nat(), (a, x, y) => {
        const buf = Buffer.from(a);
        const start = buf.length === 0 ? 0 : x % buf.length;
        const end = start + (buf.length === start ? 0 : y % (buf.length - start + 1));
        const js = crc32cJs(buf, start, end);
        assert.equal(crc32c(buf, start, end), js);
        if (crc32cNative !== null) assert.equal(crc32cNative(buf.subarray(start, end)) >>> 0, js);
      }),
      { numRuns: 300 },
    );
  });

  it('continues from a seed like one pass over the whole', () => {
    const buf = Buffer.from('the quick brown fox jumps over the lazy dog');
    assert.equal(crc32cJs(buf, 10, buf.length, crc32cJs(buf, 0, 10)), crc32cJs(buf));
  });

  it('agrees with kafkajs crc32C on large inputs', () => {
    const kafkajsCrc = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js') as (b: Buffer) => number;
    const buf = Buffer.alloc(100_000);
    for (let i = 0; i < buf.length; i++) buf[i] = (i * 7919) & 0xff;
    assert.equal(crc32c(buf), kafkajsCrc(buf) >>> 0);
  });
});

describe('crc32 (IEEE, legacy messages)', () => {
  it('matches the known vector and the JS fallback', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    assert.equal(crc32Js(Buffer.from('123456789')), 0xcbf43926);
    const buf = Buffer.from('abcdefghijklmnopqrstuvwxyz');
    assert.equal(crc32(buf, 3, 20), crc32Js(buf.subarray(3, 20)));
  });
});

describe('xxhash32', () => {
  it('matches the reference vectors', () => {
    assert.equal(xxhash32(Buffer.alloc(0)), 0x02cc5d05);
    assert.equal(xxhash32(Buffer.from('abc')), 0x32d153ff);
    assert.equal(xxhash32(Buffer.from('a'.repeat(17))), 0xdf090c34);
  });

  it('agrees with the xxh32 of lz4js on random input', () => {
    const xxh = require('lz4js/xxh32.js') as {
      hash(seed: number, src: Uint8Array, index: number, len: number): number;
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (a) => {
        const buf = Buffer.from(a);
        assert.equal(xxhash32(buf), xxh.hash(0, buf, 0, buf.length) >>> 0);
      }),
      { numRuns: 200 },
    );
  });
});
