import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetadataError, type MetadataStore, type WatchEvent } from '../../src/metadata/metadata-store.ts';

/**
 * The behaviour every MetadataStore must have, run against each implementation (in-memory now,
 * ZooKeeper with the cluster work). `open()` returns a fresh session on a fresh, shared tree;
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

    it('refuses calls on a closed session', async () => {
      const tree = await factory.newTree();
      const s = await tree.open();
      await s.close();
      await assert.rejects(s.get('/'), (e: unknown) => e instanceof MetadataError && e.code === 'SESSION_CLOSED');
      await tree.close();
    });
  });
}
