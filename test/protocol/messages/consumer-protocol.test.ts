import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from '../../../src/protocol/messages/consumer-protocol.ts';

describe('consumer protocol payloads', () => {
  it('subscription v0 bytes: version, topics, user data', () => {
    const bytes = Buffer.from(
      [
        '0000', // version 0
        '00000002', // topics: 2
        '0001 61', // "a"
        '0001 62', // "b"
        'ffffffff', // user data null
      ]
        .join('')
        .replace(/\s/g, ''),
      'hex',
    );
    assert.deepEqual(encodeSubscription({ topics: ['a', 'b'], userData: null }, 0), bytes);
    assert.deepEqual(decodeSubscription(bytes), {
      version: 0,
      value: { topics: ['a', 'b'], userData: null, ownedPartitions: [], generationId: -1, rackId: null },
    });
  });

  it('reads a newer version with the newest format we know and ignores what follows', () => {
    const v3 = encodeSubscription(
      {
        topics: ['t'],
        userData: Buffer.from('u'),
        ownedPartitions: [{ topic: 't', partitions: [1] }],
        generationId: 4,
        rackId: 'r1',
      },
      3,
    );
    const future = Buffer.concat([v3, Buffer.from([1, 2, 3])]);
    future.writeInt16BE(9, 0);
    const d = decodeSubscription(future);
    assert.equal(d.version, 9);
    assert.equal(d.value.rackId, 'r1');
    assert.equal(d.value.generationId, 4);
  });

  it('assignment round trip and bad input', () => {
    const a = { assignedPartitions: [{ topic: 'x', partitions: [0, 2] }], userData: null };
    assert.deepEqual(decodeAssignment(encodeAssignment(a, 1)).value, a);
    assert.throws(() => decodeAssignment(Buffer.from([0xff, 0xff])), { code: 'UNSUPPORTED_VERSION' });
    assert.throws(() => decodeAssignment(Buffer.from([0])), { code: 'TRUNCATED' });
  });
});
