import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Connection } from '../../src/client/connection.ts';
import {
  BadResponseError,
  ConnectError,
  ConnectionClosedError,
  KafkaProtocolError,
  RequestTimeoutError,
  throwIfError,
  UnsupportedVersionError,
} from '../../src/client/errors.ts';
import { ManualClock } from '../../src/common/clock.ts';
import { ErrorCode } from '../../src/protocol/error-codes.ts';
import { ApiKey, apiTable } from '../../src/protocol/messages/generated/api-table.ts';
import { encodeRecordBatch } from '../../src/protocol/records/record-encoder.ts';
import { encodeResponseFrame } from '../../src/protocol/request.ts';
import { createTopic, produce, startFakeBroker, startTestBroker, type TestBroker, unusedPort } from './helpers.ts';

describe('Connection against a real broker', () => {
  let tb: TestBroker;
  let conn: Connection;

  before(async () => {
    tb = await startTestBroker();
    conn = await Connection.connect({ host: '127.0.0.1', port: tb.port });
    await createTopic(conn, 'events', 2);
  });
  after(async () => {
    await conn?.close();
    await tb?.close();
  });

  it('negotiates every API at min(our max, broker max) from the ApiVersions answer', () => {
    let checked = 0;
    for (const api of apiTable.values()) {
      const b = conn.brokerRange(api.apiKey);
      if (b === undefined) {
        assert.equal(conn.versionFor(api.apiKey), undefined, `${api.name} is not served`);
        continue;
      }
      assert.equal(conn.versionFor(api.apiKey), Math.min(api.maxVersion, b.maxVersion), api.name);
      checked++;
    }
    assert.ok(checked >= 10, `the broker serves at least 10 APIs we have codecs for (${checked})`);
    assert.equal(conn.versionFor(ApiKey.ApiVersions), 4);
    assert.equal(conn.versionFor(ApiKey.Metadata), 12);
  });

  it('caps versions with maxVersions and speaks the capped version on the wire', async () => {
    const old = await Connection.connect({ host: '127.0.0.1', port: tb.port, maxVersions: { [ApiKey.Metadata]: 1 } });
    try {
      assert.equal(old.versionFor(ApiKey.Metadata), 1);
      const res = await old.send(ApiKey.Metadata, { topics: [{ name: 'events' }] });
      assert.equal(res.topics[0]!.name, 'events');
      assert.equal(res.topics[0]!.partitions.length, 2);
      assert.equal(res.clusterId, null, 'v1 has no cluster id (v2+ does)');
      const v0 = await old.send(ApiKey.Metadata, { topics: [{ name: 'events' }] }, { version: 0 });
      assert.equal(v0.topics[0]!.partitions.length, 2);
      await assert.rejects(old.send(ApiKey.Metadata, { topics: null }, { version: 5 }), UnsupportedVersionError);
    } finally {
      await old.close();
    }
  });

  it('refuses an API the broker does not serve before sending anything', async () => {
    assert.equal(conn.brokerRange(ApiKey.DescribeAcls), undefined);
    const before = conn.inFlightCount;
    await assert.rejects(conn.send(ApiKey.DescribeAcls, {} as never), (e: unknown) => {
      assert.ok(e instanceof UnsupportedVersionError);
      assert.equal(e.code, 'UNSUPPORTED_VERSION');
      assert.equal(e.apiKey, ApiKey.DescribeAcls);
      assert.match(e.message, /does not support DescribeAcls/);
      return true;
    });
    assert.equal(conn.inFlightCount, before);
    assert.equal(conn.isClosed, false);
  });

  it('pipelines: many requests in flight at once, each answered in order with its own response', async () => {
    await produce(conn, 'events', 0, [1000, 2000, 3000]);
    const settled: number[] = [];
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 60; i++) {
      const track = <T>(p: Promise<T>, check: (v: T) => void): void => {
        pending.push(
          p.then((v) => {
            settled.push(i);
            check(v);
          }),
        );
      };
      if (i % 3 === 0) {
        track(conn.send(ApiKey.Metadata, { topics: [{ name: 'events' }] }), (r) =>
          assert.equal(r.topics[0]!.name, 'events'),
        );
      } else if (i % 3 === 1) {
        // v3+ needs a client software name and version KIP-511 allows (else INVALID_REQUEST, as Kafka).
        const software = { clientSoftwareName: 'samsa-test', clientSoftwareVersion: '1.0' };
        track(conn.send(ApiKey.ApiVersions, software), (r) => assert.equal(r.errorCode, 0));
      } else {
        track(
          conn.send(ApiKey.ListOffsets, {
            replicaId: -1,
            topics: [{ name: 'events', partitions: [{ partitionIndex: 0, timestamp: -1 }] }],
          }),
          (r) => assert.equal(r.topics[0]!.partitions[0]!.offset, 3),
        );
      }
    }
    assert.equal(conn.inFlightCount, 60, 'all 60 written before any answer was read');
    await Promise.all(pending);
    assert.deepEqual(
      settled,
      Array.from({ length: 60 }, (_, i) => i),
    );
    assert.equal(conn.inFlightCount, 0);
  });

  it('keeps order when an earlier request is parked: a Fetch waiting for data answers before a later Metadata', async () => {
    const order: string[] = [];
    const fetch = conn
      .send(
        ApiKey.Fetch,
        {
          replicaId: -1,
          maxWaitMs: 300,
          minBytes: 1_000_000,
          maxBytes: 1_000_000,
          topics: [{ topic: 'events', partitions: [{ partition: 1, fetchOffset: 0, partitionMaxBytes: 1_000_000 }] }],
        },
        { version: 11 },
      )
      .then((r) => {
        order.push('fetch');
        return r;
      });
    const metadata = conn.send(ApiKey.Metadata, { topics: [] }).then(() => order.push('metadata'));
    await Promise.all([fetch, metadata]);
    assert.deepEqual(order, ['fetch', 'metadata']);
    assert.equal((await fetch).responses[0]!.partitions[0]!.errorCode, 0);
  });

  it('acks=0 produce takes no slot: written without waiting, and the next answer is matched correctly', async () => {
    const before = await conn.send(ApiKey.ListOffsets, {
      replicaId: -1,
      topics: [{ name: 'events', partitions: [{ partitionIndex: 1, timestamp: -1 }] }],
    });
    const leo = before.topics[0]!.partitions[0]!.offset!;
    const produceRequest = (acks: number, value: string) => ({
      transactionalId: null,
      acks,
      timeoutMs: 1000,
      topicData: [
        {
          name: 'events',
          partitionData: [
            { index: 1, records: encodeRecordBatch({ records: [{ value: Buffer.from(value), timestamp: 7 }] }) },
          ],
        },
      ],
    });
    await conn.sendWithoutResponse(ApiKey.Produce, produceRequest(0, 'fire-and-forget'));
    assert.equal(conn.inFlightCount, 0);
    // The next answer on the connection belongs to the next request: an acks=1 produce after it.
    const acked = await conn.send(ApiKey.Produce, produceRequest(1, 'acknowledged'));
    assert.equal(acked.responses[0]!.partitionResponses[0]!.baseOffset, leo + 1, 'the acks=0 record went first');
  });

  it('maps error codes to KafkaProtocolError with code, name and retriable', async () => {
    await assert.rejects(createTopic(conn, 'events', 2), (e: unknown) => {
      assert.ok(e instanceof KafkaProtocolError);
      assert.equal(e.code, ErrorCode.TOPIC_ALREADY_EXISTS);
      assert.equal(e.name, 'TOPIC_ALREADY_EXISTS');
      assert.equal(e.retriable, false);
      assert.match(e.message, /^topic 'events': /);
      return true;
    });
    const res = await conn.send(ApiKey.ListOffsets, {
      replicaId: -1,
      topics: [{ name: 'no-such-topic', partitions: [{ partitionIndex: 0, timestamp: -1 }] }],
    });
    const code = res.topics[0]!.partitions[0]!.errorCode;
    assert.throws(
      () => throwIfError(code, { subject: 'topic-partition no-such-topic-0' }),
      (e: unknown) =>
        e instanceof KafkaProtocolError &&
        e.code === 3 &&
        e.name === 'UNKNOWN_TOPIC_OR_PARTITION' &&
        e.retriable &&
        e.message === 'topic-partition no-such-topic-0: This server does not host this topic-partition.',
    );
  });

  it('close() fails what is in flight and refuses new requests', async () => {
    const c = await Connection.connect({ host: '127.0.0.1', port: tb.port });
    const inFlight = assert.rejects(
      c.send(ApiKey.Metadata, { topics: null }),
      (e: unknown) => e instanceof ConnectionClosedError && e.code === 'CONNECTION_CLOSED',
    );
    await c.close();
    await inFlight;
    await assert.rejects(c.send(ApiKey.ApiVersions, {}), ConnectionClosedError);
    await c.close(); // idempotent
  });
});

describe('Connection against scripted brokers', () => {
  it('falls back to the ApiVersions version the broker names when it answers UNSUPPORTED_VERSION (KIP-511)', async () => {
    const fake = await startFakeBroker((req, socket) => {
      const v = req.header.apiVersion;
      if (v > 2) {
        socket.write(
          encodeResponseFrame(ApiKey.ApiVersions, 0, req.header.correlationId, {
            errorCode: ErrorCode.UNSUPPORTED_VERSION,
            apiKeys: [{ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 2 }],
          }),
        );
        return;
      }
      socket.write(
        encodeResponseFrame(ApiKey.ApiVersions, v, req.header.correlationId, {
          errorCode: 0,
          apiKeys: [
            { apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 2 },
            { apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 5 },
            { apiKey: ApiKey.Produce, minVersion: 3, maxVersion: 99 },
            { apiKey: ApiKey.JoinGroup, minVersion: 50, maxVersion: 60 },
          ],
          throttleTimeMs: 0,
        }),
      );
    });
    try {
      const c = await Connection.connect({ host: '127.0.0.1', port: fake.port });
      assert.deepEqual(
        fake.requests.map((r) => r.header.apiVersion),
        [4, 2],
      );
      assert.equal(c.versionFor(ApiKey.ApiVersions), 2);
      assert.equal(c.versionFor(ApiKey.Metadata), 5);
      assert.equal(c.versionFor(ApiKey.Produce), apiTable.get(ApiKey.Produce)!.maxVersion, 'capped by our codec');
      assert.equal(c.versionFor(ApiKey.JoinGroup), undefined, 'no overlap');
      assert.equal(c.versionFor(ApiKey.Fetch), undefined, 'not advertised');
      await c.close();
    } finally {
      await fake.close();
    }
  });

  it('times out on the Clock: the late request fails with RequestTimeoutError, the rest with ConnectionClosedError', async () => {
    // Answers ApiVersions, then nothing.
    const fake = await startFakeBroker((req, socket) => {
      if (req.header.apiKey !== ApiKey.ApiVersions) return;
      socket.write(
        encodeResponseFrame(ApiKey.ApiVersions, req.header.apiVersion, req.header.correlationId, {
          errorCode: 0,
          apiKeys: [
            { apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 12 },
            { apiKey: ApiKey.ListOffsets, minVersion: 0, maxVersion: 9 },
          ],
          throttleTimeMs: 0,
        }),
      );
    });
    try {
      const clock = new ManualClock();
      const slow = await Connection.connect({ host: '127.0.0.1', port: fake.port, clock, requestTimeoutMs: 1000 });
      const first = slow.send(ApiKey.ListOffsets, { replicaId: -1, topics: [] });
      const behind = slow.send(ApiKey.Metadata, { topics: [] }, { timeoutMs: 60_000 });
      const firstFailed = assert.rejects(first, (e: unknown) => {
        assert.ok(e instanceof RequestTimeoutError);
        assert.equal(e.code, 'REQUEST_TIMEOUT');
        assert.equal(e.message, `ListOffsets request to 127.0.0.1:${fake.port} got no answer within 1000 ms`);
        return true;
      });
      const behindFailed = assert.rejects(behind, ConnectionClosedError);
      clock.advance(999);
      assert.equal(slow.isClosed, false);
      assert.equal(slow.inFlightCount, 2);
      clock.advance(1);
      await firstFailed;
      await behindFailed;
      assert.equal(slow.isClosed, true);
      assert.equal(clock.pendingTimers, 0, 'no timer left behind');
      await assert.rejects(slow.send(ApiKey.Metadata, { topics: [] }), ConnectionClosedError);
      await slow.close();
    } finally {
      await fake.close();
    }
  });

  it('a handshake error is a KafkaProtocolError', async () => {
    const fake = await startFakeBroker((req, socket) => {
      socket.write(
        encodeResponseFrame(ApiKey.ApiVersions, req.header.apiVersion, req.header.correlationId, {
          errorCode: ErrorCode.INVALID_REQUEST,
          apiKeys: [],
        }),
      );
    });
    try {
      await assert.rejects(Connection.connect({ host: '127.0.0.1', port: fake.port }), (e: unknown) => {
        assert.ok(e instanceof KafkaProtocolError);
        assert.equal(e.name, 'INVALID_REQUEST');
        return true;
      });
    } finally {
      await fake.close();
    }
  });

  it('a response with the wrong correlation id fails every in-flight request and closes', async () => {
    const fake = await startFakeBroker((req, socket) => {
      if (req.header.apiKey === ApiKey.ApiVersions) {
        socket.write(
          encodeResponseFrame(ApiKey.ApiVersions, req.header.apiVersion, req.header.correlationId, {
            errorCode: 0,
            apiKeys: [{ apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 12 }],
            throttleTimeMs: 0,
          }),
        );
      } else if (req.header.correlationId % 2 === 1) {
        // Answers the second request first.
        socket.write(
          encodeResponseFrame(ApiKey.Metadata, req.header.apiVersion, req.header.correlationId, {
            brokers: [],
            topics: [],
          }),
        );
      }
    });
    try {
      const c = await Connection.connect({ host: '127.0.0.1', port: fake.port });
      const first = c.send(ApiKey.Metadata, { topics: [] });
      const second = c.send(ApiKey.Metadata, { topics: [] });
      const ids = [first, second];
      await assert.rejects(ids[0]!, (e: unknown) => {
        assert.ok(e instanceof BadResponseError);
        assert.match(e.message, /answered correlation id 3 where 2 was next/);
        return true;
      });
      await assert.rejects(ids[1]!, BadResponseError);
      assert.equal(c.isClosed, true);
    } finally {
      await fake.close();
    }
  });

  it('the broker closing the connection fails the request with ConnectionClosedError', async () => {
    const fake = await startFakeBroker((req, socket) => {
      if (req.header.apiKey === ApiKey.ApiVersions) {
        socket.write(
          encodeResponseFrame(ApiKey.ApiVersions, req.header.apiVersion, req.header.correlationId, {
            errorCode: 0,
            apiKeys: [{ apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 12 }],
            throttleTimeMs: 0,
          }),
        );
      } else {
        socket.destroy();
      }
    });
    try {
      const c = await Connection.connect({ host: '127.0.0.1', port: fake.port });
      await assert.rejects(c.send(ApiKey.Metadata, { topics: [] }), (e: unknown) => {
        assert.ok(e instanceof ConnectionClosedError);
        assert.match(e.message, /closed the connection|failed: ECONNRESET/);
        return true;
      });
      assert.equal(c.isClosed, true);
    } finally {
      await fake.close();
    }
  });

  it('an undecodable body fails only its request', async () => {
    const fake = await startFakeBroker((req, socket) => {
      if (req.header.apiKey === ApiKey.ApiVersions) {
        socket.write(
          encodeResponseFrame(ApiKey.ApiVersions, req.header.apiVersion, req.header.correlationId, {
            errorCode: 0,
            apiKeys: [{ apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 12 }],
            throttleTimeMs: 0,
          }),
        );
      } else if (req.header.correlationId === 2) {
        // A header and a truncated body.
        const b = Buffer.alloc(4 + 4 + 2);
        b.writeInt32BE(6, 0);
        b.writeInt32BE(2, 4);
        socket.write(b);
      } else {
        socket.write(
          encodeResponseFrame(ApiKey.Metadata, req.header.apiVersion, req.header.correlationId, {
            brokers: [],
            topics: [],
          }),
        );
      }
    });
    try {
      const c = await Connection.connect({ host: '127.0.0.1', port: fake.port });
      const bad = c.send(ApiKey.Metadata, { topics: [] });
      const good = c.send(ApiKey.Metadata, { topics: [] });
      await assert.rejects(
        bad,
        (e: unknown) => e instanceof BadResponseError && /cannot decode Metadata v12/.test(e.message),
      );
      assert.deepEqual((await good).topics, []);
      assert.equal(c.isClosed, false);
      await c.close();
    } finally {
      await fake.close();
    }
  });

  it('cannot connect: ConnectError with the reason', async () => {
    const port = await unusedPort();
    await assert.rejects(Connection.connect({ host: '127.0.0.1', port }), (e: unknown) => {
      assert.ok(e instanceof ConnectError);
      assert.equal(e.code, 'CONNECT_FAILED');
      assert.equal(e.message, `cannot connect to 127.0.0.1:${port}: ECONNREFUSED`);
      return true;
    });
  });
});
