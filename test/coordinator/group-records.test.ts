import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeGroupMetadataValue,
  decodeOffsetCommitValue,
  decodeRecordKey,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  type GroupMetadataValue,
} from '../../src/coordinator/group-records.ts';
import { DecodeError } from '../../src/protocol/decode-error.ts';

/** Big-endian bytes from a list of [kind, value] pieces. */
function bytes(...parts: (['i16' | 'i32' | 'i64', number] | ['str', string] | ['raw', Buffer])[]): Buffer {
  const out: Buffer[] = [];
  for (const part of parts) {
    const [kind, v] = part;
    if (part[0] === 'raw') {
      out.push(part[1]);
    } else if (kind === 'i16') {
      const b = Buffer.alloc(2);
      b.writeInt16BE(v as number);
      out.push(b);
    } else if (kind === 'i32') {
      const b = Buffer.alloc(4);
      b.writeInt32BE(v as number);
      out.push(b);
    } else if (kind === 'i64') {
      const b = Buffer.alloc(8);
      b.writeBigInt64BE(BigInt(v));
      out.push(b);
    } else if (kind === 'str') {
      const s = Buffer.from(v as string, 'utf8');
      const len = Buffer.alloc(2);
      len.writeInt16BE(s.length);
      out.push(len, s);
    }
  }
  return Buffer.concat(out);
}

describe('__consumer_offsets record formats', () => {
  it('writes offset commit keys as Kafka does: version 1, group, topic, partition', () => {
    const key = encodeOffsetCommitKey('g', 'topic', 7);
    assert.deepEqual(key, bytes(['i16', 1], ['str', 'g'], ['str', 'topic'], ['i32', 7]));
    assert.deepEqual(decodeRecordKey(key), { kind: 'offset', group: 'g', topic: 'topic', partition: 7 });
    // Version 0 keys (older Kafka) have the same layout.
    const v0 = bytes(['i16', 0], ['str', 'g'], ['str', 't'], ['i32', 0]);
    assert.deepEqual(decodeRecordKey(v0), { kind: 'offset', group: 'g', topic: 't', partition: 0 });
  });

  it('writes group metadata keys at version 2 and reports unknown key versions', () => {
    const key = encodeGroupMetadataKey('grüppe');
    assert.deepEqual(key, bytes(['i16', 2], ['str', 'grüppe']));
    assert.deepEqual(decodeRecordKey(key), { kind: 'group', group: 'grüppe' });
    assert.deepEqual(decodeRecordKey(bytes(['i16', 9], ['str', 'x'])), { kind: 'unknown', version: 9 });
    assert.throws(() => decodeRecordKey(bytes(['i16', 1], ['i16', 50])), DecodeError);
  });

  it('writes offset values at version 3, or 1 when they carry an expire timestamp', () => {
    const v = { offset: 42, leaderEpoch: 5, metadata: 'meta', commitTimestamp: 1000, expireTimestamp: -1 };
    const enc = encodeOffsetCommitValue(v);
    assert.deepEqual(enc, bytes(['i16', 3], ['i64', 42], ['i32', 5], ['str', 'meta'], ['i64', 1000]));
    assert.deepEqual(decodeOffsetCommitValue(enc), v);
    const expiring = { ...v, leaderEpoch: -1, expireTimestamp: 5000 };
    const enc1 = encodeOffsetCommitValue(expiring);
    assert.deepEqual(enc1, bytes(['i16', 1], ['i64', 42], ['str', 'meta'], ['i64', 1000], ['i64', 5000]));
    assert.deepEqual(decodeOffsetCommitValue(enc1), expiring);
  });

  it('reads offset values of versions 0, 2 and the flexible 4', () => {
    const v0 = bytes(['i16', 0], ['i64', 9], ['str', ''], ['i64', 77]);
    assert.deepEqual(decodeOffsetCommitValue(v0), {
      offset: 9,
      leaderEpoch: -1,
      metadata: '',
      commitTimestamp: 77,
      expireTimestamp: -1,
    });
    // v4: offset, leaderEpoch, compact string (length+1 = 3, "ab"), commitTimestamp, empty tags.
    const v4 = bytes(
      ['i16', 4],
      ['i64', 9],
      ['i32', 2],
      ['raw', Buffer.from([3, 0x61, 0x62])],
      ['i64', 77],
      ['raw', Buffer.from([0])],
    );
    assert.deepEqual(decodeOffsetCommitValue(v4), {
      offset: 9,
      leaderEpoch: 2,
      metadata: 'ab',
      commitTimestamp: 77,
      expireTimestamp: -1,
    });
    assert.throws(() => decodeOffsetCommitValue(bytes(['i16', 5], ['i64', 1])), DecodeError);
    assert.throws(() => decodeOffsetCommitValue(bytes(['i16', 3], ['i32', 1])), DecodeError);
  });

  it('round-trips group metadata values (version 3) with members, nulls and a static member', () => {
    const value: GroupMetadataValue = {
      protocolType: 'consumer',
      generation: 3,
      protocol: 'range',
      leader: 'm1',
      currentStateTimestamp: 1234,
      members: [
        {
          memberId: 'm1',
          groupInstanceId: null,
          clientId: 'c1',
          clientHost: '/127.0.0.1',
          rebalanceTimeoutMs: 60000,
          sessionTimeoutMs: 10000,
          subscription: Buffer.from([0, 1, 2]),
          assignment: Buffer.from([3]),
        },
        {
          memberId: 'm2',
          groupInstanceId: 'instance-2',
          clientId: 'c2',
          clientHost: '/10.0.0.2',
          rebalanceTimeoutMs: 30000,
          sessionTimeoutMs: 6000,
          subscription: Buffer.alloc(0),
          assignment: Buffer.alloc(0),
        },
      ],
    };
    const enc = encodeGroupMetadataValue(value);
    assert.equal(enc.readInt16BE(0), 3);
    assert.deepEqual(decodeGroupMetadataValue(enc), value);
    const empty: GroupMetadataValue = {
      protocolType: '',
      generation: 1,
      protocol: null,
      leader: null,
      currentStateTimestamp: -1,
      members: [],
    };
    assert.deepEqual(decodeGroupMetadataValue(encodeGroupMetadataValue(empty)), empty);
  });

  it('reads group metadata value version 0 (rebalance timeout = session timeout)', () => {
    const v0 = bytes(
      ['i16', 0],
      ['str', 'consumer'],
      ['i32', 1],
      ['str', 'range'],
      ['str', 'm'],
      ['i32', 1],
      ['str', 'm'],
      ['str', 'c'],
      ['str', 'h'],
      ['i32', 7000],
      ['i32', 0],
      ['i32', 0],
    );
    const d = decodeGroupMetadataValue(v0);
    assert.equal(d.members[0]!.rebalanceTimeoutMs, 7000);
    assert.equal(d.members[0]!.groupInstanceId, null);
    assert.equal(d.currentStateTimestamp, -1);
    // A member count larger than the bytes can hold is an error, not an allocation.
    assert.throws(
      () =>
        decodeGroupMetadataValue(
          bytes(['i16', 3], ['str', 'c'], ['i32', 1], ['i16', -1], ['i16', -1], ['i64', 0], ['i32', 1e9]),
        ),
      DecodeError,
    );
  });
});
