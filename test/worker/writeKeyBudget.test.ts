/**
 * The write key is public, so spending its limit must not refuse real visitors: an abuser holding
 * the key sends from 50 addresses until each is cut off, then a real visitor sends a few events.
 * Run against the RateLimiter Durable Object (the default) and against Cloudflare's rate limiting
 * bindings (miniflare's simulation), which issue 15 makes the default.
 */
import { reset } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { track, uid } from './corpus/cases';
import { fetchWith, ingestRequest, WITHOUT_RATE_BINDINGS } from './support/configured';
import { DEBUGGER_TOKEN, debuggerEvent, flush, get } from './support/ingest';
import { roomInWindow } from './support/fixedWindow';
import { installSandbox } from './support/sandbox';

afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  await reset();
});

const PER_IP = 20;
const PER_KEY = 100;
const SHARE = 5;
const ABUSER_ADDRESSES = 50;

// Without wrangler.toml's bindings: the RateLimiter Durable Object counts (the bindings' case below binds the test's own).
const limits = { ...WITHOUT_RATE_BINDINGS, INGEST_RATE_PER_IP: String(PER_IP), INGEST_RATE_PER_WRITE_KEY: String(PER_KEY), INGEST_RATE_SHARE_PER_IP: String(SHARE) };
const bindings = (env as unknown as Record<string, unknown>);

interface Outcome {
  abuser: { admitted: number; refused: number; statuses: Set<number> };
  visitor: { statuses: number[]; answers: unknown[]; ids: string[] };
}

/** The abuser sends round-robin from its addresses until every one is refused; then the visitor sends 5 events. */
async function attackThenVisit(settings: Record<string, unknown>, net: string): Promise<Outcome> {
  const abuser = { admitted: 0, refused: 0, statuses: new Set<number>() };
  for (let round = 0; round < PER_IP + 1; round++) {
    const sent = await Promise.all(
      Array.from({ length: ABUSER_ADDRESSES }, (_, a) =>
        fetchWith(settings, ingestRequest('/v1/batch', { batch: [track({ userId: `abuser-${a}` })] }, { 'cf-connecting-ip': `${net}.${a + 1}` })),
      ),
    );
    for (const res of sent) {
      abuser.statuses.add(res.status);
      if (res.status === 200) abuser.admitted++;
      else abuser.refused++;
    }
  }
  const visitor = { statuses: [] as number[], answers: [] as unknown[], ids: [] as string[] };
  for (let i = 0; i < 5; i++) {
    const message = track({ userId: 'real-visitor', event: 'Order Completed', properties: { order_id: uid('order'), revenue: 10 + i, currency: 'GBP' } });
    const res = await fetchWith(settings, ingestRequest('/v1/batch', { batch: [message] }, { 'cf-connecting-ip': '203.0.113.200' }));
    visitor.statuses.push(res.status);
    visitor.answers.push(await res.json());
    visitor.ids.push(message.messageId);
  }
  return { abuser, visitor };
}

/**
 * Runs the attack on a clock held still (Date only; the Worker and the RateLimiter share the
 * isolate) in the middle of a minute that has passed: on a loaded machine an attack that crossed a
 * minute boundary saw the sliding window let a few more requests in, the visitor's included. In
 * the past, so the events it queued are due at once when real time resumes.
 */
async function inOneWindow<T>(attack: () => Promise<T>): Promise<T> {
  const now = Date.now();
  const halfPast = now - (now % 60_000) + 30_000;
  vi.useFakeTimers({ toFake: ['Date'], now: halfPast <= now ? halfPast : halfPast - 60_000 });
  try {
    return await attack();
  } finally {
    vi.useRealTimers();
  }
}

/** Flushes the queue until the visitor's events are delivered (the abuser's admitted events go first, at MoEngage's pace). */
async function expectDelivered(ids: string[], sandbox: ReturnType<typeof installSandbox>['sandbox']) {
  const deadline = Date.now() + 30_000;
  let statuses: unknown[] = [];
  while (Date.now() < deadline) {
    await flush();
    statuses = await Promise.all(ids.map(async (id) => (await debuggerEvent(id))?.status));
    if (statuses.every((s) => s === 'delivered')) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(statuses).toEqual(ids.map(() => 'delivered'));
  const sent = JSON.stringify(sandbox.requests.map((r) => r.body));
  expect(sent.match(/"customer_id":"real-visitor"/g)?.length ?? 0).toBeGreaterThanOrEqual(1);
}

// 1,050 requests per scenario, each refusal counted and logged: generous on a loaded machine.
describe('an abuser spending the public write key cannot refuse real visitors', { timeout: 120_000 }, () => {
  // One request_refused line per refused request (worker/ingest/observeRefusal.ts): not this test's subject.
  beforeEach(() => void vi.spyOn(console, 'warn').mockImplementation(() => undefined));

  it('RateLimiter Durable Object: the visitor’s events are accepted and delivered; the abuser gets the budget plus one share per address', async () => {
    const { sandbox } = installSandbox();
    const { abuser, visitor } = await inOneWindow(() => attackThenVisit(limits, '198.18.1'));

    expect(visitor.statuses).toEqual([200, 200, 200, 200, 200]);
    for (const answer of visitor.answers) expect(answer).toMatchObject({ ok: true, accepted: 1, duplicates: 0, rejected: [] });
    // Budget (100) + 50 addresses × share (5); a minute boundary crossed mid-test may let a few more in.
    expect(abuser.admitted).toBeGreaterThanOrEqual(PER_KEY + ABUSER_ADDRESSES * SHARE);
    expect(abuser.admitted).toBeLessThanOrEqual(PER_KEY + ABUSER_ADDRESSES * SHARE + 5);
    expect(abuser.refused).toBe(ABUSER_ADDRESSES * (PER_IP + 1) - abuser.admitted);
    expect([...abuser.statuses].sort()).toEqual([200, 429]);

    // Events admitted over the budget say so in the debugger.
    const shown = await debuggerEvent(visitor.ids[0]!);
    expect(shown?.omissions).toContainEqual(expect.objectContaining({ reason: 'write_key_over_budget' }));
    await expectDelivered(visitor.ids, sandbox);

    // The refusals are in the rejection log, once per address and window, naming the address's share.
    const log = (await (await get('/debugger/api/rejections?limit=200', { authorization: `Bearer ${DEBUGGER_TOKEN}` })).json()) as {
      recent: { error: string; detail: string }[];
    };
    const refusals = log.recent.filter((r) => r.error === 'rate_limited');
    expect(refusals.length).toBeGreaterThanOrEqual(ABUSER_ADDRESSES);
    expect(refusals.length).toBeLessThanOrEqual(2 * ABUSER_ADDRESSES);
    expect(refusals.some((r) => r.detail.includes('write key from this address'))).toBe(true);
  });

  it('Cloudflare rate limiting bindings (simulated): the same, with the budget and shares counted by the bindings', async () => {
    const { sandbox } = installSandbox();
    const settings = {
      ...limits,
      INGEST_IP_RATE_LIMIT: bindings.TEST_ABUSE_IP_RATE_LIMIT,
      INGEST_WRITE_KEY_RATE_LIMIT: bindings.TEST_ABUSE_KEY_RATE_LIMIT,
      INGEST_SHARE_RATE_LIMIT: bindings.TEST_ABUSE_SHARE_RATE_LIMIT,
    };
    await roomInWindow(20_000); // the simulated bindings' fixed windows: the attack fits in one
    const { abuser, visitor } = await attackThenVisit(settings, '198.18.2');
    expect(visitor.statuses).toEqual([200, 200, 200, 200, 200]);
    // The simulated bindings count fixed windows per key; the budget may have been partly spent by
    // the first test's run in this isolate, never more than budget + shares.
    expect(abuser.admitted).toBeLessThanOrEqual(PER_KEY + ABUSER_ADDRESSES * SHARE);
    expect(abuser.admitted).toBeGreaterThanOrEqual(ABUSER_ADDRESSES * SHARE);
    await expectDelivered(visitor.ids, sandbox);
  });

  it('INGEST_RATE_SHARE_PER_IP=0 makes the write key’s limit a hard cap again (the visitor is refused)', async () => {
    installSandbox();
    const { abuser, visitor } = await inOneWindow(() => attackThenVisit({ ...limits, INGEST_RATE_SHARE_PER_IP: '0' }, '198.18.3'));
    expect(abuser.admitted).toBeLessThanOrEqual(PER_KEY + 2);
    expect(visitor.statuses).toEqual([429, 429, 429, 429, 429]);
    expect(visitor.answers[0]).toMatchObject({ error: 'rate_limited', detail: expect.stringContaining('write key;') });
  });

  it('0 turns the per-address and per-key limits off, even where a binding is bound', async () => {
    installSandbox();
    const off = {
      INGEST_RATE_PER_IP: '0',
      INGEST_RATE_PER_WRITE_KEY: '0',
      INGEST_IP_RATE_LIMIT: bindings.TEST_TIGHT_RATE_LIMIT,
      INGEST_WRITE_KEY_RATE_LIMIT: bindings.TEST_TIGHT_RATE_LIMIT,
    };
    for (let i = 0; i < 6; i++) {
      expect((await fetchWith(off, ingestRequest('/v1/batch', { batch: [track()] }, { 'cf-connecting-ip': '192.0.2.250' }))).status).toBe(200);
    }
  });
});
