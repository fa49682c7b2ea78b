import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startBroker } from '../../src/broker/start-broker.ts';
import { ManualClock } from '../../src/common/clock.ts';
import { MemoryLogger } from '../../src/common/logger.ts';
import { ErrorCode } from '../../src/protocol/error-codes.ts';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';
import { RawClient, request } from './helpers.ts';

describe('startBroker', () => {
  it('answers a parked fetch at once on close instead of waiting out its max wait', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'samsa-close-'));
    // Time never moves on its own: if close() waited for the fetch's max wait, it would never end.
    const clock = new ManualClock();
    const logger = new MemoryLogger();
    const broker = await startBroker({ port: 0, host: '127.0.0.1', logDirs: [dir], clock, logger });
    try {
      const created = await broker.services.topics.createTopics(
        [{ name: 'parked', numPartitions: 1, replicationFactor: 1 }],
        {
          timeoutMs: 5000,
        },
      );
      assert.equal(created[0]!.errorCode, ErrorCode.NONE);
      const client = await RawClient.connect(broker.port);
      client.write(
        request(ApiKey.Fetch, 11, 5, {
          replicaId: -1,
          maxWaitMs: 60_000,
          minBytes: 1,
          maxBytes: 1 << 20,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [
            {
              topic: 'parked',
              partitions: [
                {
                  partition: 0,
                  currentLeaderEpoch: -1,
                  fetchOffset: 0,
                  logStartOffset: -1,
                  partitionMaxBytes: 1 << 20,
                },
              ],
            },
          ],
          forgottenTopicsData: [],
          rackId: '',
        }),
      );
      await new Promise<void>((resolve) => {
        const check = (): void => {
          if (broker.services.replicaManager.fetchPurgatory.size > 0) resolve();
          else setImmediate(check);
        };
        check();
      });
      const closing = broker.close();
      const res = await client.response(ApiKey.Fetch, 11);
      assert.equal(res.correlationId, 5);
      assert.equal(res.body.responses[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
      await client.closed;
      await closing;
      assert.ok(logger.matching(/INFO Samsa broker 0 stopped/).length === 1);
    } finally {
      await broker.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
