import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MemoryLogger } from '../src/common/logger.ts';
import { startBroker } from '../src/index.ts';

const require = createRequire(import.meta.url);

describe('package root', () => {
  it('exports startBroker: a broker on a free port that a Kafka client uses, then closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-root-'));
    const broker = await startBroker({ port: 0, logDirs: [dir], logger: new MemoryLogger() });
    try {
      assert.ok(broker.port > 0);
      const { Kafka, logLevel } = require('kafkajs') as typeof import('kafkajs');
      const kafka = new Kafka({ brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'from-code', numPartitions: 2 }] });
      assert.deepEqual(await admin.listTopics(), ['from-code']);
      await admin.disconnect();
    } finally {
      await broker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
