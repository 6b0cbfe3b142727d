/**
 * Ingest benchmark: `npm run bench ingest` (docs/scaling.md "How we measure").
 *
 * Three targets under `wrangler dev` on loopback, started one at a time, round after round, so every
 * ratio is a same-run ratio and a change of the shared machine's load hits all three alike:
 *   1. hello world — a Worker that reads the body and answers JSON (fixtures/hello);
 *   2. edgetag — the collector, MoEngage sandbox as its API base, ingest rate limits off, delivery
 *      deferred (below);
 *   3. the floor — a Worker + one Durable Object inserting the batch's raw events into SQLite
 *      (fixtures/floor): the least "one DO write per batch" costs.
 * A second process (support/load.ts) sends what the tag sends — text/plain bodies of 1 event, and of
 * 20 (a burst: the tag's batch) — over keep-alive connections, after a warm-up, for a fixed time.
 * Each number is the median of the rounds. Runtime CPU is the workerd running the Worker (utime +
 * stime over the measured window / requests); wrangler's proxy (its own workerd in front, and its
 * node processes) is reported apart: production has none of it.
 *
 * Delivery is deferred, not paused: DELIVERY_MODE=batch with a 1440-minute cadence makes every event
 * due at the next midnight UTC, so the queue stores exactly as in realtime mode (no pause check per
 * batch, no paused rows) and sends nothing while we measure; MoEngage's cap would hold delivery at
 * 500 events/s anyway, a cost of its own, apart from ingest. The sandbox must have received nothing,
 * or the bench fails (a midnight UTC tick fell inside it: run it again).
 *
 * Settings (environment): INGEST_BENCH_SECONDS (15), INGEST_BENCH_WARMUP (3), INGEST_BENCH_RUNS (3),
 * INGEST_BENCH_CONCURRENCY (16); QUEUE_SHARDS (or `--shards=N`) is passed to edgetag as a wrangler var;
 * INGEST_BENCH_PROFILE=1 adds a V8 CPU profile of edgetag's 20-event path after the last round
 * (support/cpuProfile.ts), summarised by stage (support/profileShares.ts) and kept as a .cpuprofile.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, type RunningCollector, startCollector } from '../../scripts/collector';
import { startSandboxServer, type SandboxServer } from '../../dev/moengage-sandbox/server';
import { type Measured, measureLoad } from './support/measureLoad';
import { type CpuProfile, profileShares, type Shares } from './support/profileShares';
import { readShardCounters, type ShardCounter, shardRates } from './support/shardCounters';
import { percentile } from './support/workload';

/** A run fails when more than this share of its requests got no 200 (connection resets under overload). */
export const MAX_ERROR_FRACTION = 0.001;
export const TARGETS = { oneEventShareOfHello: 0.6, batchShareOfHello: 0.4, cpuAboveHelloPerBatchMs: 2.0 };
export const SHARD_COUNTS = [1, 2, 4, 8];

const WORKSPACE = 'bench-ws';
const DATA_API_KEY = 'bench-data-api-key';
const WRITE_KEY = 'bench-write-key';
const SIZES = [1, 20] as const;
type Size = (typeof SIZES)[number];
type TargetName = 'hello world' | 'edgetag' | 'floor: Worker + DO inserting raw events';

interface Settings {
  seconds: number;
  warmupSeconds: number;
  runs: number;
  concurrency: number;
  queueShards: string | undefined;
  profile: boolean;
}

function settings(): Settings {
  const n = (name: string, fallback: number) => {
    const v = Number(process.env[name] ?? fallback);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
    return v;
  };
  const arg = process.argv.find((a) => a.startsWith('--shards='))?.slice('--shards='.length);
  const queueShards = arg ?? process.env.QUEUE_SHARDS;
  if (queueShards !== undefined && !/^[1-9]\d*$/.test(queueShards)) throw new Error(`QUEUE_SHARDS must be a positive integer, not ${queueShards}`);
  return { seconds: n('INGEST_BENCH_SECONDS', 15), warmupSeconds: n('INGEST_BENCH_WARMUP', 3), runs: n('INGEST_BENCH_RUNS', 3), concurrency: n('INGEST_BENCH_CONCURRENCY', 16), queueShards, profile: process.env.INGEST_BENCH_PROFILE === '1' };
}

const num = (n: number, digits = 0) => n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const table = (head: string[], rows: (string | number)[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map((h, i) => (i === 0 || /request|target|shard|N$/.test(h) ? '---' : '--:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const median = (xs: number[]) => percentile(xs, 50);
const loads = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

// ------------------------------------------------------------------------------- the targets

interface Target {
  name: TargetName;
  start(): Promise<RunningCollector>;
}

const fixture = (name: string, state: string): Target['start'] => () => startCollector({ config: join(ROOT, `test/bench/fixtures/${name}/wrangler.toml`), persistTo: state });

function edgetag(sandbox: SandboxServer, state: string, queueShards: string | undefined): Target['start'] {
  return () =>
    startCollector({
      vars: {
        MOENGAGE_API_BASE: sandbox.url,
        MOENGAGE_WORKSPACE_ID: WORKSPACE,
        WRITE_KEYS: WRITE_KEY,
        // One load generator on one address: the per-address and per-key limits would refuse it.
        INGEST_RATE_PER_IP: '0',
        INGEST_RATE_PER_WRITE_KEY: '0',
        // Delivery deferred to the next midnight UTC (see the top of this file).
        DELIVERY_MODE: 'batch',
        BATCH_CADENCE_MINUTES: '1440',
        MAX_BACKLOG_EVENTS: '100000000',
        // Not read until queues are sharded; passed on so the bench needs no change then.
        QUEUE_SHARDS: queueShards,
      },
      secrets: { MOENGAGE_DATA_API_KEY: DATA_API_KEY, DEBUGGER_TOKEN: 'bench-debugger-token' },
      persistTo: state,
    });
}

interface States {
  hello: string;
  edgetag: string;
  floor: string;
}

function targets(sandbox: SandboxServer, states: States, s: Settings): Target[] {
  return [
    { name: 'hello world', start: fixture('hello', states.hello) },
    { name: 'edgetag', start: edgetag(sandbox, states.edgetag, s.queueShards) },
    { name: 'floor: Worker + DO inserting raw events', start: fixture('floor', states.floor) },
  ];
}

/** Fails loudly: a run with errors or refused events measured something else than it says. */
function check(target: TargetName, size: Size, m: Measured): void {
  const { load } = m;
  const what = `${target}, ${size}-event requests`;
  if (!load.requests) throw new Error(`${what}: no request completed in the measured window`);
  if (load.errors / load.requests > MAX_ERROR_FRACTION) {
    throw new Error(`${what}: ${load.errors} of ${load.requests} requests got no 200 (more than ${MAX_ERROR_FRACTION * 100} %): ${JSON.stringify(load.byStatus)} ${load.answers.samples.join(' | ')}`);
  }
  if (target === 'hello world') return;
  const a = load.answers;
  const ok = load.byStatus['200'] ?? 0;
  if (a.answered !== ok || a.accepted !== load.events || a.duplicates || a.rejected) {
    throw new Error(`${what}: the target refused events: ${ok} answers 200 for ${load.events} events sent, ${a.answered} of them with counts: accepted ${a.accepted}, duplicates ${a.duplicates}, rejected ${a.rejected}. ${a.samples.join(' | ')}`);
  }
}

// ------------------------------------------------------------------------------- the rounds

/** The target running now: stopped if the bench is interrupted (wrangler runs in its own process group). */
let current: RunningCollector | null = null;
const interrupted = () => void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130));

async function started(start: Target['start']): Promise<RunningCollector> {
  current = await start();
  const running = current;
  return { ...running, stop: () => running.stop().finally(() => (current = null)) };
}

type Results = Map<string, Measured[]>;
const key = (target: TargetName, size: Size) => `${target}|${size}`;

async function rounds(list: Target[], s: Settings, log: (line: string) => void): Promise<{ results: Results; shardsListed: boolean | null; profile: Profiled | null }> {
  const results: Results = new Map();
  let shardsListed: boolean | null = null;
  let profile: Profiled | null = null;
  for (let round = 1; round <= s.runs; round++) {
    for (const target of list) {
      const running = await started(target.start);
      try {
        for (const size of SIZES) {
          const measured = await measureLoad({
            url: running.url,
            seconds: s.seconds,
            warmupSeconds: s.warmupSeconds,
            concurrency: s.concurrency,
            batchSize: size,
            idPrefix: `r${round}-s${size}-${Date.now()}`,
            shape: 'tag',
            pgid: running.process.pid as number,
            port: running.port,
          });
          check(target.name, size, measured);
          (results.get(key(target.name, size)) ?? results.set(key(target.name, size), []).get(key(target.name, size))!).push(measured);
          log(
            `round ${round}/${s.runs} · ${target.name} · ${size}-event: ${num(measured.load.requests / measured.load.seconds)} req/s, runtime ${num((measured.cpu.runtime * 1000) / measured.load.requests, 2)} ms/req, load ${measured.loadavg.map((l) => l.toFixed(2)).join(' → ')}`,
          );
        }
        if (target.name === 'edgetag' && shardsListed === null) shardsListed = (await readShardCounters(running.url)) !== null;
        if (target.name === 'edgetag' && round === s.runs && s.profile) profile = await profileRun(running, s);
      } finally {
        await running.stop();
      }
    }
  }
  return { results, shardsListed, profile };
}

// ------------------------------------------------------------------------------- the profile

interface Profiled {
  path: string;
  shares: Shares;
}

/** A V8 CPU profile of the Worker's isolate while it takes 20-event requests (profiler on: no throughput number). */
async function profileRun(running: RunningCollector, s: Settings): Promise<Profiled> {
  const args = running.process.spawnargs;
  const inspectorPort = args[args.indexOf('--inspector-port') + 1];
  const path = join(tmpdir(), `edgetag-ingest-${Date.now()}.cpuprofile`);
  const load = measureLoad({ url: running.url, seconds: s.seconds + 2, warmupSeconds: s.warmupSeconds, concurrency: s.concurrency, batchSize: 20, idPrefix: `profile-${Date.now()}`, shape: 'tag', pgid: running.process.pid as number, port: running.port });
  await new Promise((r) => setTimeout(r, s.warmupSeconds * 1000));
  const profiler = spawn(process.execPath, ['--experimental-websocket', '--no-warnings', '--import', 'tsx', join(ROOT, 'test/bench/support/cpuProfile.ts'), `ws://127.0.0.1:${inspectorPort}/ws`, String(s.seconds), path], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const code = await new Promise((r) => profiler.on('exit', r));
  check('edgetag', 20, await load);
  if (code !== 0) throw new Error(`the profiler exited ${code}`);
  return { path, shares: profileShares(JSON.parse(await readFile(path, 'utf8')) as CpuProfile) };
}

function profileSection(p: Profiled): string {
  const pct = (x: number) => `${num(x * 100, 1)} %`;
  return [
    `### Where edgetag's runtime time goes: 20-event requests, V8 CPU profile of the Worker's isolate (${num(p.shares.busyMs / 1000, 1)} s busy, ${num(p.shares.idleMs / 1000, 1)} s idle)`,
    'Shares of the busy time; a stage counts every sample with its function on the stack (so stages nest, and async continuations count under the function that resumed). The profiler slows the isolate: shares, not throughput. The profile: ' + p.path,
    table(['stage', 'share'], p.shares.stages.map((x) => [x.stage.replace(/^( +)/, (m) => '· '.repeat(m.length / 2)), pct(x.share)])),
    table(['heaviest self time: function ← caller', 'share'], p.shares.topSelf.map((x) => [x.frame, pct(x.share)])),
  ].join('\n\n');
}

interface Summary {
  reqPerSecond: number;
  eventsPerSecond: number;
  runtimeMs: number;
  proxyMs: number;
  nodeMs: number;
  p50: number;
  p99: number;
  perRun: number[];
}

function summarize(runs: Measured[]): Summary {
  const perRun = runs.map((m) => m.load.requests / m.load.seconds);
  const per = (f: (m: Measured) => number) => median(runs.map((m) => (f(m) * 1000) / m.load.requests));
  return {
    reqPerSecond: median(perRun),
    eventsPerSecond: median(runs.map((m) => m.load.events / m.load.seconds)),
    runtimeMs: per((m) => m.cpu.runtime),
    proxyMs: per((m) => m.cpu.proxy),
    nodeMs: per((m) => m.cpu.node),
    p50: median(runs.map((m) => m.load.latencyMs.p50)),
    p99: median(runs.map((m) => m.load.latencyMs.p99)),
    perRun,
  };
}

// ------------------------------------------------------------------------------- shards

/**
 * Per-shard request rates with N = 1, 2, 4, 8 under one load: edgetag started with QUEUE_SHARDS=N,
 * one measured run of 20-event requests each, per-shard counters read from /healthz around it.
 * Runs only when /healthz lists shards (support/shardCounters.ts); until then it reports that, and
 * no numbers.
 */
async function shardSection(sandbox: SandboxServer, s: Settings, shardsListed: boolean | null): Promise<string> {
  const title = `### Per-shard request rates, N = ${SHARD_COUNTS.join(', ')}, under one load (20-event requests)`;
  if (!shardsListed) {
    return `${title}\n\nNot measured: this collector's /healthz lists no shards yet (\`connections[].shards[]\` with per-shard counters, see test/bench/support/shardCounters.ts). The section runs by itself once it does.`;
  }
  const rows: (string | number)[][] = [];
  for (const shards of SHARD_COUNTS) {
    const state = await mkdtemp(join(tmpdir(), `edgetag-bench-shards-${shards}-`));
    const running = await started(edgetag(sandbox, state, String(shards)));
    try {
      const before = (await readShardCounters(running.url)) as ShardCounter[];
      const m = await measureLoad({ url: running.url, seconds: s.seconds, warmupSeconds: s.warmupSeconds, concurrency: s.concurrency, batchSize: 20, idPrefix: `shards${shards}-${Date.now()}`, shape: 'tag', pgid: running.process.pid as number, port: running.port });
      const after = (await readShardCounters(running.url)) as ShardCounter[];
      check('edgetag', 20, m);
      // The counters include the warm-up; rates are over the whole load (warm-up + window).
      const rates = shardRates(before, after, s.warmupSeconds + m.load.seconds);
      rows.push([
        shards,
        num(m.load.requests / m.load.seconds),
        num((m.cpu.runtime * 1000) / m.load.requests, 2),
        rates.map((r) => `${r.shard}: ${r.requestsPerSecond === null ? '–' : num(r.requestsPerSecond)} req/s, ${num(r.eventsPerSecond)} ev/s`).join('; '),
      ]);
    } finally {
      await running.stop();
      await rm(state, { recursive: true, force: true });
    }
  }
  return [title, table(['N', 'req/s', 'runtime CPU ms/req', 'per shard'], rows)].join('\n\n');
}

// ------------------------------------------------------------------------------- the report

export async function bench(): Promise<string> {
  const s = settings();
  const log = (line: string) => console.error(`  ${line}`);
  const startedAt = new Date();
  const loadAtStart = loads();
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  const sandbox = await startSandboxServer({ credentials: { [WORKSPACE]: DATA_API_KEY } });
  const dirs: States = { hello: await mkdtemp(join(tmpdir(), 'edgetag-bench-hello-')), edgetag: await mkdtemp(join(tmpdir(), 'edgetag-bench-ingest-')), floor: await mkdtemp(join(tmpdir(), 'edgetag-bench-floor-')) };
  try {
    const { results, shardsListed, profile } = await rounds(targets(sandbox, dirs, s), s, log);
    if (sandbox.sandbox.requests.length) {
      throw new Error(`delivery ran during the measurement (${sandbox.sandbox.requests.length} requests reached the sandbox; a midnight UTC tick?): run the bench again`);
    }
    const shards = await shardSection(sandbox, s, shardsListed);
    const loadAtEnd = loads();
    const sum = (t: TargetName, size: Size) => summarize(results.get(key(t, size)) ?? []);
    const hello = { 1: sum('hello world', 1), 20: sum('hello world', 20) };
    const shareOfHello = (t: TargetName, size: Size) => sum(t, size).reqPerSecond / hello[size].reqPerSecond;
    // Same-round ratios, for the spread of the median's.
    const perRoundShare = (t: TargetName, size: Size) =>
      (results.get(key(t, size)) ?? []).map((m, i) => {
        const h = results.get(key('hello world', size))?.[i] as Measured;
        return `${num(((m.load.requests / m.load.seconds) * 100) / (h.load.requests / h.load.seconds), 1)}`;
      });

    const rows: (string | number)[][] = [];
    for (const t of ['hello world', 'edgetag', 'floor: Worker + DO inserting raw events'] as TargetName[]) {
      for (const size of SIZES) {
        const x = sum(t, size);
        rows.push([
          t,
          `${size}-event`,
          num(x.reqPerSecond),
          num(x.eventsPerSecond),
          t === 'hello world' ? '100' : `${num(shareOfHello(t, size) * 100, 1)} (${perRoundShare(t, size).join(', ')})`,
          num(x.runtimeMs, 2),
          `${num(x.proxyMs + x.nodeMs, 2)} (node ${num(x.nodeMs, 2)})`,
          `${num(x.p50, 1)} / ${num(x.p99, 1)}`,
          x.perRun.map((r) => num(r)).join(', '),
        ]);
      }
    }
    const above = (t: TargetName) => sum(t, 20).runtimeMs - hello[20].runtimeMs;
    const verdict = (ok: boolean) => (ok ? '**PASS**' : '**FAIL**');
    const one = shareOfHello('edgetag', 1);
    const batch = shareOfHello('edgetag', 20);
    const cpuAbove = above('edgetag');
    return [
      `### Ingest against hello world: ${startedAt.toISOString()}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average (1/5/15 min) ${loadAtStart} at the start, ${loadAtEnd} at the end`,
      `${s.runs} rounds; in each, hello world, edgetag${s.queueShards ? ` (QUEUE_SHARDS=${s.queueShards})` : ''} and the floor under \`wrangler dev\` one at a time, each sent 1-event then 20-event tag requests (text/plain) on ${s.concurrency} keep-alive connections from a second process: ${s.warmupSeconds} s warm-up, ${s.seconds} s measured. Medians of the rounds; CPU per request is utime + stime over the measured window.`,
      table(['target', 'request', 'req/s', 'events/s', '% of hello req/s (per round)', 'runtime CPU ms/req', 'wrangler proxy CPU ms/req', 'latency p50 / p99 ms', 'req/s per round'], rows),
      `Runtime CPU above hello world per 20-event batch: edgetag **${num(cpuAbove, 2)} ms**, the floor ${num(above('floor: Worker + DO inserting raw events'), 2)} ms.`,
      [
        '### Targets',
        `- 1-event requests ≥ ${TARGETS.oneEventShareOfHello * 100} % of hello world's req/s: ${num(one * 100, 1)} % ${verdict(one >= TARGETS.oneEventShareOfHello)}`,
        `- 20-event batches ≥ ${TARGETS.batchShareOfHello * 100} % of hello world's req/s: ${num(batch * 100, 1)} % ${verdict(batch >= TARGETS.batchShareOfHello)}`,
        `- runtime CPU ≤ ${num(TARGETS.cpuAboveHelloPerBatchMs, 1)} ms above hello world per 20-event batch: ${num(cpuAbove, 2)} ms ${verdict(cpuAbove <= TARGETS.cpuAboveHelloPerBatchMs)}`,
      ].join('\n'),
      shards,
      ...(profile ? [profileSection(profile)] : []),
    ].join('\n\n');
  } finally {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    await sandbox.close();
    for (const dir of Object.values(dirs)) await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await bench());
