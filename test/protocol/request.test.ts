import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecodeError } from '../../src/protocol/decode-error.ts';
import { EncodeError } from '../../src/protocol/encode-error.ts';
import { ApiKey, apiTable, getApi } from '../../src/protocol/messages/generated/api-table.ts';
import type { ProduceRequest } from '../../src/protocol/messages/generated/produce.ts';
import {
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  isRequestFor,
  peekRequestHeader,
} from '../../src/protocol/request.ts';

describe('request frames', () => {
  const produce: ProduceRequest = {
    transactionalId: null,
    acks: 1,
    timeoutMs: 1000,
    topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.from([1, 2, 3]) }] }],
  };

  it('round-trips every version of Produce, with the header version the API table picks', () => {
    for (let v = 0; v <= 11; v++) {
      const frame = encodeRequestFrame({ apiKey: ApiKey.Produce, correlationId: v, clientId: 'c' }, produce, v);
      assert.equal(frame.readInt32BE(0), frame.length - 4);
      const d = decodeRequestFrame(frame.subarray(4));
      assert.deepEqual(d.header, { apiKey: 0, apiVersion: v, correlationId: v, clientId: 'c' });
      assert.ok(isRequestFor(d, ApiKey.Produce));
      assert.deepEqual(d.body.topicData, produce.topicData);
      assert.equal(d.api.name, 'Produce');
      // Flexible versions add the header tag byte (header v2).
      assert.equal(getApi(0).requestHeaderVersion(v), v >= 9 ? 2 : 1);
    }
  });

  it('ignores trailing bytes after the body, as Kafka does', () => {
    const frame = encodeRequestFrame(
      { apiKey: ApiKey.Heartbeat, correlationId: 1, clientId: null },
      {
        groupId: 'g',
        generationId: 1,
        memberId: 'm',
      },
      1,
    );
    const padded = Buffer.concat([frame.subarray(4), Buffer.from([9, 9, 9])]);
    assert.equal((decodeRequestFrame(padded).body as { groupId: string }).groupId, 'g');
  });

  it('reports unknown API keys and unsupported versions as DecodeError', () => {
    const bad = Buffer.from('03e700000000000100', 'hex'); // key 999
    assert.throws(
      () => decodeRequestFrame(bad),
      (e: unknown) => e instanceof DecodeError && e.code === 'UNKNOWN_API',
    );
    const future = Buffer.from('0012006300000001ffff', 'hex'); // ApiVersions v99
    assert.throws(() => decodeRequestFrame(future), { code: 'UNSUPPORTED_VERSION' });
    assert.deepEqual(peekRequestHeader(future), { apiKey: 18, apiVersion: 99, correlationId: 1 });
    assert.equal(peekRequestHeader(Buffer.alloc(7)), null);
    assert.throws(() => decodeRequestFrame(Buffer.alloc(5)), { code: 'TRUNCATED' });
  });

  it('response frames: header v1 for flexible versions, v0 otherwise and always for ApiVersions', () => {
    const hb = { throttleTimeMs: 0, errorCode: 27 };
    const v3 = encodeResponseFrame(ApiKey.Heartbeat, 3, 5, hb);
    const v4 = encodeResponseFrame(ApiKey.Heartbeat, 4, 5, hb);
    assert.equal(v4.length, v3.length + 2); // header tag section + body tag section
    assert.deepEqual(decodeResponseFrame(ApiKey.Heartbeat, 4, v4.subarray(4)), { correlationId: 5, body: hb });
    for (const d of apiTable.values()) {
      for (let v = d.minVersion; v <= d.maxVersion; v++) {
        const flexible = d.flexibleMinVersion >= 0 && v >= d.flexibleMinVersion;
        assert.equal(d.responseHeaderVersion(v), flexible && d.apiKey !== ApiKey.ApiVersions ? 1 : 0, d.name);
        const expectedRequest = d.apiKey === ApiKey.ControlledShutdown && v === 0 ? 0 : flexible ? 2 : 1;
        assert.equal(d.requestHeaderVersion(v), expectedRequest, `${d.name} v${v}`);
      }
    }
  });

  it('encoding errors are EncodeError with stable codes', () => {
    assert.throws(
      () => encodeRequestFrame({ apiKey: 999 as 0, correlationId: 1, clientId: null }, produce, 0),
      (e: unknown) => e instanceof EncodeError && e.code === 'UNKNOWN_API',
    );
    assert.throws(() => encodeResponseFrame(ApiKey.Heartbeat, 5, 1, { errorCode: 0 }), { code: 'UNSUPPORTED_VERSION' });
    // TransactionalId does not exist in Produce v0-2 and is not ignorable.
    assert.throws(
      () =>
        encodeRequestFrame({ apiKey: 0, correlationId: 1, clientId: null }, { ...produce, transactionalId: 'tx' }, 2),
      { code: 'FIELD_NOT_IN_VERSION' },
    );
    // ThrottleTimeMs is ignorable: dropped silently for v0.
    assert.doesNotThrow(() => encodeResponseFrame(ApiKey.Heartbeat, 0, 1, { throttleTimeMs: 100, errorCode: 0 }));
    // JoinGroup's ProtocolName becomes nullable only in v7.
    const join = {
      errorCode: 0,
      generationId: 1,
      protocolName: null,
      leader: 'l',
      memberId: 'm',
      members: [],
    };
    assert.throws(() => encodeResponseFrame(ApiKey.JoinGroup, 6, 1, join), { code: 'NULL_NOT_ALLOWED' });
    assert.doesNotThrow(() => encodeResponseFrame(ApiKey.JoinGroup, 7, 1, join));
  });
});
