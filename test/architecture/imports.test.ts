/**
 * Who owns what (docs/architecture.md), checked over the import graph of worker/ and shared/,
 * type-only imports included: TypeScript's own scanner lists every import, re-export and
 * `import()` type of each file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const SOURCES = ['worker', 'shared'];

interface Edge {
  to: string;
  typeOnly: boolean;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path);
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** A relative specifier → the repository path it names (`.ts`, `/index.ts`, or a file as written). */
function resolveImport(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null; // a package or a runtime module
  const base = resolve(dirname(from), specifier);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    try {
      if (statSync(candidate).isFile()) return relative(root, candidate);
    } catch {
      /* try the next form */
    }
  }
  throw new Error(`${relative(root, from)} imports ${specifier}, which does not exist`);
}

/** Whether every import of `specifier` in the file is type-only (`import type`, `export type … from`). */
function typeOnly(source: ts.SourceFile, specifier: string): boolean {
  let value = false;
  source.forEachChild((node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && node.moduleSpecifier.text === specifier) {
      const clause = node.importClause;
      const allTypes = !!clause && (clause.isTypeOnly || (!clause.name && !!clause.namedBindings && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (!allTypes) value = true;
    }
    if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && node.moduleSpecifier.text === specifier && !node.isTypeOnly) value = true;
  });
  return !value;
}

const graph = new Map<string, Edge[]>();
for (const file of SOURCES.flatMap((dir) => filesUnder(join(root, dir)))) {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const edges: Edge[] = [];
  for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
    const to = resolveImport(file, fileName);
    if (to && !to.endsWith('.json')) edges.push({ to, typeOnly: typeOnly(source, fileName) });
  }
  graph.set(relative(root, file), edges);
}

const importsOf = (file: string) => graph.get(file) ?? [];
const under = (file: string, dir: string) => file.startsWith(`${dir}/`);
/** Files that define a Durable Object class. */
const durableObjects = [...graph.keys()].filter((f) => /extends DurableObject\b/.test(readFileSync(join(root, f), 'utf8')));

function violations(from: (file: string) => boolean, rule: (edge: Edge, file: string) => boolean): string[] {
  return [...graph].flatMap(([file, edges]) => (from(file) ? edges.filter((e) => rule(e, file)).map((e) => `${file} → ${e.to}`) : []));
}

describe('dependency directions', () => {
  it('reads the whole graph (a sanity check on the scanner)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(importsOf('worker/index.ts').map((e) => e.to)).toContain('worker/delivery/DeliveryQueue.ts');
    expect(durableObjects.sort()).toEqual([
      'worker/abuse/RateLimiter.ts',
      'worker/alerts/ConnectionAlerts.ts',
      'worker/collector/CollectorLog.ts',
      'worker/delivery/DeliveryBudget.ts',
      'worker/delivery/DeliveryQueue.ts',
      'worker/metrics/CollectorCounters.ts',
      'worker/segments/SegmentStore.ts',
      'worker/segments/SegmentSyncJournal.ts',
    ]);
  });

  it('delivery/ never imports debugger/', () => {
    expect(violations((f) => under(f, 'worker/delivery'), (e) => under(e.to, 'worker/debugger'))).toEqual([]);
  });

  it('moengage/ imports nothing of ours but leaf types (type-only imports of files that import nothing) and the one outbound POST', () => {
    const leafType = (e: Edge) => e.typeOnly && importsOf(e.to).length === 0;
    // Every call out of the Worker goes through http/boundedPost.ts (test/delivery/upstream.test.ts
    // holds that); the MoEngage client is its main caller, and it stays a leaf: it imports nothing.
    const OUTBOUND = 'worker/http/boundedPost.ts';
    expect(importsOf(OUTBOUND)).toEqual([]);
    expect(violations((f) => under(f, 'worker/moengage'), (e) => !under(e.to, 'worker/moengage') && !leafType(e) && e.to !== OUTBOUND)).toEqual([]);
  });

  it('config/ never imports env.ts or a Durable Object class', () => {
    expect(violations((f) => under(f, 'worker/config'), (e) => e.to === 'worker/env.ts' || durableObjects.includes(e.to))).toEqual([]);
  });

  it('no import cycles at all, type-only imports included', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      path.push(file);
      for (const { to } of importsOf(file)) {
        if (state.get(to) === 'open') cycles.push([...path.slice(path.indexOf(to)), to].join(' → '));
        else if (!state.has(to)) visit(to);
      }
      path.pop();
      state.set(file, 'done');
    };
    for (const file of graph.keys()) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });
});

describe('the delivery core stays small', () => {
  it('every file in delivery/ is at most ~300 lines', () => {
    const long = filesUnder(join(root, 'worker/delivery'))
      .map((f) => ({ file: relative(root, f), lines: readFileSync(f, 'utf8').split('\n').length }))
      .filter((f) => f.lines > 320);
    expect(long).toEqual([]);
  });
});
