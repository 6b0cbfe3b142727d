/**
 * The tag's cost to a page, measured in headless Chromium (`npm run bench`, or `npm run bench tag`) on the core build (plus the sizes of the segments and autoPage builds and of the package):
 * transfer size, main-thread time to evaluate the script and to load + initialise it (evaluation
 * plus the tag's own tasks until its first batch is sent, from Chromium's performance trace), for
 * a first visit and a returning one, and the cost of `track()` over 1,000 calls: in the caller
 * (synchronous, what peers are compared on) and in all (plus its share of the flush tasks). The page and the collector
 * are answered from memory (page.route) so only the tag's own work is measured.
 */
import { readFile } from 'node:fs/promises';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { snippet } from '../../tag/snippet';
import { launchChromium } from '../browser/chromium';
import type { BenchRow } from './BenchRow';

const LOADS = 15;
const TRACK_RUNS = 7;
const CALLS = 1000;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

interface TraceEvent {
  name: string;
  ph: string;
  dur?: number;
  args?: { data?: { url?: string } };
}

async function serve(page: Page, origin: string, tag: string): Promise<void> {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>bench</title><script>${snippet({ src: `${origin}/s.js`, writeKey: 'bench' })}</script></head><body>bench</body></html>`;
  await page.route(`${origin}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/s.js') return route.fulfill({ contentType: 'text/javascript', body: tag });
    if (path === '/i') return route.fulfill({ contentType: 'application/json', body: '{"ok":true}' });
    return route.fulfill({ contentType: 'text/html', body: html });
  });
}

/** Main-thread µs the trace attributes to the tag script (its evaluation, and its own later tasks). */
const costOf = (trace: { traceEvents: TraceEvent[] }, url: string, names: string[]) =>
  trace.traceEvents.filter((e) => e.ph === 'X' && e.args?.data?.url === url && names.includes(e.name)).reduce((t, e) => t + (e.dur ?? 0), 0);

/**
 * [evaluation, evaluation + init tasks up to and including the first batch]. A fresh browser
 * context is a first visit (no cookie, timezone not cached yet); the shared one a returning visitor.
 */
async function loadCost(browser: Browser, origin: string, tag: string, firstVisit: boolean): Promise<[number, number]> {
  const context = firstVisit ? await browser.newContext() : browser.contexts()[0] ?? (await browser.newContext());
  const page = await context.newPage();
  await serve(page, origin, tag);
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => typeof (window as unknown as { tag: { v?: string } }).tag.v === 'string');
  await page.waitForTimeout(1300); // past the first flush (1 s timer)
  const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] };
  await page.close();
  if (firstVisit) await context.close();
  const url = `${origin}/s.js`;
  return [costOf(trace, url, ['EvaluateScript']), costOf(trace, url, ['EvaluateScript', 'FunctionCall', 'v8.compile'])];
}

/** [µs per call in the caller, µs per message in all: the call plus its share of the flushes]. */
async function trackCost(browser: Browser, origin: string, tag: string): Promise<[number, number]> {
  const page = await browser.newPage();
  await serve(page, origin, tag);
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => typeof (window as unknown as { tag: { v?: string } }).tag.v === 'string');
  await page.waitForTimeout(1300);
  const sync: number[] = [];
  const total: number[] = [];
  for (let r = 0; r < TRACK_RUNS; r++) {
    await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
    const perCall = await page.evaluate((calls) => {
      const tag = (window as unknown as { tag: { track(e: string, p: object): void } }).tag;
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) tag.track('Product Viewed', { sku: `SKU-${i}`, price: 9.99, currency: 'EUR', category: 'shoes' });
      return ((performance.now() - t0) * 1000) / calls;
    }, CALLS);
    await page.waitForTimeout(2500); // every batch has left
    const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] };
    sync.push(perCall);
    total.push(perCall + costOf(trace, `${origin}/s.js`, ['FunctionCall']) / CALLS);
  }
  await page.close();
  return [median(sync), median(total)];
}

export async function bench(): Promise<BenchRow[]> {
  const built = await readFile(new URL('../../dist/tag.js', import.meta.url), 'utf8').catch(() => {
    throw new Error('dist/tag.js is missing: run `npm run build` first');
  });
  const tag = built.split('__EDGETAG_INGEST_PATH__').join('/i');
  // The segments build (served when the collector reads segments): its size; its speed is the core's plus one branch.
  const segmentsBuild = await readFile(new URL('../../dist/tag.segments.js', import.meta.url), 'utf8').catch(() => {
    throw new Error('dist/tag.segments.js is missing: run `npm run build` first');
  });
  // The autoPage build (TAG_PATH?autopage) and the package (edgetag/tag, ESM): their sizes.
  const [autoPageBuild, packageBuild] = await Promise.all(
    ['tag.autopage.js', 'tag/index.js'].map((file) =>
      readFile(new URL(`../../dist/${file}`, import.meta.url), 'utf8').catch(() => {
        throw new Error(`dist/${file} is missing: run \`npm run build\` first`);
      }),
    ),
  );
  const secure = 'http://127.0.0.1:9'; // loopback is a secure context (crypto.randomUUID), like an https site
  const plain = 'http://shop.bench'; // plain http: ids from the getRandomValues fallback

  const browser = await launchChromium();
  try {
    const loads = async (firstVisit: boolean) => {
      const runs: [number, number][] = [];
      for (let i = 0; i < LOADS; i++) runs.push(await loadCost(browser, secure, tag, firstVisit));
      return [median(runs.map((r) => r[0])), median(runs.map((r) => r[1])), Math.min(...runs.map((r) => r[0]))] as const;
    };
    const [evaluateFirst, initFirst, evaluateFirstMin] = await loads(true);
    const [evaluate, init, evaluateMin] = await loads(false);
    // What this machine charges for evaluating any script at all (trace overhead, load from other work).
    const floor: number[] = [];
    for (let i = 0; i < LOADS; i++) floor.push((await loadCost(browser, secure, 'window.tag={v:"empty"}', false))[0]);
    const [perCall, perMessage] = await trackCost(browser, secure, tag);
    const [perCallPlain, perMessagePlain] = await trackCost(browser, plain, tag);
    const gzip = gzipSync(tag, { level: 9 }).byteLength;
    const segmentsGzip = gzipSync(segmentsBuild, { level: 9 }).byteLength;
    const autoPageGzip = gzipSync(autoPageBuild as string, { level: 9 }).byteLength;
    const packageGzip = gzipSync(packageBuild as string, { level: 9 }).byteLength;
    const fmtMs = (us: number) => `${(us / 1000).toFixed(3)} ms`;
    const row = (measure: string, value: string, target = '', ok?: boolean): BenchRow => ({ measure, value, target, verdict: ok === undefined ? '' : ok ? 'ok' : 'OVER' });
    return [
      row('size (minified)', `${Buffer.byteLength(tag)} B`),
      row('size gzip', `${gzip} B (${(gzip / 1024).toFixed(2)} KB)`, '≤ 3072 B', gzip <= 3072),
      row('size brotli', `${brotliCompressSync(tag).byteLength} B`),
      row('segments build (tag.segments.js) size gzip', `${segmentsGzip} B (${(segmentsGzip / 1024).toFixed(2)} KB); brotli ${brotliCompressSync(segmentsBuild).byteLength} B`, '≤ 3584 B', segmentsGzip <= 3584),
      row('autoPage build (tag.autopage.js) size gzip', `${autoPageGzip} B (${(autoPageGzip / 1024).toFixed(2)} KB)`, '≤ 3584 B', autoPageGzip <= 3584),
      row('package (dist/tag/index.js, ESM, core + autoPage) size gzip', `${packageGzip} B (${(packageGzip / 1024).toFixed(2)} KB)`, '≤ 4096 B', packageGzip <= 4096),
      row(`load + init: script evaluation incl. replaying the snippet's page(), returning visitor (median of ${LOADS}; min)`, `${fmtMs(evaluate)}; ${fmtMs(evaluateMin)}`, '< 2 ms', evaluate < 2000),
      row(`load + init: script evaluation, first visit (median of ${LOADS}; min)`, `${fmtMs(evaluateFirst)}; ${fmtMs(evaluateFirstMin)}`, '< 2 ms', evaluateFirst < 2000),
      row(`  calibration: evaluating an empty script on this machine (median of ${LOADS})`, fmtMs(median(floor))),
      row('first batch task: identity read/write, serialise, send — returning visitor', fmtMs(init - evaluate)),
      row('first batch task, first visit (+ one-time timezone lookup: ICU data)', fmtMs(initFirst - evaluateFirst)),
      row(`track() in the caller (${CALLS} calls, https)`, `${perCall.toFixed(1)} µs/call`, '≤ 20 µs', perCall <= 20),
      row(`track() incl. its share of the flush tasks (https)`, `${perMessage.toFixed(1)} µs/message`),
      row(`track() in the caller (${CALLS} calls, plain http)`, `${perCallPlain.toFixed(1)} µs/call`, '≤ 20 µs', perCallPlain <= 20),
      row(`track() incl. its share of the flush tasks (plain http)`, `${perMessagePlain.toFixed(1)} µs/message`),
    ];
  } finally {
    await browser.close();
  }
}
