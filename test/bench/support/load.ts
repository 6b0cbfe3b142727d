/**
 * Loopback load generator, run as its own process (test/bench/delivery.ts, test/bench/ingest.ts):
 *   node --import tsx test/bench/support/load.ts <url> <seconds> <concurrency> <batchSize> <idPrefix>
 *        [--shape segment|tag] [--path /v1/batch] [--warmup <seconds>]
 * POSTs bodies of `batchSize` unique events over keep-alive connections, `--warmup` seconds unmeasured
 * and then `seconds` measured, and prints one JSON line per phase: `{"phase":"measure"}` when the
 * measured window opens (so the caller can read its processes' CPU time), then the result:
 * {requests, events, errors, byStatus, seconds, latencyMs:{p50,p99}, answers}.
 * A request counts in the window it completes in.
 *
 * Shapes: `segment` is a server-side client's `POST /v1/batch` (application/json, Basic auth);
 * `tag` is what the browser tag sends (text/plain to the ingest path, write key and sentAt in the
 * body, a browser's User-Agent and Origin: support/tagMessages.ts).
 * `answers` sums what 200 answers said (`accepted`, `duplicates`, `rejected[]`), for targets that say it.
 */
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { TAG_USER_AGENT, tagBody, tagMessagePool } from './tagMessages';
import { percentile, retailWorkload } from './workload';

const WRITE_KEY = 'bench-write-key';
const REQUEST_TIMEOUT_MS = 30_000;
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { shape: { type: 'string', default: 'segment' }, path: { type: 'string' }, warmup: { type: 'string', default: '0' } },
});
const [url = '', seconds = '10', concurrency = '32', batchSize = '20', idPrefix = 'load'] = positionals;
const shape = values.shape === 'tag' ? 'tag' : 'segment';
const target = new URL(url);
const path = values.path ?? (shape === 'tag' ? '/i' : '/v1/batch');
const agent = new Agent({ keepAlive: true, maxSockets: Number(concurrency) });
const size = Number(batchSize);
const timestamp = new Date().toISOString();

// A pool of realistic messages; each request takes `size` of them with fresh messageIds.
const pool = shape === 'tag' ? tagMessagePool(2_000, timestamp) : retailWorkload({ events: 2_000, customers: 2_000, idPrefix: 'pool', timestamp }).map((m) => JSON.stringify(m));
const headers: Record<string, string> =
  shape === 'tag'
    ? { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': TAG_USER_AGENT, origin: 'https://shop.example.com' }
    : { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}` };

let counter = 0;
function body(): string {
  const messages: { json: string; messageId: string }[] = [];
  for (let i = 0; i < size; i++) {
    const n = counter++;
    messages.push({ json: pool[n % pool.length] as string, messageId: `${idPrefix}-${n}` });
  }
  if (shape === 'tag') return tagBody(WRITE_KEY, messages, new Date().toISOString());
  return `{"batch":[${messages.map((m) => m.json.replace(/"messageId":"[^"]*"/, `"messageId":"${m.messageId}"`)).join(',')}]}`;
}

function post(text: string): Promise<{ status: number; answer: string }> {
  return new Promise((resolve) => {
    const req = request({ host: target.hostname, port: target.port, path, method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(text) } }, (res) => {
      let answer = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (answer += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, answer }));
    });
    // An answer that never comes must not hang the bench: it counts as a failed request (status 0).
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, answer: 'no answer (connection error or timeout)' }));
    req.end(text);
  });
}

interface Tallies {
  byStatus: Record<string, number>;
  latencies: number[];
  requests: number;
  answers: { answered: number; accepted: number; duplicates: number; rejected: number; samples: string[] };
}
const newTallies = (): Tallies => ({ byStatus: {}, latencies: [], requests: 0, answers: { answered: 0, accepted: 0, duplicates: 0, rejected: 0, samples: [] } });

let tallies = newTallies();
const started = performance.now();
const measureFrom = started + Number(values.warmup) * 1000;
const deadline = measureFrom + Number(seconds) * 1000;
let measuring = false;
let measuredAt = started;

function open(): void {
  if (measuring || performance.now() < measureFrom) return;
  measuring = true;
  measuredAt = performance.now();
  tallies = newTallies();
  console.log(JSON.stringify({ phase: 'measure' }));
}
open();

function tally(w: Tallies, status: number, answer: string): void {
  w.byStatus[status] = (w.byStatus[status] ?? 0) + 1;
  w.requests++;
  if (status !== 200) {
    if (w.answers.samples.length < 3) w.answers.samples.push(`${status} ${answer.slice(0, 300)}`);
    return;
  }
  try {
    const a = JSON.parse(answer) as { accepted?: unknown; duplicates?: unknown; rejected?: unknown };
    if (typeof a.accepted !== 'number') return;
    w.answers.answered++;
    w.answers.accepted += a.accepted;
    w.answers.duplicates += Number(a.duplicates ?? 0);
    const rejected = Array.isArray(a.rejected) ? a.rejected.length : 0;
    w.answers.rejected += rejected;
    if ((rejected || a.accepted !== size) && w.answers.samples.length < 3) w.answers.samples.push(answer.slice(0, 300));
  } catch {
    if (w.answers.samples.length < 3) w.answers.samples.push(`unparsable 200: ${answer.slice(0, 300)}`);
  }
}

await Promise.all(
  Array.from({ length: Number(concurrency) }, async () => {
    while (performance.now() < deadline) {
      const text = body();
      const t = performance.now();
      const { status, answer } = await post(text);
      open();
      tallies.latencies.push(performance.now() - t);
      tally(tallies, status, answer);
    }
  }),
);
const elapsed = (performance.now() - measuredAt) / 1000;
agent.destroy();
const ok = tallies.byStatus['200'] ?? 0;
console.log(
  JSON.stringify({
    requests: tallies.requests,
    events: ok * size,
    errors: tallies.requests - ok,
    byStatus: tallies.byStatus,
    seconds: elapsed,
    latencyMs: { p50: percentile(tallies.latencies, 50), p99: percentile(tallies.latencies, 99) },
    answers: tallies.answers,
  }),
);
