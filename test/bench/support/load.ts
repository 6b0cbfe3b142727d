/**
 * Loopback load generator, run as its own process by test/bench/delivery.ts:
 *   node --import tsx test/bench/support/load.ts <url> <seconds> <concurrency> <batchSize> <idPrefix>
 * POSTs /v1/batch bodies of `batchSize` unique events over keep-alive connections for `seconds`
 * and prints one JSON line: {requests, events, errors, byStatus, seconds, latencyMs:{p50,p99}}.
 */
import { Agent, request } from 'node:http';
import { percentile, retailWorkload } from './workload';

const [url = '', seconds = '10', concurrency = '32', batchSize = '20', idPrefix = 'load'] = process.argv.slice(2);
const target = new URL(url);
const agent = new Agent({ keepAlive: true, maxSockets: Number(concurrency) });
const size = Number(batchSize);

// A pool of realistic messages; each request takes `size` of them with fresh messageIds.
const pool = retailWorkload({ events: 2_000, customers: 2_000, idPrefix: 'pool', timestamp: new Date().toISOString() }).map((m) => JSON.stringify(m));
const auth = `Basic ${Buffer.from('bench-write-key:').toString('base64')}`;

let counter = 0;
function body(): string {
  const messages: string[] = [];
  for (let i = 0; i < size; i++) {
    const n = counter++;
    const m = pool[n % pool.length] as string;
    messages.push(m.replace(/"messageId":"[^"]*"/, `"messageId":"${idPrefix}-${n}"`));
  }
  return `{"batch":[${messages.join(',')}]}`;
}

function post(text: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      { host: target.hostname, port: target.port, path: '/v1/batch', method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: auth, 'content-length': Buffer.byteLength(text) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(text);
  });
}

const byStatus: Record<string, number> = {};
const latencies: number[] = [];
let requests = 0;
const started = performance.now();
const deadline = started + Number(seconds) * 1000;

await Promise.all(
  Array.from({ length: Number(concurrency) }, async () => {
    while (performance.now() < deadline) {
      const text = body();
      const t = performance.now();
      const status = await post(text);
      latencies.push(performance.now() - t);
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      requests++;
    }
  }),
);
const elapsed = (performance.now() - started) / 1000;
agent.destroy();
const ok = byStatus['200'] ?? 0;
console.log(
  JSON.stringify({
    requests,
    events: ok * size,
    errors: requests - ok,
    byStatus,
    seconds: elapsed,
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
  }),
);
