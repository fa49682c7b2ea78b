/**
 * franz-go (github.com/twmb/franz-go: kgo, and kadm for admin requests) against a Samsa broker,
 * through the small program in test/interop/go/ (its go.mod pins the version; go.sum is
 * committed). The test builds it with the `go` on PATH (`go build` into a temporary directory,
 * GOFLAGS=-mod=mod, the default module cache) and drives it with JSON lines (client-records.ts).
 *
 * kadm creates a 4-partition topic; an idempotent producer (franz-go's default) writes keyed
 * records with headers and explicit CreateTimes, zstd-compressed; a group member reads them and
 * commits; a second batch (snappy) is read by a new member of the same group, which resumes from
 * the commits. Checked byte for byte: keys, values, header names, values and order, timestamps,
 * partitions and offsets; the offsets kadm FetchOffsets reads back and the ones Samsa's own
 * client fetches; the stored batches' codec, producer id and sequence numbers.
 *
 * The version is chosen for Debian 12's Go 1.19 (package golang-go, which
 * scripts/install-test-deps.sh installs when there is no `go`): franz-go v1.16.1 is the newest
 * release whose go.mod asks for no newer Go (v1.17 needs 1.21); newer Go builds it as well.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { clientLines, consumeChecked, makeTestRecords, produceChecked } from './client-records.ts';
import { GROUP_TEST_PROPS } from './group-helpers.ts';
import { describeRun, makeTempDir, run, shared, sharedBroker, which } from './helpers.ts';

const GO_DIR = join(import.meta.dirname, 'go');
const PARTITIONS = 4;
const ZEROS = Array.from({ length: PARTITIONS }, () => 0);
/** The franz-go version go.mod requires. */
const FRANZ_GO = /^\s*github\.com\/twmb\/franz-go (v\S+)/m.exec(readFileSync(join(GO_DIR, 'go.mod'), 'utf8'))?.[1];

/** The program, built once for the file's tests into a temporary directory. */
const program = shared(
  async () => {
    const go = which('go');
    if (go === null) {
      throw new Error(
        "go is not installed: run 'bash scripts/install-test-deps.sh' as root (it installs the Debian package golang-go)",
      );
    }
    const dir = await makeTempDir('samsa-franz-go-');
    const binary = join(dir.path, 'franzgo-interop');
    const build = await run(go, ['build', '-o', binary, '.'], {
      cwd: GO_DIR,
      // -mod=mod lets go fetch what go.sum vouches for; -buildvcs=false: no git stamp needed.
      env: { ...process.env, GOFLAGS: '-mod=mod -buildvcs=false' },
      timeoutMs: 300_000,
    });
    if (build.code !== 0) {
      await dir.remove();
      assert.fail(
        describeRun(`go build in test/interop/go (it needs the Go module proxy reachable the first time)`, build),
      );
    }
    return { binary, dir };
  },
  ({ dir }) => dir.remove(),
);

describe(`franz-go ${FRANZ_GO}`, () => {
  const broker = sharedBroker(GROUP_TEST_PROPS);
  after(async () => {
    await broker.close();
    await program.close();
  });

  test('idempotent zstd producer, group consumer, commit, a second member resumes', { timeout: 400_000 }, async () => {
    const { binary } = await program.get();
    const tb = await broker.get();
    const fg = async (args: string[], input?: string) =>
      clientLines(
        `franzgo-interop ${args.join(' ')}`,
        await run(binary, args, { timeoutMs: 60_000, ...(input !== undefined ? { input } : {}) }),
      );
    const topic = 'franz-go';
    const group = 'franz-go-group';

    assert.deepEqual(await fg(['create', tb.bootstrap, topic, String(PARTITIONS)]), [
      { type: 'created', topic, version: FRANZ_GO },
    ]);

    const target = { bootstrap: tb.bootstrap, logDir: tb.dir.path, topic, partitions: PARTITIONS };
    // Round one: zstd, read by the group's first member from the start.
    const first = makeTestRecords(200, 'fg', PARTITIONS, 31);
    const end1 = await produceChecked(fg, target, 'zstd', first, ZEROS);
    await consumeChecked('first member', fg, target, group, first, ZEROS, end1);

    // Round two: snappy from a new producer; a new member of the group reads only these.
    const second = makeTestRecords(40, 'fg2', PARTITIONS, 32);
    const end2 = await produceChecked(fg, target, 'snappy', second, end1);
    await consumeChecked('resuming member', fg, target, group, second, end1, end2);
  });
});
