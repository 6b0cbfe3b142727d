/**
 * Alert latency, from the cause to the webhook's receipt, through real sockets: `wrangler dev`
 * (workerd) delivering to the MoEngage sandbox and posting alerts to a webhook double, all on
 * loopback (test/browser/support/alertWorld.ts). Causes: MoEngage answers 401 (pause), an operator
 * resumes, MoEngage refuses an event for good (400: dead letter), MoEngage answers 429 (rate-limit
 * wait). "Cause" is the moment the sandbox received the request it refused (its recorder's clock),
 * or the moment the resume call was made; "receipt" is when the double received the POST. Same
 * process clock for both. `npm run bench alerts` (BENCH_ALERT_ROUNDS, default 5).
 */
import type { ReceivedAlert } from '../../dev/webhook-sink/sink';
import { type AlertWorld, moengageAnswers, operator, startAlertWorld } from '../browser/support/alertWorld';
import type { BenchRow } from './BenchRow';

const ROUNDS = Number(process.env.BENCH_ALERT_ROUNDS ?? 5);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function row(cause: string, samples: number[]): BenchRow {
  return { cause, rounds: samples.length, 'median ms': median(samples), 'min ms': Math.min(...samples), 'max ms': Math.max(...samples) };
}

/** When the sandbox received the first request it answered `status` after request id `after`. */
function refusedAt(world: AlertWorld, status: number, after: number): number {
  const r = world.sandbox.sandbox.requests.find((x) => x.id > after && x.response.status === status);
  if (!r) throw new Error(`no ${status} answer recorded`);
  return r.at;
}

const lastId = (world: AlertWorld) => world.sandbox.sandbox.requests.at(-1)?.id ?? 0;

async function waitAlert(world: AlertWorld, alert: string, state: string, after: number): Promise<ReceivedAlert> {
  return world.sink.sink.waitFor((a) => a.at >= after && a.body.alert === alert && a.body.state === state, 60_000);
}

export async function bench(): Promise<BenchRow[]> {
  const world = await startAlertWorld();
  try {
    let n = 0;
    const paused: number[] = [];
    const resumed: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const mark = lastId(world);
      const since = Date.now();
      await moengageAnswers(world, { status: 401 });
      await world.send(`bench-pause-${round}-${n++}`);
      const fired = await waitAlert(world, 'paused', 'firing', since);
      paused.push(fired.at - refusedAt(world, 401, mark));

      await moengageAnswers(world, null);
      const resumeAt = Date.now();
      const res = await operator(world, '/debugger/api/connections/default/resume');
      if (!res.ok) throw new Error(`resume: ${res.status}`);
      const recovered = await waitAlert(world, 'paused', 'resolved', resumeAt);
      resumed.push(recovered.at - resumeAt);
    }

    let mark = lastId(world);
    let since = Date.now();
    await moengageAnswers(world, { status: 400, count: 1 });
    await world.send('bench-dead-1');
    const dead = await waitAlert(world, 'dead_letters', 'firing', since);
    const deadLetter = dead.at - refusedAt(world, 400, mark);

    mark = lastId(world);
    since = Date.now();
    await moengageAnswers(world, { status: 429, count: 1 });
    await world.send('bench-limited-1');
    const limited = await waitAlert(world, 'rate_limited', 'firing', since);
    const rateLimited = limited.at - refusedAt(world, 429, mark);

    return [row('MoEngage 401 → "paused" alert', paused), row('operator resume → "resumed" alert', resumed), row('MoEngage 400 → "dead_letters" alert', [deadLetter]), row('MoEngage 429 → "rate_limited" alert', [rateLimited])];
  } finally {
    await world.stop();
  }
}
