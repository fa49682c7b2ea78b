import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HandlerTable } from '../../../src/broker/handler.ts';
import { deleteRecords } from '../../../src/broker/handlers/delete-records.ts';
import type { ConnectionInfo } from '../../../src/broker/network/request-processor.ts';
import { RequestDispatcher } from '../../../src/broker/request-dispatcher.ts';
import type { BrokerServices } from '../../../src/broker/services.ts';
import { ManualClock } from '../../../src/common/clock.ts';
import { MemoryLogger } from '../../../src/common/logger.ts';
import { ErrorCode } from '../../../src/protocol/error-codes.ts';
import { ApiKey } from '../../../src/protocol/messages/generated/api-table.ts';
import type { DeleteRecordsRequest } from '../../../src/protocol/messages/generated/delete-records.ts';
import { decodeResponseFrame } from '../../../src/protocol/request.ts';
import type { DeleteRecordsPartitionRequest } from '../../../src/replication/types.ts';
import { request, testServices } from '../helpers.ts';

const conn: ConnectionInfo = { id: 1, listenerName: 'PLAINTEXT', clientHost: '::1', clientPort: 1, isClosed: false };

/** The handler over a replica manager that records what it is asked and moves the start to the offset asked. */
async function serve(version: number, body: DeleteRecordsRequest) {
  const asked: DeleteRecordsPartitionRequest[] = [];
  const replicaManager = {
    deleteRecords: async (partitions: readonly DeleteRecordsPartitionRequest[]) => {
      asked.push(...partitions);
      return partitions.map((p) => ({ ...p, errorCode: ErrorCode.NONE, lowWatermark: p.offset }));
    },
  };
  const dispatcher = new RequestDispatcher({
    handlers: new HandlerTable([deleteRecords]),
    services: testServices({ replicaManager } as Partial<BrokerServices>),
    clock: new ManualClock(),
    logger: new MemoryLogger(),
  });
  const out = await dispatcher.process(request(ApiKey.DeleteRecords, version, 3, body).subarray(4), conn);
  assert.ok(Buffer.isBuffer(out));
  return { asked, response: decodeResponseFrame(ApiKey.DeleteRecords, version, out.subarray(4)).body };
}

describe('DeleteRecords handler', () => {
  it('deletes and answers a partition named twice once, with the offset given last (as Kafka)', async () => {
    const { asked, response } = await serve(2, {
      timeoutMs: 1000,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 1, offset: 5 },
            { partitionIndex: 0, offset: 1 },
            { partitionIndex: 1, offset: 3 },
          ],
        },
        { name: 'u', partitions: [{ partitionIndex: 0, offset: 2 }] },
        { name: 't', partitions: [{ partitionIndex: 0, offset: 4 }] },
      ],
    });
    // Regression: every entry was deleted and answered, duplicates included.
    assert.deepEqual(
      asked.map((p) => [p.topic, p.partition, p.offset]),
      [
        ['t', 1, 3],
        ['t', 0, 4],
        ['u', 0, 2],
      ],
    );
    assert.deepEqual(
      response.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.lowWatermark, p.errorCode])]),
      [
        [
          't',
          [
            [1, 3, 0],
            [0, 4, 0],
          ],
        ],
        ['u', [[0, 2, 0]]],
      ],
    );
  });

  it('answers a failure once per distinct partition as well', () => {
    const res = deleteRecords.errorResponse!(
      {
        timeoutMs: 1,
        topics: [
          { name: 't', partitions: [{ partitionIndex: 0, offset: 1 }] },
          { name: 't', partitions: [{ partitionIndex: 0, offset: 2 }] },
        ],
      },
      ErrorCode.UNKNOWN_SERVER_ERROR,
      undefined as never,
    ) as { topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] };
    assert.deepEqual(
      res.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode])]),
      [['t', [[0, ErrorCode.UNKNOWN_SERVER_ERROR]]]],
    );
  });
});
