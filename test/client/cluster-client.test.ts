import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin } from '../../src/client/admin.ts';
import { ClusterClient } from '../../src/client/cluster-client.ts';
import { Connection } from '../../src/client/connection.ts';
import { ConnectError, ConnectionClosedError, KafkaProtocolError, NoBrokerError } from '../../src/client/errors.ts';
import { ErrorCode } from '../../src/protocol/error-codes.ts';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';
import { encodeResponseFrame } from '../../src/protocol/request.ts';
import { createTopic, produce, startFakeBroker, startTestBroker, type TestBroker, unusedPort } from './helpers.ts';

describe('ClusterClient against a real broker', () => {
  let tb: TestBroker;
  let client: ClusterClient;

  before(async () => {
    tb = await startTestBroker({ 'offsets.topic.num.partitions': 2 });
    const conn = await Connection.connect({ host: '127.0.0.1', port: tb.port });
    await createTopic(conn, 'orders', 3);
    await produce(conn, 'orders', 1, [1, 2]);
    await conn.close();
    client = new ClusterClient({
      bootstrap: `127.0.0.1:${await unusedPort()}, ${tb.bootstrap}`,
      retryBackoffMs: 10,
      operationTimeoutMs: 5000,
    });
  });
  after(async () => {
    await client?.close();
    await tb?.close();
  });

  it('bootstraps past an unreachable address and learns the brokers from Metadata', async () => {
    const meta = await client.metadata(['orders', 'missing']);
    assert.deepEqual(meta.brokers, [{ nodeId: 0, host: '127.0.0.1', port: tb.port, rack: null }]);
    assert.deepEqual(client.knownBrokers, meta.brokers);
    assert.equal(typeof meta.clusterId, 'string');
    const orders = meta.topics.get('orders')!;
    assert.equal(orders.errorCode, 0);
    assert.deepEqual(
      orders.partitions.map((p) => [p.partition, p.leaderId]),
      [
        [0, 0],
        [1, 0],
        [2, 0],
      ],
    );
    assert.equal(meta.topics.get('missing')?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal((await client.metadata([])).topics.size, 0);
    assert.ok((await client.metadata(null)).topics.has('orders'));
  });

  it('opens one connection per broker, lazily, and replaces it once closed', async () => {
    const a = await client.connectionTo(0);
    assert.equal(await client.connectionTo(0), a);
    assert.equal(a.port, tb.port);
    await a.close();
    const b = await client.connectionTo(0);
    assert.notEqual(b, a);
    assert.equal(b.isClosed, false);
    await assert.rejects(
      client.connectionTo(42),
      (e: unknown) => e instanceof NoBrokerError && /broker 42/.test(e.message),
    );
  });

  it('finds the group coordinator, retrying COORDINATOR_NOT_AVAILABLE while __consumer_offsets is created', async () => {
    const node = await client.retry(() => client.findCoordinator('g1'));
    assert.deepEqual(node, { nodeId: 0, host: '127.0.0.1', port: tb.port, rack: null });
    assert.equal(await client.findCoordinator('g1'), node);
  });

  it('Admin over it: commit, fetch, list offsets; errors name the topic-partition', async () => {
    const admin = new Admin(client);
    await admin.commitOffsets('g1', [
      { topic: 'orders', partition: 1, offset: 1 },
      { topic: 'orders', partition: 0, offset: 0, metadata: 'm' },
    ]);
    assert.deepEqual(await admin.fetchOffsets('g1'), [
      { topic: 'orders', partition: 0, offset: 0, leaderEpoch: -1, metadata: 'm' },
      { topic: 'orders', partition: 1, offset: 1, leaderEpoch: -1, metadata: '' },
    ]);
    assert.deepEqual(
      (await admin.fetchOffsets('g1', [{ topic: 'orders', partition: 2 }])).map((o) => o.offset),
      [-1],
      'asked for explicitly: -1 when none is committed',
    );
    assert.deepEqual(
      await admin.listOffsets([
        { topic: 'orders', partition: 1, timestamp: -1 },
        { topic: 'orders', partition: 1, timestamp: -2 },
        { topic: 'orders', partition: 1, timestamp: 2 },
      ]),
      [
        { topic: 'orders', partition: 1, offset: 2, timestamp: -1 },
        { topic: 'orders', partition: 1, offset: 0, timestamp: -1 },
        { topic: 'orders', partition: 1, offset: 1, timestamp: 2 },
      ],
    );
    await assert.rejects(admin.listOffsets([{ topic: 'orders', partition: 9, timestamp: -1 }]), (e: unknown) => {
      assert.ok(e instanceof KafkaProtocolError);
      assert.equal(e.name, 'UNKNOWN_TOPIC_OR_PARTITION');
      assert.equal(e.subject, 'topic-partition orders-9');
      assert.equal(e.retriable, false, 'the metadata says so: not retried until the deadline');
      return true;
    });
    assert.deepEqual(await admin.partitionsOf(['orders']), new Map([['orders', [0, 1, 2]]]));
    await assert.rejects(admin.partitionsOf(['orders', 'nope']), /topic 'nope'/);
    const [missing] = await admin.describeGroups(['never-seen']);
    assert.equal(missing!.state, 'Dead');
    assert.deepEqual(missing!.members, []);
  });
});

describe('ClusterClient connection failures and retries', () => {
  it('one unreachable bootstrap address: its ConnectError; several: NoBrokerError listing each', async () => {
    const [p1, p2] = [await unusedPort(), await unusedPort()];
    const one = new ClusterClient({ bootstrap: `127.0.0.1:${p1}` });
    await assert.rejects(one.metadata([]), (e: unknown) => e instanceof ConnectError && /ECONNREFUSED/.test(e.message));
    await one.close();
    const two = new ClusterClient({ bootstrap: `127.0.0.1:${p1},127.0.0.1:${p2}` });
    await assert.rejects(two.metadata([]), (e: unknown) => {
      assert.ok(e instanceof NoBrokerError);
      assert.equal(
        e.message,
        `cannot connect to any bootstrap broker: cannot connect to 127.0.0.1:${p1}: ECONNREFUSED; cannot connect to 127.0.0.1:${p2}: ECONNREFUSED`,
      );
      return true;
    });
    await two.close();
    assert.throws(() => new ClusterClient({ bootstrap: 'nonsense' }), RangeError);
  });

  it('retry(): retriable errors until success, others at once, the last error at the deadline', async () => {
    const client = new ClusterClient({ bootstrap: '127.0.0.1:1', retryBackoffMs: 1 });
    let calls = 0;
    assert.equal(
      await client.retry(async () => {
        calls++;
        if (calls < 3) throw new KafkaProtocolError(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
        if (calls < 4) throw new ConnectionClosedError('gone');
        return 'done';
      }),
      'done',
    );
    assert.equal(calls, 4);

    calls = 0;
    await assert.rejects(
      client.retry(async () => {
        calls++;
        throw new KafkaProtocolError(ErrorCode.GROUP_AUTHORIZATION_FAILED);
      }),
      (e: unknown) => e instanceof KafkaProtocolError && e.name === 'GROUP_AUTHORIZATION_FAILED',
    );
    assert.equal(calls, 1);

    calls = 0;
    await assert.rejects(
      client.retry(async () => {
        calls++;
        throw new KafkaProtocolError(ErrorCode.NOT_COORDINATOR, { message: `attempt ${calls}` });
      }, 30),
      (e: unknown) => e instanceof KafkaProtocolError && e.message === `attempt ${calls}`,
    );
    assert.ok(calls >= 2, `retried (${calls} attempts)`);
    await client.close();
  });

  it('withCoordinator() forgets the coordinator after NOT_COORDINATOR, so the next attempt asks again', async () => {
    let findCoordinator = 0;
    const fake = await startFakeBroker((req, socket) => {
      const { apiKey, apiVersion: v, correlationId } = req.header;
      if (apiKey === ApiKey.ApiVersions) {
        socket.write(
          encodeResponseFrame(ApiKey.ApiVersions, v, correlationId, {
            errorCode: 0,
            apiKeys: [
              { apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 4 },
              { apiKey: ApiKey.FindCoordinator, minVersion: 0, maxVersion: 6 },
              { apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 12 },
            ],
            throttleTimeMs: 0,
          }),
        );
      } else if (apiKey === ApiKey.FindCoordinator) {
        findCoordinator++;
        socket.write(
          encodeResponseFrame(ApiKey.FindCoordinator, v, correlationId, {
            throttleTimeMs: 0,
            coordinators: [
              { key: 'g', nodeId: 7, host: '127.0.0.1', port: fake.port, errorCode: 0, errorMessage: null },
            ],
          }),
        );
      }
    });
    const client = new ClusterClient({ bootstrap: `127.0.0.1:${fake.port}`, retryBackoffMs: 1 });
    try {
      let attempts = 0;
      const result = await client.retry(() =>
        client.withCoordinator('g', async (conn, node) => {
          attempts++;
          assert.equal(node.nodeId, 7);
          assert.equal(conn.port, fake.port);
          if (attempts === 1) throw new KafkaProtocolError(ErrorCode.NOT_COORDINATOR);
          return 'ok';
        }),
      );
      assert.equal(result, 'ok');
      assert.equal(attempts, 2);
      assert.equal(findCoordinator, 2, 'asked again after NOT_COORDINATOR');
      await client.withCoordinator('g', async () => {});
      assert.equal(findCoordinator, 2, 'remembered while it answers');
    } finally {
      await client.close();
      await fake.close();
    }
  });
});
