import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { apiTable, type DataCodec, dataCodecs } from '../../../src/protocol/messages/generated/api-table.ts';
import { apiSchemas, dataSchemas, type MessageSchema } from '../../../src/protocol/messages/generated/schema.ts';
import { Reader } from '../../../src/protocol/primitives/reader.ts';
import { Writer } from '../../../src/protocol/primitives/writer.ts';
import { arbMessage, type Message, withDefaults } from './random-messages.ts';

// Property: for every API, both directions and every version, a random valid message encodes to
// exactly sizeOf bytes, decodes (consuming every byte) to the same values with defaults for the
// fields the version lacks, and re-encodes to the same bytes.

// SAMSA_PROPERTY_RUNS raises the count for a deeper local run.
const RUNS = Number(process.env['SAMSA_PROPERTY_RUNS'] ?? 20);

interface Codec {
  decode(r: Reader, version: number): unknown;
  sizeOf(m: unknown, version: number): number;
  write(w: Writer, m: unknown, version: number): void;
  encode(m: unknown, version: number): Buffer;
}

function checkAllVersions(schema: MessageSchema, codec: Codec): void {
  for (let v = schema.versions[0]; v <= schema.versions[1]; v++) {
    fc.assert(
      fc.property(arbMessage(schema, v), (m: Message) => {
        const size = codec.sizeOf(m, v);
        const bytes = codec.encode(m, v);
        assert.equal(bytes.length, size, `${schema.name} v${v}: sizeOf disagrees with the encoding`);
        const r = new Reader(bytes);
        const decoded = codec.decode(r, v);
        r.check();
        assert.equal(r.pos, bytes.length, `${schema.name} v${v}: decoder left bytes unread`);
        assert.deepStrictEqual(decoded, withDefaults(schema.fields, v, m), `${schema.name} v${v}`);
        assert.deepStrictEqual(codec.encode(decoded, v), bytes, `${schema.name} v${v}: re-encoding differs`);
      }),
      { numRuns: RUNS },
    );
  }
}

describe('generated codecs round-trip every version', () => {
  for (const api of apiSchemas) {
    const desc = apiTable.get(api.apiKey);
    it(`${api.name} (key ${api.apiKey}) request and response, v${api.request.versions.join('-v')}`, () => {
      assert.ok(desc, `no descriptor for ${api.name}`);
      assert.equal(desc.minVersion, api.request.versions[0]);
      assert.equal(desc.maxVersion, api.request.versions[1]);
      checkAllVersions(api.request, {
        decode: (r, v) => desc.decodeRequest(r, v),
        sizeOf: (m, v) => desc.sizeOfRequest(m, v),
        write: (w, m, v) => desc.writeRequest(w, m, v),
        encode: (m, v) => desc.encodeRequest(m, v),
      });
      checkAllVersions(api.response, {
        decode: (r, v) => desc.decodeResponse(r, v),
        sizeOf: (m, v) => desc.sizeOfResponse(m, v),
        write: (w, m, v) => desc.writeResponse(w, m, v),
        encode: (m, v) => desc.encodeResponse(m, v),
      });
    });
  }
  for (const schema of dataSchemas) {
    it(`${schema.name}, v${schema.versions.join('-v')}`, () => {
      const codec = dataCodecs.find((c) => c.name === schema.name) as DataCodec | undefined;
      assert.ok(codec);
      checkAllVersions(schema, codec);
    });
  }

  it('covers every API in the table', () => {
    assert.deepEqual(
      apiSchemas.map((a) => a.apiKey).sort((a, b) => a - b),
      [...apiTable.keys()].sort((a, b) => a - b),
    );
    assert.equal(apiTable.size, 46);
  });

  it('write into a larger buffer at an offset matches encode', () => {
    const desc = apiTable.get(3)!;
    for (let v = desc.minVersion; v <= desc.maxVersion; v++) {
      const m = { topics: [{ name: 'a', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: true };
      const size = desc.sizeOfRequest(m, v);
      const w = new Writer(Buffer.alloc(size + 3), 3);
      desc.writeRequest(w, m, v);
      assert.equal(w.pos, size + 3);
      assert.deepEqual(w.buf.subarray(3), desc.encodeRequest(m, v));
    }
  });
});
