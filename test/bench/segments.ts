/**
 * Outbound Segment Sync at MoEngage's scale, against `wrangler dev` (workerd) on loopback:
 * a first sync of 1,000,000 users in pages of 10,000 (the seed's largest page), its retries, a
 * periodic difference, a Resync All Users of the whole segment, and reads of the site's API.
 * MoEngage sends up to 25,000 requests/min; the question is whether every page is absorbed, and how
 * long the slowest one takes. `npm run bench segments` (BENCH_SEGMENT_USERS, BENCH_SEGMENT_CONCURRENCY).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createHmac } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector } from '../../scripts/collector';
import type { BenchRow } from './BenchRow';

const USERS = Number(process.env.BENCH_SEGMENT_USERS ?? 1_000_000);
const PAGE = 10_000;
const CONCURRENCY = Number(process.env.BENCH_SEGMENT_CONCURRENCY ?? 4);
const AUTH = `Basic ${Buffer.from('bench-moengage:bench-password').toString('base64')}`;
const IDENTITY_SECRET = 'bench-identity-secret';
const DEBUGGER_TOKEN = 'bench-debugger-token';

const userId = (i: number) => `customer-${String(i).padStart(8, '0')}`;
const distinctId = (i: number) => (0x5f1b2c3d4e5f + i).toString(16).padStart(24, '0');

function pageBody(execution: string, page: number, totalPages: number, add: number[], remove: number[] = []): string {
  const users = (ids: number[]) => ids.map((i) => ({ moengage_distinct_id: distinctId(i), partner_user_id: userId(i) }));
  return JSON.stringify({
    type: 'segment_sync',
    pagination: { total_pages: totalPages, page_count: page },
    data: {
      moengage_sync_id: 'bench-sync',
      moengage_sync_name: 'Bench segment',
      moengage_execution_id: execution,
      moengage_integration_id: 'bench-integration',
      add_users: users(add),
      remove_users: users(remove),
    },
  });
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

interface Run {
  pages: number;
  users: number;
  seconds: number;
  latencies: number[];
  retries: string[];
  failures: string[];
  bytes: number;
}

/** Sends `count` pages built by `build(i)` with `concurrency` in flight, like MoEngage's throttle. */
async function sendPages(url: string, count: number, build: (i: number) => { body: string; users: number }, concurrency: number, query = ''): Promise<Run> {
  const run: Run = { pages: count, users: 0, seconds: 0, latencies: [], retries: [], failures: [], bytes: 0 };
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const { body, users } = build(i);
      run.users += users;
      run.bytes = Math.max(run.bytes, Buffer.byteLength(body));
      const t = performance.now();
      // MoEngage's own behaviour (seed 003): up to 3 retries, one per 3 s, when a page is not 2xx.
      for (let attempt = 0; ; attempt++) {
        let problem: string;
        try {
          const res = await fetch(`${url}/v1/moengage/segment-sync${query}`, { method: 'POST', headers: { authorization: AUTH, 'content-type': 'application/json' }, body });
          const text = await res.text();
          if (res.status === 200) break;
          problem = `${res.status} ${text.slice(0, 200)}`;
        } catch (error) {
          problem = error instanceof Error ? error.message : String(error);
        }
        if (attempt === 3) {
          run.failures.push(`page ${i + 1}: ${problem}`);
          break;
        }
        run.retries.push(`page ${i + 1}: ${problem}`);
        await new Promise((r) => setTimeout(r, 3000));
      }
      run.latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  run.seconds = (performance.now() - started) / 1000;
  return run;
}

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

function row(scenario: string, run: Run, concurrency: number): BenchRow {
  return {
    scenario,
    pages: run.pages,
    users: run.users,
    'in flight': concurrency,
    'max page KB': Math.round(run.bytes / 1024),
    seconds: Number(run.seconds.toFixed(1)),
    'pages/s': Number((run.pages / run.seconds).toFixed(2)),
    'users/s': Math.round(run.users / run.seconds),
    'p50 ms': Math.round(pct(run.latencies, 50)),
    'p95 ms': Math.round(pct(run.latencies, 95)),
    'max ms': Math.round(Math.max(...run.latencies)),
    retries: run.retries.length,
    failures: run.failures.length,
  };
}

export async function bench(): Promise<BenchRow[]> {
  const state = await mkdtemp(join(tmpdir(), 'edgetag-bench-segments-'));
  const collector = await startCollector({
    persistTo: state,
    vars: { MOENGAGE_API_BASE: 'http://127.0.0.1:9', MOENGAGE_WORKSPACE_ID: 'bench', WRITE_KEYS: 'bench-write-key' },
    secrets: {
      MOENGAGE_DATA_API_KEY: 'bench-key',
      DEBUGGER_TOKEN,
      SEGMENT_SYNC_USERNAME: 'bench-moengage',
      SEGMENT_SYNC_PASSWORD: 'bench-password',
      SEGMENTS_IDENTITY_SECRET: IDENTITY_SECRET,
    },
  });
  const rows: BenchRow[] = [];
  const failures: string[] = [];
  try {
    const pages = Math.ceil(USERS / PAGE);
    const full = (execution: string) => (i: number) => ({ body: pageBody(execution, i + 1, pages, range(i * PAGE, Math.min(PAGE, USERS - i * PAGE))), users: Math.min(PAGE, USERS - i * PAGE) });

    const first = await sendPages(collector.url, pages, full('exec-first'), CONCURRENCY);
    rows.push(row(`first sync of ${USERS.toLocaleString('en')} users`, first, CONCURRENCY));

    const retries = await sendPages(collector.url, Math.min(10, pages), full('exec-first'), CONCURRENCY);
    rows.push(row(`retries of ${retries.pages} applied pages`, retries, CONCURRENCY));

    // A periodic difference: each page adds 5,000 new users and removes 5,000 members.
    const diffPages = Math.min(10, pages);
    const diff = await sendPages(
      collector.url,
      diffPages,
      (i) => ({ body: pageBody('exec-diff', i + 1, diffPages, range(USERS + i * 5000, 5000), range(i * 5000, 5000)), users: PAGE }),
      CONCURRENCY,
    );
    rows.push(row('difference: 5,000 in + 5,000 out per page', diff, CONCURRENCY));

    const resync = await sendPages(collector.url, pages, full('exec-resync'), CONCURRENCY, '?edgetag_resync=true');
    rows.push(row(`Resync All Users (drop + ${USERS.toLocaleString('en')})`, resync, CONCURRENCY));

    // The site's read path: one verified GET per identified page view (edge cache off: dev has it on,
    // but every user here is read once, so each read reaches the store).
    const reads = 500;
    const readLatencies: number[] = [];
    let wrong = 0;
    const readStarted = performance.now();
    for (let i = 0; i < reads; i++) {
      const id = userId(Math.floor((i * 7919) % USERS));
      const hash = createHmac('sha256', IDENTITY_SECRET).update(id).digest('hex');
      const t = performance.now();
      const res = await fetch(`${collector.url}/v1/segments?user_id=${id}&user_hash=${hash}`);
      const body = (await res.json()) as { segments?: { name: string }[] };
      readLatencies.push(performance.now() - t);
      if (body.segments?.[0]?.name !== 'Bench segment') wrong++;
    }
    const readSeconds = (performance.now() - readStarted) / 1000;
    rows.push({
      scenario: 'GET /v1/segments (verified, sequential)',
      pages: reads,
      users: reads,
      'in flight': 1,
      'max page KB': 0,
      seconds: Number(readSeconds.toFixed(1)),
      'pages/s': Number((reads / readSeconds).toFixed(1)),
      'users/s': Math.round(reads / readSeconds),
      'p50 ms': Math.round(pct(readLatencies, 50)),
      'p95 ms': Math.round(pct(readLatencies, 95)),
      'max ms': Math.round(Math.max(...readLatencies)),
      retries: 0,
      failures: wrong,
    });

    const journal = (await (await fetch(`${collector.url}/debugger/api/segments`, { headers: { authorization: `Bearer ${DEBUGGER_TOKEN}` } })).json()) as {
      segments: { members: number }[];
    };
    const members = journal.segments[0]?.members;
    if (members !== USERS) failures.push(`the journal counts ${members} members after the resync, expected ${USERS}`);
    for (const run of [first, retries, diff, resync]) {
      failures.push(...run.failures.slice(0, 3));
      for (const retry of run.retries.slice(0, 3)) console.warn(`retried ${retry}`);
    }
    if (wrong) failures.push(`${wrong} reads did not show the segment`);
  } finally {
    await collector.stop();
    await rm(state, { recursive: true, force: true });
  }
  if (failures.length) {
    console.table(rows);
    throw new Error(`segment bench failed:\n${failures.join('\n')}`);
  }
  return rows;
}
