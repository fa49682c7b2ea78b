import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProducerIdManager } from '../../src/coordinator/producer-id-manager.ts';
import { MemoryMetadataTree, type MetadataPersistence } from '../../src/metadata/memory/memory-store.ts';
import { decodeProducerIdBlock, Paths } from '../../src/metadata/paths.ts';

class SavedState implements MetadataPersistence {
  saved: Buffer | null = null;
  load(): Buffer | null {
    return this.saved;
  }
  save(state: Buffer): void {
    this.saved = state;
  }
}

async function take(m: ProducerIdManager, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await m.generateProducerId());
  return out;
}

describe('ProducerIdManager', () => {
  it('hands out consecutive ids from blocks of 1000 claimed in the metadata store', async () => {
    const store = new MemoryMetadataTree().connect();
    const m = new ProducerIdManager({ brokerId: 1, store });
    const ids = await take(m, 1001);
    assert.deepEqual(ids.slice(0, 3), [0, 1, 2]);
    assert.equal(ids[1000], 1000);
    assert.equal(new Set(ids).size, 1001);
    const node = await store.get(Paths.producerIdBlock);
    const block = decodeProducerIdBlock(node!.data);
    assert.equal(block.brokerId, 1);
    assert.deepEqual(
      [block.blockStart, block.blockEnd],
      [1000, 1999],
      'the next block was claimed before the first ran out',
    );
    assert.match(node!.data.toString(), /"block_start":"\d+","block_end":"\d+"/);
  });

  it('never repeats ids across restarts, even when a block was only partly used', async () => {
    const saved = new SavedState();
    const first = new ProducerIdManager({ brokerId: 1, store: new MemoryMetadataTree(saved).connect() });
    const before = await take(first, 5);
    // "Restart": a new tree restored from what was persisted, and a new manager.
    const second = new ProducerIdManager({ brokerId: 1, store: new MemoryMetadataTree(saved).connect() });
    const after = await take(second, 5);
    assert.deepEqual(before, [0, 1, 2, 3, 4]);
    assert.ok(after[0]! >= 1000, `restarted at ${after[0]}`);
    assert.deepEqual(after, [after[0]!, after[0]! + 1, after[0]! + 2, after[0]! + 3, after[0]! + 4]);
  });

  it('gives brokers sharing a store disjoint blocks, also when they claim at the same time', async () => {
    const tree = new MemoryMetadataTree();
    const managers = [1, 2, 3].map(
      (id) => new ProducerIdManager({ brokerId: id, store: tree.connect(), blockSize: 10 }),
    );
    const all = await Promise.all(
      managers.map((m) => Promise.all(Array.from({ length: 25 }, () => m.generateProducerId()))),
    );
    const flat = all.flat();
    assert.equal(new Set(flat).size, flat.length, 'no id handed out twice');
    for (const ids of all)
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => a - b),
        'in order per broker',
      );
  });

  it('shares one claim between concurrent callers', async () => {
    const tree = new MemoryMetadataTree();
    const store = tree.connect();
    let claims = 0;
    const counting = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'create' || prop === 'set') claims++;
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const m = new ProducerIdManager({ brokerId: 1, store: counting });
    const ids = await Promise.all(Array.from({ length: 50 }, () => m.generateProducerId()));
    assert.deepEqual(
      [...ids].sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.equal(claims, 1);
  });
});
