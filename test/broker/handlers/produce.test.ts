/**
 * The Produce handler at the wire (a real broker on port 0, raw frames): the request-level checks
 * Kafka makes before anything reaches the log, and what its answers carry. Each case here was
 * found by the differential tests (test/differential/produce.kafka-test.ts) and is kept so it is
 * checked without Kafka.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ErrorCode } from '../../../src/protocol/error-codes.ts';
import { ApiKey } from '../../../src/protocol/messages/generated/api-table.ts';
import type { ProduceResponsePartitionProduceResponse } from '../../../src/protocol/messages/generated/produce.ts';
import { Compression } from '../../../src/protocol/records/batch-format.ts';
import { encodeMessageSet } from '../../../src/protocol/records/legacy-message-set.ts';
import { encodeRecordBatch } from '../../../src/protocol/records/record-encoder.ts';
import { batch } from '../../replication/helpers.ts';
import { destroyAllSockets, request } from '../helpers.ts';
import { type Env, env } from './broker-env.ts';

after(destroyAllSockets);

let correlation = 1;

async function produce(
  e: Env,
  parts: { topic?: string; partition?: number; records: Buffer | null }[],
  version = 9,
): Promise<ProduceResponsePartitionProduceResponse[]> {
  e.client.write(
    request(ApiKey.Produce, version, correlation++, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 10_000,
      topicData: parts.map((p) => ({
        name: p.topic ?? 't',
        partitionData: [{ index: p.partition ?? 0, records: p.records }],
      })),
    }),
  );
  const { body } = await e.client.response(ApiKey.Produce, version);
  return body.responses.flatMap((t) => t.partitionResponses);
}

function logEndOffset(e: Env): number {
  return e.broker.services.replicaManager.partitionFor('t', 0)!.logEndOffset;
}

const summary = (r: ProduceResponsePartitionProduceResponse) => [r.errorCode, r.baseOffset, r.logStartOffset];

describe('Produce handler: Kafka request-level checks', { timeout: 30_000 }, () => {
  it('does not create an unknown topic (auto-creation is Metadata only)', async (t) => {
    const e = await env(t);
    const [r] = await produce(e, [{ topic: 'nope', records: batch(1) }]);
    assert.deepEqual(summary(r!), [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1]);
    assert.equal(e.broker.services.metadataCache.topic('nope'), undefined, 'not created');
    const [bad] = await produce(e, [{ topic: 'bad/name', records: batch(1) }]);
    assert.equal(bad!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'an illegal name is just unknown');
  });

  it('takes exactly one RecordBatch v2 per partition', async (t) => {
    const e = await env(t);
    const magic1 = batch(1);
    magic1[16] = 1;
    const legacy = encodeMessageSet({ magic: 1, messages: [{ value: Buffer.from('v'), timestamp: 1 }] });
    const cases: [string, Buffer, number][] = [
      ['two batches', Buffer.concat([batch(1), batch(1)]), ErrorCode.INVALID_RECORD],
      ['magic 1 in a v2 layout', magic1, ErrorCode.INVALID_RECORD],
      ['a legacy message set', legacy, ErrorCode.INVALID_RECORD],
      ['zero bytes', Buffer.alloc(0), ErrorCode.INVALID_RECORD],
      ['a batch cut short', batch(2).subarray(0, 70), ErrorCode.INVALID_RECORD],
    ];
    for (const [what, records, code] of cases) {
      const [r] = await produce(e, [{ records }]);
      assert.deepEqual(summary(r!), [code, -1, -1], what);
      assert.equal(r!.errorMessage, null, `${what}: no message, as Kafka`);
    }
    assert.equal(logEndOffset(e), 0, 'nothing written');
  });

  it('refuses zstd before Produce v7', async (t) => {
    const e = await env(t);
    const zstd = encodeRecordBatch({ compression: Compression.zstd, records: [{ value: Buffer.from('z') }] });
    const [v6] = await produce(e, [{ records: Buffer.from(zstd) }], 6);
    assert.deepEqual(summary(v6!), [ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, -1, -1]);
    const [v7] = await produce(e, [{ records: zstd }], 7);
    assert.deepEqual(summary(v7!), [ErrorCode.NONE, 0, 0]);
  });

  it('drops stray bytes after the batch that do not make a whole entry', async (t) => {
    const e = await env(t);
    const [r] = await produce(e, [{ records: Buffer.concat([batch(2), Buffer.from([0, 0, 0])]) }]);
    assert.deepEqual(summary(r!), [ErrorCode.NONE, 0, 0]);
    assert.equal(logEndOffset(e), 2);
    const log = e.broker.services.replicaManager.partitionFor('t', 0)!.log;
    assert.equal(log.size, batch(2).length, 'only the batch is stored');
  });

  it('fails the whole request when a partition does not start with a log entry', async (t) => {
    const e = await env(t);
    const magic3 = batch(1);
    magic3[16] = 3;
    const rs = await produce(e, [{ records: batch(1) }, { topic: 'nope', records: magic3 }]);
    assert.deepEqual(
      rs.map((r) => [r.errorCode, r.baseOffset, r.logStartOffset, r.errorMessage !== null]),
      [
        [ErrorCode.CORRUPT_MESSAGE, -1, -1, true],
        [ErrorCode.CORRUPT_MESSAGE, -1, -1, true],
      ],
    );
    assert.equal(logEndOffset(e), 0, 'the good partition is not written either');
  });

  it('answers record errors with their messages and an error message', async (t) => {
    const e = await env(t);
    await e.broker.services.topics.createTopics(
      [{ name: 'c', numPartitions: 1, replicationFactor: 1, configs: new Map([['cleanup.policy', 'compact']]) }],
      { timeoutMs: 30_000 },
    );
    const [r] = await produce(e, [
      { topic: 'c', records: encodeRecordBatch({ records: [{ value: Buffer.from('v') }] }) },
    ]);
    assert.equal(r!.errorCode, ErrorCode.INVALID_RECORD);
    assert.deepEqual(r!.recordErrors, [
      {
        batchIndex: 0,
        batchIndexErrorMessage: 'Compacted topic cannot accept message without key in topic partition c-0',
      },
    ]);
    assert.notEqual(r!.errorMessage, null);
  });

  it('answers log errors without a message (Kafka sends none)', async (t) => {
    const e = await env(t);
    const corrupt = batch(2);
    corrupt[corrupt.length - 1]! ^= 0xff;
    const [r] = await produce(e, [{ records: corrupt }]);
    assert.deepEqual([r!.errorCode, r!.errorMessage], [ErrorCode.CORRUPT_MESSAGE, null]);
    const [p] = await produce(e, [{ partition: 4, records: batch(1) }]);
    assert.deepEqual([p!.errorCode, p!.errorMessage], [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null]);
  });
});
