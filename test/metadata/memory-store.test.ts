import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryMetadataTree, type MetadataPersistence } from '../../src/metadata/memory/memory-store.ts';
import { metadataStoreConformance } from './store-conformance.ts';

metadataStoreConformance('in-memory', {
  async newTree() {
    const tree = new MemoryMetadataTree();
    return { open: async () => tree.connect(), close: async () => {} };
  },
});

class MemoryPersistence implements MetadataPersistence {
  saved: Buffer | null = null;
  saves = 0;
  load(): Buffer | null {
    return this.saved;
  }
  save(state: Buffer): void {
    this.saved = state;
    this.saves++;
  }
}

describe('MemoryMetadataTree persistence', () => {
  it('restores persistent nodes, versions and sequence counters, but not ephemeral ones', async () => {
    const p = new MemoryPersistence();
    const first = new MemoryMetadataTree(p).connect();
    await first.ensurePath('/brokers/topics');
    await first.create('/brokers/topics/orders', Buffer.from('{"partitions":{"0":[1]}}'));
    await first.set('/brokers/topics/orders', Buffer.from('{"partitions":{"0":[1],"1":[1]}}'));
    await first.ensurePath('/brokers/ids');
    await first.create('/brokers/ids/1', Buffer.from('{}'), { ephemeral: true });
    await first.create('/brokers/seq-', Buffer.alloc(0), { sequential: true });
    assert.ok(p.saves > 0);

    const second = new MemoryMetadataTree(p).connect();
    const orders = await second.get('/brokers/topics/orders');
    assert.equal(orders?.data.toString(), '{"partitions":{"0":[1],"1":[1]}}');
    assert.equal(orders?.stat.version, 1);
    assert.equal(await second.exists('/brokers/ids/1'), null, 'ephemeral nodes do not survive');
    assert.deepEqual(await second.getChildren('/brokers/ids'), []);
    assert.equal(
      await second.create('/brokers/seq-', Buffer.alloc(0), { sequential: true }),
      '/brokers/seq-0000000001',
    );
  });

  it('rejects a corrupt snapshot with a clear error', () => {
    const p = new MemoryPersistence();
    p.saved = Buffer.from('{not json');
    assert.throws(() => new MemoryMetadataTree(p), /metadata snapshot is not valid JSON/);
  });
});
