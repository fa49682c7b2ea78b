import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BatchCursor, iterateBatches } from '../../../src/protocol/records/batch-cursor.ts';
import { encodeMessageSet } from '../../../src/protocol/records/legacy-message-set.ts';
import { encodeRecordBatch } from '../../../src/protocol/records/record-encoder.ts';
import { onlyDecodeError, throwsCode } from './helpers.ts';

function segment(): { buf: Buffer; sizes: number[] } {
  const batches = [
    encodeRecordBatch({ baseOffset: 0, records: [{ value: Buffer.from('a') }, { value: Buffer.from('b') }] }),
    encodeRecordBatch({ baseOffset: 2, compression: 1, records: [{ value: Buffer.from('c') }] }),
    encodeRecordBatch({ baseOffset: 3, records: [] }),
    encodeRecordBatch({ baseOffset: 3, records: Array.from({ length: 5 }, () => ({ value: Buffer.from('d') })) }),
  ];
  return { buf: Buffer.concat(batches), sizes: batches.map((b) => b.length) };
}

describe('BatchCursor / iterateBatches', () => {
  it('walks consecutive batches with their offsets', () => {
    const { buf, sizes } = segment();
    const entries = [...iterateBatches(buf)];
    assert.deepEqual(
      entries.map((e) => (e.kind === 'batch' ? [e.position, e.size, e.magic, e.baseOffset, e.lastOffset] : e)),
      [
        [0, sizes[0], 2, 0, 1],
        [sizes[0], sizes[1], 2, 2, 2],
        [sizes[0]! + sizes[1]!, sizes[2], 2, 3, 3],
        [sizes[0]! + sizes[1]! + sizes[2]!, sizes[3], 2, 3, 7],
      ],
    );
    for (const e of entries) if (e.kind === 'batch') assert.equal(e.bytes.length, e.size);
  });

  it('reports a truncated last batch at every cut point, after the complete ones', () => {
    const { buf, sizes } = segment();
    const ends: number[] = [];
    for (const s of sizes) ends.push((ends.at(-1) ?? 0) + s);
    for (let cut = 0; cut <= buf.length; cut++) {
      const entries = [...iterateBatches(buf, 0, cut)];
      const complete = ends.filter((e) => e <= cut).length;
      const batches = entries.filter((e) => e.kind === 'batch');
      assert.equal(batches.length, complete, `cut ${cut}`);
      const last = entries.at(-1);
      if (ends.includes(cut) || cut === 0) {
        assert.ok(last === undefined || last.kind === 'batch', `cut ${cut} is clean`);
      } else {
        assert.ok(last?.kind === 'truncated', `cut ${cut}`);
        const start = complete === 0 ? 0 : ends[complete - 1]!;
        assert.equal(last.position, start);
        assert.equal(last.available, cut - start);
        assert.equal(last.size, cut - start < 12 ? -1 : sizes[complete]);
      }
    }
  });

  it('walks legacy message sets too (magic 0 and 1, compressed wrappers)', () => {
    const v0 = encodeMessageSet({ magic: 0, baseOffset: 10, messages: [{ value: Buffer.from('x') }, { value: null }] });
    const v1 = encodeMessageSet({
      magic: 1,
      compression: 1,
      baseOffset: 12,
      messages: [{ value: Buffer.from('y') }, { value: Buffer.from('z') }],
    });
    const v2 = encodeRecordBatch({ baseOffset: 14, records: [{ value: Buffer.from('w') }] });
    const cursor = new BatchCursor(Buffer.concat([v0, v1, v2]));
    const seen: [number, number, number][] = [];
    while (cursor.next()) seen.push([cursor.magic, cursor.baseOffset, cursor.lastOffset]);
    assert.equal(cursor.truncated, false);
    assert.deepEqual(seen, [
      [0, 10, 10],
      [0, 11, 11],
      [1, 13, 13],
      [2, 14, 14],
    ]);
  });

  it('throws DecodeError on impossible lengths and unknown magic', () => {
    const batch = encodeRecordBatch({ records: [{ value: Buffer.from('a') }] });
    const badMagic = Buffer.from(batch);
    badMagic[16] = 3;
    throwsCode(() => [...iterateBatches(badMagic)], 'BAD_MAGIC');
    const badLength = Buffer.from(batch);
    badLength.writeInt32BE(20, 8); // below the 49 a v2 batch needs
    throwsCode(() => [...iterateBatches(badLength)], 'BAD_LENGTH');
    badLength.writeInt32BE(-5, 8);
    throwsCode(() => [...iterateBatches(badLength)], 'BAD_LENGTH');
  });

  it('random bytes give batches, a truncated tail, or a DecodeError — nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (a) => {
        onlyDecodeError(() => [...iterateBatches(Buffer.from(a))]);
      }),
      { numRuns: 500 },
    );
  });
});
