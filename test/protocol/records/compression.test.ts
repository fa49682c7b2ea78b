import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { compress, decompress, isCodecAvailable } from '../../../src/protocol/records/compression.ts';
import { snappyCodec } from '../../../src/protocol/records/native-codecs.ts';
import { xxhash32 } from '../../../src/protocol/records/xxhash32.ts';
import { logText, onlyDecodeError, require, throwsCode } from './helpers.ts';

const CODECS = [1, 2, 3, 4] as const;
const MiB = 1 << 20;

describe('compression round trips', () => {
  it('every codec is available in this runtime', () => {
    for (const c of [0, 1, 2, 3, 4]) assert.ok(isCodecAvailable(c), `codec ${c}`);
    assert.ok(!isCodecAvailable(5));
  });

  it('round-trips random and compressible data with every codec and framing', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 3000 }).map((a) => Buffer.from(a)),
          fc.integer({ min: 0, max: 400 }).map((n) => logText(n)),
        ),
        fc.constantFrom(...CODECS),
        fc.boolean(),
        (input, codec, alt) => {
          const options = { xerialSnappy: alt, lz4BrokenHeaderChecksum: alt };
          const packed = compress(codec, input, options);
          assert.ok(decompress(codec, packed, input.length + 1).equals(input));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('round-trips inputs spanning many blocks (lz4 64 KiB blocks, xerial 32 KiB chunks)', () => {
    const input = Buffer.concat([
      logText(5000),
      Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) & 0xff)),
    ]);
    for (const codec of CODECS) {
      for (const alt of [false, true]) {
        const packed = compress(codec, input, { xerialSnappy: alt });
        assert.ok(decompress(codec, packed, input.length).equals(input), `codec ${codec} alt ${alt}`);
      }
    }
  });

  it('writes a standard LZ4 frame: magic 0x184D2204, FLG 0x60, BD 0x40, valid HC', () => {
    const packed = compress(3, logText(100));
    assert.equal(packed.readUInt32LE(0), 0x184d2204);
    assert.equal(packed[4], 0x60);
    assert.equal(packed[5], 0x40);
    assert.equal(packed[6], (xxhash32(packed, 4, 6) >>> 8) & 0xff);
    assert.equal(packed.readUInt32LE(packed.length - 4), 0); // end mark
  });

  it('writes the pre-0.10 Kafka LZ4 header checksum only when asked, and reads both', () => {
    const input = logText(50);
    const old = compress(3, input, { lz4BrokenHeaderChecksum: true });
    assert.equal(old[6], (xxhash32(old, 0, 6) >>> 8) & 0xff);
    assert.ok(decompress(3, old, MiB).equals(input));
    const bad = Buffer.from(old);
    bad[6] ^= 0x55;
    throwsCode(() => decompress(3, bad, MiB), 'CORRUPT_COMPRESSED_DATA');
  });

  it('writes the xerial header when asked', () => {
    const packed = compress(2, logText(100), { xerialSnappy: true });
    assert.deepEqual([...packed.subarray(0, 8)], [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
    assert.equal(packed.readInt32BE(8), 1);
    assert.equal(packed.readInt32BE(12), 1);
  });

  it('handles empty input', () => {
    for (const codec of CODECS) {
      for (const alt of [false, true]) {
        const packed = compress(codec, Buffer.alloc(0), { xerialSnappy: alt });
        assert.equal(decompress(codec, packed, 10).length, 0, `codec ${codec}`);
      }
    }
  });
});

describe('compression interop', () => {
  it('kafkajs-snappy (snappyjs) reads our raw and xerial snappy, and we read its output', async () => {
    const codec = require('kafkajs-snappy')() as {
      compress(e: { buffer: Buffer }): Promise<Uint8Array>;
      decompress(b: Buffer): Promise<Uint8Array>;
    };
    const input = Buffer.concat([logText(2000), Buffer.from('tail')]);
    for (const xerial of [false, true]) {
      const ours = compress(2, input, { xerialSnappy: xerial });
      assert.ok(Buffer.from(await codec.decompress(ours)).equals(input), `xerial=${xerial}`);
    }
    const theirs = Buffer.from(await codec.compress({ buffer: input }));
    assert.ok(decompress(2, theirs, MiB).equals(input));
  });

  it('uses hysnappy, and its raw blocks agree with the N-API snappy package (an independent implementation)', () => {
    const loaded = snappyCodec();
    assert.ok(loaded.ok && loaded.mod.name === 'hysnappy');
    const napi = require('snappy') as {
      compressSync(b: Buffer): Buffer;
      uncompressSync(b: Buffer, o: { asBuffer: true }): Buffer;
    };
    const input = logText(3000, 11);
    assert.ok(napi.uncompressSync(compress(2, input), { asBuffer: true }).equals(input));
    assert.ok(decompress(2, napi.compressSync(input), MiB).equals(input));
  });

  it('decodes a xerial stream built by hand from snappyjs blocks', () => {
    const snappyjs = require('snappyjs') as { compress(b: Buffer): Uint8Array };
    const parts = [logText(10), logText(20, 7), Buffer.from('x')];
    const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
    const chunks = parts.map((p) => {
      const c = Buffer.from(snappyjs.compress(p));
      const len = Buffer.alloc(4);
      len.writeInt32BE(c.length);
      return Buffer.concat([len, c]);
    });
    assert.ok(decompress(2, Buffer.concat([header, ...chunks]), MiB).equals(Buffer.concat(parts)));
  });

  it('lz4js (an independent pure-JS LZ4) reads our frames, and we read its frames (4 MiB blocks)', () => {
    const lz4js = require('lz4js') as { compress(b: Uint8Array): Uint8Array; decompress(b: Uint8Array): Uint8Array };
    const input = Buffer.concat([logText(6000), Buffer.alloc(100_000, 7), Buffer.from('end')]);
    assert.ok(Buffer.from(lz4js.decompress(compress(3, input))).equals(input));
    const theirs = Buffer.from(lz4js.compress(input));
    assert.equal((theirs[5]! >> 4) & 7, 7); // 4 MiB block max
    assert.ok(decompress(3, theirs, MiB).equals(input));
    assert.ok(decompress(3, Buffer.from(lz4js.compress(Buffer.alloc(0))), 10).length === 0);
  });

  it('reads linked-block frames (blocks referring back into earlier output)', () => {
    const lz4 = require('lz4-napi') as { compressSync(d: Buffer, dict?: Buffer): Buffer };
    const lz4js = require('lz4js') as { decompress(b: Uint8Array): Uint8Array };
    const part1 = logText(900, 5);
    const part2 = Buffer.concat([part1.subarray(100, 30_000), logText(200, 5)]);
    const b1 = lz4.compressSync(part1).subarray(4);
    const b2 = lz4.compressSync(part2, part1.subarray(-65536)).subarray(4);
    const header = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x40, 0x40, 0]);
    header[6] = (xxhash32(header, 4, 6) >>> 8) & 0xff;
    const size = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(n);
      return b;
    };
    const frame = Buffer.concat([header, size(b1.length), b1, size(b2.length), b2, size(0)]);
    const expected = Buffer.concat([part1, part2]);
    assert.ok(Buffer.from(lz4js.decompress(frame)).equals(expected), 'lz4js agrees the frame is valid');
    assert.ok(decompress(3, frame, MiB).equals(expected));
    // Without the dictionary the second block cannot be decoded, so this exercises the linking.
    const independent = Buffer.from(frame);
    independent[4] = 0x60;
    independent[6] = (xxhash32(independent, 4, 6) >>> 8) & 0xff;
    onlyDecodeError(() => assert.ok(!decompress(3, independent, MiB).equals(expected)));
  });

  it('reads gzip with several members and zstd from zlib streams', () => {
    const a = logText(30);
    const b = logText(40, 3);
    const multi = Buffer.concat([zlib.gzipSync(a), zlib.gzipSync(b)]);
    assert.ok(decompress(1, multi, MiB).equals(Buffer.concat([a, b])));
    assert.ok(decompress(4, zlib.zstdCompressSync(a), MiB).equals(a));
  });
});

describe('decompression limits and bad input', () => {
  it('refuses output over the limit for every codec (zip bombs)', () => {
    const zeros = Buffer.alloc(8 * MiB);
    for (const codec of CODECS) {
      for (const alt of [false, true]) {
        const bomb = compress(codec, zeros, { xerialSnappy: alt });
        assert.ok(bomb.length < MiB / 2, `codec ${codec} packs 8 MiB of zeros into ${bomb.length}`);
        throwsCode(() => decompress(codec, bomb, MiB), 'BAD_LENGTH');
        assert.equal(decompress(codec, bomb, 8 * MiB).length, 8 * MiB);
      }
    }
    throwsCode(() => decompress(0, zeros, MiB), 'BAD_LENGTH');
  });

  it('the limit is exact', () => {
    const input = logText(300);
    for (const codec of CODECS) {
      const packed = compress(codec, input);
      assert.equal(decompress(codec, packed, input.length).length, input.length);
      throwsCode(() => decompress(codec, packed, input.length - 1), 'BAD_LENGTH');
    }
  });

  it('unknown codecs are UNSUPPORTED_COMPRESSION', () => {
    for (const codec of [5, 6, 7, -1]) {
      throwsCode(() => decompress(codec, Buffer.from('x'), 10), 'UNSUPPORTED_COMPRESSION');
      throwsCode(() => compress(codec, Buffer.from('x')), 'UNSUPPORTED_COMPRESSION');
    }
  });

  it('random bytes give only DecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...CODECS), (a, codec) => {
        onlyDecodeError(() => decompress(codec, Buffer.from(a), 64 * 1024));
      }),
      { numRuns: 1000 },
    );
  });

  it('random bytes behind a valid header give only DecodeError', () => {
    const heads = [
      Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]),
      Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]),
      Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82]),
      Buffer.from([0x28, 0xb5, 0x2f, 0xfd]),
    ];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 3 }), (a, i) => {
        onlyDecodeError(() => decompress(i + 1, Buffer.concat([heads[i]!, Buffer.from(a)]), 64 * 1024));
      }),
      { numRuns: 1000 },
    );
  });

  it('flipped bits and truncations of valid data give only DecodeError (or the right bytes)', () => {
    const input = logText(400);
    fc.assert(
      fc.property(
        fc.constantFrom(...CODECS),
        fc.boolean(),
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        (codec, alt, at, bit, cut) => {
          const packed = Buffer.from(compress(codec, input, { xerialSnappy: alt }));
          const damaged = cut ? packed.subarray(0, at % packed.length) : packed;
          if (!cut) damaged[at % damaged.length]! ^= 1 << (bit % 8);
          onlyDecodeError(() => decompress(codec, damaged, 2 * input.length));
        },
      ),
      { numRuns: 1500 },
    );
  });
});
