/**
 * A broker for handler tests at the wire: startBroker on port 0 over a temp dir, one raw client,
 * and topic `t` (one partition unless told), all torn down after the test.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { type Broker, startBroker } from '../../../src/broker/start-broker.ts';
import { MemoryLogger } from '../../../src/common/logger.ts';
import { ErrorCode } from '../../../src/protocol/error-codes.ts';
import { RawClient } from '../helpers.ts';

export interface Env {
  broker: Broker;
  client: RawClient;
}

export async function env(t: TestContext, partitions = 1): Promise<Env> {
  const dir = await mkdtemp(join(tmpdir(), 'samsa-handler-'));
  let broker: Broker;
  try {
    broker = await startBroker({ port: 0, host: '127.0.0.1', logDirs: [dir], logger: new MemoryLogger() });
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const client = await RawClient.connect(broker.port);
  t.after(async () => {
    client.destroy();
    await broker.close();
    await rm(dir, { recursive: true, force: true });
  });
  const [r] = await broker.services.topics.createTopics(
    [{ name: 't', numPartitions: partitions, replicationFactor: 1 }],
    {
      timeoutMs: 30_000,
    },
  );
  assert.equal(r!.errorCode, ErrorCode.NONE);
  return { broker, client };
}
