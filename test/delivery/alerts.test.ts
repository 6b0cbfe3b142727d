/**
 * Delivery alerts end to end in workerd: MoEngage (the sandbox) misbehaves, the queues report, the
 * connection's alerts object judges and posts to two webhooks (a Slack-style and a Teams-style
 * incoming webhook, answered by the strict double in dev/webhook-sink/ at the network edge). The
 * clock is the test's: queue and alerts alarms run in time order, as the runtime would run them.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWebhookSink, type ReceivedAlert } from '../../dev/webhook-sink/sink';
import type { AlertsView } from '../../worker/debugger/alerts';
import { assertNoSecrets, secretsIn } from '../worker/support/secrets';
import { alertsOf, cleanup, DEBUGGER_TOKEN, enqueue, get, installSandbox, operator, queue, SANDBOX_BASE, setClock, startClock, statuses, T0, trackRecord } from './support/harness';

const WEBHOOKS = 'https://hooks.webhook.test/';

beforeEach(() => startClock());
afterEach(cleanup);

/** The sandbox answers MoEngage's URLs, the webhook double the alerts' (both at the outbound fetch). */
function installWorld() {
  const { sandbox, fetchSpy } = installSandbox();
  const sink = createWebhookSink();
  fetchSpy.mockImplementation(async (input, init) => {
    const request = new Request(input as RequestInfo, init);
    if (request.url.startsWith(WEBHOOKS)) return sink.handle(request);
    if (!request.url.startsWith(`${SANDBOX_BASE}/`)) throw new TypeError(`test tried to reach ${request.url}`);
    return sandbox.handle(request);
  });
  return { sandbox, sink };
}

const alarmAt = (stub: DurableObjectStub) => runInDurableObject(stub, (_i, state) => state.storage.getAlarm());

/** Runs the connection's queue and alerts alarms in time order up to `until`, then leaves the clock there. */
async function runAll(connection: string, until: number): Promise<void> {
  const stubs = [queue(connection), alertsOf(connection)];
  for (let ran = 0; ; ran++) {
    if (ran > 5_000) throw new Error('too many alarms');
    const alarms = await Promise.all(stubs.map(async (stub) => ({ stub, at: await alarmAt(stub) })));
    const due = alarms.flatMap((a) => (a.at !== null && a.at <= until ? [{ stub: a.stub, at: a.at }] : [])).sort((a, b) => a.at - b.at)[0];
    if (!due) break;
    if (due.at > Date.now()) setClock(due.at);
    await runDurableObjectAlarm(due.stub);
  }
  if (until > Date.now()) setClock(until);
}

const of = (sink: ReturnType<typeof createWebhookSink>, alert: string, state?: string) =>
  sink.accepted().filter((a) => a.body.alert === alert && (state === undefined || a.body.state === state));

function expectBothWebhooks(alerts: ReceivedAlert[]) {
  expect(alerts.map((a) => a.flavour).sort()).toEqual(['slack', 'teams']);
  // One alert, the same body to each: a receiver can drop repeats by id.
  expect(alerts[0]!.body).toEqual(alerts[1]!.body);
}

describe('a paused connection', () => {
  it('alerts once when MoEngage refuses the key (401), not again while paused, and once when resumed', async () => {
    const { sandbox, sink } = installWorld();
    sandbox.faults.add({ status: 401 });
    await enqueue('main', [trackRecord('u1', { id: 'e1' })]);
    await runAll('main', T0 + 5_000);

    const refusal = sandbox.requests.find((r) => r.response.status === 401);
    expect(refusal).toBeDefined();
    const firing = of(sink, 'paused', 'firing');
    expectBothWebhooks(firing);
    const body = firing[0]!.body;
    expect(body).toMatchObject({
      source: 'edgetag',
      connection: 'main',
      alert: 'paused',
      state: 'firing',
      severity: 'critical',
      link: 'https://t.shop.test/debugger#connection=main&status=paused',
      facts: { reason: 'moengage_unauthorized', waiting: 1 },
    });
    // Slack and Teams show `text` alone: the summary and a link to the debugger filtered to the cause.
    expect(body.text).toMatch(/^🔴 edgetag · main: delivery paused: HTTP 401 .*check the workspace ID and Data API key.*; 1 event waiting https:\/\/t\.shop\.test\/debugger#connection=main&status=paused$/);
    // Sent in the alarm the pause scheduled for that same moment: no wait between the 401 and the webhook.
    expect(firing[0]!.at).toBe(refusal!.at);

    // Ten more minutes paused, more events, the queue's minute checks and the alerts' watch: no storm.
    await enqueue('main', [trackRecord('u2', { id: 'e2' })]);
    await runAll('main', T0 + 10 * 60_000);
    expect(of(sink, 'paused')).toHaveLength(2);

    sandbox.faults.clear();
    expect((await operator('/debugger/api/connections/main/resume', {})).status).toBe(200);
    await runAll('main', Date.now() + 5_000);
    const resumed = of(sink, 'paused', 'resolved');
    expectBothWebhooks(resumed);
    expect(resumed[0]!.body).toMatchObject({ severity: 'resolved', startedAt: new Date(refusal!.at).toISOString() });
    expect(resumed[0]!.body.text).toMatch(/^✅ edgetag · main: delivery resumed after 10 min paused https:\/\/t\.shop\.test\/debugger#connection=main&status=paused$/);
    expect(await statuses('main')).toEqual({ delivered: 2 });
    // Every alert, as sent: never a webhook URL, a key or a token.
    expect(secretsIn(JSON.stringify(sink.received.map((r) => r.body)))).toEqual([]);
  });
});

describe('dead letters', () => {
  it('alert when MoEngage refuses an event for good, and recover when the 10-minute window has none', async () => {
    const { sink } = installWorld();
    await enqueue('main', [trackRecord('u1', { id: 'good' }), trackRecord('u2', { id: 'poison', action: 'moe_reserved' })]);
    await runAll('main', T0 + 60_000);
    expect(await statuses('main')).toEqual({ delivered: 1, dead: 1 });
    const firing = of(sink, 'dead_letters', 'firing');
    expectBothWebhooks(firing);
    expect(firing[0]!.body).toMatchObject({ facts: { count: 1, threshold: 1, windowMinutes: 10 }, link: 'https://t.shop.test/debugger#connection=main&status=dead&since=15m' });
    expect(firing[0]!.body.text).toMatch(/^🔴 edgetag · main: 1 event dead-lettered in the last 10 minutes https:/);

    await runAll('main', T0 + 9 * 60_000);
    expect(of(sink, 'dead_letters', 'resolved')).toEqual([]);
    await runAll('main', T0 + 12 * 60_000);
    const resolved = of(sink, 'dead_letters', 'resolved');
    expectBothWebhooks(resolved);
    // The window closes 10 minutes after the dead letter arrived.
    expect(resolved[0]!.at - firing[0]!.at).toBe(10 * 60_000);
  });
});

describe('the backlog', () => {
  it('alerts when the oldest queued event is older than ALERT_BACKLOG_MINUTES during an outage, and recovers after a calm minute', async () => {
    const { sandbox, sink } = installWorld();
    sandbox.faults.add({ status: 503 });
    await enqueue('main', [trackRecord('u1')]);
    await runAll('main', T0 + 14 * 60_000);
    expect(of(sink, 'backlog_age')).toEqual([]);
    await runAll('main', T0 + 15 * 60_000 + 5_000);
    const firing = of(sink, 'backlog_age', 'firing');
    expectBothWebhooks(firing);
    // Judged on the alerts' own clock: at the moment the event passed 15 minutes, not at the queue's next retry.
    expect(firing[0]!.at).toBe(T0 + 15 * 60_000 + 1);
    expect(firing[0]!.body).toMatchObject({ severity: 'warning', facts: { oldestAgeMinutes: 15, thresholdMinutes: 15, waiting: 1 } });

    sandbox.faults.clear();
    await runAll('main', T0 + 30 * 60_000);
    expect(await statuses('main')).toEqual({ delivered: 1 });
    const resolved = of(sink, 'backlog_age', 'resolved');
    expectBothWebhooks(resolved);
    const deliveredAt = sandbox.requests.find((r) => r.response.status === 200)!.at;
    expect(resolved[0]!.at).toBe(deliveredAt + 60_000);
    expect(of(sink, 'backlog_age')).toHaveLength(4);
  });

  it('alerts when a batch takes the backlog above 80 % of MAX_BACKLOG_EVENTS, and recovers once it drains', async () => {
    const { sink } = installWorld();
    // "tiny": MAX_BACKLOG_EVENTS = 20. Ingest's own check: no alarm needed for the alert.
    await enqueue('tiny', Array.from({ length: 17 }, (_, i) => trackRecord(`u${i}`)));
    await runDurableObjectAlarm(alertsOf('tiny'));
    const firing = of(sink, 'backlog_size', 'firing');
    expectBothWebhooks(firing);
    expect(firing[0]!.at).toBe(T0);
    expect(firing[0]!.body.text).toMatch(/^🔴 edgetag · tiny: backlog at 85 % of MAX_BACKLOG_EVENTS \(17 of 20\); at 100 % ingest answers 503 backlog_full https:\/\/t\.shop\.test\/debugger#connection=tiny&status=queued$/);

    await runAll('tiny', T0 + 5 * 60_000);
    expect(await statuses('tiny')).toEqual({ delivered: 17 });
    expectBothWebhooks(of(sink, 'backlog_size', 'resolved'));
  });
});

describe('a rate-limit wait MoEngage imposes', () => {
  it('alerts on the 429 and recovers a calm minute after the wait ends', async () => {
    const { sandbox, sink } = installWorld();
    sandbox.faults.add({ status: 429, count: 1, headers: { 'retry-after': '30' } });
    await enqueue('main', [trackRecord('u1')]);
    await runAll('main', T0 + 10_000);
    const firing = of(sink, 'rate_limited', 'firing');
    expectBothWebhooks(firing);
    // The wait the queue keeps (MoEngage's reset headers and Retry-After decide it: delivery/limiter.ts).
    const until = (await queue('main').health('main')).rateLimitedUntil!;
    expect(until).toBeGreaterThan(sandbox.requests[0]!.at);
    expect(firing[0]!.body).toMatchObject({ severity: 'warning', facts: { until: new Date(until).toISOString() } });
    expect(firing[0]!.body.text).toMatch(/MoEngage imposed a rate-limit wait until \d\d:\d\d:\d\d UTC; 1 event waiting/);

    await runAll('main', T0 + 5 * 60_000);
    expect(await statuses('main')).toEqual({ delivered: 1 });
    const resolved = of(sink, 'rate_limited', 'resolved');
    expectBothWebhooks(resolved);
    expect(resolved[0]!.at).toBeGreaterThanOrEqual(until + 60_000);
    expect(resolved[0]!.at).toBeLessThan(until + 120_000);
  });
});

describe('webhook delivery', () => {
  async function pauseMain() {
    const env = installWorld();
    env.sandbox.faults.add({ status: 401 });
    await enqueue('main', [trackRecord('u1')]);
    return env;
  }

  it('retries a failing webhook with backoff until it takes the alert, and the debugger shows each delivery (hosts only)', async () => {
    const { sink } = await pauseMain();
    sink.fault({ status: 503, count: 2 });
    await runAll('main', T0 + 5_000);
    expect(sink.received.map((r) => r.status)).toEqual([503, 503]);
    await runAll('main', T0 + 60_000);
    expect(sink.received.map((r) => r.status)).toEqual([503, 503, 200, 200]);
    // First attempt when the 401 came (T0 + 1 s), the second 10 s later.
    expect(sink.received[2]!.at - sink.received[0]!.at).toBe(10_000);

    const res = await get('/debugger/api/alerts', { authorization: `Bearer ${DEBUGGER_TOKEN}` });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    await assertNoSecrets(res, 'GET /debugger/api/alerts');
    const view = (await res.json()) as AlertsView;
    expect(view.webhooks).toEqual(['hooks.webhook.test', 'hooks.webhook.test']);
    expect(view.thresholds).toEqual({ deadLetters: 1, deadLetterWindowMinutes: 10, backlogMinutes: 15, backlogPercent: 80 });
    const main = view.connections.find((c) => c.connection === 'main')!;
    expect(main.firing).toEqual([{ alert: 'paused', since: T0 + 1_000, facts: expect.objectContaining({ reason: 'moengage_unauthorized' }) }]);
    expect(main.recent).toHaveLength(1);
    expect(main.recent[0]).toMatchObject({ alert: 'paused', state: 'firing', link: 'https://t.shop.test/debugger#connection=main&status=paused' });
    expect(main.recent[0]!.deliveries).toEqual([
      { host: 'hooks.webhook.test', status: 'delivered', attempts: 2, lastStatus: 200, lastError: null, nextAt: null, deliveredAt: T0 + 11_000 },
      { host: 'hooks.webhook.test', status: 'delivered', attempts: 2, lastStatus: 200, lastError: null, nextAt: null, deliveredAt: T0 + 11_000 },
    ]);
    expect(main.raised).toEqual([{ kind: 'paused', state: 'firing', n: 1 }]);
  });

  it('gives up at once on an answer retrying cannot change (a revoked Slack webhook: 404 no_service)', async () => {
    const { sink } = await pauseMain();
    sink.fault({ status: 404 });
    await runAll('main', T0 + 10 * 60_000);
    expect(sink.received.map((r) => r.status)).toEqual([404, 404]);
    const view = (await (await get('/debugger/api/alerts', { authorization: `Bearer ${DEBUGGER_TOKEN}` })).json()) as AlertsView;
    const deliveries = view.connections.find((c) => c.connection === 'main')!.recent[0]!.deliveries;
    expect(deliveries.map((d) => [d.status, d.attempts, d.lastError]).sort()).toEqual([
      ['failed', 1, 'HTTP 404 Not Found'],
      ['failed', 1, 'HTTP 404 no_service'],
    ]);
  });

  it('a webhook that hangs never holds delivery up: the queue keeps delivering and reporting while the alert waits', { timeout: 30_000 }, async () => {
    const { sandbox, sink } = await pauseMain();
    // Real milliseconds (only Date is faked): the webhooks take 10 s to answer the first alert (a
    // hold released from the test cannot be used: the sink answers in the alerts object's context).
    sink.fault({ delayMs: 10_000, count: 2 });
    await runDurableObjectAlarm(queue('main')); // the 401: paused, reported
    const sending = runDurableObjectAlarm(alertsOf('main')); // now waiting for the webhooks' answers
    let answered = false;
    void sending.finally(() => (answered = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(sink.received).toHaveLength(0);

    sandbox.faults.clear();
    expect((await operator('/debugger/api/connections/main/resume', {})).status).toBe(200);
    await enqueue('main', Array.from({ length: 50 }, (_, i) => trackRecord(`v${i}`)));
    for (let i = 0; i < 5 && Object.keys(await statuses('main')).some((s) => s !== 'delivered'); i++) {
      setClock(Date.now() + 1_000);
      await runDurableObjectAlarm(queue('main'));
    }
    expect(await statuses('main')).toEqual({ delivered: 51 });
    // The resume was judged while the webhook still hung (its alert waits in the outbox).
    const state = await runInDurableObject(alertsOf('main'), (_i, s) => s.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM alerts').one().n);
    expect(state).toBe(2);
    // All of that happened while the webhooks still held their answers: the check is on that state,
    // not on a time bound (which a loaded machine broke).
    expect(answered).toBe(false);
    expect(sink.received).toHaveLength(0);

    await sending;
    await runAll('main', Date.now() + 60_000);
    expect(of(sink, 'paused').map((a) => a.body.state)).toEqual(['firing', 'firing', 'resolved', 'resolved']);
  });
});
