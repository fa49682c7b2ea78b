/**
 * The life of a ZooKeeper session against a real server: connection losses (through a TCP proxy
 * that drops, holds or refuses connections), a server restart, expiry reported by the server and
 * expiry declared by the client, pings.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../../src/common/clock.ts';
import { LineLogger } from '../../../src/common/logger.ts';
import { MetadataError, type WatchEvent } from '../../../src/metadata/metadata-store.ts';
import {
  connectZooKeeper,
  type ZkMetadataStore,
  type ZooKeeperStoreOptions,
} from '../../../src/metadata/zk/zk-store.ts';
import { TcpProxy } from '../tcp-proxy.ts';
import { ZooKeeperTestServer } from '../zk-server.ts';

let server: ZooKeeperTestServer;
let observer: ZkMetadataStore;

before(async () => {
  server = await ZooKeeperTestServer.start();
  observer = await connectZooKeeper({ connect: server.connectString, connectionTimeoutMs: 10_000 });
});

after(async () => {
  await observer?.close();
  await server?.destroy();
});

function open(connect: string, options: Partial<ZooKeeperStoreOptions> = {}): Promise<ZkMetadataStore> {
  return connectZooKeeper({
    connect,
    connectionTimeoutMs: 10_000,
    ...(process.env['ZK_DEBUG'] ? { logger: new LineLogger('debug') } : {}),
    ...options,
  });
}

/** A one-shot watch armed on the server when this resolves (watch, then read on that session).
 *  The event comes wrapped: an async function returning a bare promise would wait for it. */
async function armed(
  s: ZkMetadataStore,
  kind: 'data' | 'children',
  path: string,
): Promise<{ event: Promise<WatchEvent> }> {
  const event = new Promise<WatchEvent>((resolve) =>
    kind === 'data' ? s.watchData(path, resolve) : s.watchChildren(path, resolve),
  );
  await s.exists(path);
  return { event };
}

function expiry(options: Partial<ZooKeeperStoreOptions> = {}): {
  options: Partial<ZooKeeperStoreOptions>;
  expired: Promise<string>;
} {
  let resolve!: (reason: string) => void;
  const expired = new Promise<string>((r) => {
    resolve = r;
  });
  return { options: { ...options, onSessionExpired: resolve }, expired };
}

/** The error, with the end of the server's log appended (what the server saw matters here). */
function withServerLog(err: unknown, zk: ZooKeeperTestServer): unknown {
  if (err instanceof Error) err.message += `\n--- ZooKeeper log (end) ---\n${zk.log().slice(-6000)}`;
  return err;
}

const sessionClosed = (e: unknown): boolean => e instanceof MetadataError && e.code === 'SESSION_CLOSED';
const isPing = (frame: Buffer): boolean =>
  frame.length === 8 && frame.readInt32BE(0) === -2 && frame.readInt32BE(4) === 11;

describe('ZooKeeper session', () => {
  it('survives a dropped connection: reads in flight are re-sent, writes in flight fail with CONNECTION_LOSS', async () => {
    const proxy = await TcpProxy.start(server.port);
    await observer.ensurePath('/drop');
    const s = await open(`${proxy.connectString}/drop`);
    const sessionId = s.sessionId;
    await s.create('/eph', Buffer.from('e'), { ephemeral: true });
    const { event: watched } = await armed(s, 'data', '/watched');
    const { event: applied } = await armed(observer, 'data', '/drop/x');

    proxy.setHolding(true); // answers stop reaching the client; requests still reach the server
    const write = s.create('/x', Buffer.from('x'));
    const read = s.get('/eph');
    assert.equal(await applied, 'created', 'the server applied the write');
    proxy.dropConnections();
    proxy.setHolding(false);

    await assert.rejects(write, (e: unknown) => e instanceof MetadataError && e.code === 'CONNECTION_LOSS');
    assert.equal((await read)?.data.toString(), 'e', 'the read was sent again on the new connection');
    assert.equal(s.sessionId, sessionId);
    assert.equal(s.state, 'connected');
    assert.equal((await observer.exists('/drop/eph'))?.ephemeralOwner, sessionId, 'the ephemeral node lives on');
    await observer.create('/drop/watched', Buffer.alloc(0));
    assert.equal(await watched, 'created', 'the watch was re-armed with SetWatches');
    await s.close();
    await proxy.close();
  });

  it('resumes the session on a restarted server, keeping its ephemeral nodes and watches', async () => {
    const own = await ZooKeeperTestServer.start();
    try {
      const s = await open(`${own.connectString}/r`, { sessionTimeoutMs: 10_000 });
      const sessionId = s.sessionId;
      await s.create('/eph', Buffer.from('e'), { ephemeral: true });
      const { event: children } = await armed(s, 'children', '/');
      await own.restart();
      const read = await s.get('/eph');
      assert.equal(read?.stat.ephemeralOwner, sessionId, 'same session, same ephemeral node');
      assert.equal(s.sessionId, sessionId);
      const other = await open(`${own.connectString}/r`);
      await other.create('/new', Buffer.alloc(0));
      assert.equal(await children, 'children', 'the children watch came back with the session');
      await Promise.all([s.close(), other.close()]);
    } catch (err) {
      throw withServerLog(err, own);
    } finally {
      await own.destroy();
    }
  });

  it('reports expiry when the server expired a session that stopped pinging', async () => {
    await observer.ensurePath('/exp');
    const clock = new ManualClock(); // never advanced: no pings leave this client
    const { options, expired } = expiry({ sessionTimeoutMs: 400, clock });
    const s = await open(`${server.connectString}/exp`, options);
    assert.equal(s.client.negotiatedTimeoutMs, 400);
    await s.create('/eph', Buffer.alloc(0), { ephemeral: true });
    await observer.create('/exp/flag', Buffer.alloc(0));
    const { event: deleted } = await armed(observer, 'data', '/exp/eph');
    const heard: WatchEvent[] = [];
    s.watchData('/flag', (e) => heard.push(e));
    await s.exists('/flag');

    assert.match(await expired, /reports that the session expired/);
    assert.equal(await deleted, 'deleted', 'the server removed the ephemeral node');
    assert.equal(s.state, 'expired');
    await assert.rejects(s.get('/eph'), sessionClosed);
    await assert.rejects(s.create('/again', Buffer.alloc(0)), sessionClosed);
    const { event: changed } = await armed(observer, 'data', '/exp/flag');
    await observer.set('/exp/flag', Buffer.from('x'));
    assert.equal(await changed, 'changed');
    assert.deepEqual(heard, [], 'watches of an expired session stay silent');
    const again = await open(`${server.connectString}/exp`);
    await again.create('/eph', Buffer.alloc(0), { ephemeral: true }); // the owner re-registers
    await Promise.all([again.close(), s.close()]);
  });

  it('declares the session expired when no server answers for 4/3 of its timeout', async () => {
    const proxy = await TcpProxy.start(server.port);
    await observer.ensurePath('/part');
    const { options, expired } = expiry({ sessionTimeoutMs: 600 });
    const s = await open(`${proxy.connectString}/part`, options);
    await s.create('/eph', Buffer.alloc(0), { ephemeral: true });
    const { event: deleted } = await armed(observer, 'data', '/part/eph');

    const started = performance.now();
    proxy.setRefusing(true);
    const waiting = s.get('/eph');
    assert.match(await expired, /no ZooKeeper server answered for 800 ms/);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 500 && elapsed < 5000, `expired after ${Math.round(elapsed)} ms`);
    await assert.rejects(waiting, sessionClosed, 'a call waiting for a connection fails');
    assert.equal(await deleted, 'deleted', 'the server expired it too');
    await proxy.close();
  });

  it('pings an idle session so it outlives its timeout', async () => {
    const proxy = await TcpProxy.start(server.port);
    const s = await open(`${proxy.connectString}`, { sessionTimeoutMs: 600 });
    const eph = await s.create('/alive-', Buffer.alloc(0), { ephemeral: true, sequential: true });
    const times: number[] = [];
    proxy.events.on('frame', (f: Buffer) => {
      if (isPing(f)) times.push(performance.now());
    });
    await proxy.waitForFrames(6, isPing); // about two session timeouts of idleness
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    assert.ok(
      gaps.every((g) => g >= 150 && g < 400),
      `pings every third of 600 ms: ${gaps.map(Math.round)}`,
    );
    assert.equal((await observer.exists(eph))?.ephemeralOwner, s.sessionId);
    assert.equal(proxy.connections, 1, 'never reconnected');
    await s.close();
    await proxy.close();
  });

  it('closes promptly while reconnecting, failing what waits', async () => {
    const proxy = await TcpProxy.start(server.port);
    const s = await open(proxy.connectString);
    proxy.setRefusing(true);
    const waiting = s.exists('/');
    await s.close();
    await assert.rejects(waiting, sessionClosed);
    assert.equal(s.state, 'closed');
    await proxy.close();
  });
});
