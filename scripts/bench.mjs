#!/usr/bin/env node
// `npm run bench`: every bench/*.bench.ts in turn (or the ones named), each printing its figures.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const chosen = process.argv.slice(2);
const files = readdirSync('bench')
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => chosen.length === 0 || chosen.some((c) => f.includes(c)))
  .sort();
let failed = 0;
for (const file of files) {
  console.log(`\n== bench/${file}`);
  const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', `bench/${file}`], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
