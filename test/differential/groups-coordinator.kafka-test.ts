/**
 * FindCoordinator against Kafka and Samsa: the first lookup (which creates __consumer_offsets),
 * every version for groups, batched keys, and the key types other than groups. The first scenario
 * must stay first in this file: it sees both brokers before anything created __consumer_offsets.
 */
import { after } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.ts';
import { ApiKey } from '../../src/protocol/messages/generated/api-table.ts';
import { quiet, until } from './groups-helpers.ts';
import { closeBrokers, scenario } from './harness.ts';

after(closeBrokers);

scenario('FindCoordinator: the first lookup creates __consumer_offsets, later ones find the coordinator', async (s) => {
  // Nothing has used groups yet: the broker starts creating the topic and says to retry.
  await s.request(ApiKey.FindCoordinator, 3, { key: 'diff-fc-first', keyType: 0 }, 'first lookup');
  const c = await s.connect();
  const ready = await until('coordinator', async () => {
    const r = await quiet(c, ApiKey.FindCoordinator, 3, { key: 'diff-fc-first', keyType: 0 });
    return r.errorCode === ErrorCode.NONE ? r : undefined;
  });
  s.record('once the topic has leaders', ready);
});

scenario('FindCoordinator v0-v3 for a group', async (s) => {
  for (const version of [0, 1, 2, 3]) {
    await s.request(ApiKey.FindCoordinator, version, { key: `diff-fc-v${version}`, keyType: 0 });
  }
});

scenario('FindCoordinator v4-v6 with a batch of group keys, the empty group id among them', async (s) => {
  for (const version of [4, 5, 6]) {
    await s.request(ApiKey.FindCoordinator, version, {
      keyType: 0,
      coordinatorKeys: ['diff-fc-batch-a', 'diff-fc-batch-b', '', 'diff-fc-batch-a'],
    });
  }
});

scenario('FindCoordinator with an unknown key type', async (s) => {
  await s.request(ApiKey.FindCoordinator, 1, { key: 'diff-fc-unknown-type', keyType: 7 });
  await s.request(ApiKey.FindCoordinator, 3, { key: 'diff-fc-unknown-type', keyType: 7 });
  await s.request(ApiKey.FindCoordinator, 4, { keyType: 7, coordinatorKeys: ['diff-fc-unknown-type', 'x'] });
});

scenario('FindCoordinator for a share coordinator (key type 2, v6)', async (s) => {
  await s.request(ApiKey.FindCoordinator, 6, { keyType: 2, coordinatorKeys: ['diff-fc-share:topic:0'] });
});

scenario('FindCoordinator for a transaction coordinator (key type 1): the first answer', async (s) => {
  await s.request(ApiKey.FindCoordinator, 1, { key: 'diff-fc-txn', keyType: 1 });
});
