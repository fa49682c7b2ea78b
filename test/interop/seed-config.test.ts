/**
 * The seed's example configuration (Kafka 0.8's server.properties, as the fixture
 * test/broker/config/fixtures/server-0.8.properties) through the real command line:
 * `samsa server <file> --override ...` must start and answer kcat -L.
 *
 * Only what cannot be shared on a test machine is overridden: the log dirs and the port (and the
 * advertised port, which the file pins to 9092 too).
 * - As written, the file names a ZooKeeper ensemble (zookeeper.connect=localhost:2181): the test
 *   runs a real ZooKeeper (Debian's package) on a free port and points zookeeper.connect at it.
 * - With zookeeper.connect emptied, the broker uses its embedded store; every other key of the
 *   file must still be accepted, the unused ones with one warning line each.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ZooKeeperTestServer } from '../metadata/zk-server.ts';
import {
  BROKER_STARTED,
  type ChildHandle,
  describeRun,
  freePort,
  makeTempDir,
  REPO_ROOT,
  requireKcat,
  run,
  spawnServer,
  type TempDir,
} from './helpers.ts';

const FIXTURE = join(REPO_ROOT, 'test/broker/config/fixtures/server-0.8.properties');
/** Keys of the file Samsa does not use (a sample); each must be warned about exactly once. */
const UNUSED_KEYS = [
  'num.network.threads',
  'num.io.threads',
  'kafka.metrics.polling.interval.secs',
  'kafka.csv.metrics.dir',
];

describe('the seed example config (Kafka 0.8 server.properties)', () => {
  const dirs: TempDir[] = [];
  const children: ChildHandle[] = [];
  const zookeepers: ZooKeeperTestServer[] = [];

  after(async () => {
    for (const c of children) await c.stop('SIGKILL').catch(() => {});
    for (const zk of zookeepers) await zk.destroy();
    for (const d of dirs) await d.remove();
  });

  async function startFromFile(extra: Record<string, string> = {}) {
    const dir = await makeTempDir('samsa-seed-config-');
    dirs.push(dir);
    const port = await freePort();
    const server = spawnServer(
      { 'log.dir': dir.path, 'log.dirs': dir.path, port, 'advertised.port': port, ...extra },
      FIXTURE,
    );
    children.push(server);
    await server.waitForLine(BROKER_STARTED, 15_000);
    return { server, port };
  }

  async function assertKcatMetadata(port: number) {
    const r = await run(requireKcat(), ['-b', `localhost:${port}`, '-L'], { timeoutMs: 15_000 });
    assert.equal(r.code, 0, describeRun('kcat -L', r));
    // The file sets broker.id=0, advertised.host.name=localhost.
    assert.match(r.stdout.toString(), new RegExp(`^\\s+broker 0 at localhost:${port}`, 'm'), r.stdout.toString());
  }

  test('as written (zookeeper.connect=localhost:2181): starts and answers kcat -L', async () => {
    requireKcat();
    const zk = await ZooKeeperTestServer.start();
    zookeepers.push(zk);
    const { server, port } = await startFromFile({ 'zookeeper.connect': zk.connectString });
    assert.match(server.output, /ZooKeeper at 127\.0\.0\.1:/);
    await assertKcatMetadata(port);
    const stopped = await server.stop('SIGTERM');
    assert.equal(stopped.code, 0, server.output);
  });

  test('with zookeeper.connect emptied (embedded store): starts, answers kcat -L, one warning per unused key', async () => {
    requireKcat();
    const { server, port } = await startFromFile({ 'zookeeper.connect': '' });
    await assertKcatMetadata(port);
    for (const key of UNUSED_KEYS) {
      const lines = server.output.split('\n').filter((l) => l.includes(key));
      assert.equal(lines.length, 1, `one line about ${key}; got:\n${lines.join('\n')}`);
      assert.match(lines[0]!, /WARN/, lines[0]);
    }
    assert.doesNotMatch(server.output, /ERROR/, server.output);
    const stopped = await server.stop('SIGTERM');
    assert.equal(stopped.code, 0, server.output);
  });
});
