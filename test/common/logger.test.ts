import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/common/clock.ts';
import { LineLogger, MemoryLogger, oneLine } from '../../src/common/logger.ts';

describe('log lines', () => {
  it('escapes line breaks and control characters so client text cannot forge a line', () => {
    const forged = "x'\n2030-01-01T00:00:00.000Z ERROR forged\r\u0085\u2028\u007f\u0000";
    assert.equal(oneLine(forged), "x'\\n2030-01-01T00:00:00.000Z ERROR forged\\r\\u0085\\u2028\\u007f\\u0000");
    assert.equal(oneLine('plain text, tabs\tstay'), 'plain text, tabs\tstay');
    assert.equal(oneLine('ü and 日本 stay'), 'ü and 日本 stay');
    const written: string[] = [];
    const logger = new LineLogger('info', { clock: new ManualClock(0), write: (l) => written.push(l) });
    logger.warn(`refused ${forged}`);
    logger.warn('second');
    assert.equal(written.length, 2);
    assert.equal(written.join('').split('\n').length, 3, 'two lines and the final newline');
    const memory = new MemoryLogger();
    memory.error('a\nb');
    assert.deepEqual(memory.lines, ['ERROR a\\nb']);
  });
});
