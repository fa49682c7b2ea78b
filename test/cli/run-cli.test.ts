import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/run-cli.ts';
import { FakeCli } from './fake-deps.ts';

test('--help and help print the usage on stdout, exit 0', async () => {
  for (const arg of ['--help', '-h', 'help']) {
    const cli = new FakeCli();
    assert.equal(await runCli([arg], cli.deps), 0);
    assert.match(cli.out, /^Usage: samsa <command> \[options\]/);
    assert.match(cli.out, /\n {2}server +Start a broker\n/);
    assert.match(cli.out, /\n {2}consumer-groups +List, describe, delete consumer groups and reset their offsets\n/);
    assert.equal(cli.err, '');
  }
});

test('--version prints the package version, exit 0', async () => {
  for (const arg of ['--version', '-V']) {
    const cli = new FakeCli();
    assert.equal(await runCli([arg], cli.deps), 0);
    assert.equal(cli.out, 'samsa 9.8.7\n');
  }
});

test('no command: usage on stderr, exit 2', async () => {
  const cli = new FakeCli();
  assert.equal(await runCli([], cli.deps), 2);
  assert.match(cli.err, /^Usage: samsa/);
  assert.equal(cli.out, '');
});

test('unknown command or option: a clear message, exit 2', async () => {
  const cli = new FakeCli();
  assert.equal(await runCli(['serve'], cli.deps), 2);
  assert.equal(cli.err, "samsa: unknown command 'serve'\nRun 'samsa --help' for usage.\n");
  const cli2 = new FakeCli();
  assert.equal(await runCli(['--verbose', 'server'], cli2.deps), 2);
  assert.equal(cli2.err, "samsa: unknown option '--verbose'\nRun 'samsa --help' for usage.\n");
  const cli3 = new FakeCli();
  assert.equal(await runCli(['toString'], cli3.deps), 2, 'not fooled by Object.prototype names');
});

test('main.ts wires the real process: --version and a config error', () => {
  const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
  const version = spawnSync(process.execPath, [main, '--version'], { encoding: 'utf8' });
  assert.equal(version.status, 0);
  assert.match(version.stdout, /^samsa \d+\.\d+\.\d+/);
  const bad = spawnSync(process.execPath, [main, 'server', '--override', 'port=abc'], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.equal(
    bad.stderr,
    "samsa server: Invalid value 'abc' for configuration port: must be an integer between 0 and 65535\n",
  );
});
