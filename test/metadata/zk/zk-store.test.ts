/**
 * The ZooKeeper MetadataStore against a real ZooKeeper (Debian package `zookeeper`): the shared
 * conformance suite (each tree is a fresh chroot on one server), then what only a networked store
 * has — chroot, payload limits, pipelining order, connecting and failing over.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { MetadataError, type MetadataStore, type WatchEvent } from '../../../src/metadata/metadata-store.ts';
import { ZooKeeperConnectError, ZooKeeperError } from '../../../src/metadata/zk/zk-errors.ts';
import { connectZooKeeper, type ZkMetadataStore } from '../../../src/metadata/zk/zk-store.ts';
import { metadataStoreConformance } from '../store-conformance.ts';
import { freePort, ZooKeeperTestServer } from '../zk-server.ts';

let server: ZooKeeperTestServer;
let treeCount = 0;

before(async () => {
  server = await ZooKeeperTestServer.start();
});

after(async () => {
  await server?.destroy();
});

/** A session on the test server, under `chroot` when given. */
function open(chroot = '', options: { sessionTimeoutMs?: number } = {}): Promise<ZkMetadataStore> {
  return connectZooKeeper({ connect: `${server.connectString}${chroot}`, connectionTimeoutMs: 10_000, ...options });
}

metadataStoreConformance('ZooKeeper', {
  async newTree() {
    const chroot = `/conformance-${++treeCount}`;
    const sessions: MetadataStore[] = [];
    return {
      async open() {
        const s = await open(chroot);
        sessions.push(s);
        return s;
      },
      async close() {
        await Promise.all(sessions.map((s) => s.close()));
      },
    };
  },
});

describe('ZkMetadataStore', () => {
  it('confines a chrooted session to its subtree, creating the chroot', async () => {
    const root = await open();
    const tenant = await open('/tenants/a');
    assert.ok(await root.exists('/tenants/a'), 'the chroot was created with its parents');
    await tenant.ensurePath('/brokers/ids');
    const seq = await tenant.create('/brokers/ids/n-', Buffer.from('x'), { sequential: true, ephemeral: true });
    assert.equal(seq, '/brokers/ids/n-0000000000', 'paths come back without the chroot');
    assert.deepEqual(await root.getChildren('/tenants/a/brokers/ids'), ['n-0000000000']);
    assert.deepEqual(await tenant.getChildren('/'), ['brokers']);
    const event = new Promise<WatchEvent>((resolve) => tenant.watchChildren('/brokers/ids', resolve));
    await tenant.exists('/brokers/ids'); // answered after the watch is armed
    await root.create('/tenants/a/brokers/ids/7', Buffer.alloc(0));
    assert.equal(await event, 'children', 'events on the server path reach the chrooted watcher');
    await tenant.deleteRecursive('/');
    assert.deepEqual(await root.getChildren('/tenants/a'), [], "deleting '/' empties the chroot, keeps it");
    await Promise.all([root.close(), tenant.close()]);
  });

  it('stores a payload near the 1 MiB limit and refuses a larger one without losing the session', async () => {
    const s = await open('/big');
    const payload = randomBytes(1_000_000);
    await s.create('/blob', payload);
    assert.ok((await s.get('/blob'))?.data.equals(payload));
    const next = randomBytes(1_040_000);
    assert.equal((await s.set('/blob', next)).version, 1);
    assert.ok((await s.get('/blob'))?.data.equals(next));
    await assert.rejects(
      s.set('/blob', Buffer.alloc(2 * 1024 * 1024)),
      (e: unknown) =>
        e instanceof ZooKeeperError && e.code === 'REQUEST_TOO_LARGE' && /jute\.maxbuffer/.test(e.message),
    );
    assert.equal((await s.exists('/blob'))?.version, 1, 'the session still works');
    await s.close();
  });

  it('answers thousands of pipelined requests in the order they were made', async () => {
    const s = await open('/order');
    await s.ensurePath('/q');
    const n = 2000;
    // Calls of one kind resolve in call order; across kinds only the await hops of each method differ.
    const resolved: Record<string, number[]> = { create: [], set: [], get: [] };
    const kindOf = (i: number): 'create' | 'set' | 'get' => (i % 4 === 3 ? 'get' : i % 4 === 2 ? 'set' : 'create');
    const calls = Array.from({ length: n }, (_, i) => {
      const kind = kindOf(i);
      const p =
        kind === 'get'
          ? s.get('/q').then((d) => d?.stat.version)
          : kind === 'set'
            ? s.set('/q', Buffer.from(String(i))).then((st) => st.version)
            : s.create('/q/n-', Buffer.from(String(i)), { sequential: true });
      return p.then((v) => {
        resolved[kind]!.push(i);
        return v;
      });
    });
    const results = await Promise.all(calls);
    for (const [kind, order] of Object.entries(resolved)) {
      assert.deepEqual(
        order,
        [...order].sort((a, b) => a - b),
        `${kind} calls resolve in call order`,
      );
      assert.equal(order.length, kind === 'create' ? n / 2 : n / 4);
    }
    const created = results.filter((_, i) => kindOf(i) === 'create') as string[];
    assert.deepEqual(
      created,
      created.map((_, k) => `/q/n-${String(k).padStart(10, '0')}`),
      'sequence numbers follow the order of the calls',
    );
    results.forEach((v, i) => {
      const setsBefore = Math.floor((i + 1) / 4);
      if (kindOf(i) === 'get') assert.equal(v, setsBefore, `get #${i} sees every set made before it, and no later one`);
      if (kindOf(i) === 'set') assert.equal(v, setsBefore + 1, `set #${i} is the ${setsBefore + 1}th update`);
    });
    for (const [i, path] of [
      [0, created[0]],
      [1997, created[999]],
    ] as const) {
      assert.equal((await s.get(path!))?.data.toString(), String(i), 'each create stored its own payload');
    }
    await s.close();
  });

  it('hears the creation of a node whose children it wanted to watch', async () => {
    const s = await open('/late');
    const event = new Promise<WatchEvent>((resolve) => s.watchChildren('/later', resolve));
    // The watch is set by a request queued before this create, so it cannot miss it.
    await s.create('/later', Buffer.alloc(0));
    assert.equal(await event, 'created');
    const child = new Promise<WatchEvent>((resolve) => s.watchChildren('/later', resolve));
    await s.create('/later/c', Buffer.alloc(0));
    assert.equal(await child, 'children');
    await s.close();
  });

  it('rejects malformed paths as BAD_PATH before sending them', async () => {
    const s = await open();
    for (const bad of ['relative', '/trailing/', '/a//b']) {
      await assert.rejects(s.get(bad), (e: unknown) => e instanceof MetadataError && e.code === 'BAD_PATH', bad);
    }
    await s.close();
  });

  it('fails over past dead servers in the connect string', async () => {
    const dead = [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`];
    // Servers are tried in a shuffled order; five sessions all but surely start on a dead one.
    for (let i = 0; i < 5; i++) {
      const s = await connectZooKeeper({
        connect: `${dead[0]},${server.connectString},${dead[1]}`,
        connectionTimeoutMs: 10_000,
      });
      assert.equal(s.client.server, server.connectString);
      assert.ok(await s.exists('/'));
      await s.close();
    }
  });

  it('gives up after the connection timeout, naming the address, when nothing listens', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const started = performance.now();
    await assert.rejects(
      connectZooKeeper({ connect: address, connectionTimeoutMs: 300 }),
      (e: unknown) =>
        e instanceof ZooKeeperConnectError && e.message.includes(address) && /ECONNREFUSED/.test(e.message),
    );
    assert.ok(performance.now() - started < 2000);
  });

  it('gives up after the connection timeout when a server accepts but never answers', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((sock) => sockets.push(sock));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      await assert.rejects(
        connectZooKeeper({ connect: `127.0.0.1:${port}`, connectionTimeoutMs: 300, sessionTimeoutMs: 200 }),
        (e: unknown) => e instanceof ZooKeeperConnectError && e.message.includes(`127.0.0.1:${port} within 300 ms`),
      );
    } finally {
      for (const sock of sockets) sock.destroy();
      silent.close();
    }
  });

  it('fails calls after close with SESSION_CLOSED and keeps listeners silent', async () => {
    const s = await open('/closed');
    const other = await open('/closed');
    await s.create('/n', Buffer.alloc(0));
    const heard: WatchEvent[] = [];
    s.watchData('/n', (e) => heard.push(e));
    const otherHeard = new Promise<WatchEvent>((resolve) => other.watchData('/n', resolve));
    await s.exists('/n'); // the watch is set once this answer is in
    await s.close();
    await s.close();
    await other.set('/n', Buffer.from('x'));
    assert.equal(await otherHeard, 'changed');
    assert.deepEqual(heard, []);
    for (const call of [
      s.get('/n'),
      s.create('/m', Buffer.alloc(0)),
      s.multi([{ op: 'check', path: '/n', expectedVersion: 0 }]),
    ]) {
      await assert.rejects(call, (e: unknown) => e instanceof MetadataError && e.code === 'SESSION_CLOSED');
    }
    await other.close();
  });
});
