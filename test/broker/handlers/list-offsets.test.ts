/**
 * ListOffsets v0 at the wire: Kafka's old-style answer (segment base offsets and the log end
 * offset, chosen by segment file times, up to maxNumOffsets, newest first). Found by the
 * differential tests (test/differential/list-offsets.kafka-test.ts).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ErrorCode } from '../../../src/protocol/error-codes.ts';
import { ApiKey } from '../../../src/protocol/messages/generated/api-table.ts';
import { batch } from '../../replication/helpers.ts';
import { destroyAllSockets, request } from '../helpers.ts';
import { type Env, env } from './broker-env.ts';

after(destroyAllSockets);

let correlation = 1;

async function v0(e: Env, timestamp: number, maxNumOffsets: number): Promise<number[]> {
  e.client.write(
    request(ApiKey.ListOffsets, 0, correlation++, {
      replicaId: -1,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, timestamp, maxNumOffsets }] }],
    }),
  );
  const p = (await e.client.response(ApiKey.ListOffsets, 0)).body.topics[0]!.partitions[0]!;
  assert.equal(p.errorCode, ErrorCode.NONE);
  return p.oldStyleOffsets!;
}

describe('ListOffsets v0', { timeout: 30_000 }, () => {
  it('answers segment base offsets and the log end offset, as Kafka', async (t) => {
    const e = await env(t);
    assert.deepEqual(await v0(e, -1, 5), [0], 'empty: the one segment base');
    const p = e.broker.services.replicaManager.partitionFor('t', 0)!;
    await p.appendRecordsToLeader(batch(3), 1, 1);
    await p.log.roll();
    await p.appendRecordsToLeader(batch(2), 1, 1);
    assert.deepEqual(await v0(e, -1, 5), [5, 3, 0], 'latest: the LEO, then the segment bases');
    assert.deepEqual(await v0(e, -1, 1), [5]);
    assert.deepEqual(await v0(e, -1, 0), []);
    assert.deepEqual(await v0(e, -2, 5), [0], 'earliest: the first segment only');
    assert.deepEqual(await v0(e, 1_700_000_000_000, 5), [], 'every segment file is newer than that');
    assert.deepEqual(await v0(e, Date.now() + 3_600_000, 2), [5, 3], 'a time after every file');
  });
});

describe('ListOffsets special timestamps', { timeout: 30_000 }, () => {
  // Regression: found by the differential tests. Kafka answers a special timestamp the version
  // does not have UNSUPPORTED_VERSION, before it looks the partition up.
  it('refuses -3 before v7, -4 before v8, -5 before v9 and any other negative value', async (t) => {
    const e = await env(t);
    const ask = async (v: number, timestamp: number, topic = 't') => {
      e.client.write(
        request(ApiKey.ListOffsets, v, correlation++, {
          replicaId: -1,
          isolationLevel: 0,
          topics: [
            { name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }] },
          ],
        }),
      );
      return (await e.client.response(ApiKey.ListOffsets, v)).body.topics[0]!.partitions[0]!.errorCode;
    };
    const cases: [number, number, string, number][] = [
      [6, -3, 't', ErrorCode.UNSUPPORTED_VERSION],
      [7, -3, 't', ErrorCode.NONE],
      [7, -4, 't', ErrorCode.UNSUPPORTED_VERSION],
      [8, -4, 't', ErrorCode.NONE],
      [8, -5, 't', ErrorCode.UNSUPPORTED_VERSION],
      [9, -5, 't', ErrorCode.NONE],
      [9, -6, 't', ErrorCode.UNSUPPORTED_VERSION],
      [0, -3, 't', ErrorCode.UNSUPPORTED_VERSION],
      [6, -3, 'nope', ErrorCode.UNSUPPORTED_VERSION],
      [6, -1, 'nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ];
    for (const [v, timestamp, topic, code] of cases) {
      assert.equal(await ask(v, timestamp, topic), code, `v${v} timestamp ${timestamp} on ${topic}`);
    }
  });
});
