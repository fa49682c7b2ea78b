import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import type { StorageError } from '../../src/storage/errors.ts';
import { type FileIO, nodeFileIO } from '../../src/storage/file-io.ts';
import { batch, openLog, readAll, tempDir } from './helpers.ts';

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected`), { code });
}

/** A FileIO whose writev can be told to fail: wholly, or after writing part of the bytes. */
function faultyIO() {
  const state = { mode: 'ok' as 'ok' | 'enospc' | 'partial' | 'eio-sync' };
  const io: FileIO = {
    ...nodeFileIO,
    writev: async (fd, bufs, position) => {
      if (state.mode === 'enospc') throw errno('ENOSPC');
      if (state.mode === 'partial') {
        // Half the bytes reach the file, then the disk is full.
        const all = Buffer.concat(bufs);
        const half = Math.floor(all.length / 2);
        nodeFileIO.writeSync(fd, all, 0, half, position);
        state.mode = 'enospc';
        return half;
      }
      return nodeFileIO.writev(fd, bufs, position);
    },
    fdatasync: async (fd) => {
      if (state.mode === 'eio-sync') throw errno('EIO');
      return nodeFileIO.fdatasync(fd);
    },
  };
  return { io, state };
}

test('ENOSPC during append: clear error, log unchanged and readable, appends work once space is back', async (t) => {
  const dir = tempDir(t);
  const { io, state } = faultyIO();
  const log = openLog(dir, { io });
  await log.append(batch(2, { tag: 'before' }));
  const size = statSync(`${dir}/00000000000000000000.log`).size;
  state.mode = 'enospc';
  await assert.rejects(log.append(batch(2)), (e: StorageError) => e.code === 'IO_ERROR' && /ENOSPC/.test(e.message));
  state.mode = 'partial';
  await assert.rejects(log.append(batch(50, { valueBytes: 100 })), (e: StorageError) => e.code === 'IO_ERROR');
  assert.equal(statSync(`${dir}/00000000000000000000.log`).size, size, 'the partial write was cut back');
  assert.equal(log.logEndOffset, 2);
  assert.deepEqual(
    (await readAll(log)).map((r) => r.value),
    ['before-0', 'before-1'],
  );
  state.mode = 'ok';
  assert.equal((await log.append(batch(1, { tag: 'after' }))).firstOffset, 2);
  await log.close();
  const again = openLog(dir, { recoveryPoint: 0 });
  assert.deepEqual(
    (await readAll(again)).map((r) => r.value),
    ['before-0', 'before-1', 'after-0'],
  );
  await again.close();
});

test('a burst of appends in one group all fail together and leave no trace', async (t) => {
  const { io, state } = faultyIO();
  const log = openLog(tempDir(t), { io });
  state.mode = 'enospc';
  const results = await Promise.allSettled(Array.from({ length: 10 }, () => log.append(batch(1))));
  assert.ok(results.every((r) => r.status === 'rejected'));
  state.mode = 'ok';
  assert.equal((await log.append(batch(1))).firstOffset, 0);
  await log.close();
});

test('EIO on fsync takes the log offline rather than claiming durability', async (t) => {
  const { io, state } = faultyIO();
  const log = openLog(tempDir(t), { io });
  await log.append(batch(1));
  state.mode = 'eio-sync';
  await assert.rejects(log.flush(), (e: StorageError) => e.code === 'LOG_OFFLINE');
  assert.equal(log.recoveryPoint, 0);
  assert.equal(log.isOffline, true);
  await assert.rejects(log.append(batch(1)), (e: StorageError) => e.code === 'LOG_OFFLINE');
  await log.close();
});

test('a file or nothing where the partition dir should be: an error naming the path', (t) => {
  // Bad directory: a file where the partition dir should be.
  const dir = tempDir(t);
  writeFileSync(`${dir}/file`, 'x');
  assert.throws(
    () => openLog(`${dir}/file`),
    (e: StorageError) => e.code === 'IO_ERROR' && e.message.includes(`${dir}/file`),
  );
  assert.throws(
    () => openLog(`${dir}/missing`),
    (e: StorageError) => e.message.includes(`${dir}/missing`),
  );
});
