/**
 * The Python virtual environment of the PyPI-client interop tests: `.venv/interop` (git-ignored)
 * made by Debian's `/usr/bin/python3 -m venv` (package python3-venv), with the exact versions of
 * test/interop/python/requirements.txt installed by pip from PyPI.
 *
 * It is made at most once per test run: `interopPython()` is memoised in the process, and a venv
 * whose stamp (the SHA-256 of the requirements file and the interpreter's version) matches is
 * reused as it is, across runs and across test processes. A new venv is built beside the final
 * path and renamed into place once pip has finished, so an interrupted build never leaves a venv
 * that looks complete, and two test processes building at once each end with a complete one.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEBIAN_PYTHON, describeRun, REPO_ROOT, run } from './helpers.ts';

export const VENV_DIR = join(REPO_ROOT, '.venv', 'interop');
export const REQUIREMENTS = join(REPO_ROOT, 'test', 'interop', 'python', 'requirements.txt');
/** The venv's interpreter (a symlink to /usr/bin/python3 that finds the venv's site-packages). */
export const VENV_PYTHON = join(VENV_DIR, 'bin', 'python');
const STAMP = '.samsa-requirements-stamp';

const INSTALL_VENV =
  "run 'bash scripts/install-test-deps.sh' as root (it installs the Debian package python3-venv: apt-get install python3-venv)";

let made: Promise<string> | null = null;

/** The venv's python, after making the venv if it is missing or stale. Fails saying what to install. */
export function interopPython(): Promise<string> {
  made ??= makeVenv();
  return made;
}

async function stampOf(): Promise<string> {
  const requirements = await readFile(REQUIREMENTS);
  const version = await run(DEBIAN_PYTHON, ['-c', 'import sys; print(sys.version)'], { timeoutMs: 10_000 }).catch(
    (e: Error) => {
      throw new Error(`${DEBIAN_PYTHON} cannot run (${e.message}): install Debian's python3`);
    },
  );
  return createHash('sha256').update(requirements).update(version.stdout).digest('hex');
}

async function readStamp(dir: string): Promise<string | null> {
  try {
    return (await readFile(join(dir, STAMP), 'utf8')).trim();
  } catch {
    return null;
  }
}

async function makeVenv(): Promise<string> {
  const stamp = await stampOf();
  if ((await readStamp(VENV_DIR)) === stamp) return VENV_PYTHON;

  const building = `${VENV_DIR}.build-${process.pid}`;
  await rm(building, { recursive: true, force: true });
  await mkdir(join(REPO_ROOT, '.venv'), { recursive: true });
  try {
    const venv = await run(DEBIAN_PYTHON, ['-m', 'venv', building], { timeoutMs: 120_000 });
    if (venv.code !== 0) {
      throw new Error(`${DEBIAN_PYTHON} -m venv failed: ${INSTALL_VENV}\n${describeRun('python3 -m venv', venv)}`);
    }
    const pip = await run(
      join(building, 'bin', 'python'),
      [
        '-m',
        'pip',
        'install',
        '--no-input',
        '--disable-pip-version-check',
        '--only-binary=:all:',
        '--requirement',
        REQUIREMENTS,
      ],
      { timeoutMs: 300_000 },
    );
    if (pip.code !== 0) {
      throw new Error(
        `pip could not install test/interop/python/requirements.txt into the venv (it needs PyPI reachable, ` +
          `and wheels for ${DEBIAN_PYTHON}'s version and this platform)\n${describeRun('pip install', pip)}`,
      );
    }
    await writeFile(join(building, STAMP), `${stamp}\n`);
    // Another test process may have finished one first: keep whichever complete venv is there.
    if ((await readStamp(VENV_DIR)) !== stamp) {
      await rm(VENV_DIR, { recursive: true, force: true });
      try {
        await rename(building, VENV_DIR);
      } catch (e) {
        if ((await readStamp(VENV_DIR)) !== stamp) throw e;
      }
    }
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  return VENV_PYTHON;
}
