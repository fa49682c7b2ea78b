import assert from 'node:assert/strict';
import { test as nodeTest } from 'node:test';
import { UsageError } from '../../src/cli/cli-deps.ts';
import { runCli } from '../../src/cli/run-cli.ts';
import { parseServerArgs } from '../../src/cli/server-command.ts';
import { FakeCli, settle } from './fake-deps.ts';

/** These tests wait for the CLI to finish; a missed signal or close must fail them, not hang the run. */
const test = (name: string, fn: () => Promise<void> | void): void => {
  nodeTest(name, { timeout: 5000 }, fn);
};

test('parseServerArgs: file, repeated --override in both spellings, --log-level', () => {
  assert.deepEqual(parseServerArgs([]), { file: null, overrides: [], logLevel: 'info', help: false });
  assert.deepEqual(
    parseServerArgs(['a.properties', '--override', 'port=1', '--override=log.dirs=/x=y', '--log-level=debug']),
    {
      file: 'a.properties',
      overrides: [
        ['port', '1'],
        ['log.dirs', '/x=y'],
      ],
      logLevel: 'debug',
      help: false,
    },
  );
  assert.equal(parseServerArgs(['--log-level', 'warn', 'f']).logLevel, 'warn');
  assert.equal(parseServerArgs(['-h']).help, true);
});

test('server argument errors: a message and the hint, exit 2, no broker', async () => {
  const cases: [string[], string][] = [
    [['a', 'b'], "one properties file only (got 'a' and 'b')"],
    [['--override'], '--override needs a value'],
    [['--override', 'novalue'], "Invalid override 'novalue': expected key=value"],
    [['--log-level', 'loud'], "--log-level must be one of debug, info, warn, error, not 'loud'"],
    [['--log-level'], '--log-level needs a value'],
    [['--port', '9092'], "unknown option '--port'"],
  ];
  for (const [args, message] of cases) {
    assert.throws(
      () => parseServerArgs(args),
      (e: unknown) => e instanceof UsageError && e.message === message,
    );
    const cli = new FakeCli();
    assert.equal(await runCli(['server', ...args], cli.deps), 2, args.join(' '));
    assert.equal(cli.err, `samsa server: ${message}\nRun 'samsa server --help' for usage.\n`);
    assert.equal(cli.brokers.length, 0);
  }
});

test('server --help prints its usage, exit 0', async () => {
  const cli = new FakeCli();
  assert.equal(await runCli(['server', '--help'], cli.deps), 0);
  assert.match(cli.out, /^Usage: samsa server \[server\.properties\] \[--override key=value \.\.\.\]/);
});

test('a bad value stops the start: the message naming key, value and what is allowed, exit 1', async () => {
  const cli = new FakeCli();
  cli.files.set('server.properties', 'broker.id=0\nport=abc\n');
  assert.equal(await runCli(['server', 'server.properties'], cli.deps), 1);
  assert.equal(
    cli.err,
    "samsa server: Invalid value 'abc' for configuration port: must be an integer between 0 and 65535\n",
  );
  assert.equal(cli.brokers.length, 0);
  assert.equal(cli.subscribed, 0);
});

test('an unreadable or malformed file: exit 1 with the file named', async () => {
  const cli = new FakeCli();
  assert.equal(await runCli(['server', 'missing.properties'], cli.deps), 1);
  assert.equal(cli.err, 'samsa server: cannot read missing.properties: ENOENT\n');
  const cli2 = new FakeCli();
  cli2.files.set('bad.properties', 'a=\\uZZZZ');
  assert.equal(await runCli(['server', 'bad.properties'], cli2.deps), 1);
  assert.equal(cli2.err, "samsa server: bad.properties: line 1: malformed \\uxxxx escape '\\uZZZZ'\n");
});

test('file then overrides: the override wins; the broker gets the config, logger and clock', async () => {
  const cli = new FakeCli();
  cli.files.set('s.properties', 'num.partitions=2\nlog.dirs=/from/file\nnum.io.threads=4\n');
  const done = runCli(
    ['server', 's.properties', '--override', 'num.partitions=5', '--override', 'broker.id=3'],
    cli.deps,
  );
  await cli.started;
  await settle();
  const broker = cli.brokers[0]!;
  const { config, logger, clock } = broker.options;
  assert.equal(config?.numPartitions, 5);
  assert.equal(config?.brokerId, 3);
  assert.deepEqual(config?.logDirs, ['/from/file']);
  assert.ok(logger !== undefined);
  assert.equal(clock, cli.clock);
  assert.match(cli.err, /WARN Configuration num\.io\.threads is not used by Samsa; ignoring it\n/);
  cli.raise('SIGTERM');
  assert.equal(await done, 0);
});

test('a key in the file and in an override warns once; only the override counts', async () => {
  const cli = new FakeCli();
  cli.files.set('s.properties', 'zookeeper.sync.time.ms=2000\n');
  const done = runCli(['server', 's.properties', '--override', 'zookeeper.sync.time.ms=4000'], cli.deps);
  await cli.started;
  await settle();
  assert.equal(cli.err.match(/WARN/g)?.length, 1);
  assert.match(cli.err, /WARN Unknown configuration zookeeper\.sync\.time\.ms; ignoring it\n/);
  assert.equal(cli.brokers[0]!.options.config?.originals.get('zookeeper.sync.time.ms'), '4000');
  cli.raise('SIGINT');
  assert.equal(await done, 0);
});

test('SIGTERM or SIGINT closes the broker once, then exit 0 with the handlers removed', async () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const cli = new FakeCli();
    const done = runCli(['server'], cli.deps);
    await cli.started;
    await settle();
    assert.equal(cli.subscribed, 2);
    assert.equal(cli.brokers[0]!.closeCalls, 0);
    cli.raise(signal);
    assert.equal(await done, 0);
    assert.equal(cli.brokers[0]!.closeCalls, 1);
    assert.equal(cli.subscribed, 0);
    assert.match(cli.err, new RegExp(`INFO Received ${signal}; shutting down\\n`));
    assert.match(cli.err, /INFO Broker stopped\n$/);
    assert.deepEqual(cli.exits, []);
  }
});

test('a second signal while closing exits at once with code 1', async () => {
  const cli = new FakeCli();
  let finishClose!: () => void;
  const done = runCli(['server'], cli.deps);
  await cli.started;
  await settle();
  const broker = cli.brokers[0]!;
  broker.close = () => new Promise<void>((resolve) => (finishClose = resolve));
  cli.raise('SIGINT');
  await settle();
  cli.raise('SIGINT');
  assert.deepEqual(cli.exits, [1]);
  assert.match(cli.err, /WARN Received SIGINT again; exiting without finishing the shutdown\n/);
  finishClose();
  assert.equal(await done, 0);
});

test('a signal during the start stops the broker as soon as it is up', async () => {
  const cli = new FakeCli();
  cli.holdStart = true;
  const done = runCli(['server'], cli.deps);
  await cli.started;
  cli.raise('SIGTERM');
  cli.releaseStart();
  assert.equal(await done, 0);
  assert.equal(cli.brokers[0]!.closeCalls, 1);
});

test('start or close failures: exit 1 with the reason', async () => {
  const cli = new FakeCli();
  cli.startError = new Error('listen EADDRINUSE: address already in use :::9092');
  assert.equal(await runCli(['server'], cli.deps), 1);
  assert.match(cli.err, /^samsa server: failed to start: Error: listen EADDRINUSE: address already in use :::9092/);
  assert.equal(cli.subscribed, 0);

  const cli2 = new FakeCli();
  cli2.closeError = new Error('disk gone');
  const done = runCli(['server'], cli2.deps);
  await cli2.started;
  await settle();
  cli2.raise('SIGTERM');
  assert.equal(await done, 1);
  assert.match(cli2.err, /ERROR Shutdown failed: Error: disk gone/);
  assert.equal(cli2.subscribed, 0);
});

test('--log-level warn keeps info lines out, for the CLI and the logger the broker gets', async () => {
  const quiet = new FakeCli();
  const done = runCli(['server', '--log-level', 'warn'], quiet.deps);
  await quiet.started;
  await settle();
  const logger = quiet.brokers[0]!.options.logger!;
  logger.info('an info line');
  logger.warn('a warning');
  quiet.raise('SIGTERM');
  assert.equal(await done, 0);
  assert.match(quiet.err, /^\S+ WARN a warning\n$/);
});
