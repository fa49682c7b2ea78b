/**
 * The Fetch handler at the wire: which partitions are refused before any read, where they go in
 * the answer, and how many bytes come back. Found by the differential tests
 * (test/differential/fetch.kafka-test.ts); kept here so they are checked without Kafka.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ErrorCode } from '../../../src/protocol/error-codes.ts';
import { ApiKey } from '../../../src/protocol/messages/generated/api-table.ts';
import type { FetchRequest, FetchRequestFetchPartition } from '../../../src/protocol/messages/generated/fetch.ts';
import { batch, recordsOf } from '../../replication/helpers.ts';
import { destroyAllSockets, request } from '../helpers.ts';
import { type Env, env } from './broker-env.ts';

after(destroyAllSockets);

let correlation = 1;

const values = (records: Buffer) => recordsOf(records).map((r) => r.value);

async function produce(e: Env, partition: number, records: Buffer): Promise<void> {
  e.client.write(
    request(ApiKey.Produce, 9, correlation++, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 10_000,
      topicData: [{ name: 't', partitionData: [{ index: partition, records }] }],
    }),
  );
  const { body } = await e.client.response(ApiKey.Produce, 9);
  assert.equal(body.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
}

function part(partition: number, fetchOffset = 0, partitionMaxBytes = 1 << 20): FetchRequestFetchPartition {
  return { partition, fetchOffset, partitionMaxBytes, currentLeaderEpoch: -1, logStartOffset: -1 };
}

async function fetch(e: Env, v: number, body: Partial<FetchRequest> & Pick<FetchRequest, 'topics'>) {
  const full: FetchRequest = {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    forgottenTopicsData: [],
    ...body,
  };
  e.client.write(request(ApiKey.Fetch, v, correlation++, full));
  return (await e.client.response(ApiKey.Fetch, v)).body;
}

describe('Fetch handler: Kafka order and limits', { timeout: 30_000 }, () => {
  it('answers partitions refused up front after those read, with an empty aborted list', async (t) => {
    const e = await env(t, 2);
    await produce(e, 1, batch(1));
    const res = await fetch(e, 11, {
      topics: [
        { topic: 't', partitions: [part(0), part(5), part(1, 7)] },
        { topic: 'nope', partitions: [part(0)] },
      ],
    });
    assert.deepEqual(
      res.responses.map((r) => [
        r.topic,
        r.partitions.map((p) => [p.partitionIndex, p.errorCode, p.abortedTransactions === null ? 'null' : 'list']),
      ]),
      [
        [
          't',
          [
            [0, ErrorCode.NONE, 'null'],
            [1, ErrorCode.OFFSET_OUT_OF_RANGE, 'null'],
            [5, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'list'],
          ],
        ],
        ['nope', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'list']]],
      ],
    );
  });

  it('answers an unknown topic id last, in a full fetch and in a session', async (t) => {
    const e = await env(t);
    await produce(e, 0, batch(1));
    const id = e.broker.services.metadataCache.topic('t')!.topicId;
    const unknown = 'AAAAAAAAAAAAAAAAAAAAAQ';
    const topics = [
      { topicId: unknown, partitions: [part(0)] },
      { topicId: id, partitions: [part(0)] },
    ];
    const shape = (r: Awaited<ReturnType<typeof fetch>>) =>
      r.responses.map((x) => [x.topicId, x.partitions.map((p) => p.errorCode)]);
    const opened = await fetch(e, 13, { sessionId: 0, sessionEpoch: 0, topics });
    assert.deepEqual(shape(opened), [
      [id, [ErrorCode.NONE]],
      [unknown, [ErrorCode.UNKNOWN_TOPIC_ID]],
    ]);
    await produce(e, 0, batch(1));
    const next = await fetch(e, 13, { sessionId: opened.sessionId!, sessionEpoch: 1, topics: [] });
    assert.deepEqual(shape(next), [
      [id, [ErrorCode.NONE]],
      [unknown, [ErrorCode.UNKNOWN_TOPIC_ID]],
    ]);
  });

  it('answers a partition named twice once, in its first place, from its last offset', async (t) => {
    const e = await env(t, 2);
    await produce(e, 0, batch(2));
    await produce(e, 0, batch(1, { tag: 'w' }));
    await produce(e, 1, batch(1));
    const res = await fetch(e, 11, {
      topics: [
        { topic: 't', partitions: [part(0), part(1)] },
        { topic: 't', partitions: [part(0, 2)] },
      ],
    });
    assert.deepEqual(
      res.responses.map((r) => [r.topic, r.partitions.map((p) => [p.partitionIndex, values(p.records!)])]),
      [
        [
          't',
          [
            [0, ['w-0']],
            [1, ['v-0']],
          ],
        ],
      ],
    );
  });

  it('cuts the bytes at maxBytes inside a later batch, never inside the first', async (t) => {
    const e = await env(t);
    const one = batch(2);
    await produce(e, 0, one);
    await produce(e, 0, batch(2));
    const at = async (maxBytes: number) =>
      (await fetch(e, 11, { maxBytes, topics: [{ topic: 't', partitions: [part(0)] }] })).responses[0]!.partitions[0]!
        .records!.length;
    assert.equal(await at(one.length + 7), one.length + 7, 'seven bytes of the second batch');
    assert.equal(await at(10), one.length, 'the first batch whole');
  });
});
