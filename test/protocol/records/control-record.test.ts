import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ControlRecordType,
  encodeControlBatch,
  readControlRecordKey,
  readEndTxnMarker,
} from '../../../src/protocol/records/control-record.ts';
import { decodeRecords } from '../../../src/protocol/records/record-decoder.ts';
import { validateBatch } from '../../../src/protocol/records/validate-batch.ts';
import { require, throwsCode } from './helpers.ts';

describe('control batches', () => {
  for (const [name, type] of [
    ['commit', ControlRecordType.commit],
    ['abort', ControlRecordType.abort],
  ] as const) {
    it(`builds and reads a ${name} marker`, async () => {
      const batch = encodeControlBatch({
        type,
        producerId: 4000,
        producerEpoch: 3,
        coordinatorEpoch: 17,
        timestamp: 1_764_000_000_000,
        baseOffset: 55,
      });
      const h = validateBatch(batch);
      assert.equal(h.isControl, true);
      assert.equal(h.isTransactional, true);
      assert.equal(h.producerId, 4000);
      assert.equal(h.producerEpoch, 3);
      assert.equal(h.baseSequence, -1);
      assert.equal(h.recordCount, 1);
      const [record] = decodeRecords(batch);
      assert.equal(record!.offset, 55);
      assert.deepEqual(readControlRecordKey(record!.key), { version: 0, type });
      assert.deepEqual(readEndTxnMarker(record!.value), { version: 0, coordinatorEpoch: 17 });

      // kafkajs sees a control batch with a control record.
      const decoder = require('kafkajs/src/protocol/recordBatch/v0/decoder.js');
      const Decoder = require('kafkajs/src/protocol/decoder.js');
      const decoded = await decoder(new Decoder(batch));
      assert.equal(decoded.isControlBatch, true);
      assert.equal(decoded.inTransaction, true);
      assert.equal(decoded.records[0].isControlRecord, true);
      assert.equal(decoded.records[0].key.readInt16BE(2), type);
    });
  }

  it('rejects short keys and values', () => {
    throwsCode(() => readControlRecordKey(Buffer.alloc(3)), 'BAD_RECORD');
    throwsCode(() => readControlRecordKey(null), 'BAD_RECORD');
    throwsCode(() => readEndTxnMarker(Buffer.alloc(5)), 'BAD_RECORD');
    assert.deepEqual(readControlRecordKey(Buffer.from([0, 1, 0, 2, 9])), { version: 1, type: 2 });
  });
});
