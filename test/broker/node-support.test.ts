import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unsupportedNodeReason } from '../../src/broker/node-support.ts';

test('a Node.js without require() of ES modules is refused with a sentence naming its version', () => {
  assert.equal(unsupportedNodeReason({ require_module: true }, '22.12.0'), null);
  assert.equal(
    unsupportedNodeReason({}, '22.5.1'),
    'Samsa needs Node.js >= 22.12 (require() of ES modules); this is Node.js 22.5.1',
  );
  assert.match(unsupportedNodeReason({ require_module: false }, '22.11.0') ?? '', /this is Node\.js 22\.11\.0/);
  assert.equal(unsupportedNodeReason(), null, 'the Node running the tests has it');
});
