import { reset, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hit } from '../../worker/abuse/slidingWindow';
import { lockoutMs } from '../../worker/abuse/lockout';
import { clientIpOf } from '../../worker/abuse/clientIp';
import { track } from './corpus/cases';
import { fetchWith, ingestRequest, WITHOUT_RATE_BINDINGS } from './support/configured';
import { DEBUGGER_TOKEN, get, post } from './support/ingest';
import { roomInWindow } from './support/fixedWindow';
import { installSandbox } from './support/sandbox';

beforeEach(() => installSandbox());
afterEach(async () => {
  vi.restoreAllMocks();
  await reset();
});

const batch = () => ({ batch: [track()] });

describe('per-address and per-write-key ingest rate limits (RateLimiter Durable Object, where no binding is bound)', () => {
  const tight = { ...WITHOUT_RATE_BINDINGS, INGEST_RATE_PER_IP: '3', INGEST_RATE_PER_WRITE_KEY: '0' };

  it('answers 429 with Retry-After once an address passes its limit, and only that address', async () => {
    const from = (ip: string) => ingestRequest('/v1/batch', batch(), { 'cf-connecting-ip': ip });
    for (let i = 0; i < 3; i++) expect((await fetchWith(tight, from('203.0.113.7'))).status).toBe(200);
    const refused = await fetchWith(tight, from('203.0.113.7'));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(await refused.json()).toMatchObject({ error: 'rate_limited', detail: expect.stringContaining('client address') });
    expect((await fetchWith(tight, from('203.0.113.8'))).status).toBe(200);
  });

  it('counts an IPv6 /64 as one address', async () => {
    const from = (ip: string) => ingestRequest('/v1/batch', batch(), { 'cf-connecting-ip': ip });
    for (const suffix of ['1', '2', '3']) expect((await fetchWith(tight, from(`2001:db8:1:2::${suffix}`))).status).toBe(200);
    expect((await fetchWith(tight, from('2001:db8:1:2:ffff::9'))).status).toBe(429);
    expect((await fetchWith(tight, from('2001:db8:1:3::1'))).status).toBe(200);
  });

  it('limits per write key beyond each address’s share, and logs the first refusal of a window once in the debugger', async () => {
    const perKey = { ...WITHOUT_RATE_BINDINGS, INGEST_RATE_PER_IP: '0', INGEST_RATE_PER_WRITE_KEY: '2', INGEST_RATE_SHARE_PER_IP: '1' };
    const send = () => fetchWith(perKey, ingestRequest('/v1/batch', batch(), { 'cf-connecting-ip': '203.0.113.60' }));
    // Two within the key's budget, one more within this address's share.
    for (let i = 0; i < 3; i++) expect((await send()).status).toBe(200);
    const fourth = await send();
    const fifth = await send();
    expect([fourth.status, fifth.status]).toEqual([429, 429]);
    expect(await fourth.json()).toMatchObject({ error: 'rate_limited', detail: expect.stringContaining('write key from this address') });
    const log = (await (await get('/debugger/api/rejections', { authorization: `Bearer ${DEBUGGER_TOKEN}` })).json()) as { counts: { error: string; count: number }[] };
    expect(log.counts.find((c) => c.error === 'rate_limited')?.count).toBe(1);
  });

  it('carries CORS headers on a 429 so the tag can read Retry-After', async () => {
    const settings = { ...tight, ALLOWED_ORIGINS: 'https://shop.example' };
    const send = () => fetchWith(settings, ingestRequest('/i', batch(), { 'cf-connecting-ip': '198.51.100.1', origin: 'https://shop.example' }));
    for (let i = 0; i < 3; i++) expect((await send()).status).toBe(200);
    const refused = await send();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(refused.headers.get('access-control-expose-headers')).toContain('retry-after');
  });

  it('0 turns a limit off', async () => {
    const off = { INGEST_RATE_PER_IP: '0', INGEST_RATE_PER_WRITE_KEY: '0' };
    for (let i = 0; i < 10; i++) expect((await fetchWith(off, ingestRequest('/v1/batch', batch(), { 'cf-connecting-ip': '203.0.113.50' }))).status).toBe(200);
  });

  it('refuses a malformed limit as misconfiguration, naming the setting', async () => {
    const res = await fetchWith({ INGEST_RATE_PER_IP: 'lots' }, ingestRequest('/v1/batch', batch()));
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'misconfigured', detail: expect.stringContaining('INGEST_RATE_PER_IP') });
  });
});

// These wait (up to 15 s) for room in the simulated bindings' fixed window: a bound on waiting.
describe('wrangler.toml binds Cloudflare’s rate limiting bindings by default', { timeout: 30_000 }, () => {
  const bound = env as unknown as Record<string, RateLimit | undefined>;

  it('serves all three locally (miniflare), with wrangler.toml’s limits', async () => {
    for (const name of ['INGEST_IP_RATE_LIMIT', 'INGEST_WRITE_KEY_RATE_LIMIT', 'INGEST_SHARE_RATE_LIMIT']) {
      expect(typeof bound[name]?.limit, name).toBe('function');
    }
    // The share binding: 120 a minute per key, then refused.
    const key = `probe|${crypto.randomUUID()}`;
    await roomInWindow(10_000); // all 121 in one of the simulation's fixed windows
    const results = [];
    for (let i = 0; i < 121; i++) results.push((await bound.INGEST_SHARE_RATE_LIMIT!.limit({ key })).success);
    expect(results.filter(Boolean)).toHaveLength(120);
    expect(results[120]).toBe(false);
  });

  it('the collector, with its default settings, asks the bound per-address limit (an address that spent it is refused)', async () => {
    const ip = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
    await roomInWindow(15_000); // spent and asked within one of the simulation's fixed windows
    for (let i = 0; i < 1200; i++) await bound.INGEST_IP_RATE_LIMIT!.limit({ key: ip });
    const res = await post('/v1/batch', batch(), { 'cf-connecting-ip': ip });
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ error: 'rate_limited', detail: expect.stringContaining('client address') });
    expect((await post('/v1/batch', batch(), { 'cf-connecting-ip': '198.51.100.251' })).status).toBe(200);
  });
});

describe('Cloudflare rate limiting binding (miniflare simulation) takes over when bound', { timeout: 30_000 }, () => {
  it('refuses past the binding’s own limit (2 per 60 s here), whatever INGEST_RATE_PER_IP says', async () => {
    const settings = { INGEST_IP_RATE_LIMIT: (env as unknown as Record<string, unknown>).TEST_TIGHT_RATE_LIMIT, INGEST_RATE_PER_IP: '1000' };
    const ip = `192.0.2.${Math.floor(Math.random() * 250)}`;
    await roomInWindow(10_000);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetchWith(settings, ingestRequest('/v1/batch', batch(), { 'cf-connecting-ip': ip }))).status);
    expect(statuses).toEqual([200, 200, 429]);
  });
});

describe('sliding window (pure)', () => {
  const W = 60_000;
  it('allows `limit` requests per window and refuses the next with the wait', () => {
    let state;
    const decisions = [];
    for (let i = 0; i < 4; i++) {
      const r = hit(state, 120_000 + i, 3, W);
      state = r.state;
      decisions.push(r.decision);
    }
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions[3]).toEqual({ allowed: false, retryAfterSeconds: 60, firstRefusal: true });
    expect(hit(state, 120_010, 3, W).decision.firstRefusal).toBe(false);
  });
  it('weighs the previous window by its overlap, so a burst at the edge cannot double the rate', () => {
    let state = hit(undefined, 59_000, 1, W).state; // window [0, 60 s): 1 request
    state = { ...state, current: 10 };
    // At 61 s, 98% of the previous window still overlaps: 10 × 0.98 ≥ 10 → refused.
    expect(hit(state, 61_000, 10, W).decision.allowed).toBe(false);
    // At 115 s only 8% overlaps: 0.8 + 0 < 10 → allowed.
    expect(hit(state, 115_000, 10, W).decision.allowed).toBe(true);
    // Two windows later the past is forgotten.
    expect(hit(state, 180_000, 1, W).decision.allowed).toBe(true);
  });
});

describe('client address', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
  ])('%s → %s', (ip, key) => {
    expect(clientIpOf(new Request('http://x/', { headers: { 'cf-connecting-ip': ip } }))).toBe(key);
  });
  it('is unknown without CF-Connecting-IP (no per-address limit then)', () => {
    expect(clientIpOf(new Request('http://x/'))).toBeUndefined();
  });
});

describe('debugger token brute force', () => {
  const attempt = (token: string, ip = '198.51.100.77') => get('/debugger/api/events', { authorization: `Bearer ${token}`, 'cf-connecting-ip': ip });

  it.each([
    [0, 0], [4, 0], [5, 1000], [6, 2000], [10, 32_000], [15, 900_000], [40, 900_000],
  ])('lockout after %i failures is %i ms', (failures, ms) => {
    expect(lockoutMs(failures)).toBe(ms);
  });

  it('locks an address out after 5 wrong tokens: even the right token waits (429 + Retry-After)', async () => {
    for (let i = 0; i < 4; i++) expect((await attempt(`guess-${i}`)).status).toBe(401);
    expect((await attempt(DEBUGGER_TOKEN)).status).toBe(200); // a right token before lockout clears the record
    for (let i = 0; i < 5; i++) expect((await attempt(`guess-${i}`)).status).toBe(401);
    const locked = await attempt(DEBUGGER_TOKEN);
    expect(locked.status).toBe(429);
    expect(await locked.json()).toMatchObject({ error: 'too_many_attempts' });
    expect(Number(locked.headers.get('retry-after'))).toBe(1);
    // Another address is not affected.
    expect((await attempt(DEBUGGER_TOKEN, '198.51.100.78')).status).toBe(200);
  });

  it('forgets failure records (client addresses) after an hour, by alarm', async () => {
    await attempt('wrong-1', '198.51.100.90');
    const guard = env.RATE_LIMITER!.getByName('debugger-login');
    await runInDurableObject(guard, async (_instance, state) => {
      await state.storage.put('failures:198.51.100.91', { failures: 3, lastAt: Date.now() - 2 * 3_600_000, lockedUntil: 0 });
    });
    expect(await runDurableObjectAlarm(guard)).toBe(true);
    const keys = await runInDurableObject(guard, async (_instance, state) => [...(await state.storage.list({ prefix: 'failures:' })).keys()]);
    expect(keys).toEqual(['failures:198.51.100.90']);
  });
});
