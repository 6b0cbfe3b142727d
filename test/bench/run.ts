/**
 * `npm run bench`: runs every benchmark module in this folder (a file exporting
 * `async function bench(): Promise<BenchRow[] | string>`) and prints its table.
 * Add a benchmark by adding `test/bench/<topic>.ts`; nothing to register.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchRow } from './BenchRow';

const dir = fileURLToPath(new URL('.', import.meta.url));
// Topics to run (all when none); `--name=value` arguments are a benchmark's own (ingest's --shards=N).
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
let failed = false;

for (const file of (await readdir(dir)).filter((f) => f.endsWith('.ts') && f !== 'run.ts').sort()) {
  const topic = file.replace(/\.ts$/, '');
  if (only.length && !only.includes(topic)) continue;
  const module = (await import(pathToFileURL(dir + file).href)) as { bench?: () => Promise<BenchRow[] | string> };
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
