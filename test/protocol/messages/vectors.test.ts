import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeApiVersionsResponse,
  encodeApiVersionsResponse,
} from '../../../src/protocol/messages/generated/api-versions.ts';
import {
  decodeFetchRequest,
  encodeFetchRequest,
  type FetchRequest,
} from '../../../src/protocol/messages/generated/fetch.ts';
import { decodeMetadataRequest } from '../../../src/protocol/messages/generated/metadata.ts';
import { decodeProduceRequest } from '../../../src/protocol/messages/generated/produce.ts';
import { Reader } from '../../../src/protocol/primitives/reader.ts';
import {
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
} from '../../../src/protocol/request.ts';

// Byte vectors written out by hand from the protocol docs, to catch mistakes that an
// encode-then-decode round trip cannot see (the same mistake on both sides).

/** Bytes from a list of hex words, so each field sits on its own commented line. */
function hex(...parts: string[]): Buffer {
  return Buffer.from(parts.join('').replace(/\s+/g, ''), 'hex');
}

describe('hand-written byte vectors', () => {
  it('ApiVersions v0 request frame: header v1, empty body', () => {
    const frame = hex(
      '0000000c', // frame size 12
      '0012', // api key 18
      '0000', // api version 0
      '00000001', // correlation id 1
      '0002 6162', // client id "ab" (int16 length)
    );
    assert.deepEqual(encodeRequestFrame({ apiKey: 18, correlationId: 1, clientId: 'ab' }, {}, 0), frame);
    const d = decodeRequestFrame(frame.subarray(4));
    assert.deepEqual(d.header, { apiKey: 18, apiVersion: 0, correlationId: 1, clientId: 'ab' });
    assert.deepEqual(d.body, { clientSoftwareName: '', clientSoftwareVersion: '' });
  });

  it('ApiVersions v3 request frame: header v2 keeps an int16 client id; compact body strings', () => {
    const frame = hex(
      '00000016', // frame size 22
      '0012', // api key 18
      '0003', // api version 3
      '00000007', // correlation id 7
      'ffff', // client id null (still an int16 length in header v2)
      '00', // header tagged fields: none
      '06 73616d7361', // client software name "samsa" (uvarint length + 1 = 6)
      '04 312e30', // client software version "1.0"
      '00', // body tagged fields: none
    );
    const body = { clientSoftwareName: 'samsa', clientSoftwareVersion: '1.0' };
    const encoded = encodeRequestFrame({ apiKey: 18, correlationId: 7, clientId: null }, body, 3);
    assert.deepEqual(encoded, frame);
    const d = decodeRequestFrame(encoded.subarray(4));
    assert.deepEqual(d.header, { apiKey: 18, apiVersion: 3, correlationId: 7, clientId: null });
    assert.deepEqual(d.body, body);
  });

  it('Metadata v1 request: int32 array count, null means all topics', () => {
    const one = hex(
      '00000001', // topics: 1 entry
      '0002 7431', // name "t1"
    );
    assert.deepEqual(decodeMetadataRequest(new Reader(one), 1), {
      topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 't1' }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    const all = hex('ffffffff'); // topics: null
    assert.equal((decodeMetadataRequest(new Reader(all), 1) as { topics: unknown }).topics, null);
    // v0 has no null topics: -1 is an error there.
    const r = new Reader(all);
    decodeMetadataRequest(r, 0);
    assert.equal(r.error?.code, 'NULL_NOT_ALLOWED');
  });

  it('Fetch v12 request: flexible body with tagged field ClusterId (tag 0); unknown tags skipped', () => {
    const body = hex(
      'ffffffff', // replica id -1
      '000001f4', // max wait 500 ms
      '00000001', // min bytes 1
      '00001000', // max bytes 4096
      '00', // isolation level 0
      '00000000', // session id 0
      'ffffffff', // session epoch -1
      '01', // topics: compact array, 0 entries
      '01', // forgotten topics: compact array, 0 entries
      '01', // rack id "" (compact)
      '01', // tagged fields: 1
      '00 02 0263', // tag 0, 2 bytes: cluster id "c" (compact string)
    );
    const expected: FetchRequest = {
      clusterId: 'c',
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 4096,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [],
      forgottenTopicsData: [],
      rackId: '',
    };
    const decoded = decodeFetchRequest(new Reader(body), 12);
    assert.deepEqual({ ...decoded, replicaState: undefined }, { ...expected, replicaState: undefined });
    assert.deepEqual(encodeFetchRequest(expected, 12), body);

    const withUnknown = Buffer.concat([
      body.subarray(0, body.length - 5),
      hex(
        '02', // tagged fields: 2
        '00 02 0263', // tag 0: cluster id "c"
        '07 03 aabbcc', // tag 7 (unknown): 3 opaque bytes, skipped
      ),
    ]);
    const r = new Reader(withUnknown);
    assert.deepEqual(decodeFetchRequest(r, 12), decoded);
    assert.equal(r.pos, withUnknown.length);

    // A known tag whose size disagrees with what its field takes is an error.
    const badSize = Buffer.concat([body.subarray(0, body.length - 4), hex('00 03 0263 00')]);
    const r2 = new Reader(badSize);
    decodeFetchRequest(r2, 12);
    assert.equal(r2.error?.code, 'BAD_LENGTH');
  });

  it('ApiVersions v3 response: header v0 even though the body is flexible; tagged fields in tag order', () => {
    const body = {
      errorCode: 0,
      apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }],
      throttleTimeMs: 0,
      finalizedFeaturesEpoch: 5,
      zkMigrationReady: true,
    };
    const frame = hex(
      '00000020', // frame size 32
      '0000002a', // correlation id 42; header v0: no tagged fields
      '0000', // error code 0
      '02', // api keys: compact array, 1 entry
      '0012 0000 0004 00', // key 18, min 0, max 4, no tags
      '00000000', // throttle time 0
      '02', // tagged fields: 2
      '01 08 0000000000000005', // tag 1 (FinalizedFeaturesEpoch), 8 bytes: int64 5
      '03 01 01', // tag 3 (ZkMigrationReady), 1 byte: true
    );
    assert.deepEqual(encodeResponseFrame(18, 3, 42, body), frame);
    const { correlationId, body: decoded } = decodeResponseFrame(18, 3, frame.subarray(4));
    assert.equal(correlationId, 42);
    assert.deepEqual(decoded, { ...body, supportedFeatures: [], finalizedFeatures: [] });
  });

  it('ApiVersions v0 response body: error code, int32-counted keys, nothing else', () => {
    const body = hex(
      '0023', // error code 35 (UNSUPPORTED_VERSION)
      '00000001', // api keys: 1 entry
      '0012 0000 0004', // key 18, min 0, max 4
    );
    const m = { errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }] };
    assert.deepEqual(encodeApiVersionsResponse(m, 0), body);
    assert.deepEqual(decodeApiVersionsResponse(new Reader(body), 0), {
      ...m,
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1,
      finalizedFeatures: [],
      zkMigrationReady: false,
    });
  });

  it('ControlledShutdown v0 request uses header v0 (no client id)', () => {
    const frame = hex(
      '0000000c', // frame size 12
      '0007', // api key 7
      '0000', // version 0
      '00000003', // correlation id 3
      '00000002', // broker id 2
    );
    assert.deepEqual(
      encodeRequestFrame({ apiKey: 7, correlationId: 3, clientId: 'ignored' }, { brokerId: 2 }, 0),
      frame,
    );
    assert.deepEqual(decodeRequestFrame(frame.subarray(4)).header, {
      apiKey: 7,
      apiVersion: 0,
      correlationId: 3,
      clientId: null,
    });
  });

  it('ListPartitionReassignments v0 (flexible from v0): header v2 then compact body', () => {
    const frame = hex(
      '0000001e', // frame size 30
      '002e', // api key 46
      '0000', // version 0
      '00000009', // correlation id 9
      '0001 6b', // client id "k"
      '00', // header tagged fields
      '00007530', // timeout 30000 ms
      '02', // topics: compact array, 1 entry
      '02 74', // name "t"
      '03 00000000 00000001', // partition indexes: compact array [0, 1]
      '00', // topic tagged fields
      '00', // body tagged fields
    );
    const body = { timeoutMs: 30000, topics: [{ name: 't', partitionIndexes: [0, 1] }] };
    assert.deepEqual(encodeRequestFrame({ apiKey: 46, correlationId: 9, clientId: 'k' }, body, 0), frame);
    assert.deepEqual(decodeRequestFrame(frame.subarray(4)).body, body);
  });

  it('Produce v3 request: records are a view of the frame, not a copy', () => {
    const body = hex(
      'ffff', // transactional id null
      'ffff', // acks -1
      '00007530', // timeout 30000
      '00000001', // topics: 1
      '0001 74', // name "t"
      '00000001', // partitions: 1
      '00000000', // index 0
      '00000003 010203', // records: 3 opaque bytes
    );
    const decoded = decodeProduceRequest(new Reader(body), 3);
    const records = decoded.topicData[0]!.partitionData[0]!.records!;
    assert.deepEqual([...records], [1, 2, 3]);
    assert.equal(records.buffer, body.buffer);
    assert.equal(records.byteOffset, body.byteOffset + body.length - 3);
  });
});
