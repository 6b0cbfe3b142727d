/**
 * Ingest benchmark: `npm run bench ingest` (docs/scaling.md says how to read it).
 *
 * Three targets under `wrangler dev` on loopback, measured round after round in the same run, so
 * every ratio is a same-run ratio and a change of the shared machine's load hits all of them alike:
 *   1. hello world — a Worker that reads the body and answers JSON (fixtures/hello);
 *   2. edgetag — the collector, MoEngage sandbox as its API base, ingest rate limits off, delivery
 *      deferred (below); with `--shards 1,2,4,8`, one edgetag per QUEUE_SHARDS value;
 *   3. the floor — a Worker + one Durable Object inserting the batch's raw events into SQLite
 *      (fixtures/floor): the least "one DO write per batch" costs.
 * All targets are started once, one after the other, and stay up; only the one being measured gets
 * requests. A second process (support/load.ts) sends what the tag sends — text/plain bodies of 1
 * event, and of 20 (a burst: the tag's batch) — over keep-alive connections, after a warm-up (long on
 * a target's first visit, for the JIT; short after), for a fixed time.
 * Each number is the median of the rounds. Runtime CPU is the workerd running the Worker and its
 * Durable Objects (utime + stime over the measured window / requests); wrangler's proxy (its own
 * workerd in front, and its node processes) is reported apart: production has none of it.
 *
 * Delivery is deferred, not paused: DELIVERY_MODE=batch with a 1440-minute cadence makes every event
 * due at the next midnight UTC, so the queue stores exactly as in realtime mode (no pause check per
 * batch, no paused rows) and sends nothing while we measure; MoEngage's cap would hold delivery at
 * 500 events/s anyway, a cost of its own, apart from ingest. The sandbox must have received nothing,
 * or the bench fails (a midnight UTC tick fell inside it: run it again).
 *
 * Arguments (after `npm run bench ingest --`):
 *   --quick           one round, 1 s warm-up, 3 s measured: a smoke test (~1 min)
 *   --shards 1,2,4,8  edgetag once per QUEUE_SHARDS value (a wrangler var; also `QUEUE_SHARDS=N` in the environment)
 *   --profile         a V8 CPU profile of edgetag's 20-event path after the last round (support/cpuProfile.ts),
 *                     summarised by stage (support/profileShares.ts) and kept as a .cpuprofile (also INGEST_BENCH_PROFILE=1)
 * Environment: INGEST_BENCH_SECONDS (6), INGEST_BENCH_WARMUP (3, first visit), INGEST_BENCH_REWARM (1),
 * INGEST_BENCH_RUNS (3), INGEST_BENCH_CONCURRENCY (16).
 * Missed targets are printed as FAIL and do not fail the run: this is an instrument. A run whose
 * requests were refused or lost does fail: it measured something else than it says.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, type RunningCollector, startCollector } from '../../scripts/collector';
import { startSandboxServer, type SandboxServer } from '../../dev/moengage-sandbox/server';
import { type LoadOptions, type Measured, measureLoad } from './support/measureLoad';
import { type CpuProfile, profileShares, type Shares } from './support/profileShares';
import { readShardCounters, type ShardCounter, shardRates } from './support/shardCounters';
import { percentile } from './support/workload';

/** A run fails when more than this share of its requests got no 200 (connection resets under overload). */
export const MAX_ERROR_FRACTION = 0.001;
export const TARGETS = { oneEventShareOfHello: 0.6, batchShareOfHello: 0.4, cpuAboveHelloPerBatchMs: 2.0 };

const WORKSPACE = 'bench-ws';
const DATA_API_KEY = 'bench-data-api-key';
const WRITE_KEY = 'bench-write-key';
const SIZES = [1, 20] as const;
type Size = (typeof SIZES)[number];
const HELLO = 'hello world';
const FLOOR = 'floor: Worker + DO inserting the raw events';

interface Settings {
  seconds: number;
  warmupSeconds: number;
  rewarmSeconds: number;
  runs: number;
  concurrency: number;
  /** QUEUE_SHARDS values to run edgetag with; [undefined] runs it once without the var. */
  shards: (number | undefined)[];
  profile: boolean;
  quick: boolean;
}

function settings(): Settings {
  // Positionals are run.ts's topics; an unknown flag is an error, not a silently different run.
  const { values } = parseArgs({ allowPositionals: true, options: { quick: { type: 'boolean' }, shards: { type: 'string' }, profile: { type: 'boolean' } } });
  const quick = values.quick === true;
  const n = (name: string, normal: number, short: number) => {
    const v = Number(process.env[name] ?? (quick ? short : normal));
    if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a number ≥ 0`);
    return v;
  };
  const list = values.shards ?? process.env.QUEUE_SHARDS;
  const shards = list === undefined ? [undefined] : list.split(',').map((x) => x.trim());
  for (const x of shards) if (x !== undefined && !/^[1-9]\d*$/.test(x)) throw new Error(`--shards takes positive integers (1,2,4,8), not ${x}`);
  const s: Settings = {
    seconds: n('INGEST_BENCH_SECONDS', 6, 3),
    warmupSeconds: n('INGEST_BENCH_WARMUP', 3, 1),
    rewarmSeconds: n('INGEST_BENCH_REWARM', 1, 1),
    runs: n('INGEST_BENCH_RUNS', 3, 1),
    concurrency: n('INGEST_BENCH_CONCURRENCY', 16, 16),
    shards: [...new Set(shards)].map((x) => (x === undefined ? undefined : Number(x))),
    profile: values.profile === true || process.env.INGEST_BENCH_PROFILE === '1',
    quick,
  };
  if (!s.seconds || !s.runs || !s.concurrency) throw new Error('INGEST_BENCH_SECONDS, INGEST_BENCH_RUNS and INGEST_BENCH_CONCURRENCY must be > 0');
  return s;
}

const num = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');
const pct = (x: number, digits = 1) => `${num(x * 100, digits)} %`;
const table = (head: string[], rows: (string | number)[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map((h, i) => (i === 0 || /^(request|shard|N)$/.test(h) ? '---' : '--:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const median = (xs: number[]) => percentile(xs, 50);
const loads = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

// ------------------------------------------------------------------------------- the targets

interface Target {
  name: string;
  /** edgetag's targets: the QUEUE_SHARDS it runs with (null: not set). */
  shards: number | null | undefined;
  start(): Promise<RunningCollector>;
}
const isEdgetag = (t: Target) => t.shards !== undefined;

const fixture = (name: string, state: string): Target['start'] => () => startCollector({ config: join(ROOT, `test/bench/fixtures/${name}/wrangler.toml`), persistTo: state });

function edgetag(sandbox: SandboxServer, state: string, queueShards: number | undefined): Target['start'] {
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
        // The default connection's queue shards: the bench passes it; the collector decides what it does with it.
        QUEUE_SHARDS: queueShards === undefined ? undefined : String(queueShards),
      },
      secrets: { MOENGAGE_DATA_API_KEY: DATA_API_KEY, DEBUGGER_TOKEN: 'bench-debugger-token' },
      persistTo: state,
    });
}

async function targets(sandbox: SandboxServer, s: Settings, state: (name: string) => Promise<string>): Promise<Target[]> {
  const list: Target[] = [{ name: HELLO, shards: undefined, start: fixture('hello', await state('hello')) }];
  for (const n of s.shards) {
    list.push({ name: n === undefined ? 'edgetag' : `edgetag, QUEUE_SHARDS=${n}`, shards: n ?? null, start: edgetag(sandbox, await state(`edgetag-${n ?? 'default'}`), n) });
  }
  list.push({ name: FLOOR, shards: undefined, start: fixture('floor', await state('floor')) });
  return list;
}

/** Fails loudly: a run with errors or refused events measured something else than it says. */
function check(target: Target, size: Size, m: Measured<unknown>): void {
  const { load } = m;
  const what = `${target.name}, ${size}-event requests`;
  if (!load.requests) throw new Error(`${what}: no request completed in the measured window`);
  if (load.errors / load.requests > MAX_ERROR_FRACTION) {
    throw new Error(`${what}: ${load.errors} of ${load.requests} requests got no 200 (more than ${MAX_ERROR_FRACTION * 100} %): ${JSON.stringify(load.byStatus)} ${load.answers.samples.join(' | ')}`);
  }
  if (target.name === HELLO) return;
  const a = load.answers;
  const ok = load.byStatus['200'] ?? 0;
  if (a.answered !== ok || a.accepted !== load.events || a.duplicates || a.rejected) {
    throw new Error(`${what}: the target refused events: ${ok} answers 200 for ${load.events} events sent, ${a.answered} of them with counts: accepted ${a.accepted}, duplicates ${a.duplicates}, rejected ${a.rejected}. ${a.samples.join(' | ')}`);
  }
}

// ------------------------------------------------------------------------------- the rounds

/** The targets running now: stopped if the bench is interrupted (wrangler runs in its own process group). */
const running = new Set<RunningCollector>();
const stopAll = () => Promise.allSettled([...running].map((r) => r.stop())).then(() => running.clear());
const interrupted = () => void stopAll().finally(() => process.exit(130));

type ShardReading = ShardCounter[] | null;
interface Run {
  measured: Measured<ShardReading>;
  round: number;
}
type Results = Map<string, Run[]>;
const key = (target: string, size: Size) => `${target}|${size}`;

async function rounds(list: Target[], s: Settings, log: (line: string) => void): Promise<{ results: Results; shardsListed: Map<string, boolean>; profile: Profiled | null }> {
  const up = new Map<Target, RunningCollector>();
  for (const target of list) {
    const t = Date.now();
    const r = await target.start();
    running.add(r);
    up.set(target, r);
    log(`started ${target.name} (${num((Date.now() - t) / 1000, 1)} s)`);
  }
  // Per-shard counters only where /healthz lists shards (support/shardCounters.ts).
  const shardsListed = new Map<string, boolean>();
  for (const target of list.filter(isEdgetag)) shardsListed.set(target.name, (await readShardCounters((up.get(target) as RunningCollector).url)) !== null);

  const results: Results = new Map();
  for (let round = 1; round <= s.runs; round++) {
    // Size outermost: each target's run follows hello world's of the same size within seconds, not a minute later.
    for (const size of SIZES) {
      for (const target of list) {
        const r = up.get(target) as RunningCollector;
        const options: LoadOptions = {
          url: r.url,
          seconds: s.seconds,
          warmupSeconds: round === 1 ? s.warmupSeconds : s.rewarmSeconds,
          concurrency: s.concurrency,
          batchSize: size,
          idPrefix: `r${round}-s${size}-${Date.now()}`,
          shape: 'tag',
          pgid: r.process.pid as number,
          port: r.port,
        };
        const measured = await measureLoad<ShardReading>(options, shardsListed.get(target.name) ? () => readShardCounters(r.url) : undefined);
        check(target, size, measured);
        const k = key(target.name, size);
        results.set(k, [...(results.get(k) ?? []), { measured, round }]);
        log(
          `round ${round}/${s.runs} · ${target.name} · ${size}-event: ${num(measured.load.requests / measured.load.seconds)} req/s, runtime ${num((measured.cpu.runtime * 1000) / measured.load.requests, 2)} ms/req, load ${measured.loadavg.map((l) => l.toFixed(2)).join(' → ')}`,
        );
      }
    }
  }
  const profiled = list.find(isEdgetag);
  const profile = s.profile && profiled ? await profileRun(profiled, up.get(profiled) as RunningCollector, s) : null;
  return { results, shardsListed, profile };
}

// ------------------------------------------------------------------------------- the profile

interface Profiled {
  target: string;
  path: string;
  shares: Shares;
}

/** A V8 CPU profile of the Worker's isolate while it takes 20-event requests (profiler on: no throughput number). */
async function profileRun(target: Target, r: RunningCollector, s: Settings): Promise<Profiled> {
  const args = r.process.spawnargs;
  const inspectorPort = args[args.indexOf('--inspector-port') + 1];
  const path = join(tmpdir(), `edgetag-ingest-${Date.now()}.cpuprofile`);
  const warmup = s.rewarmSeconds;
  const load = measureLoad({ url: r.url, seconds: s.seconds + 2, warmupSeconds: warmup, concurrency: s.concurrency, batchSize: 20, idPrefix: `profile-${Date.now()}`, shape: 'tag', pgid: r.process.pid as number, port: r.port });
  await new Promise((done) => setTimeout(done, warmup * 1000));
  const profiler = spawn(process.execPath, ['--experimental-websocket', '--no-warnings', '--import', 'tsx', join(ROOT, 'test/bench/support/cpuProfile.ts'), `ws://127.0.0.1:${inspectorPort}/ws`, String(s.seconds), path], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const code = await new Promise((done) => profiler.on('exit', done));
  check(target, 20, await load);
  if (code !== 0) throw new Error(`the profiler exited ${code}`);
  return { target: target.name, path, shares: profileShares(JSON.parse(await readFile(path, 'utf8')) as CpuProfile) };
}

function profileSection(p: Profiled): string {
  return [
    `### Where ${p.target}'s runtime time goes: 20-event requests, V8 CPU profile of the Worker's isolate (${num(p.shares.busyMs / 1000, 1)} s busy, ${num(p.shares.idleMs / 1000, 1)} s idle)`,
    'Shares of the busy time; a stage counts every sample with its function on the stack (so stages nest, and async continuations count under the function that resumed). The profiler slows the isolate: shares, not throughput. The profile: ' + p.path,
    table(['stage', 'share'], p.shares.stages.map((x) => [x.stage.replace(/^( +)/, (m) => '· '.repeat(m.length / 2)), pct(x.share)])),
    table(['heaviest self time: function ← caller', 'share'], p.shares.topSelf.map((x) => [x.frame, pct(x.share)])),
  ].join('\n\n');
}

// ------------------------------------------------------------------------------- the report

interface Summary {
  reqPerSecond: number;
  eventsPerSecond: number;
  runtimeMs: number;
  wranglerMs: number;
  nodeMs: number;
  /** wrangler's CPU (proxy workerd + node) as a share of all CPU the target's processes spent. */
  wranglerShare: number;
  p50: number;
  p99: number;
  perRound: number[];
}

function summarize(runs: Run[]): Summary {
  const perRound = runs.map((r) => r.measured.load.requests / r.measured.load.seconds);
  const per = (f: (m: Measured<ShardReading>) => number) => median(runs.map(({ measured: m }) => (f(m) * 1000) / m.load.requests));
  return {
    reqPerSecond: median(perRound),
    eventsPerSecond: median(runs.map(({ measured: m }) => m.load.events / m.load.seconds)),
    runtimeMs: per((m) => m.cpu.runtime),
    wranglerMs: per((m) => m.cpu.proxy + m.cpu.node),
    nodeMs: per((m) => m.cpu.node),
    wranglerShare: median(runs.map(({ measured: { cpu } }) => (cpu.proxy + cpu.node) / (cpu.runtime + cpu.proxy + cpu.node))),
    p50: median(runs.map(({ measured: m }) => m.load.latencyMs.p50)),
    p99: median(runs.map(({ measured: m }) => m.load.latencyMs.p99)),
    perRound,
  };
}

/**
 * Per-shard rates of each edgetag target's windows, for both request sizes (median per shard over
 * the rounds), where /healthz lists shards. A 1-event request is one visitor's: it reaches one shard.
 * The 20-event requests take 20 consecutive messages of the pool, ~20 visitors, so each reaches
 * nearly every shard (the tag's own batches are one visitor's, and reach one).
 */
function shardSection(list: Target[], results: Results, shardsListed: Map<string, boolean>, s: Settings): string {
  const title = '### Per-shard rates (each shard\'s own counters from /healthz)';
  const edgetags = list.filter(isEdgetag);
  if (s.shards.every((n) => n === undefined)) return `${title}\n\nNot run: \`npm run bench ingest -- --shards 1,2,4,8\` measures edgetag once per QUEUE_SHARDS value.`;
  const rows: (string | number)[][] = [];
  const unlisted: string[] = [];
  for (const t of edgetags) {
    if (!shardsListed.get(t.name)) {
      unlisted.push(t.name);
      continue;
    }
    for (const size of SIZES) {
      const byShard = new Map<string, { events: number[]; requests: number[] }>();
      for (const { measured: m } of results.get(key(t.name, size)) ?? []) {
        const [before, after] = m.probes;
        if (!before || !after) continue;
        for (const r of shardRates(before, after, m.load.seconds)) {
          const id = `${r.connection}/${r.shard}`;
          const x = byShard.get(id) ?? byShard.set(id, { events: [], requests: [] }).get(id)!;
          x.events.push(r.eventsPerSecond);
          if (r.requestsPerSecond !== null) x.requests.push(r.requestsPerSecond);
        }
      }
      for (const [shard, x] of byShard) rows.push([t.name, `${size}-event`, shard, x.requests.length ? num(median(x.requests)) : '–', num(median(x.events))]);
    }
  }
  return [
    title,
    ...(rows.length ? [table(['target', 'requests', 'shard', 'req/s', 'events/s'], rows)] : []),
    ...(unlisted.length ? [`No per-shard rates for ${unlisted.join('; ')}: /healthz lists no shards (\`connections[].shards[]\` with per-shard counters, see test/bench/support/shardCounters.ts), so QUEUE_SHARDS made no difference the bench can see.`] : []),
  ].join('\n\n');
}

export async function bench(): Promise<string> {
  const s = settings();
  const log = (line: string) => console.error(`  ${line}`);
  const startedAt = new Date();
  const loadAtStart = loads();
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  const sandbox = await startSandboxServer({ credentials: { [WORKSPACE]: DATA_API_KEY } });
  const dirs: string[] = [];
  const state = async (name: string) => {
    const dir = await mkdtemp(join(tmpdir(), `edgetag-bench-${name}-`));
    dirs.push(dir);
    return dir;
  };
  try {
    const list = await targets(sandbox, s, state);
    const { results, shardsListed, profile } = await rounds(list, s, log);
    await stopAll();
    if (sandbox.sandbox.requests.length) {
      throw new Error(`delivery ran during the measurement (${sandbox.sandbox.requests.length} requests reached the sandbox; a midnight UTC tick?): run the bench again`);
    }
    const loadAtEnd = loads();
    const sum = (t: string, size: Size) => summarize(results.get(key(t, size)) ?? []);
    // Share of hello world: the median of same-round ratios (a round's machine load hits both alike).
    const perRoundShare = (t: string, size: Size) =>
      (results.get(key(t, size)) ?? []).map(({ measured: m, round }) => {
        const h = (results.get(key(HELLO, size)) ?? []).find((x) => x.round === round)?.measured as Measured<ShardReading>;
        return m.load.requests / m.load.seconds / (h.load.requests / h.load.seconds);
      });
    const shareOfHello = (t: string, size: Size) => median(perRoundShare(t, size));
    const above = (t: string) => sum(t, 20).runtimeMs - sum(HELLO, 20).runtimeMs;

    const rows: (string | number)[][] = [];
    for (const t of list) {
      for (const size of SIZES) {
        const x = sum(t.name, size);
        rows.push([
          t.name,
          `${size}-event`,
          num(x.reqPerSecond),
          num(x.eventsPerSecond),
          t.name === HELLO ? '100' : `${num(shareOfHello(t.name, size) * 100, 1)} (${perRoundShare(t.name, size).map((r) => num(r * 100, 1)).join(', ')})`,
          num(x.runtimeMs, 2),
          t.name === HELLO ? '–' : num(x.runtimeMs - sum(HELLO, size).runtimeMs, 2),
          num(1000 / x.runtimeMs),
          `${num(x.wranglerMs, 2)} (node ${num(x.nodeMs, 2)})`,
          pct(x.wranglerShare, 0),
          `${num(x.p50, 1)} / ${num(x.p99, 1)}`,
          x.perRound.map((r) => num(r)).join(', '),
        ]);
      }
    }
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
    const targetLines = list.filter(isEdgetag).flatMap((t) => {
      const one = shareOfHello(t.name, 1);
      const batch = shareOfHello(t.name, 20);
      const cpuAbove = above(t.name);
      return [
        `- ${verdict(one >= TARGETS.oneEventShareOfHello)}  ${t.name}: 1-event requests ≥ ${TARGETS.oneEventShareOfHello * 100} % of hello world's req/s: ${pct(one)}`,
        `- ${verdict(batch >= TARGETS.batchShareOfHello)}  ${t.name}: 20-event batches ≥ ${TARGETS.batchShareOfHello * 100} % of hello world's req/s: ${pct(batch)}`,
        `- ${verdict(cpuAbove <= TARGETS.cpuAboveHelloPerBatchMs)}  ${t.name}: runtime CPU ≤ ${num(TARGETS.cpuAboveHelloPerBatchMs, 1)} ms above hello world per 20-event batch: ${num(cpuAbove, 2)} ms`,
      ];
    });
    const shardsNote = s.shards.some((n) => n !== undefined) ? ` (QUEUE_SHARDS ${s.shards.join(', ')})` : '';
    return [
      `### Ingest against hello world${s.quick ? ' (--quick: a smoke test, not a measurement)' : ''}: ${startedAt.toISOString()}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average (1/5/15 min) ${loadAtStart} at the start, ${loadAtEnd} at the end`,
      `${s.runs} round${s.runs === 1 ? '' : 's'}; in each, hello world, edgetag${shardsNote} and the floor, all up under \`wrangler dev\`, measured one at a time: 1-event then 20-event tag requests (text/plain) on ${s.concurrency} keep-alive connections from a second process, ${s.warmupSeconds} s warm-up on a target's first visit (${s.rewarmSeconds} s after), ${s.seconds} s measured. Medians of the rounds; % of hello is the median of same-round ratios; CPU is utime + stime from /proc over the measured window, per request; runtime-bound req/s per core is 1000 / runtime CPU ms, what one core could take with no wrangler in front.`,
      table(
        ['target', 'request', 'req/s', 'events/s', '% of hello req/s (per round)', 'runtime CPU ms/req', 'runtime CPU above hello ms/req', 'runtime-bound req/s per core', 'wrangler CPU ms/req (node)', 'wrangler share of CPU', 'latency p50 / p99 ms', 'req/s per round'],
        rows,
      ),
      ['### Targets (production has no wrangler proxy: only runtime CPU counts)', ...targetLines].join('\n'),
      shardSection(list, results, shardsListed, s),
      ...(profile ? [profileSection(profile)] : []),
    ].join('\n\n');
  } finally {
    await stopAll();
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    await sandbox.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await bench());
