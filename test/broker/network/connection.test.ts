import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, describe, it } from 'node:test';
import { CloseConnection, NO_RESPONSE } from '../../../src/broker/network/request-processor.ts';
import type { NetworkServer } from '../../../src/broker/network/server.ts';
import { deferred, destroyAllSockets, nextTurn, RawClient, track } from '../helpers.ts';
import { FakeProcessor, frameOf, idOf, reply, startServer } from './fake-processor.ts';

const servers: NetworkServer[] = [];
after(() => {
  destroyAllSockets();
  return Promise.all(servers.map((s) => s.close(0)));
});

async function setup(p: FakeProcessor, limits: Parameters<typeof startServer>[1] = {}) {
  const s = await startServer(p, limits);
  servers.push(s.server);
  const client = await RawClient.connect(s.port);
  return { ...s, client };
}

const frames = (ids: number[]) => Buffer.concat(ids.map(frameOf));

describe('Connection', () => {
  it('writes responses in request order when handlers finish out of order', async () => {
    const p = new FakeProcessor(() => 'hold');
    const { client, connection } = await setup(p);
    const ids = Array.from({ length: 100 }, (_, i) => i);
    client.write(frames(ids));
    await p.calls(100);
    // Finish everything but the first, in a scrambled order: nothing may be written yet.
    const scrambled = ids.slice(1).sort((a, b) => ((a * 37) % 101) - ((b * 37) % 101));
    for (const id of scrambled) p.release(id);
    await nextTurn();
    assert.equal(connection().inFlight, 100);
    assert.equal(client.buffered, 0);
    p.release(0);
    await nextTurn();
    assert.equal(connection().inFlight, 0);
    const got = await client.read(100);
    assert.deepEqual(got.map(idOf), ids);
  });

  it('holds the slot of a request answered with NO_RESPONSE and sends nothing for it', async () => {
    const p = new FakeProcessor((id) => (id === 1 ? 'hold' : id === 2 ? NO_RESPONSE : reply(id)));
    const { client, connection } = await setup(p);
    client.write(frames([1, 2, 3]));
    await p.calls(3);
    assert.equal(connection().inFlight, 3, 'the acks=0 request and the one after it wait behind request 1');
    p.release(1);
    assert.deepEqual((await client.read(2)).map(idOf), [1, 3]);
    client.write(frameOf(4));
    assert.equal(idOf(await client.readOne()), 4, 'no stray frame for request 2');
  });

  it('closes after the earlier responses when a request says close; later requests are not processed', async () => {
    const p = new FakeProcessor((id) =>
      id === 1 ? 'hold' : id === 2 ? new CloseConnection('bad request') : reply(id),
    );
    const { client, connection } = await setup(p);
    client.write(frames([1, 2, 3]));
    await p.calls(2);
    const conn = connection();
    assert.equal(conn.closeReason, 'bad request');
    assert.ok(conn.isReadPaused);
    p.release(1);
    assert.deepEqual((await client.read(1)).map(idOf), [1]);
    await client.closed;
    await conn.closed;
    assert.deepEqual(p.seen, [1, 2]);
  });

  it('drops answers that come after a close marker', async () => {
    const p = new FakeProcessor((id) => (id === 3 ? reply(3) : 'hold'));
    const { client } = await setup(p);
    client.write(frames([1, 2, 3]));
    await p.calls(3);
    p.release(2, new CloseConnection('handler failed'));
    p.release(1);
    await client.closed;
    assert.deepEqual((await client.read(1)).map(idOf), [1]);
    assert.equal(client.buffered, 0, 'request 3 was answered but its response is dropped');
  });

  it('stops reading at maxInFlightRequests and resumes as answers go out', async () => {
    const p = new FakeProcessor(() => 'hold');
    const { client, connection } = await setup(p, { maxInFlightRequests: 4 });
    const ids = Array.from({ length: 10 }, (_, i) => i);
    client.write(frames(ids));
    await p.calls(4);
    await nextTurn();
    const conn = connection();
    assert.equal(p.seen.length, 4);
    assert.ok(conn.isReadPaused);
    for (const id of ids) {
      await p.calls(Math.min(id + 4, 10));
      assert.equal(p.seen.length, Math.min(id + 4, 10), 'one more request per answer, never more');
      p.release(id);
    }
    assert.deepEqual((await client.read(10)).map(idOf), ids);
    assert.equal(p.maxConcurrent, 4);
    await nextTurn();
    assert.ok(!conn.isReadPaused);
  });

  it('stops reading while the client does not read its responses, and resumes when it does', async () => {
    const big = Buffer.alloc(24 << 20);
    big.writeInt32BE(big.length - 4, 0);
    const p = new FakeProcessor(() => big);
    const s = await startServer(p, {}, 64 * 1024);
    servers.push(s.server);
    // A client that counts bytes instead of keeping 24 MiB frames.
    const sock = track(connect({ port: s.port, host: '127.0.0.1' }));
    await new Promise((r) => sock.once('connect', r));
    sock.pause();
    sock.write(frames([1, 2, 3]));
    await p.calls(1);
    await nextTurn();
    assert.equal(p.seen.length, 1, 'no second request while the first response sits unread');
    assert.ok(s.connection().isReadPaused);
    let received = 0;
    const all = deferred();
    sock.on('data', (c: Buffer) => {
      received += c.length;
      if (received === 3 * big.length) all.resolve();
    });
    sock.resume();
    await all.promise;
    assert.deepEqual(p.seen, [1, 2, 3]);
    sock.destroy();
  });

  it('writes chunked response frames whole and in request order, between single-buffer ones', async () => {
    /** `[size][int32 id][payload]` as chunks: the head, then pieces of the payload as they are. */
    const payloadOf = (id: number) => Buffer.alloc(70_000 + id, id & 0xff);
    const chunked = (id: number): Uint8Array[] => {
      const payload = payloadOf(id);
      const head = Buffer.alloc(8);
      head.writeInt32BE(4 + payload.length, 0);
      head.writeInt32BE(id, 4);
      return [head, payload.subarray(0, 3), new Uint8Array(payload.subarray(3, 5000)), payload.subarray(5000)];
    };
    const p = new FakeProcessor(() => 'hold');
    const { client } = await setup(p);
    const ids = Array.from({ length: 20 }, (_, i) => i);
    client.write(frames(ids));
    await p.calls(20);
    // Odd ids answer in chunks, even ones in one Buffer; all finish in a scrambled order.
    const scrambled = ids.slice().sort((a, b) => ((a * 7) % 23) - ((b * 7) % 23));
    for (const id of scrambled) p.release(id, id % 2 === 1 ? chunked(id) : reply(id));
    const got = await client.read(20);
    assert.deepEqual(got.map(idOf), ids);
    for (const id of ids) {
      const body = got[id]!.subarray(4);
      assert.deepEqual(body, id % 2 === 1 ? payloadOf(id) : Buffer.alloc(0), `response ${id}`);
    }
  });

  it('counts the bytes of chunked responses for backpressure', async () => {
    const payload = Buffer.alloc(24 << 20);
    const head = Buffer.alloc(8);
    head.writeInt32BE(4 + payload.length, 0);
    const p = new FakeProcessor(() => [head, payload]);
    const s = await startServer(p, {}, 64 * 1024);
    servers.push(s.server);
    const sock = track(connect({ port: s.port, host: '127.0.0.1' }));
    await new Promise((r) => sock.once('connect', r));
    sock.pause();
    sock.write(frames([1, 2, 3]));
    await p.calls(1);
    await nextTurn();
    assert.equal(p.seen.length, 1, 'no second request while the first response sits unread');
    assert.ok(s.connection().isReadPaused);
    let received = 0;
    const all = deferred();
    const frameBytes = head.length + payload.length;
    sock.on('data', (c: Buffer) => {
      received += c.length;
      if (received === 3 * frameBytes) all.resolve();
    });
    sock.resume();
    await all.promise;
    assert.deepEqual(p.seen, [1, 2, 3]);
    sock.destroy();
  });

  it('answers what a half-closed client sent, then closes', async () => {
    const p = new FakeProcessor((id) => (id === 1 ? 'hold' : reply(id)));
    const { client, connection } = await setup(p);
    client.write(frames([1, 2]));
    client.socket.end();
    await p.calls(2);
    const conn = connection();
    p.release(1);
    assert.deepEqual((await client.read(2)).map(idOf), [1, 2]);
    await client.closed;
    await conn.closed;
  });

  it('closes a connection whose processor throws, and keeps serving others', async () => {
    const p = new FakeProcessor((id) => {
      if (id === 666) throw new Error('processor bug');
      return reply(id);
    });
    const { client, logger, port } = await setup(p);
    client.write(frameOf(666));
    await client.closed;
    assert.equal(logger.matching(/ERROR request processing threw on connection \d+ .*processor bug/).length, 1);
    const other = await RawClient.connect(port);
    other.write(frameOf(5));
    assert.equal(idOf(await other.readOne()), 5);
    other.destroy();
  });

  it('ignores an answer that arrives after the connection closed', async () => {
    const p = new FakeProcessor(() => 'hold');
    const { client, connection } = await setup(p);
    client.write(frameOf(1));
    await p.calls(1);
    const conn = connection();
    conn.destroy('test');
    assert.ok(conn.isClosed);
    await client.closed;
    p.release(1);
    await nextTurn();
    assert.equal(conn.inFlight, 0);
  });

  it('answers in-flight requests of a client that went away, then closes', async () => {
    const p = new FakeProcessor(() => 'hold');
    const { client, connection } = await setup(p);
    client.write(frameOf(1));
    await p.calls(1);
    const conn = connection();
    client.destroy();
    p.release(1);
    await conn.closed;
  });

  it('closes an idle connection after connections.max.idle.ms, but not one waiting on a request', async () => {
    const p = new FakeProcessor((id) => (id === 2 ? 'hold' : reply(id)));
    const { client, connection, clock, logger } = await setup(p, { idleTimeoutMs: 1000 });
    client.write(frameOf(1));
    await client.readOne();
    const conn = connection();
    client.write(frameOf(2));
    await p.calls(2);
    clock.advance(5000);
    assert.ok(!conn.isClosed, 'a request in flight is not idleness');
    p.release(2);
    await client.readOne();
    clock.advance(999);
    assert.ok(!conn.isClosed);
    clock.advance(20);
    assert.ok(conn.isClosed);
    await client.closed;
    assert.equal(
      logger.matching(/INFO closing connection \d+ .*idle for \d+ ms \(connections\.max\.idle\.ms = 1000\)/).length,
      1,
    );
  });

  it('closes on a frame above socket.request.max.bytes without buffering it, after earlier answers', async () => {
    const p = new FakeProcessor((id) => (id === 1 ? 'hold' : reply(id)));
    const { client, connection, logger } = await setup(p, { maxRequestBytes: 1024 });
    const huge = Buffer.alloc(64);
    huge.writeInt32BE(500 * 1024 * 1024, 0);
    client.write(Buffer.concat([frameOf(1), huge]));
    await p.calls(1);
    await nextTurn();
    const conn = connection();
    assert.match(conn.closeReason ?? '', /frame of 524288000 bytes exceeds the limit of 1024/);
    p.release(1);
    assert.equal(idOf(await client.readOne()), 1);
    await client.closed;
    assert.equal(
      logger.matching(/WARN closing connection \d+ .*exceeds.*socket\.request\.max\.bytes = 1024/).length,
      1,
    );
  });
});
