/**
 * The event debugger at 10,000 events: "the debugger must stay usable". `npm run bench debugger`
 * (BENCH_DEBUGGER_EVENTS, default 10,000).
 *
 * The collector runs under `wrangler dev` (workerd) with the MoEngage sandbox on loopback. N events
 * (a shop's mix: many users, tracks in and not in the Retail blueprint, pages, identifies) go in
 * through POST /v1/batch and are delivered; then:
 * 1. the JSON API at that size: first page, a walk of all N by cursor (no repeats, no gaps),
 *    filtered listings, stats, one journey;
 * 2. the page in headless Chromium: sign-in to the first 100 rows, "Older" ×10 (pages 2–11: 1,100
 *    distinct events), heap and DOM, a journey, back to the newest page, a live burst of 1,000 more
 *    events (the page must stay at 100 rows and responsive, and show the newest in their final
 *    state without a reload), then a status filter.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startCollector } from '../../scripts/collector';
import type { EventPage, EventStatus } from '../../worker/debugger/views';
import { launchChromium } from '../browser/chromium';
import { startSandboxServer } from '../../dev/moengage-sandbox/server';
import type { BenchRow } from './BenchRow';
import { percentile, random } from './support/workload';

const EVENTS = Number(process.env.BENCH_DEBUGGER_EVENTS ?? 10_000);
const BURST = 1_000;
const BATCH = 100;
const USERS = 2_000;
/** The one user with many events (2 % of the workload), for the userId filter. */
const HOT_USER = 'customer-hot';
const PAGE_ROWS = 100;
const OLDER = 10;

const WORKSPACE = 'bench-dbg-ws';
const KEY = 'bench-dbg-data-api-key';
const WRITE_KEY = 'bench-dbg-write-key';
const TOKEN = 'bench-dbg-token';

type Json = Record<string, unknown>;

const IN_BLUEPRINT = ['Product Viewed', 'Products Searched', 'Product Added', 'Checkout Started', 'Order Completed'];
/** Not in the Retail blueprint (dropped: not_in_blueprint) and switched off in it (`'Order Refunded': { enabled: false }`). */
const NOT_IN_BLUEPRINT = ['Wishlist Shared', 'Coupon Copied', 'Video Played', 'Order Refunded'];

/** The debugger's workload: what a shop's tag sends, with a fifth of it not wanted by the blueprint. */
function workload(count: number, prefix: string, seed: number): Json[] {
  const rand = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const timestamp = new Date().toISOString();
  return Array.from({ length: count }, (_, i) => {
    const userId = rand() < 0.02 ? HOT_USER : `customer-${Math.floor(rand() * USERS)}`;
    const base = { messageId: `${prefix}-${i}`, userId, anonymousId: `anon-${userId}`, timestamp, context: { page: { path: '/p', url: 'https://shop.example.com/p' } } };
    const r = rand();
    if (r < 0.3) return { ...base, type: 'page', name: 'Category', properties: { path: '/c', url: 'https://shop.example.com/c/shoes', title: 'Shoes' } };
    if (r < 0.65) return { ...base, type: 'track', event: pick(IN_BLUEPRINT), properties: { product_id: `P-${Math.floor(rand() * 5_000)}`, price: Math.round(rand() * 20_000) / 100, currency: 'EUR' } };
    if (r < 0.85) return { ...base, type: 'track', event: pick(NOT_IN_BLUEPRINT), properties: { list: 'summer' } };
    return { ...base, type: 'identify', traits: { email: `${userId}@example.com`, first_name: 'Jane', plan: 'gold' } };
  });
}

// ------------------------------------------------------------------ measuring

const ms = (n: number) => `${n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString('en')} ms`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function time<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/** `times` sequential runs of `work`; latencies in ms. */
async function sample(times: number, work: () => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < times; i++) latencies.push((await time(work)).ms);
  return latencies;
}

function row(metric: string, value: string, target = '', met?: boolean): BenchRow {
  return { metric, value, target, met: met === undefined ? '' : met ? 'yes' : 'NO' };
}

/** p50 / p95 / max of a sample, against a p95 target. */
function latencyRow(metric: string, latencies: number[], p95Target?: number): BenchRow {
  const p95 = percentile(latencies, 95);
  return row(
    `${metric} (${latencies.length} calls)`,
    `p50 ${ms(percentile(latencies, 50))} · p95 ${ms(p95)} · max ${ms(Math.max(...latencies))}`,
    p95Target === undefined ? '' : `p95 < ${p95Target} ms`,
    p95Target === undefined ? undefined : p95 < p95Target,
  );
}

// ------------------------------------------------------------------ the collector

function api(base: string) {
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  };
  return {
    get,
    events: (query: string) => get<EventPage>(`/debugger/api/events?${query}`),
    stats: () => get<{ byStatus: Record<EventStatus, number>; byReason: { status: string; reason: string; count: number }[]; queue: { depth: number; inFlight: number; deadLettered: number } }>('/debugger/api/stats?minutes=1440'),
  };
}

async function ingest(base: string, messages: Json[], concurrency: number): Promise<void> {
  let next = 0;
  const auth = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < messages.length) {
        const batch = messages.slice(next, next + BATCH);
        next += BATCH;
        const res = await fetch(`${base}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify({ batch }) });
        if (res.status !== 200) throw new Error(`POST /v1/batch answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      }
    }),
  );
}

/** Waits until `total` events are logged and none is still on its way (queued, retrying, held). */
async function settled(client: ReturnType<typeof api>, total: number, timeoutMs: number): Promise<Record<EventStatus, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = await client.stats();
    const s = stats.byStatus;
    const logged = Object.values(s).reduce((a, b) => a + b, 0);
    if (logged >= total && s.queued + s.retrying + s.held === 0 && stats.queue.inFlight === 0) return s;
    if (Date.now() > deadline) throw new Error(`not settled after ${timeoutMs} ms: ${JSON.stringify(stats.byStatus)}, queue ${JSON.stringify(stats.queue)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

// ------------------------------------------------------------------ the API

async function apiSection(client: ReturnType<typeof api>, sent: Json[], rows: BenchRow[]): Promise<{ delivered: string }> {
  await client.events('limit=100'); // warm (isolate, Durable Object, SQLite page cache)
  rows.push(latencyRow('API: GET /debugger/api/events?limit=100 (first page)', await sample(20, () => client.events('limit=100')), 200));

  for (const limit of [100, 500]) {
    const seen = new Set<string>();
    let repeats = 0;
    const pages: number[] = [];
    let cursor: string | null = null;
    const walk = await time(async () => {
      do {
        const query: string = `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const { ms: took, value: page } = await time(() => client.events(query));
        pages.push(took);
        for (const e of page.events) {
          if (seen.has(e.messageId)) repeats++;
          seen.add(e.messageId);
        }
        cursor = page.nextCursor;
      } while (cursor);
    });
    const missing = sent.filter((m) => !seen.has(m.messageId as string)).length;
    const exact = seen.size === sent.length && repeats === 0 && missing === 0;
    rows.push(
      row(
        `API: walk all by cursor, limit=${limit}`,
        `${seen.size.toLocaleString('en')} events in ${pages.length} pages, ${(walk.ms / 1000).toFixed(2)} s (page p50 ${ms(percentile(pages, 50))} · p95 ${ms(percentile(pages, 95))} · max ${ms(Math.max(...pages))}); repeats ${repeats}, missing ${missing}`,
        `= ${sent.length.toLocaleString('en')}, no repeats or gaps; page p95 < ${limit === 100 ? 200 : 500} ms`,
        exact && percentile(pages, 95) < (limit === 100 ? 200 : 500),
      ),
    );
  }

  const filters: [string, string][] = [
    ['status=dropped', 'status=dropped'],
    ['event=Product Viewed', `event=${encodeURIComponent('Product Viewed')}`],
    [`userId=${HOT_USER}`, `userId=${HOT_USER}`],
    ['userId=one ordinary user', 'userId=customer-7'],
    ['status=delivered,dead (two statuses)', 'status=delivered,dead'],
    ['status=dropped&event=Product Viewed (no match, two conditions)', `status=dropped&event=${encodeURIComponent('Product Viewed')}`],
    ['reason=not_in_blueprint', 'reason=not_in_blueprint'],
  ];
  for (const [name, query] of filters) {
    const first = await client.events(`${query}&limit=100`);
    const latencies = await sample(10, () => client.events(`${query}&limit=100`));
    const r = latencyRow(`API: events?${name}&limit=100 → ${first.events.length}${first.nextCursor ? '+' : ''} rows`, latencies, 200);
    rows.push(r);
  }

  rows.push(latencyRow('API: GET /debugger/api/stats?minutes=1440', await sample(20, () => client.stats()), 500));
  rows.push(latencyRow('API: GET /debugger/api/stats (page default: 60 min, 30 min series)', await sample(20, () => client.get('/debugger/api/stats?minutes=60&series=30')), 500));

  const delivered = (await client.events('status=delivered&limit=1')).events[0];
  const dropped = (await client.events('status=dropped&limit=1')).events[0];
  if (!delivered || !dropped) throw new Error('no delivered or no dropped event to open');
  const journey = (id: string) => client.get(`/debugger/api/events/${encodeURIComponent(id)}`);
  rows.push(latencyRow('API: journey of a delivered event', await sample(20, () => journey(delivered.messageId)), 200));
  rows.push(latencyRow('API: journey of a dropped event', await sample(20, () => journey(dropped.messageId)), 200));
  return { delivered: delivered.messageId };
}

// ------------------------------------------------------------------ the page

const rowCount = (page: Page) => page.evaluate(() => document.querySelectorAll('#rows tr').length);

async function waitRows(page: Page, count: number, timeoutMs = 60_000): Promise<void> {
  await page.waitForFunction((n) => document.querySelectorAll('#rows tr').length === n, count, { timeout: timeoutMs });
}

interface Metrics {
  heap: number;
  nodes: number;
  listeners: number;
  elements: number;
}

async function metrics(page: Page): Promise<Metrics> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  const m = (name: string) => list.find((x) => x.name === name)?.value ?? NaN;
  return { heap: m('JSHeapUsedSize'), nodes: m('Nodes'), listeners: m('JSEventListeners'), elements: await page.evaluate(() => document.getElementsByTagName('*').length) };
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string };
}

/**
 * Milliseconds of the busiest renderer main thread by kind of work. Script may include style and
 * layout it forced; busy is the sum of its top-level tasks.
 */
function mainThreadWork(trace: Buffer): { seconds: number; busy: number; style: number; layout: number; paint: number; script: number; animations: number } {
  const events = (JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (!mains.has(key)) continue;
    const list = byThread.get(key);
    if (list) list.push(e);
    else byThread.set(key, [e]);
  }
  const sum = (list: TraceEvent[], names: string[]) => list.filter((e) => e.ph === 'X' && names.includes(e.name)).reduce((n, e) => n + (e.dur ?? 0) / 1000, 0);
  let best: TraceEvent[] = [];
  for (const list of byThread.values()) if (sum(list, ['RunTask']) > sum(best, ['RunTask'])) best = list;
  const times = best.filter((e) => e.ts > 0).map((e) => e.ts);
  return {
    seconds: times.length ? (times.reduce((a, b) => Math.max(a, b)) - times.reduce((a, b) => Math.min(a, b))) / 1e6 : 0,
    busy: sum(best, ['RunTask']),
    style: sum(best, ['UpdateLayoutTree', 'RecalculateStyles']),
    layout: sum(best, ['Layout']),
    paint: sum(best, ['PrePaint', 'Paint', 'Layerize', 'UpdateLayer', 'CompositeLayers']),
    script: sum(best, ['FunctionCall', 'EvaluateScript', 'RunMicrotasks']),
    animations: events.filter((e) => e.name === 'Animation' && e.ph === 'b').length,
  };
}

async function pageSection(browser: Browser, base: string, rows: BenchRow[], burst: () => Promise<{ ingestMs: number; ids: string[] }>): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  const navigation = await time(async () => {
    await page.goto(`${base}/debugger`);
    await page.waitForSelector('#token');
  });
  await page.fill('#token', TOKEN);
  const first = await time(async () => {
    await page.click('#login-form button[type=submit]');
    await waitRows(page, PAGE_ROWS);
  });
  rows.push(row('page: open /debugger until the token form', ms(navigation.ms)));
  rows.push(row(`page: sign-in submit → first ${PAGE_ROWS} rows rendered`, ms(first.ms), '< 1,000 ms', first.ms < 1_000));

  const ids = () => page.$$eval('#rows tr', (trs) => trs.map((tr) => tr.getAttribute('data-id') ?? ''));
  const turns: number[] = [];
  const seen = new Set(await ids());
  let pageRows = seen.size;
  for (let k = 1; k <= OLDER; k++) {
    await page.waitForSelector('#older:not([hidden]):not([disabled])');
    const before = (await ids())[0];
    const { ms: took } = await time(async () => {
      await page.click('#older');
      await page.waitForFunction((first) => {
        const trs = document.querySelectorAll('#rows tr');
        return trs.length > 0 && trs[0]?.getAttribute('data-id') !== first && !(document.getElementById('older') as HTMLButtonElement).disabled;
      }, before);
    });
    turns.push(took);
    const now = await ids();
    pageRows = Math.max(pageRows, now.length);
    for (const id of now) seen.add(id);
  }
  const total = turns.reduce((a, b) => a + b, 0);
  rows.push(
    row(
      `page: "Older" ×${OLDER} (pages 2–${OLDER + 1})`,
      `${(total / 1000).toFixed(2)} s (each p50 ${ms(percentile(turns, 50))} · max ${ms(Math.max(...turns))}); ${seen.size.toLocaleString('en')} distinct events seen, at most ${pageRows} rows at a time`,
      `each < 1,000 ms; ${(PAGE_ROWS * (OLDER + 1)).toLocaleString('en')} distinct; ≤ ${PAGE_ROWS} rows`,
      Math.max(...turns) < 1_000 && seen.size === PAGE_ROWS * (OLDER + 1) && pageRows <= PAGE_ROWS,
    ),
  );
  const shown = await ids();

  const at1100 = await metrics(page);
  rows.push(row(`page: JS heap used on page ${OLDER + 1} (after GC)`, mb(at1100.heap), '< 50 MB', at1100.heap < 50 * 1024 * 1024));
  rows.push(row(`page: DOM on page ${OLDER + 1} (${shown.length} rows)`, `${at1100.elements.toLocaleString('en')} elements, ${at1100.nodes.toLocaleString('en')} nodes (CDP), ${at1100.listeners.toLocaleString('en')} listeners`));

  // A delivered event's journey: the panel shows MoEngage's answer.
  const deliveredRow = await page.$('#rows tr[data-status="delivered"] button.open');
  if (!deliveredRow) throw new Error('no delivered row in the table');
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  const journey = await time(async () => {
    await deliveredRow.click();
    await page.waitForSelector('#journey:not([hidden]) .answer-status');
  });
  const opening = mainThreadWork(await browser.stopTracing());
  rows.push(
    row(
      `page: open a delivered event’s journey on page ${OLDER + 1} (click → answer shown)`,
      `${ms(journey.ms)} (main thread: style ${ms(opening.style)}, layout ${ms(opening.layout)}, paint ${ms(opening.paint)}, script ${ms(opening.script)})`,
      '< 1,000 ms',
      journey.ms < 1_000,
    ),
  );
  await page.click('#journey-close');

  // Back to the newest page (the filter form's submit), which follows the live tail.
  const back = await time(async () => {
    await page.click('#filters button[type=submit]');
    await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 100 && (document.getElementById('shown')?.textContent ?? '').includes('the newest'));
  });
  rows.push(row('page: back to the newest page', ms(back.ms), '< 1,000 ms', back.ms < 1_000));

  // The live burst: the tail inserts newer rows at the top and trims the oldest, so the newest page
  // keeps 100 rows however many arrive.
  const wanted = PAGE_ROWS;
  await page.evaluate(() => {
    const w = window as unknown as { bench: { maxRows: number; longTasks: number[] } };
    w.bench = { maxRows: 0, longTasks: [] };
    const tbody = document.getElementById('rows') as HTMLElement;
    new MutationObserver(() => (w.bench.maxRows = Math.max(w.bench.maxRows, tbody.childElementCount))).observe(tbody, { childList: true });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.bench.longTasks.push(entry.duration);
    }).observe({ type: 'longtask' });
  });
  let probing = true;
  const roundTrips: number[] = [];
  const probe = (async () => {
    while (probing) {
      roundTrips.push((await time(() => page.evaluate(() => document.querySelectorAll('#rows tr').length))).ms);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  // What the renderer's main thread does during the burst: a Chrome trace, summed by kind of work.
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  const started = performance.now();
  const { ingestMs, ids: burstIds } = await burst();
  // Shown: the newest page is all burst events, each in its final state (delivered or dropped),
  // without a reload.
  await page.waitForFunction(
    (list) => {
      const want = new Set(list);
      const trs = [...document.querySelectorAll('#rows tr')];
      return (
        trs.length === 100 &&
        trs.every((tr) => want.has(tr.getAttribute('data-id') ?? '') && ['delivered', 'dropped'].includes(tr.getAttribute('data-status') ?? ''))
      );
    },
    burstIds,
    { timeout: 120_000, polling: 250 },
  );
  const shownAfter = performance.now() - started;
  probing = false;
  await probe;
  const work = mainThreadWork(await browser.stopTracing());
  const live = await page.evaluate(() => (window as unknown as { bench: { maxRows: number; longTasks: number[] } }).bench);
  const after = await rowCount(page);
  rows.push(row(`live: burst of ${BURST.toLocaleString('en')} events, ingested`, ms(ingestMs)));
  rows.push(row(`live: … until the newest page shows only burst events, in their final state (no reload)`, `${(shownAfter / 1000).toFixed(1)} s after the burst began`));
  rows.push(row('live: table rows during / after the burst', `max ${live.maxRows.toLocaleString('en')} · after ${after.toLocaleString('en')}`, `≤ ${wanted.toLocaleString('en')}`, live.maxRows <= wanted && after <= wanted));
  rows.push(latencyRow('live: page.evaluate round trip during the burst', roundTrips, 100));
  rows.push(
    row(
      'live: long tasks (> 50 ms) during the burst',
      live.longTasks.length ? `${live.longTasks.length}, longest ${ms(Math.max(...live.longTasks))}, total ${ms(live.longTasks.reduce((a, b) => a + b, 0))}` : 'none',
      'longest < 200 ms',
      !live.longTasks.length || Math.max(...live.longTasks) < 200,
    ),
  );
  rows.push(
    row(
      'live: renderer main thread during the burst (Chrome trace)',
      `${(work.seconds).toFixed(1)} s traced: busy ${ms(work.busy)} — style ${ms(work.style)}, layout ${ms(work.layout)}, paint ${ms(work.paint)}, script ${ms(work.script)}; ${work.animations} row flash animations`,
    ),
  );
  const afterBurst = await metrics(page);
  rows.push(row(`page: JS heap / DOM after the burst (${after.toLocaleString('en')} rows)`, `${mb(afterBurst.heap)}, ${afterBurst.elements.toLocaleString('en')} elements, ${afterBurst.nodes.toLocaleString('en')} nodes (CDP)`, '< 50 MB', afterBurst.heap < 50 * 1024 * 1024));

  // A filter: the table reloads with dropped events only.
  await page.selectOption('#f-status', 'dropped');
  const filtered = await time(async () => {
    await page.click('#filters button[type=submit]');
    await page.waitForFunction(
      (n) => {
        const trs = [...document.querySelectorAll('#rows tr')];
        return trs.length === n && trs.every((tr) => tr.getAttribute('data-status') === 'dropped');
      },
      PAGE_ROWS,
      { timeout: 60_000 },
    );
  });
  rows.push(row(`page: filter status=dropped (submit → ${PAGE_ROWS} dropped rows)`, ms(filtered.ms), '< 1,000 ms', filtered.ms < 1_000));

  const droppedRow = await page.$('#rows tr button.open');
  if (!droppedRow) throw new Error('no dropped row');
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  const droppedJourney = await time(async () => {
    await droppedRow.click();
    await page.waitForSelector('#journey:not([hidden]) #journey-reason');
  });
  const droppedOpening = mainThreadWork(await browser.stopTracing());
  rows.push(
    row(
      `page: open a dropped event’s journey at ${PAGE_ROWS} rows (click → reason shown)`,
      `${ms(droppedJourney.ms)} (main thread: style ${ms(droppedOpening.style)}, layout ${ms(droppedOpening.layout)}, paint ${ms(droppedOpening.paint)}, script ${ms(droppedOpening.script)})`,
      '< 1,000 ms',
      droppedJourney.ms < 1_000,
    ),
  );
  rows.push(row('page: uncaught errors', errors.length ? errors.slice(0, 3).join(' | ') : 'none', 'none', errors.length === 0));
  await page.close();
}

// ------------------------------------------------------------------ the run

export async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const run = `dbg-${Date.now().toString(36)}`;
  const sandbox = await startSandboxServer({ credentials: { [WORKSPACE]: KEY }, maxRecorded: 100 });
  const state = await mkdtemp(join(tmpdir(), 'edgetag-bench-debugger-'));
  let browser: Browser | undefined;
  const collector = await startCollector({
    persistTo: state,
    vars: {
      MOENGAGE_API_BASE: sandbox.url,
      MOENGAGE_WORKSPACE_ID: WORKSPACE,
      WRITE_KEYS: WRITE_KEY,
      FLUSH_INTERVAL_MS: '200',
      // Headless Chromium and Node's fetch are not bots here; every event goes to the log.
      BOT_POLICY: 'allow',
      // All the load comes from one loopback address: the abuse limits are not what is measured.
      INGEST_RATE_PER_IP: '0',
      INGEST_RATE_PER_WRITE_KEY: '0',
    },
    secrets: { MOENGAGE_DATA_API_KEY: KEY, DEBUGGER_TOKEN: TOKEN },
  });
  try {
    const client = api(collector.url);
    const sent = workload(EVENTS, run, 42);
    const ingested = await time(() => ingest(collector.url, sent, 4));
    const done = await time(() => settled(client, EVENTS, 600_000));
    const s = done.value;
    rows.push(
      row(
        `setup: ${EVENTS.toLocaleString('en')} events (${USERS.toLocaleString('en')} users) through /v1/batch, ${BATCH} per batch`,
        `ingested in ${(ingested.ms / 1000).toFixed(1)} s, settled ${(done.ms / 1000).toFixed(1)} s later: ${Object.entries(s)
          .filter(([, n]) => n)
          .map(([k, n]) => `${k} ${n.toLocaleString('en')}`)
          .join(', ')}`,
      ),
    );

    await apiSection(client, sent, rows);

    browser = await launchChromium();
    let burstNumber = 0;
    await pageSection(browser, collector.url, rows, async () => {
      const messages = workload(BURST, `${run}-live${burstNumber++}`, 7);
      const { ms: ingestMs } = await time(() => ingest(collector.url, messages, 2));
      return { ingestMs, ids: messages.map((m) => m.messageId as string) };
    });
  } finally {
    await browser?.close();
    await collector.stop();
    await sandbox.close();
    await rm(state, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await bench());
