import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { BrokerServer, type BrokerServerOptions } from '../../src/broker/broker-server.ts';
import { defineHandler, type Handler, NO_RESPONSE } from '../../src/broker/handler.ts';
import { apiVersions } from '../../src/broker/handlers/api-versions.ts';
import { ManualClock } from '../../src/common/clock.ts';
import { MemoryLogger } from '../../src/common/logger.ts';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';
import type { HeartbeatResponse } from '../../src/protocol/messages/generated/heartbeat.ts';
import type { ProduceResponse } from '../../src/protocol/messages/generated/produce.ts';
import { deferred, destroyAllSockets, nextTurn, RawClient, rawRequest, request, testServices } from './helpers.ts';

const brokers: BrokerServer[] = [];
after(() => {
  destroyAllSockets();
  return Promise.all(brokers.map((b) => b.close()));
});

async function start(options: Partial<BrokerServerOptions> = {}) {
  const logger = new MemoryLogger();
  const broker = new BrokerServer({ services: testServices(), host: '127.0.0.1', port: 0, logger, ...options });
  brokers.push(broker);
  await broker.start();
  return { broker, logger, port: broker.port };
}

/** A Heartbeat handler whose answers the test releases by correlation id. */
function heldHeartbeats() {
  const held = new Map<number, (r: HeartbeatResponse) => void>();
  let calls = 0;
  let waiter: { n: number; resolve: () => void } | null = null;
  const handler = defineHandler(ApiKey.Heartbeat, 0, 4, (ctx) => {
    calls++;
    const d = deferred<HeartbeatResponse>();
    held.set(ctx.header.correlationId, d.resolve);
    if (waiter && calls >= waiter.n) waiter.resolve();
    return d.promise;
  });
  return {
    handler,
    get calls() {
      return calls;
    },
    get holding() {
      return held.size;
    },
    release(id: number) {
      const r = held.get(id)!;
      held.delete(id);
      r({ errorCode: 0, throttleTimeMs: id });
    },
    until(n: number): Promise<void> {
      if (calls >= n) return Promise.resolve();
      const d = deferred();
      waiter = { n, resolve: d.resolve };
      return d.promise;
    },
  };
}

/** Produce handlers that answer only when the test releases them (Produce requests may overlap). */
function heldProduces() {
  const held = new Map<number, (r: ProduceResponse) => void>();
  let calls = 0;
  let waiter: { n: number; resolve: () => void } | null = null;
  const handler = defineHandler(ApiKey.Produce, 3, 9, (ctx) => {
    calls++;
    const d = deferred<ProduceResponse>();
    held.set(ctx.header.correlationId, d.resolve);
    if (waiter && calls >= waiter.n) waiter.resolve();
    return d.promise;
  });
  return {
    handler,
    get calls() {
      return calls;
    },
    release(id: number) {
      const r = held.get(id)!;
      held.delete(id);
      r({ responses: [], throttleTimeMs: id });
    },
    until(n: number): Promise<void> {
      if (calls >= n) return Promise.resolve();
      const d = deferred();
      waiter = { n, resolve: d.resolve };
      return d.promise;
    },
  };
}

const produceReq = (correlationId: number) =>
  request(ApiKey.Produce, 7, correlationId, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [] });

const hb = (correlationId: number) =>
  request(ApiKey.Heartbeat, 3, correlationId, { groupId: 'g', generationId: 1, memberId: 'm' });

describe('BrokerServer', () => {
  it('starts on port 0 and completes the ApiVersions handshake of kafkajs (v2)', async () => {
    const { broker, port, logger } = await start();
    assert.ok(port > 0);
    assert.equal(logger.matching(new RegExp(`INFO listening on PLAINTEXT://127\\.0\\.0\\.1:${port}`)).length, 1);
    const kafka = new Kafka({ clientId: 'samsa-test', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const sent: string[] = [];
    admin.on(admin.events.REQUEST, (e) => sent.push(`${e.payload.apiName} v${e.payload.apiVersion}`));
    await admin.connect();
    assert.deepEqual(sent, ['ApiVersions v2']);
    assert.equal(broker.connectionCount, 1);
    await admin.disconnect();
  });

  it('makes kafkajs fall back when ApiVersions v2 is not served (error 35, then v1)', async () => {
    const served: number[] = [];
    const narrow = defineHandler(ApiKey.ApiVersions, 0, 1, (ctx, req) => {
      served.push(ctx.apiVersion);
      return apiVersions.handle(ctx, req) as ReturnType<Handler['handle']> as never;
    });
    const { port } = await start({ handlers: [narrow] });
    const kafka = new Kafka({ clientId: 'samsa-test', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const sent: string[] = [];
    admin.on(admin.events.REQUEST, (e) => sent.push(`${e.payload.apiName} v${e.payload.apiVersion}`));
    await admin.connect();
    assert.deepEqual(sent, ['ApiVersions v2', 'ApiVersions v1']);
    assert.deepEqual(served, [1]);
    await admin.disconnect();
  });

  it('answers 100 pipelined Produce requests in request order when their handlers finish in reverse', async () => {
    const h = heldProduces();
    const { port } = await start({ handlers: [apiVersions, h.handler] });
    const client = await RawClient.connect(port);
    client.write(Buffer.concat(Array.from({ length: 100 }, (_, i) => produceReq(i))));
    await h.until(100);
    for (let i = 99; i >= 0; i--) h.release(i);
    for (let i = 0; i < 100; i++) {
      const res = await client.response(ApiKey.Produce, 7);
      assert.equal(res.correlationId, i);
      assert.equal(res.body.throttleTimeMs, i);
    }
    client.destroy();
  });

  it('starts a request only after the earlier ones on its connection finished, as Kafka does', async () => {
    const h = heldHeartbeats();
    const { port } = await start({ handlers: [apiVersions, h.handler] });
    const client = await RawClient.connect(port);
    client.write(Buffer.concat([hb(0), hb(1), hb(2)]));
    await h.until(1);
    await nextTurn();
    assert.equal(h.calls, 1, 'the second heartbeat waits for the first');
    h.release(0);
    await h.until(2);
    await nextTurn();
    assert.equal(h.calls, 2);
    h.release(1);
    await h.until(3);
    h.release(2);
    for (let i = 0; i < 3; i++) assert.equal((await client.response(ApiKey.Heartbeat, 3)).correlationId, i);
    client.destroy();
  });

  it('holds the slot of an acks=0 produce and sends nothing for it', async () => {
    const pending = deferred<ProduceResponse>();
    const produce = defineHandler(ApiKey.Produce, 3, 9, (_ctx, req) =>
      req.acks === 0 ? NO_RESPONSE : pending.promise,
    );
    const { port } = await start({ handlers: [apiVersions, produce] });
    const client = await RawClient.connect(port);
    const body = (acks: number) => ({ transactionalId: null, acks, timeoutMs: 1000, topicData: [] });
    client.write(
      Buffer.concat([
        request(ApiKey.Produce, 7, 1, body(1)),
        request(ApiKey.Produce, 7, 2, body(0)),
        request(ApiKey.ApiVersions, 2, 3, {}),
      ]),
    );
    await nextTurn();
    assert.equal(client.buffered, 0, 'ApiVersions waits behind the acks=1 produce');
    pending.resolve({ responses: [], throttleTimeMs: 0 });
    assert.equal((await client.response(ApiKey.Produce, 7)).correlationId, 1);
    assert.equal((await client.response(ApiKey.ApiVersions, 2)).correlationId, 3);
    client.write(request(ApiKey.ApiVersions, 0, 4, {}));
    assert.equal((await client.response(ApiKey.ApiVersions, 0)).correlationId, 4, 'nothing came for request 2');
    client.destroy();
  });

  it('answers ApiVersions v9 with the v0-shaped error 35 fallback', async () => {
    const { port } = await start();
    const client = await RawClient.connect(port);
    client.write(rawRequest(ApiKey.ApiVersions, 9, 1234, Buffer.from([0, 0, 0])));
    const res = await client.response(ApiKey.ApiVersions, 0);
    assert.equal(res.correlationId, 1234);
    assert.equal(res.body.errorCode, 35);
    assert.deepEqual(res.body.apiKeys, [{ apiKey: 18, minVersion: 0, maxVersion: 4 }]);
    // The connection stays usable: the client retries at a version we serve.
    client.write(request(ApiKey.ApiVersions, 3, 1235, { clientSoftwareName: 'x', clientSoftwareVersion: '1' }));
    const retry = await client.response(ApiKey.ApiVersions, 3);
    assert.deepEqual([retry.correlationId, retry.body.errorCode], [1235, 0]);
    client.destroy();
  });

  it('closes the connection on an API it does not serve, and keeps serving others', async () => {
    const { port, logger } = await start();
    for (const [key, version] of [
      [999, 0],
      [ApiKey.DescribeAcls, 1],
    ] as const) {
      const client = await RawClient.connect(port);
      client.write(rawRequest(key, version, 1));
      await client.closed;
    }
    assert.equal(logger.matching(/WARN closing connection \d+ .*unknown API key (999|29)/).length, 2);
    const ok = await RawClient.connect(port);
    ok.write(request(ApiKey.ApiVersions, 1, 9, {}));
    assert.equal((await ok.response(ApiKey.ApiVersions, 1)).body.errorCode, 0);
    ok.destroy();
  });

  it('closes the connection on a frame above socket.request.max.bytes', async () => {
    const { port, logger } = await start({ maxRequestBytes: 1000 });
    const client = await RawClient.connect(port);
    const header = Buffer.alloc(4);
    header.writeInt32BE(1001, 0);
    client.write(Buffer.concat([request(ApiKey.ApiVersions, 0, 1, {}), header, Buffer.alloc(100)]));
    assert.equal((await client.response(ApiKey.ApiVersions, 0)).correlationId, 1);
    await client.closed;
    assert.equal(logger.matching(/WARN .*frame of 1001 bytes exceeds the limit of 1000/).length, 1);
  });

  it('closes idle connections after connections.max.idle.ms', async () => {
    const clock = new ManualClock();
    const { broker, port } = await start({ clock, idleTimeoutMs: 10_000 });
    const client = await RawClient.connect(port);
    client.write(request(ApiKey.ApiVersions, 0, 1, {}));
    await client.readOne();
    assert.equal(broker.connectionCount, 1);
    clock.advance(9_000);
    assert.equal(broker.connectionCount, 1);
    clock.advance(1_100);
    await client.closed;
    await nextTurn();
    assert.equal(broker.connectionCount, 0);
  });

  it('stops reading a connection with too many requests in flight (backpressure)', async () => {
    const h = heldProduces();
    const { port } = await start({ handlers: [apiVersions, h.handler], maxInFlightRequestsPerConnection: 4 });
    const client = await RawClient.connect(port);
    client.write(Buffer.concat(Array.from({ length: 12 }, (_, i) => produceReq(i))));
    await h.until(4);
    await nextTurn();
    assert.equal(h.calls, 4, 'requests 5-12 wait unread');
    for (let i = 0; i < 12; i++) {
      await h.until(Math.min(i + 4, 12));
      assert.equal(h.calls, Math.min(i + 4, 12));
      h.release(i);
      assert.equal((await client.response(ApiKey.Produce, 7)).correlationId, i);
    }
    client.destroy();
  });

  it('closes gracefully: in-flight requests are answered before the sockets close', async () => {
    const h = heldHeartbeats();
    const { broker, port } = await start({ handlers: [apiVersions, h.handler] });
    const client = await RawClient.connect(port);
    client.write(hb(7));
    await h.until(1);
    const closing = broker.close();
    h.release(7);
    assert.equal((await client.response(ApiKey.Heartbeat, 3)).correlationId, 7);
    await client.closed;
    await closing;
    assert.equal(broker.timers.size, 0);
    await assert.rejects(RawClient.connect(port), { code: 'ECONNREFUSED' });
  });
});
