/**
 * The tag's cost to a page, measured in headless Chromium (`npm run bench`, or `npm run bench tag`):
 * transfer size, main-thread time to evaluate the script and to load + initialise it (evaluation
 * plus the tag's own tasks until its first batch is sent, from Chromium's performance trace),
 * and the synchronous cost of one `track()` call over 1,000 calls. The page and the collector
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

/** Main-thread µs the trace attributes to the tag script: [evaluation, evaluation + its own tasks]. */
async function loadCost(browser: Browser, origin: string, tag: string): Promise<[number, number]> {
  const page = await browser.newPage();
  await serve(page, origin, tag);
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => typeof (window as unknown as { tag: { v?: string } }).tag.v === 'string');
  await page.waitForTimeout(1300); // past the first flush (1 s timer)
  const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] };
  await page.close();
  const ours = trace.traceEvents.filter((e) => e.ph === 'X' && e.args?.data?.url === `${origin}/s.js`);
  const sum = (names: string[]) => ours.filter((e) => names.includes(e.name)).reduce((t, e) => t + (e.dur ?? 0), 0);
  return [sum(['EvaluateScript']), sum(['EvaluateScript', 'FunctionCall', 'v8.compile'])];
}

async function trackCost(browser: Browser, origin: string, tag: string): Promise<number> {
  const page = await browser.newPage();
  await serve(page, origin, tag);
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => typeof (window as unknown as { tag: { v?: string } }).tag.v === 'string');
  const runs: number[] = [];
  for (let r = 0; r < TRACK_RUNS; r++) {
    runs.push(
      await page.evaluate((calls) => {
        const tag = (window as unknown as { tag: { track(e: string, p: object): void } }).tag;
        const t0 = performance.now();
        for (let i = 0; i < calls; i++) tag.track('Product Viewed', { sku: `SKU-${i}`, price: 9.99, currency: 'EUR', category: 'shoes' });
        return ((performance.now() - t0) * 1000) / calls;
      }, CALLS),
    );
    await page.waitForTimeout(300); // let the batches leave between runs
  }
  await page.close();
  return median(runs);
}

export async function bench(): Promise<BenchRow[]> {
  const built = await readFile(new URL('../../dist/tag.js', import.meta.url), 'utf8').catch(() => {
    throw new Error('dist/tag.js is missing: run `npm run build` first');
  });
  const tag = built.split('__EDGETAG_INGEST_PATH__').join('/i');
  const secure = 'http://127.0.0.1:9'; // loopback is a secure context (crypto.randomUUID), like an https site
  const plain = 'http://shop.bench'; // plain http: ids from the getRandomValues fallback

  const browser = await launchChromium();
  try {
    const evaluate: number[] = [];
    const init: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const [e, t] = await loadCost(browser, secure, tag);
      evaluate.push(e);
      init.push(t);
    }
    const perCall = await trackCost(browser, secure, tag);
    const perCallPlain = await trackCost(browser, plain, tag);
    const gzip = gzipSync(tag, { level: 9 }).byteLength;
    const fmtMs = (us: number) => `${(us / 1000).toFixed(3)} ms`;
    return [
      { measure: 'size (minified)', value: `${Buffer.byteLength(tag)} B`, target: '', verdict: '' },
      { measure: 'size gzip', value: `${gzip} B (${(gzip / 1024).toFixed(2)} KB)`, target: '≤ 3072 B', verdict: gzip <= 3072 ? 'ok' : 'OVER' },
      { measure: 'size brotli', value: `${brotliCompressSync(tag).byteLength} B`, target: '', verdict: '' },
      { measure: `script evaluation (median of ${LOADS} loads)`, value: fmtMs(median(evaluate)), target: '', verdict: '' },
      { measure: `load + init main thread (median of ${LOADS})`, value: fmtMs(median(init)), target: '< 2 ms', verdict: median(init) < 2000 ? 'ok' : 'OVER' },
      { measure: `track() sync cost (${CALLS} calls, https-like)`, value: `${perCall.toFixed(1)} µs/call`, target: '≤ 20 µs', verdict: perCall <= 20 ? 'ok' : 'OVER' },
      { measure: `track() sync cost (${CALLS} calls, plain http)`, value: `${perCallPlain.toFixed(1)} µs/call`, target: '≤ 20 µs', verdict: perCallPlain <= 20 ? 'ok' : 'OVER' },
    ];
  } finally {
    await browser.close();
  }
}
