// More than one append write in flight: TailWriter's ordering and failure rules, and the Log
// issuing the next group's write before the previous one completed (offsets, rolls, faults).
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { test } from 'node:test';
import type { StorageError } from '../../src/storage/errors.ts';
import { type FileIO, nodeFileIO } from '../../src/storage/file-io.ts';
import { TailWriter } from '../../src/storage/tail-writer.ts';
import { batch, openLog, readAll, tempDir } from './helpers.ts';

interface HeldWrite {
  position: number;
  bytes: number;
  /** Lets the write reach the file (or fail with `error`). */
  finish(error?: string): void;
}

/**
 * A FileIO whose writev waits until the test finishes it, so writes stay in flight and can be
 * completed in any order; `writes` resolves its waiters as writes arrive.
 */
function heldIO() {
  const held: HeldWrite[] = [];
  const truncations: number[] = [];
  let arrived: (() => void) | null = null;
  let failTruncate = false;
  const io: FileIO = {
    ...nodeFileIO,
    writev: (fd, bufs, position) =>
      new Promise<number>((resolve, reject) => {
        const bytes = bufs.reduce((n, b) => n + b.length, 0);
        held.push({
          position,
          bytes,
          finish: (error) => {
            if (error !== undefined) reject(Object.assign(new Error(`${error}: injected`), { code: error }));
            else resolve(nodeFileIO.writeSync(fd, Buffer.concat(bufs), 0, bytes, position));
          },
        });
        arrived?.();
      }),
    ftruncateSync: (fd, length) => {
      truncations.push(length);
      if (failTruncate) throw Object.assign(new Error('EIO: injected'), { code: 'EIO' });
      nodeFileIO.ftruncateSync(fd, length);
    },
  };
  /** Resolves once `n` writes have arrived in all. */
  const writes = async (n: number): Promise<HeldWrite[]> => {
    while (held.length < n) await new Promise<void>((r) => (arrived = r));
    return held;
  };
  return {
    io,
    held,
    truncations,
    writes,
    failTruncates: () => {
      failTruncate = true;
    },
  };
}

function openFile(t: { after(fn: () => void): void }): { fd: number; path: string } {
  const path = `${tempDir(t)}/f`;
  const fd = openSync(path, 'w+');
  t.after(() => closeSync(fd));
  return { fd, path };
}

test('TailWriter: writes finishing out of order complete in issue order', async (t) => {
  const { io, writes } = heldIO();
  const { fd, path } = openFile(t);
  const w = new TailWriter(io, fd, () => path);
  const order: string[] = [];
  const a = w.write([Buffer.from('aaaa')], 4, 0, () => order.push('a'));
  const b = w.write([Buffer.from('bb')], 2, 4, () => order.push('b'));
  assert.equal(w.pendingBytes, 6);
  const [wa, wb] = await writes(2);
  wb!.finish();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, [], 'b waits for a');
  wa!.finish();
  await Promise.all([a, b]);
  assert.deepEqual(order, ['a', 'b']);
  assert.equal(w.busy, false);
  assert.equal(readFileSync(path, 'utf8'), 'aaaabb');
});

test('TailWriter: a failed write fails the writes after it, and the last one cuts the file back', async (t) => {
  const { io, writes, truncations } = heldIO();
  const { fd, path } = openFile(t);
  const w = new TailWriter(io, fd, () => path);
  const ok = w.write([Buffer.from('1111')], 4, 0, () => {});
  const bad = w.write([Buffer.from('2222')], 4, 4, () => {});
  const after = w.write([Buffer.from('3333')], 4, 8, () => assert.fail('must not complete'));
  const held = await writes(3);
  held[0]!.finish();
  held[1]!.finish('ENOSPC');
  await ok;
  await assert.rejects(bad, (e: StorageError) => e.code === 'IO_ERROR' && /ENOSPC/.test(e.message));
  assert.equal(w.failing, true, 'not cut back while a later write is in flight');
  assert.deepEqual(truncations, []);
  held[2]!.finish();
  await assert.rejects(after, (e: StorageError) => e.code === 'IO_ERROR' && /ENOSPC/.test(e.message));
  assert.deepEqual(truncations, [4]);
  assert.equal(w.failing, false);
  assert.equal(statSync(path).size, 4);
  // Writing goes on from the cut.
  await Promise.all([w.write([Buffer.from('55')], 2, 4, () => {}), (await writes(4))[3]!.finish()]);
  assert.equal(readFileSync(path, 'utf8'), '111155');
});

test('TailWriter: a cut-back that fails is LOG_OFFLINE', async (t) => {
  const { io, writes, failTruncates } = heldIO();
  const { fd, path } = openFile(t);
  const w = new TailWriter(io, fd, () => path);
  failTruncates();
  const a = w.write([Buffer.from('x')], 1, 0, () => {});
  (await writes(1))[0]!.finish('EIO');
  await assert.rejects(a, (e: StorageError) => e.code === 'LOG_OFFLINE' && e.message.includes(path));
});

const BIG = 600 * 1024; // over half a write group: each append is a group of its own

test('Log: the next group is written while the previous is in flight; offsets follow in order', async (t) => {
  const { io, writes } = heldIO();
  const log = openLog(tempDir(t), { io, config: { maxMessageBytes: 2 << 20 } });
  const appends = [0, 1, 2, 3].map((i) => log.append(batch(3, { tag: `g${i}`, valueBytes: BIG / 3 })));
  const held = await writes(3);
  assert.equal(held.length, 3, 'three groups in flight, the fourth waits');
  assert.deepEqual(
    held.map((h) => h.position),
    [0, held[0]!.bytes, held[0]!.bytes + held[1]!.bytes],
  );
  // The second write finishing first changes nothing visible: the LEO counts completed writes.
  held[1]!.finish();
  await new Promise((r) => setImmediate(r));
  assert.equal(log.logEndOffset, 0);
  held[0]!.finish();
  held[2]!.finish();
  (await writes(4))[3]!.finish();
  const results = await Promise.all(appends);
  assert.deepEqual(
    results.map((r) => [r.firstOffset, r.lastOffset]),
    [
      [0, 2],
      [3, 5],
      [6, 8],
      [9, 11],
    ],
  );
  assert.equal(log.logEndOffset, 12);
  assert.equal((await readAll(log)).length, 12);
  await log.close();
});

test('Log: a failed write while the next is in flight fails both and leaves no trace', async (t) => {
  const dir = tempDir(t);
  const { io, writes } = heldIO();
  const log = openLog(dir, { io, config: { maxMessageBytes: 2 << 20 } });
  const first = log.append(batch(2, { tag: 'a', valueBytes: BIG / 2 }));
  const second = log.append(batch(2, { tag: 'b', valueBytes: BIG / 2 }));
  const held = await writes(2);
  held[0]!.finish('ENOSPC');
  held[1]!.finish();
  await assert.rejects(first, (e: StorageError) => e.code === 'IO_ERROR' && /ENOSPC/.test(e.message));
  await assert.rejects(second, (e: StorageError) => e.code === 'IO_ERROR');
  assert.equal(log.logEndOffset, 0);
  assert.equal(statSync(`${dir}/00000000000000000000.log`).size, 0);
  const third = log.append(batch(1, { tag: 'c' }));
  (await writes(3))[2]!.finish();
  assert.equal((await third).firstOffset, 0);
  await log.close();
  const again = openLog(dir, { recoveryPoint: 0 });
  assert.deepEqual(
    (await readAll(again)).map((r) => [r.offset, r.value]),
    [[0, 'c-0']],
  );
  await again.close();
});

test('Log: a roll waits for the writes in flight to the old segment', async (t) => {
  const dir = tempDir(t);
  const { io, writes } = heldIO();
  // Each segment holds two appends.
  const log = openLog(dir, { io, config: { maxMessageBytes: 2 << 20, segmentBytes: 2 * BIG + 4096 } });
  const appends = [0, 1, 2, 3, 4].map((i) => log.append(batch(1, { tag: `r${i}`, valueBytes: BIG })));
  let finished = 0;
  while (finished < 5) {
    const held = await writes(finished + 1);
    // Finish in arrival order whatever has arrived.
    for (; finished < held.length; finished++) held[finished]!.finish();
  }
  const results = await Promise.all(appends);
  assert.deepEqual(
    results.map((r) => r.firstOffset),
    [0, 1, 2, 3, 4],
  );
  assert.deepEqual(
    log.segments.map((s) => s.baseOffset),
    [0, 2, 4],
  );
  assert.deepEqual(
    (await readAll(log)).map((r) => r.offset),
    [0, 1, 2, 3, 4],
  );
  await log.close();
  const again = openLog(dir, { recoveryPoint: 0 });
  assert.equal(again.logEndOffset, 5);
  await again.close();
});
