/** `npm run blueprint -- validate|preview|show …` (see scripts/blueprintCli.ts and docs/blueprints.md). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import bundled from '../blueprints/custom.json';
import { BUNDLED_BLUEPRINTS_FILE } from '../worker/config/blueprints';
import { runBlueprintCli } from './blueprintCli';
import { ROOT } from './collector';

const bundledPath = resolve(ROOT, BUNDLED_BLUEPRINTS_FILE);

const code = runBlueprintCli(process.argv.slice(2), {
  readFile: (path) => readFileSync(path, 'utf8'),
  stdin: () => (process.stdin.isTTY ? undefined : readFileSync(0, 'utf8')),
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  bundled: { path: BUNDLED_BLUEPRINTS_FILE, value: bundled },
  isBundledPath: (path) => resolve(path) === bundledPath,
});
process.exitCode = code;
