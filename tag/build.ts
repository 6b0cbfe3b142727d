/**
 * Builds the tag from one source with rollup + TypeScript + terser, in two forms:
 *
 * - The script the collector serves (IIFE), in four variants chosen by compile-time flags (terser
 *   `global_defs`), so each carries none of the others' code: the core `dist/tag.js`, the segments
 *   build (`tag.segments()`/`tag.inSegment()`), and each of them with autoPage (page views on
 *   client-side navigation), served for `TAG_PATH?autopage`. They go into
 *   worker/site/tagBundle.generated.ts, which the Worker imports to serve them first-party.
 * - The package for bundlers (ESM, `import { createTag } from 'edgetag/tag'`): dist/tag/index.js
 *   (core + autoPage) and dist/tag/segments.js, with their declarations. Its entry is createTag.ts,
 *   and the shared modules' `./config` (read from the script element) is options.ts there.
 *
 * Declarations: tag/tag.d.ts is the one source. It is copied to dist/tag.d.ts (the script's global);
 * the package gets it without the global as dist/tag/types.d.ts, which tag/package/*.d.ts re-export.
 * Prints raw/gzip/brotli bytes and fails over any build's size budget.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { type Plugin, rollup } from 'rollup';

interface Flags {
  __SEGMENTS__: boolean;
  __AUTO_PAGE__: boolean;
}

interface Variant {
  name: string;
  /** Under dist/. */
  file: string;
  /** Hard gzip budget: the build fails above it. */
  budget: number;
  flags: Flags;
}

const SCRIPTS: Variant[] = [
  { name: 'core', file: 'tag.js', budget: 3 * 1024, flags: { __SEGMENTS__: false, __AUTO_PAGE__: false } },
  { name: 'segments', file: 'tag.segments.js', budget: 3.5 * 1024, flags: { __SEGMENTS__: true, __AUTO_PAGE__: false } },
  { name: 'autopage', file: 'tag.autopage.js', budget: 3.5 * 1024, flags: { __SEGMENTS__: false, __AUTO_PAGE__: true } },
  { name: 'segments-autopage', file: 'tag.segments.autopage.js', budget: 3.75 * 1024, flags: { __SEGMENTS__: true, __AUTO_PAGE__: true } },
];

/** The package's entry points (package.json `exports`): autoPage is in, switched on by an option. */
const PACKAGE: Variant[] = [
  { name: 'package', file: 'tag/index.js', budget: 4 * 1024, flags: { __SEGMENTS__: false, __AUTO_PAGE__: true } },
  { name: 'package-segments', file: 'tag/segments.js', budget: 4.25 * 1024, flags: { __SEGMENTS__: true, __AUTO_PAGE__: true } },
];

const root = new URL('..', import.meta.url);
const src = new URL('src/', import.meta.url).pathname;
const pkg = JSON.parse(await readFile(new URL('package.json', root), 'utf8')) as { version: string };

// The tag reports its version in every message (context.library.version): it must be the package's.
const tagVersion = /VERSION = '([^']+)'/.exec(await readFile(new URL('version.ts', `file://${src}`), 'utf8'))?.[1];
if (tagVersion !== pkg.version) {
  console.error(`tag/src/version.ts says ${tagVersion}, package.json ${pkg.version}: make them equal`);
  process.exit(1);
}

/** The package build's `./config`: createTag()'s options instead of the script element. */
const optionsAsConfig: Plugin = {
  name: 'options-as-config',
  resolveId: (source, importer) => (source === './config' && importer?.startsWith(src) ? `${src}options.ts` : null),
};

async function bundle(entry: string, format: 'iife' | 'es', variants: Variant[], plugins: Plugin[] = []): Promise<string[]> {
  const built = await rollup({
    input: `${src}${entry}`,
    plugins: [...plugins, typescript({ tsconfig: new URL('tsconfig.json', import.meta.url).pathname, compilerOptions: { noEmit: false, declaration: false } })],
  });
  const codes: string[] = [];
  for (const { flags } of variants) {
    const { output } = await built.generate({
      format,
      compact: true,
      strict: false,
      plugins: [
        terser({
          ecma: 2020,
          module: format === 'es',
          compress: { passes: 3, global_defs: { __INGEST_PATH__: '__EDGETAG_INGEST_PATH__', ...flags } },
          mangle: { toplevel: true },
        }),
      ],
    });
    codes.push(output[0].code.trim());
  }
  await built.close();
  return codes;
}

const over: string[] = [];
function report(variant: Variant, code: string): void {
  const raw = Buffer.byteLength(code);
  const gzip = gzipSync(code, { level: 9 }).byteLength;
  const brotli = brotliCompressSync(code).byteLength;
  console.log(`${variant.file}: ${raw} B raw, ${gzip} B gzip, ${brotli} B brotli (budget ${variant.budget} B gzip)`);
  if (gzip > variant.budget) over.push(`${variant.file} is over budget by ${gzip - variant.budget} B gzip`);
}

const dist = new URL('dist/', root);
await rm(new URL('tag/', dist), { recursive: true, force: true }); // nothing stale goes into the package
await mkdir(new URL('tag/', dist), { recursive: true });

// The script builds, and the module the Worker serves them from.
const generated = ['// Generated by tag/build.ts — do not edit.', `export const TAG_VERSION = ${JSON.stringify(pkg.version)};`];
const scripts = await bundle('index.ts', 'iife', SCRIPTS);
SCRIPTS.forEach((variant, i) => {
  const code = scripts[i] as string;
  // The content hash goes in the ETag: a rebuilt tag (or another variant) is never answered 304.
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 12);
  const constant = variant.name === 'core' ? 'TAG' : `TAG_${variant.name.toUpperCase().replace('-', '_')}`;
  generated.push(`export const ${constant}_SOURCE = ${JSON.stringify(code)};`, `export const ${constant}_HASH = ${JSON.stringify(hash)};`);
  report(variant, code);
});
await Promise.all(SCRIPTS.map((variant, i) => writeFile(new URL(variant.file, dist), scripts[i] as string)));
await writeFile(new URL('worker/site/tagBundle.generated.ts', root), generated.join('\n') + '\n');

// The package.
const modules = await bundle('createTag.ts', 'es', PACKAGE, [optionsAsConfig]);
PACKAGE.forEach((variant, i) => report(variant, modules[i] as string));
await Promise.all(PACKAGE.map((variant, i) => writeFile(new URL(variant.file, dist), modules[i] as string)));

// Declarations.
const declarations = await readFile(new URL('tag.d.ts', import.meta.url), 'utf8');
const globalAt = declarations.indexOf('\n// The snippet\'s global');
if (globalAt < 0) throw new Error("tag.d.ts: the marker line before `declare global` is missing");
await copyFile(new URL('tag.d.ts', import.meta.url), new URL('tag.d.ts', dist));
await writeFile(new URL('tag/types.d.ts', dist), declarations.slice(0, globalAt) + '\n');
for (const entry of ['index', 'segments']) {
  const text = await readFile(new URL(`package/${entry}.d.ts`, import.meta.url), 'utf8');
  await writeFile(new URL(`tag/${entry}.d.ts`, dist), text.split("from '../tag'").join("from './types.js'"));
}

if (over.length) {
  console.error(over.join('\n'));
  process.exit(1);
}
