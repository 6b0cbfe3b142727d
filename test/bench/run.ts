/**
 * `npm run bench`: runs every benchmark module in this folder (a file exporting
 * `async function bench(): Promise<BenchRow[] | string>`) and prints its table.
 * Add a benchmark by adding `test/bench/<topic>.ts`; nothing to register.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchRow } from './BenchRow';

const dir = fileURLToPath(new URL('.', import.meta.url));
const files = (await readdir(dir)).filter((f) => f.endsWith('.ts') && f !== 'run.ts' && f !== 'BenchRow.ts').sort();
const topics = files.map((f) => f.replace(/\.ts$/, ''));
// Arguments naming a topic pick the benchmarks (all when none); the rest are the benchmarks' own
// (`npm run bench ingest -- --quick --shards 1,2,4,8`). A word that names none is a typo, not "run all".
const args = process.argv.slice(2);
const only = args.filter((a) => topics.includes(a));
const unknown = args.filter((a) => /^[a-z][a-z-]*$/.test(a) && !topics.includes(a));
if (unknown.length) {
  console.error(`no benchmark named ${unknown.join(', ')}; there are: ${topics.join(', ')}`);
  process.exit(2);
}
let failed = false;

for (const topic of topics) {
  if (only.length && !only.includes(topic)) continue;
  const module = (await import(pathToFileURL(`${dir}${topic}.ts`).href)) as { bench?: () => Promise<BenchRow[] | string> };
  if (typeof module.bench !== 'function') continue;
  console.log(`\n## ${topic}\n`);
  try {
    const result = await module.bench();
    if (typeof result === 'string') console.log(result);
    else console.table(result);
  } catch (error) {
    failed = true;
    console.error(`bench ${topic} failed:`, error);
  }
}
process.exit(failed ? 1 : 0);
