import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { ManualClock } from '../../src/common/clock.ts';
import { LogManager } from '../../src/storage/log-manager.ts';
import { MemoryLogger } from '../../src/storage/logger.ts';
import { config, readAll, tempDir } from './helpers.ts';

const WRITER = new URL('./fixtures/crash-writer.ts', import.meta.url).pathname;

/**
 * Runs the writer until it has reported `flushes` flushes, then SIGKILLs it `delayMs` later (so the
 * kill lands anywhere in the append path); returns the highest flushed offset it reported.
 */
function runAndKill(
  dir: string,
  seed: number,
  flushes: number,
  delayMs: number,
): Promise<{ flushed: number; start: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, dir, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let flushed = -1;
    let start = -1;
    let seen = 0;
    let buf = '';
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const [kind, value] = buf.slice(0, nl).split(' ');
        buf = buf.slice(nl + 1);
        nl = buf.indexOf('\n');
        if (kind === 'S') start = Number(value);
        if (kind === 'F') {
          flushed = Math.max(flushed, Number(value));
          if (++seen === flushes) setTimeout(() => child.kill('SIGKILL'), delayMs);
        }
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ flushed, start });
      else reject(new Error(`writer exited with ${code}: ${stderr}`));
    });
  });
}

test('SIGKILL at random points: the reopened log is a valid prefix holding every flushed offset', async (t) => {
  const dir = tempDir(t);
  let seed = 12345;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  let lastEnd = 0;
  for (let round = 0; round < 12; round++) {
    const { flushed, start } = await runAndKill(dir, 1 + round, 1 + Math.floor(rand() * 80), Math.floor(rand() * 4));
    assert.equal(start, lastEnd, 'the writer resumed at the previous log end');
    const logger = new MemoryLogger();
    const m = LogManager.open({
      config: { logDirs: [dir], cleanerEnable: false },
      defaultLogConfig: config({ segmentBytes: 8192, indexIntervalBytes: 512 }),
      clock: new ManualClock(),
      logger,
    });
    const log = m.getLog('crash', 0)!;
    assert.ok(log.logEndOffset >= flushed, `round ${round}: LEO ${log.logEndOffset} lost flushed offset ${flushed}`);
    const recs = await readAll(log);
    assert.equal(recs.length, log.logEndOffset);
    recs.forEach((r, i) => {
      assert.equal(r.offset, i);
      assert.equal(r.value!.replace(/\.+$/, ''), `v${i}`);
    });
    // Indexes: any offset finds the batch that holds it.
    for (let k = 0; k < 20 && log.logEndOffset > 0; k++) {
      const o = Math.floor(rand() * log.logEndOffset);
      const r = await log.read(o, 1);
      assert.ok(r.records.length > 0);
      const base = r.records.readInt32BE(4);
      const last = base + r.records.readInt32BE(23);
      assert.ok(base <= o && o <= last, `read(${o}) returned the batch ${base}..${last}`);
    }
    lastEnd = log.logEndOffset;
    await m.shutdown();
    // Half the rounds restart from a crash state, half from a clean shutdown.
    if (round % 2 === 0) rmSync(`${dir}/.kafka_cleanshutdown`);
  }
});
