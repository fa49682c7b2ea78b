import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { NetworkServer } from '../../../src/broker/network/server.ts';
import { ManualClock } from '../../../src/common/clock.ts';
import { CoarseTimers } from '../../../src/common/coarse-timers.ts';
import { MemoryLogger } from '../../../src/common/logger.ts';
import { destroyAllSockets, nextTurn, RawClient } from '../helpers.ts';
import { FakeProcessor, frameOf, idOf, startServer } from './fake-processor.ts';

function server(listeners: { name: string; host?: string; port: number }[]) {
  const clock = new ManualClock();
  const logger = new MemoryLogger();
  return new NetworkServer({
    listeners,
    processor: new FakeProcessor(),
    clock,
    timers: new CoarseTimers(clock),
    logger,
    limits: { maxRequestBytes: 1024, maxInFlightRequests: 10, idleTimeoutMs: 0 },
  });
}

after(destroyAllSockets);

describe('NetworkServer', () => {
  it('binds several listeners on port 0 and reports the ports it got', async () => {
    const s = server([
      { name: 'PLAINTEXT', host: '127.0.0.1', port: 0 },
      { name: 'INTERNAL', host: '127.0.0.1', port: 0 },
    ]);
    const bound = await s.start();
    assert.deepEqual(
      bound.map((b) => [b.name, b.host]),
      [
        ['PLAINTEXT', '127.0.0.1'],
        ['INTERNAL', '127.0.0.1'],
      ],
    );
    assert.ok(bound.every((b) => b.port > 0) && bound[0]!.port !== bound[1]!.port);
    for (const b of bound) {
      const c = await RawClient.connect(b.port);
      c.write(frameOf(b.port));
      assert.equal(idOf(await c.readOne()), b.port);
      c.destroy();
    }
    await s.close(0);
  });

  it('fails to start when a port is taken', async () => {
    const a = server([{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }]);
    const [bound] = await a.start();
    const b = server([
      { name: 'OK', host: '127.0.0.1', port: 0 },
      { name: 'TAKEN', host: '127.0.0.1', port: bound!.port },
    ]);
    await assert.rejects(b.start(), { code: 'EADDRINUSE' });
    await b.close(0);
    await a.close(0);
  });

  it('closes gracefully: stops accepting, answers in-flight requests, then closes sockets', async () => {
    const p = new FakeProcessor(() => 'hold');
    const { server: s, port, connection } = await startServer(p);
    const client = await RawClient.connect(port);
    client.write(frameOf(1));
    await p.calls(1);
    const conn = connection();
    let closed = false;
    const closing = s.close(60_000).then(() => {
      closed = true;
    });
    await assert.rejects(RawClient.connect(port), { code: 'ECONNREFUSED' });
    assert.ok(!closed && !conn.isClosed);
    p.release(1);
    assert.equal(idOf(await client.readOne()), 1);
    await client.closed;
    await closing;
    assert.equal(s.connections.size, 0);
  });

  it('destroys connections still busy when the grace period ends', async () => {
    const p = new FakeProcessor(() => 'hold');
    const { server: s, port, clock, logger } = await startServer(p);
    const client = await RawClient.connect(port);
    client.write(frameOf(1));
    await p.calls(1);
    let closed = false;
    const closing = s.close(5000).then(() => {
      closed = true;
    });
    clock.advance(4999);
    await nextTurn();
    assert.ok(!closed);
    clock.advance(1);
    await closing;
    await client.closed;
    assert.equal(logger.matching(/WARN closing connection \d+ .*still busy 5000 ms after shutdown began/).length, 1);
  });

  it('closes idle connections at once on shutdown', async () => {
    const { server: s, port } = await startServer(new FakeProcessor());
    const clients = await Promise.all([RawClient.connect(port), RawClient.connect(port)]);
    for (const c of clients) {
      c.write(frameOf(2));
      await c.readOne();
    }
    await s.close(60_000);
    await Promise.all(clients.map((c) => c.closed));
  });
});
