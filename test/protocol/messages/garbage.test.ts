import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DecodeError } from '../../../src/protocol/decode-error.ts';
import { apiTable, dataCodecs } from '../../../src/protocol/messages/generated/api-table.ts';
import { apiSchemas, dataSchemas, type MessageSchema } from '../../../src/protocol/messages/generated/schema.ts';
import { Reader } from '../../../src/protocol/primitives/reader.ts';
import { decodeRequestFrame, decodeResponseFrame } from '../../../src/protocol/request.ts';
import { arbMessage } from './random-messages.ts';

// Decoders fed garbage must never throw: they record a DecodeError in the Reader, which
// `check()` throws. (A heavier fuzz harness lives in test/fuzz/.)

type Decode = (r: Reader, version: number) => unknown;
type Encode = (m: unknown, version: number) => Buffer;

function decodeOnly(decode: Decode, bytes: Buffer, version: number): DecodeError | null {
  const r = new Reader(bytes);
  decode(r, version); // must not throw for a supported version
  return r.error;
}

function checkGarbage(schema: MessageSchema, decode: Decode, encode: Encode): void {
  for (let v = schema.versions[0]; v <= schema.versions[1]; v++) {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), (a) => {
        const err = decodeOnly(decode, Buffer.from(a), v);
        assert.ok(err === null || err instanceof DecodeError);
      }),
      { numRuns: 15 },
    );
    fc.assert(
      fc.property(arbMessage(schema, v), fc.nat(), fc.nat(), (m, cut, flip) => {
        const bytes = encode(m, v);
        if (bytes.length === 0) return;
        // Every strict prefix is incomplete, so it must fail.
        const prefix = bytes.subarray(0, cut % bytes.length);
        assert.ok(decodeOnly(decode, prefix, v) instanceof DecodeError, `${schema.name} v${v} prefix`);
        // A flipped byte may or may not decode, but only ever reports a DecodeError.
        const flipped = Buffer.from(bytes);
        flipped[flip % bytes.length]! ^= 0xff;
        const err = decodeOnly(decode, flipped, v);
        assert.ok(err === null || err instanceof DecodeError);
      }),
      { numRuns: 10 },
    );
  }
}

describe('decoders given garbage report only DecodeError', () => {
  for (const api of apiSchemas) {
    it(`${api.name}`, () => {
      const d = apiTable.get(api.apiKey)!;
      checkGarbage(api.request, d.decodeRequest, d.encodeRequest);
      checkGarbage(api.response, d.decodeResponse, d.encodeResponse);
    });
  }
  for (const schema of dataSchemas) {
    it(schema.name, () => {
      const c = dataCodecs.find((x) => x.name === schema.name)!;
      checkGarbage(schema, c.decode, c.encode);
    });
  }

  it('unsupported versions throw DecodeError UNSUPPORTED_VERSION', () => {
    for (const d of apiTable.values()) {
      for (const v of [d.minVersion - 1, d.maxVersion + 1]) {
        assert.throws(() => d.decodeRequest(new Reader(Buffer.alloc(8)), v), { code: 'UNSUPPORTED_VERSION' });
        assert.throws(() => d.decodeResponse(new Reader(Buffer.alloc(8)), v), { code: 'UNSUPPORTED_VERSION' });
      }
    }
  });

  it('request and response frames: garbage only ever throws DecodeError', () => {
    const keys = [...apiTable.keys()];
    fc.assert(
      fc.property(
        fc.constantFrom(...keys),
        fc.integer({ min: -1, max: 20 }),
        fc.uint8Array({ maxLength: 64 }),
        (key, version, tail) => {
          const frame = Buffer.alloc(8 + tail.length);
          frame.writeInt16BE(key, 0);
          frame.writeInt16BE(version, 2);
          frame.writeInt32BE(1, 4);
          frame.set(tail, 8);
          for (const attempt of [
            () => decodeRequestFrame(frame),
            () => decodeRequestFrame(frame.subarray(0, tail.length % 9)),
            () => decodeResponseFrame(key as 0, version, frame.subarray(4)),
          ]) {
            try {
              attempt();
            } catch (e) {
              assert.ok(e instanceof DecodeError, String(e));
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('huge array counts fail before allocating', () => {
    // Metadata v0 request claiming 2^31-1 topics in a 4-byte body.
    const r = new Reader(Buffer.from('7fffffff', 'hex'));
    apiTable.get(3)!.decodeRequest(r, 0);
    assert.equal(r.error?.code, 'BAD_LENGTH');
    // Flexible: a uvarint count of 2^32-2 elements.
    const r2 = new Reader(Buffer.from('ffffffff0f', 'hex'));
    apiTable.get(3)!.decodeRequest(r2, 12);
    assert.equal(r2.error?.code, 'BAD_LENGTH');
  });
});
