#!/usr/bin/env node
/**
 * The `samsa` executable (package.json "bin": dist/cli/main.js; `npm start` runs this file from
 * src/). Wires the real process — argv, stdout/stderr, signals, the file system, the system
 * clock — into runCli() and exits with its code.
 */
import { readFileSync } from 'node:fs';
import type { BrokerOptions, StartBroker } from '../broker/config/broker-options.ts';
import { systemClock } from '../common/clock.ts';
import type { CliDeps } from './cli-deps.ts';
import { runCli } from './run-cli.ts';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Loads the broker's composition root only when a command starts a broker, so `samsa --help`
 * and the client commands stay fast. The path is computed (src/*.ts when run from source,
 * dist/*.js when built).
 */
const startBroker: StartBroker = async (options?: BrokerOptions) => {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const url = new URL(`../broker/start-broker.${ext}`, import.meta.url).href;
  const mod = (await import(url)) as { startBroker?: StartBroker };
  if (typeof mod.startBroker !== 'function') throw new Error(`${url} does not export startBroker`);
  return mod.startBroker(options);
};

const deps: CliDeps = {
  startBroker,
  readTextFile: (path) => readFileSync(path, 'utf8'),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  onSignal: (signal, handler) => {
    process.on(signal, handler);
    return () => process.off(signal, handler);
  },
  exit: (code) => process.exit(code),
  clock: systemClock,
  version: packageVersion(),
};

// Exit explicitly once the command is done, so a handle left open cannot keep a stopped broker's process alive.
const code = await runCli(process.argv.slice(2), deps);
process.exit(code);
