import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.ts';

/**
 * The code generator's command line.
 *
 *   node tools/codegen/main.ts <specsDir>          regenerate src/protocol/messages/generated/
 *   node tools/codegen/main.ts --check <specsDir>  exit 1 if the committed output is stale
 *   --out=<dir> writes (or checks) another folder instead, for tests.
 *
 * The output folder is owned by the generator: files it would not write are removed (or, with
 * --check, reported).
 *
 * Files: apis.ts (what to generate, header quirks) · spec.ts (JSON with comments, version
 * ranges) · model.ts (resolved fields, structs, defaults) · names.ts · field-exprs.ts (TS types
 * and default expressions) · emit-types.ts (interfaces, default/isDefault) · emit-codec.ts
 * (per-version read/sizeOf/write and dispatchers) · emit-file.ts (one module per API) ·
 * emit-api-table.ts · emit-schema.ts · generate.ts (all files in memory) · main.ts (this CLI).
 */

const DEFAULT_OUT_DIR = fileURLToPath(new URL('../../src/protocol/messages/generated/', import.meta.url));

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const outArg = argv.find((a) => a.startsWith('--out='));
  const outDir = outArg ? outArg.slice('--out='.length) : DEFAULT_OUT_DIR;
  const positional = argv.filter((a) => !a.startsWith('--'));
  const unknown = argv.filter((a) => a.startsWith('--') && a !== '--check' && a !== outArg);
  if (positional.length !== 1 || unknown.length > 0) {
    console.error('usage: node tools/codegen/main.ts [--check] [--out=<dir>] <specsDir>');
    return 2;
  }
  const specsDir = positional[0]!;
  if (!existsSync(specsDir)) {
    if (check) {
      console.log(`codegen: specs folder ${specsDir} not found; skipping the check.`);
      return 0;
    }
    console.error(`codegen: specs folder ${specsDir} not found.`);
    return 1;
  }
  const files = generate(specsDir);
  const existing = existsSync(outDir) ? readdirSync(outDir).filter((f) => f.endsWith('.ts')) : [];
  const stale = existing.filter((f) => !files.has(f));
  if (check) {
    const differ: string[] = [];
    for (const [name, text] of files) {
      const path = join(outDir, name);
      if (!existsSync(path) || readFileSync(path, 'utf8') !== text) differ.push(name);
    }
    if (differ.length === 0 && stale.length === 0) {
      console.log(`codegen: ${files.size} generated files are up to date.`);
      return 0;
    }
    console.error('codegen: the generated code is stale. Run `npm run codegen` and commit the result.');
    for (const name of differ) console.error(`  differs: ${join(outDir, name)}`);
    for (const name of stale) console.error(`  not generated (remove it): ${join(outDir, name)}`);
    return 1;
  }
  mkdirSync(outDir, { recursive: true });
  let written = 0;
  for (const [name, text] of files) {
    const path = join(outDir, name);
    if (existsSync(path) && readFileSync(path, 'utf8') === text) continue;
    writeFileSync(path, text);
    written++;
  }
  for (const name of stale) rmSync(join(outDir, name));
  console.log(`codegen: ${files.size} files, ${written} written, ${stale.length} removed.`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
