/**
 * Runs every benchmark in bench/ (files named *.bench.ts), one process each so one benchmark's
 * heap and JIT state never colour another's figures. `npm run bench [filter]` runs those whose
 * name contains the filter. The side-by-side run against Apache Kafka needs Java and takes
 * minutes: it runs only when asked for (`npm run bench:kafka`, or a filter naming it).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const filter = process.argv[2] ?? '';
const dir = import.meta.dirname;
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && f.includes(filter))
  .filter((f) => filter !== '' || f !== 'kafka-side-by-side.bench.ts')
  .sort();

let failed = 0;
for (const f of files) {
  console.log(`\n=== ${f}`);
  const r = spawnSync(process.execPath, [join(dir, f)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
