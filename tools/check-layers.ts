/**
 * Checks the layering rules of DESIGN.md over src/: which module may import which, where node:fs,
 * node:net and the ZooKeeper client may be used, and that no file-level import cycle exists.
 * Exits 1 listing every violation. Run by `npm run lint`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(import.meta.dirname, '..', 'src');

/** Module → the modules of ours it may import (itself always allowed). */
const ALLOWED: Record<string, readonly string[]> = {
  common: [],
  protocol: [],
  storage: ['protocol', 'common'],
  metadata: ['protocol', 'common'],
  controller: ['metadata', 'storage', 'protocol', 'common'],
  replication: ['storage', 'metadata', 'protocol', 'common'],
  coordinator: ['storage', 'metadata', 'protocol', 'common'],
  client: ['protocol', 'common'],
  broker: ['controller', 'replication', 'coordinator', 'storage', 'metadata', 'client', 'protocol', 'common'],
  cli: ['broker', 'controller', 'replication', 'coordinator', 'storage', 'metadata', 'client', 'protocol', 'common'],
  '.': [
    'cli',
    'broker',
    'controller',
    'replication',
    'coordinator',
    'storage',
    'metadata',
    'client',
    'protocol',
    'common',
  ],
};

/** Built-in or third-party modules and the source folders (relative to src/) allowed to use them. */
const RESTRICTED: Record<string, readonly string[]> = {
  'node:fs': ['storage/', 'cli/'],
  'node:fs/promises': ['storage/', 'cli/'],
  'node:net': ['broker/network/', 'client/', 'metadata/zk/'],
  zookeeper: ['metadata/zk/'],
};

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return listFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

const IMPORT_RE = /(?:^|[\n;])\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT_RE)) out.push((m[1] ?? m[2])!);
  return out;
}

function moduleOf(file: string): string {
  const rel = relative(SRC, file);
  return rel.includes('/') ? rel.split('/')[0]! : '.';
}

const files = listFiles(SRC);
const problems: string[] = [];
const graph = new Map<string, string[]>();

for (const file of files) {
  const rel = relative(SRC, file);
  const from = moduleOf(file);
  const edges: string[] = [];
  for (const spec of importsOf(readFileSync(file, 'utf8'))) {
    if (spec.startsWith('.')) {
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(SRC)) {
        problems.push(`${rel}: imports ${spec}, outside src/`);
        continue;
      }
      edges.push(target);
      const to = moduleOf(target);
      if (to !== from && !ALLOWED[from]?.includes(to)) {
        problems.push(`${rel}: ${from}/ may not import ${to}/ (${spec})`);
      }
      continue;
    }
    const allowedIn = RESTRICTED[spec] ?? (spec.startsWith('zookeeper') ? RESTRICTED['zookeeper'] : undefined);
    if (allowedIn && !allowedIn.some((prefix) => rel.startsWith(prefix))) {
      problems.push(`${rel}: ${spec} may only be used in ${allowedIn.join(', ')}`);
    }
  }
  graph.set(file, edges);
}

// Cycle detection: depth-first search with colours.
const state = new Map<string, 1 | 2>();
function visit(file: string, stack: string[]): void {
  state.set(file, 1);
  stack.push(file);
  for (const next of graph.get(file) ?? []) {
    if (state.get(next) === 1) {
      const cycle = stack.slice(stack.indexOf(next)).concat(next);
      problems.push(`import cycle: ${cycle.map((f) => relative(SRC, f)).join(' → ')}`);
    } else if (!state.has(next) && graph.has(next)) {
      visit(next, stack);
    }
  }
  stack.pop();
  state.set(file, 2);
}
for (const file of files) if (!state.has(file)) visit(file, []);

if (problems.length > 0) {
  console.error(`Layering check failed (${problems.length}):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`Layering check passed: ${files.length} files under src/.`);
