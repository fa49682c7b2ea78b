import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Fifo } from '../../src/common/fifo.ts';

describe('Fifo', () => {
  it('hands items out in insertion order across compactions', () => {
    const q = new Fifo<number>();
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 300; i++) q.push(next++);
      for (let i = 0; i < 250; i++) assert.equal(q.shift(), expected++);
    }
    assert.equal(q.length, next - expected);
    assert.equal(q.peek(), expected);
    while (q.length > 0) assert.equal(q.shift(), expected++);
    assert.equal(expected, next);
    assert.equal(q.shift(), undefined);
    assert.equal(q.peek(), undefined);
  });

  it('keeps its backing array near its length', () => {
    const q = new Fifo<number>();
    for (let i = 0; i < 10_000; i++) q.push(i);
    for (let i = 0; i < 9_990; i++) q.shift();
    const items = (q as unknown as { items: unknown[] }).items;
    assert.ok(items.length < 5_000, `backing array holds ${items.length} slots for 10 items`);
    q.clear();
    assert.equal(q.length, 0);
  });
});
