import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetadataError, type MetadataStore, type WatchEvent } from '../../src/metadata/metadata-store.ts';

/**
 * The behaviour every MetadataStore must have, run against each implementation (in-memory in
 * memory-store.test.ts, a real ZooKeeper in zk/zk-store.test.ts). `open()` returns a fresh session on a fresh, shared tree;
 * calling it again in the same test returns another session on that same tree.
 */
export interface StoreFactory {
  /** A new, empty tree; returns a function that opens sessions on it. */
  newTree(): Promise<{ open(): Promise<MetadataStore>; close(): Promise<void> }>;
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof MetadataError && e.code === code);
}

function nextEvent(register: (l: (e: WatchEvent) => void) => void): Promise<WatchEvent> {
  return new Promise((resolve) => register(resolve));
}

export function metadataStoreConformance(name: string, factory: StoreFactory): void {
  describe(`MetadataStore conformance: ${name}`, () => {
    it('creates, reads, sets with versions and deletes nodes', async () => {
      const tree = await factory.newTree();
      const s = await tree.open();
      await s.ensurePath('/brokers/topics');
      assert.equal(await s.create('/brokers/topics/t', Buffer.from('a')), '/brokers/topics/t');
      const got = await s.get('/brokers/topics/t');
      assert.equal(got?.data.toString(), 'a');
      assert.equal(got?.stat.version, 0);
      const stat = await s.set('/brokers/topics/t', Buffer.from('b'), 0);
      assert.equal(stat.version, 1);
      await rejectsWith(s.set('/brokers/topics/t', Buffer.from('c'), 0), 'BAD_VERSION');
      assert.equal((await s.get('/brokers/topics/t'))?.data.toString(), 'b');
      await rejectsWith(s.create('/brokers/topics/t', Buffer.alloc(0)), 'NODE_EXISTS');
      await rejectsWith(s.create('/nope/x', Buffer.alloc(0)), 'NO_NODE');
      await rejectsWith(s.delete('/brokers/topics'), 'NOT_EMPTY');
      assert.deepEqual(await s.getChildren('/brokers/topics'), ['t']);
      await s.delete('/brokers/topics/t', 1);
      assert.equal(await s.get('/brokers/topics/t'), null);
      assert.deepEqual(await s.getChildren('/brokers/topics'), []);
      await tree.close();
    });

    it('numbers sequential nodes per parent', async () => {
      const tree = await factory.newTree();
      const s = await tree.open();
      await s.ensurePath('/seq');
      const a = await s.create('/seq/n-', Buffer.alloc(0), { sequential: true });
      const b = await s.create('/seq/n-', Buffer.alloc(0), { sequential: true });
      assert.equal(a, '/seq/n-0000000000');
      assert.equal(b, '/seq/n-0000000001');
      await tree.close();
    });

    it('removes ephemeral nodes when their session ends, and tells watchers', async () => {
      const tree = await factory.newTree();
      const broker = await tree.open();
      const controller = await tree.open();
      await controller.ensurePath('/brokers/ids');
      await broker.create('/brokers/ids/1', Buffer.from('{}'), { ephemeral: true });
      assert.equal((await controller.exists('/brokers/ids/1'))?.ephemeralOwner, broker.sessionId);
      const childEvent = nextEvent((l) => controller.watchChildren('/brokers/ids', l));
      const dataEvent = nextEvent((l) => controller.watchData('/brokers/ids/1', l));
      // Watch, then read: once the read answers, the watches are armed for every session's changes.
      assert.deepEqual(await controller.getChildren('/brokers/ids'), ['1']);
      await broker.close();
      assert.equal(await childEvent, 'children');
      assert.equal(await dataEvent, 'deleted');
      assert.deepEqual(await controller.getChildren('/brokers/ids'), []);
      await tree.close();
    });

    it('fires data watches once per registration', async () => {
      const tree = await factory.newTree();
      const s = await tree.open();
      const events: WatchEvent[] = [];
      const created = nextEvent((l) =>
        s.watchData('/controller', (e) => {
          events.push(e);
          l(e);
        }),
      );
      await s.create('/controller', Buffer.from('1'));
      assert.equal(await created, 'created');
      await s.set('/controller', Buffer.from('2'));
      const changed = nextEvent((l) => s.watchData('/controller', l));
      await s.set('/controller', Buffer.from('3'));
      assert.equal(await changed, 'changed');
      assert.deepEqual(events, ['created'], 'the first watch fired only once');
      await tree.close();
    });

    it('applies multi atomically', async () => {
      const tree = await factory.newTree();
      const s = await tree.open();
      await s.ensurePath('/a');
      await s.create('/a/x', Buffer.from('1'));
      await rejectsWith(
        s.multi([
          { op: 'create', path: '/a/y', data: Buffer.from('2') },
          { op: 'set', path: '/a/x', data: Buffer.from('3'), expectedVersion: 5 },
        ]),
        'BAD_VERSION',
      );
      assert.equal(await s.exists('/a/y'), null, 'nothing of a failed multi is applied');
      await s.multi([
        { op: 'check', path: '/a/x', expectedVersion: 0 },
        { op: 'create', path: '/a/y', data: Buffer.from('2') },
        { op: 'set', path: '/a/y', data: Buffer.from('4') },
        { op: 'delete', path: '/a/x' },
      ]);
      assert.equal((await s.get('/a/y'))?.data.toString(), '4');
      assert.equal(await s.exists('/a/x'), null);
      await tree.close();
    });

    it('deletes recursively', async () => {
      const tree = await factory.newTree();
      const s = await tree.open();
      await s.ensurePath('/brokers/topics/t/partitions/0/state');
      await s.ensurePath('/brokers/topics/t/partitions/1/state');
      await s.deleteRecursive('/brokers/topics/t');
      assert.equal(await s.exists('/brokers/topics/t'), null);
      assert.deepEqual(await s.getChildren('/brokers/topics'), []);
      await s.deleteRecursive('/missing');
      await tree.close();
    });

    it('answers missing nodes with null or NO_NODE, and wrong versions with BAD_VERSION', async () => {
      const tree = await factory.newTree();
      const s = await tree.open();
      assert.equal(await s.get('/missing'), null);
      assert.equal(await s.exists('/missing'), null);
      await rejectsWith(s.getChildren('/missing'), 'NO_NODE');
      await rejectsWith(s.set('/missing', Buffer.alloc(0)), 'NO_NODE');
      await rejectsWith(s.delete('/missing'), 'NO_NODE');
      await s.create('/v', Buffer.from('1'));
      await rejectsWith(s.delete('/v', 3), 'BAD_VERSION');
      assert.equal((await s.set('/v', Buffer.from('2'), -1)).version, 1, '-1 matches any version');
      await tree.close();
    });

    it('counts child changes in childrenVersion', async () => {
      const tree = await factory.newTree();
      const s = await tree.open();
      await s.ensurePath('/p');
      await s.create('/p/a', Buffer.alloc(0));
      await s.create('/p/b', Buffer.alloc(0));
      await s.delete('/p/a');
      const stat = await s.exists('/p');
      assert.equal(stat?.childrenVersion, 3);
      assert.equal(stat?.version, 0);
      assert.equal(stat?.ephemeralOwner, 0);
      await tree.close();
    });

    it('keeps ensurePath idempotent and leaves existing data alone', async () => {
      const tree = await factory.newTree();
      const s = await tree.open();
      await s.ensurePath('/x/y');
      await s.set('/x/y', Buffer.from('kept'));
      await s.ensurePath('/x/y');
      await s.ensurePath('/x');
      assert.equal((await s.get('/x/y'))?.data.toString(), 'kept');
      assert.deepEqual(await s.getChildren('/x'), ['y']);
      await tree.close();
    });

    it('refuses children under an ephemeral node', async () => {
      const tree = await factory.newTree();
      const s = await tree.open();
      await s.create('/e', Buffer.alloc(0), { ephemeral: true });
      await rejectsWith(s.create('/e/child', Buffer.alloc(0)), 'BAD_PATH');
      await tree.close();
    });

    it('creates ephemeral sequential nodes owned by the session', async () => {
      const tree = await factory.newTree();
      const s = await tree.open();
      await s.ensurePath('/election');
      const a = await s.create('/election/n-', Buffer.alloc(0), { ephemeral: true, sequential: true });
      const b = await s.create('/election/n-', Buffer.alloc(0), { ephemeral: true, sequential: true });
      assert.deepEqual([a, b], ['/election/n-0000000000', '/election/n-0000000001']);
      assert.equal((await s.exists(b))?.ephemeralOwner, s.sessionId);
      await tree.close();
    });

    it('fires children watches on creates and deletes, and data watches on deletes', async () => {
      const tree = await factory.newTree();
      const s = await tree.open();
      await s.ensurePath('/w');
      const created = nextEvent((l) => s.watchChildren('/w', l));
      await s.create('/w/c', Buffer.alloc(0));
      assert.equal(await created, 'children');
      const childDeleted = nextEvent((l) => s.watchChildren('/w', l));
      const nodeDeleted = nextEvent((l) => s.watchData('/w/c', l));
      const parentDeleted = nextEvent((l) => s.watchData('/w', l));
      await s.delete('/w/c');
      assert.equal(await childDeleted, 'children');
      assert.equal(await nodeDeleted, 'deleted');
      const ownDeletion = nextEvent((l) => s.watchChildren('/w', l));
      await s.delete('/w');
      assert.equal(await ownDeletion, 'deleted');
      assert.equal(await parentDeleted, 'deleted');
      await tree.close();
    });

    it('reports the first failing op of a multi and applies nothing', async () => {
      const tree = await factory.newTree();
      const s = await tree.open();
      await s.ensurePath('/m');
      await s.create('/m/x', Buffer.from('1'));
      await assert.rejects(
        s.multi([
          { op: 'set', path: '/m/x', data: Buffer.from('2') },
          { op: 'create', path: '/m/x', data: Buffer.alloc(0) },
          { op: 'delete', path: '/m/none' },
        ]),
        (e: unknown) => e instanceof MetadataError && e.code === 'NODE_EXISTS' && e.path === '/m/x',
      );
      await assert.rejects(
        s.multi([
          { op: 'create', path: '/m/y', data: Buffer.alloc(0) },
          { op: 'delete', path: '/m/none' },
        ]),
        (e: unknown) => e instanceof MetadataError && e.code === 'NO_NODE' && e.path === '/m/none',
      );
      await rejectsWith(s.multi([{ op: 'delete', path: '/m' }]), 'NOT_EMPTY');
      const x = await s.get('/m/x');
      assert.equal(x?.data.toString(), '1');
      assert.equal(x?.stat.version, 0);
      assert.deepEqual(await s.getChildren('/m'), ['x']);
      await tree.close();
    });

    it('refuses calls on a closed session', async () => {
      const tree = await factory.newTree();
      const s = await tree.open();
      await s.close();
      await assert.rejects(s.get('/'), (e: unknown) => e instanceof MetadataError && e.code === 'SESSION_CLOSED');
      await tree.close();
    });
  });
}
