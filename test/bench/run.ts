/**
 * `npm run bench [name…]`: imports every test/bench/*.ts module (or those whose file name contains
 * one of the arguments) and prints what its `bench()` returns. Numbers, not pass/fail.
 */
import { readdir } from 'node:fs/promises';

export type BenchRow = Record<string, string | number>;

const dir = new URL('.', import.meta.url);
const only = process.argv.slice(2);
const files = (await readdir(dir)).filter((f) => f.endsWith('.ts') && f !== 'run.ts').sort();
for (const file of files) {
  if (only.length && !only.some((name) => file.includes(name))) continue;
  const mod = (await import(new URL(file, dir).href)) as { bench?: () => Promise<BenchRow[] | string> };
  if (typeof mod.bench !== 'function') continue;
  console.log(`\n## ${file}`);
  const result = await mod.bench();
  if (typeof result === 'string') console.log(result);
  else console.table(result);
}
