import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { ErrorCode, isRetriable, KAFKA_ERRORS, kafkaError } from '../../src/protocol/error-codes.ts';

const require = createRequire(import.meta.url);

// kafkajs uses older names for a few codes; the numbers are what matter on the wire.
const KAFKAJS_OLD_NAMES: Record<number, string> = {
  [-1]: 'UNKNOWN',
  6: 'NOT_LEADER_FOR_PARTITION',
  14: 'GROUP_LOAD_IN_PROGRESS',
  15: 'GROUP_COORDINATOR_NOT_AVAILABLE',
  16: 'NOT_COORDINATOR_FOR_GROUP',
};

describe('error code table', () => {
  it('has unique codes and names, ordered', () => {
    const codes = KAFKA_ERRORS.map((e) => e.code);
    assert.deepEqual(
      codes,
      [...new Set(codes)].sort((a, b) => a - b),
    );
    assert.equal(new Set(KAFKA_ERRORS.map((e) => e.name)).size, KAFKA_ERRORS.length);
  });

  it('agrees with kafkajs on every code kafkajs knows', () => {
    const { errorCodes } = require('kafkajs/src/protocol/error.js') as {
      errorCodes: { code: number; type: string; retriable: boolean }[];
    };
    assert.ok(errorCodes.length > 80);
    for (const e of errorCodes) {
      const ours = kafkaError(e.code);
      assert.equal(KAFKAJS_OLD_NAMES[e.code] ?? ours.name, e.type, `name of code ${e.code}`);
      assert.equal(ours.retriable, e.retriable, `retriable flag of ${e.type}`);
    }
  });

  it('looks codes up by name and number', () => {
    assert.equal(ErrorCode.UNSUPPORTED_VERSION, 35);
    assert.equal(kafkaError(6).name, 'NOT_LEADER_OR_FOLLOWER');
    assert.equal(isRetriable(ErrorCode.NOT_LEADER_OR_FOLLOWER), true);
    assert.equal(isRetriable(ErrorCode.MESSAGE_TOO_LARGE), false);
    assert.equal(kafkaError(9999).name, 'UNKNOWN_ERROR_CODE_9999');
  });
});
