import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FrameSplitter, frame } from '../../src/protocol/framing.ts';

describe('FrameSplitter', () => {
  it('yields the same frames however the stream is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 10 }),
        (payloads, cuts) => {
          const stream = Buffer.concat(payloads.map((p) => frame(p)));
          const got: Buffer[] = [];
          const splitter = new FrameSplitter(1000, (f) => got.push(Buffer.from(f)));
          let pos = 0;
          let i = 0;
          while (pos < stream.length) {
            const n = cuts[i++ % cuts.length]!;
            assert.equal(splitter.push(stream.subarray(pos, pos + n)), true);
            pos += n;
          }
          assert.deepEqual(
            got.map((b) => [...b]),
            payloads.map((p) => [...p]),
          );
          assert.equal(splitter.bufferedBytes, 0);
        },
      ),
    );
  });

  it('hands out whole frames inside one chunk as views', () => {
    const stream = Buffer.concat([frame(Buffer.from('abc')), frame(Buffer.from('de'))]);
    const got: Buffer[] = [];
    new FrameSplitter(100, (f) => got.push(f)).push(stream);
    assert.equal(got[0]!.buffer, stream.buffer);
    assert.equal(got[1]!.toString(), 'de');
  });

  it('stops on an oversized frame without buffering its body', () => {
    const got: Buffer[] = [];
    const s = new FrameSplitter(10, (f) => got.push(f));
    const header = Buffer.alloc(4);
    header.writeInt32BE(2_000_000_000);
    assert.equal(s.push(header), false);
    assert.equal(s.error?.code, 'FRAME_TOO_LARGE');
    assert.equal(s.bufferedBytes, 0);
    assert.equal(s.push(Buffer.alloc(5)), false);
    assert.equal(got.length, 0);
  });

  it('holds only the bytes received of a large announced frame, not its announced size', () => {
    const got: Buffer[] = [];
    const s = new FrameSplitter(100 * 1024 * 1024, (f) => got.push(f));
    const header = Buffer.alloc(4);
    header.writeInt32BE(50 * 1024 * 1024);
    assert.equal(s.push(Buffer.concat([header, Buffer.from('abc')])), true);
    assert.equal(s.push(Buffer.from('de')), true);
    assert.equal(s.bufferedBytes, 5);
    assert.equal(got.length, 0);
  });

  it('keeps memory proportional to what arrived when a frame comes one byte at a time', () => {
    const got: Buffer[] = [];
    const s = new FrameSplitter(10 * 1024 * 1024, (f) => got.push(f));
    const header = Buffer.alloc(4);
    header.writeInt32BE(300_000);
    s.push(header);
    const one = Buffer.from([7]);
    for (let i = 1; i <= 200_000; i++) {
      s.push(one);
      // Doubling growth: never more than twice what arrived (or the 16 KiB start).
      assert.ok(s.bufferedCapacity <= Math.max(2 * i, 16 * 1024), `capacity ${s.bufferedCapacity} after ${i} bytes`);
    }
    assert.equal(s.bufferedBytes, 200_000);
    for (let i = 0; i < 100_000; i++) s.push(one);
    assert.equal(got.length, 1);
    assert.equal(got[0]!.length, 300_000);
    assert.ok(got[0]!.every((b) => b === 7));
  });

  it('yields the same large frames however the stream is chunked, small and large pieces mixed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 10 }),
        (sizes, cuts) => {
          const payloads = sizes.map((n, k) => Buffer.alloc(n, k + 1).fill(0xee, 0, Math.min(n, 3)));
          const stream = Buffer.concat(payloads.map((p) => frame(p)));
          const got: Buffer[] = [];
          const splitter = new FrameSplitter(1 << 20, (f) => got.push(Buffer.from(f)));
          let pos = 0;
          let i = 0;
          while (pos < stream.length) {
            const n = cuts[i++ % cuts.length]!;
            // Each chunk its own allocation, as socket reads are.
            assert.equal(splitter.push(Buffer.from(stream.subarray(pos, pos + n))), true);
            pos += n;
            assert.ok(splitter.bufferedCapacity <= 2 * splitter.bufferedBytes + 16 * 1024);
          }
          assert.deepEqual(got, payloads);
          assert.equal(splitter.bufferedBytes, 0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps large pieces of a split frame as views of their chunks and joins them with one copy', () => {
    const got: Buffer[] = [];
    const s = new FrameSplitter(10 * 1024 * 1024, (f) => got.push(f));
    const payload = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    const stream = frame(payload);
    // Socket-like chunks, each its own allocation: a header alone, then 64 KiB reads.
    const chunks = [Buffer.from(stream.subarray(0, 4))];
    for (let pos = 4; pos < stream.length; pos += 65_536) {
      chunks.push(Buffer.from(stream.subarray(pos, Math.min(stream.length, pos + 65_536))));
    }
    let arrived = 0;
    for (const c of chunks) {
      s.push(c);
      arrived += c.length;
      if (got.length === 0) {
        assert.equal(s.bufferedCapacity, arrived - 4, 'nothing allocated but the chunks themselves');
      }
    }
    assert.equal(got.length, 1);
    assert.deepEqual(got[0], payload);
    // One piece that is the whole frame is handed out as it is, without a copy.
    const one: Buffer[] = [];
    const t = new FrameSplitter(10 * 1024 * 1024, (f) => one.push(f));
    const body = Buffer.alloc(20_000, 3);
    t.push(frame(body).subarray(0, 4));
    const rest = Buffer.from(body);
    t.push(rest);
    assert.equal(one[0]!.buffer, rest.buffer);
  });

  it('copies a small tail of a large chunk rather than holding the chunk', () => {
    const got: Buffer[] = [];
    const s = new FrameSplitter(10 * 1024 * 1024, (f) => got.push(f));
    // A chunk with a whole 60,000-byte frame, then the size and 10 bytes of the next frame.
    const chunk = Buffer.concat([frame(Buffer.alloc(60_000, 1)), frame(Buffer.alloc(100_000, 2)).subarray(0, 14)]);
    s.push(chunk);
    assert.equal(got.length, 1);
    assert.equal(s.bufferedBytes, 10);
    assert.ok(s.bufferedCapacity <= 16 * 1024, `${s.bufferedCapacity} bytes held for 10`);
    s.push(Buffer.alloc(99_990, 2));
    assert.equal(got.length, 2);
    assert.deepEqual(got[1], Buffer.alloc(100_000, 2));
  });

  it('with trustSizes (a client reading its broker) allocates a split frame once, at its size', () => {
    const got: Buffer[] = [];
    const s = new FrameSplitter(10 * 1024 * 1024, (f) => got.push(f), { trustSizes: true });
    const payload = Buffer.alloc(300_000, 9);
    const stream = frame(payload);
    s.push(stream.subarray(0, 10));
    assert.equal(s.bufferedCapacity, 300_000, 'the whole frame at the first body bytes');
    for (let pos = 10; pos < stream.length; pos += 65_536) {
      s.push(stream.subarray(pos, Math.min(stream.length, pos + 65_536)));
      if (got.length === 0) {
        assert.equal(s.bufferedCapacity, 300_000, 'never regrown');
      }
    }
    assert.equal(got.length, 1);
    assert.deepEqual(got[0], payload);
  });

  it('rejects a negative frame size', () => {
    const s = new FrameSplitter(10, () => {});
    assert.equal(s.push(Buffer.from([0xff, 0xff, 0xff, 0xfe])), false);
    assert.match(s.error?.message ?? '', /negative frame size/);
  });

  it('accepts a zero-length frame', () => {
    const got: Buffer[] = [];
    new FrameSplitter(10, (f) => got.push(f)).push(Buffer.from([0, 0, 0, 0]));
    assert.equal(got.length, 1);
    assert.equal(got[0]!.length, 0);
  });
});
