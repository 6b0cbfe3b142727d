import { reset } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSegments } from '../../../tag/src/segments';
import { debuggerGet, hashOf, readSegments, send, syncPage } from '../support/segments';

// Each test starts Durable Objects afresh (after reset()); on a shared 2-core machine that takes seconds.
vi.setConfig({ testTimeout: 30_000 });

afterEach(async () => {
  vi.restoreAllMocks();
  await reset();
});

async function seedSegments() {
  await syncPage({ sync: 'sync-vip', name: 'VIP customers', add: ['u_8842', 'u_1'] });
  await syncPage({ sync: 'sync-cart', name: 'Cart abandoners', add: ['u_8842'] });
}

describe('GET /v1/segments: the signed-in visitor’s segments', () => {
  it('answers the segments of the user the site vouches for, sorted by name', async () => {
    await seedSegments();
    const res = await readSegments('u_8842');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      segments: [
        { id: 'sync-cart', name: 'Cart abandoners' },
        { id: 'sync-vip', name: 'VIP customers' },
      ],
    });
    expect(await (await readSegments('u_1')).json()).toEqual({ segments: [{ id: 'sync-vip', name: 'VIP customers' }] });
    expect(await (await readSegments('u_nobody')).json()).toEqual({ segments: [] });
  });

  it('reflects a later difference (removal) on the next uncached read', async () => {
    await seedSegments();
    await syncPage({ sync: 'sync-vip', name: 'VIP customers', execution: 'e2', remove: ['u_8842'] });
    expect(await (await readSegments('u_8842')).json()).toEqual({ segments: [{ id: 'sync-cart', name: 'Cart abandoners' }] });
  });
});

describe('no one can list another user’s segments', () => {
  it.each([
    ['another user’s valid hash', async () => hashOf('u_1')],
    ['a hash made with another secret', async () => hashOf('u_8842', 'guessed-secret')],
    ['a malformed hash', async () => 'not-a-hash'],
    ['an uppercase-hex hash of another user', async () => (await hashOf('u_1')).toUpperCase()],
  ])('refuses %s with 403 invalid_user_hash', async (_case, hash) => {
    await seedSegments();
    const res = await readSegments('u_8842', { hash: await hash() });
    expect(res.status).toBe(403);
    const body = await res.text();
    expect(JSON.parse(body)).toMatchObject({ error: 'invalid_user_hash' });
    expect(body).not.toContain('VIP');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('accepts the same hash in uppercase hex (it is the same proof)', async () => {
    await seedSegments();
    const res = await readSegments('u_1', { hash: (await hashOf('u_1')).toUpperCase() });
    expect(res.status).toBe(200);
  });

  it('answers 400 missing_identity without user_id and user_hash (anonymous visitors)', async () => {
    const res = await send(new Request('https://collector.test/v1/segments?user_id=u_8842'));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'missing_identity' });
    expect((await send(new Request('https://collector.test/v1/segments'))).status).toBe(400);
  });

  it('answers 503 segments_read_disabled when SEGMENTS_IDENTITY_SECRET is not set', async () => {
    await seedSegments();
    const res = await readSegments('u_8842', { overrides: { SEGMENTS_IDENTITY_SECRET: undefined } });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'segments_read_disabled' });
  });

  it('has no unauthenticated way to list members: the user lookup needs the debugger token', async () => {
    await seedSegments();
    const res = await debuggerGet('/debugger/api/segments/users/u_8842', { headers: { authorization: '' } });
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('VIP');
    expect((await send(new Request('https://collector.test/v1/segments/sync-vip'))).status).toBe(404);
  });

  it('shows only the segments listed in SEGMENTS_VISIBLE (by name or sync id)', async () => {
    await seedSegments();
    const byName = await readSegments('u_8842', { overrides: { SEGMENTS_VISIBLE: 'VIP customers' } });
    expect(await byName.json()).toEqual({ segments: [{ id: 'sync-vip', name: 'VIP customers' }] });
    const byId = await readSegments('u_8842', { overrides: { SEGMENTS_VISIBLE: 'sync-cart, other' } });
    expect(await byId.json()).toEqual({ segments: [{ id: 'sync-cart', name: 'Cart abandoners' }] });
  });
});

describe('browser access: CORS like the ingest', () => {
  it('echoes an origin listed in ALLOWED_ORIGINS (and answers * when any origin may read)', async () => {
    await seedSegments();
    const overrides = { ALLOWED_ORIGINS: 'https://shop.example.com' };
    const res = await readSegments('u_8842', { headers: { origin: 'https://shop.example.com' }, overrides });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    expect(res.headers.get('vary')).toContain('Origin');
    const any = await readSegments('u_8842', { headers: { origin: 'https://shop.example.com' } });
    expect(any.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('refuses an origin outside ALLOWED_ORIGINS with 403', async () => {
    await seedSegments();
    const overrides = { ALLOWED_ORIGINS: 'https://shop.example.com' };
    const res = await readSegments('u_8842', { headers: { origin: 'https://evil.example' }, overrides });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'origin_not_allowed' });
    const ok = await readSegments('u_8842', { headers: { origin: 'https://shop.example.com' }, overrides });
    expect(ok.status).toBe(200);
  });
});

describe('edge cache', () => {
  it('answers private, max-age and serves the edge copy for SEGMENTS_CACHE_SECONDS', async () => {
    const user = `cache-${crypto.randomUUID()}`;
    await syncPage({ add: [user] });
    const cached = { SEGMENTS_CACHE_SECONDS: '30' };
    const first = await readSegments(user, { overrides: cached });
    expect(first.headers.get('cache-control')).toBe('private, max-age=30');
    expect(first.headers.get('x-edgetag-cache')).toBe('miss');
    expect(await first.json()).toEqual({ segments: [{ id: 'sync-vip', name: 'VIP customers' }] });

    await syncPage({ execution: 'e2', remove: [user] });
    const second = await readSegments(user, { overrides: cached });
    expect(second.headers.get('x-edgetag-cache')).toBe('hit');
    expect(second.headers.get('cache-control')).toBe('private, max-age=30');
    expect(await second.json()).toEqual({ segments: [{ id: 'sync-vip', name: 'VIP customers' }] });

    // Without caching the removal shows at once.
    const fresh = await readSegments(user);
    expect(fresh.headers.get('cache-control')).toBe('no-store');
    expect(await fresh.json()).toEqual({ segments: [] });
  });

  it('never serves one user’s cached answer to another', async () => {
    const [a, b] = [`cache-a-${crypto.randomUUID()}`, `cache-b-${crypto.randomUUID()}`];
    await syncPage({ add: [a] });
    const cached = { SEGMENTS_CACHE_SECONDS: '30' };
    expect(await (await readSegments(a, { overrides: cached })).json()).toMatchObject({ segments: [{ id: 'sync-vip' }] });
    const other = await readSegments(b, { overrides: cached });
    expect(other.headers.get('x-edgetag-cache')).toBe('miss');
    expect(await other.json()).toEqual({ segments: [] });
  });
});

describe('tag/src/segments.ts against the collector', () => {
  /** The browser's fetch, answered by this Worker (the module under test is the tag's). */
  function routeFetchToWorker() {
    return vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      // Caching off so no edge write outlives the test (the cache is covered above).
      return send(new Request(input as RequestInfo, init), { SEGMENTS_CACHE_SECONDS: '0' });
    });
  }
  const endpoint = 'https://collector.test/v1/segments';

  it('segments() and inSegment() reflect a sync, by name and by sync id', async () => {
    await seedSegments();
    const fetchSpy = routeFetchToWorker();
    const userHash = await hashOf('u_8842');
    const tag = createSegments(endpoint, () => ({ userId: 'u_8842', anonymousId: 'anon-1', userHash }));
    expect(await tag.segments()).toEqual([
      { id: 'sync-cart', name: 'Cart abandoners' },
      { id: 'sync-vip', name: 'VIP customers' },
    ]);
    expect(await tag.inSegment('VIP customers')).toBe(true);
    expect(await tag.inSegment('sync-cart')).toBe(true);
    expect(await tag.inSegment('Churn risk')).toBe(false);
    // No copy in the tag: freshness is the collector's Cache-Control, which the browser's HTTP cache follows.
    expect(fetchSpy).toHaveBeenCalledTimes(4);
    const url = new URL(fetchSpy.mock.calls[0]![0] as string);
    expect(url.searchParams.get('user_id')).toBe('u_8842');
    expect(url.searchParams.get('user_hash')).toBe(userHash);
  });

  it('calls made while a request is in flight share it', async () => {
    await seedSegments();
    const fetchSpy = routeFetchToWorker();
    const userHash = await hashOf('u_8842');
    const tag = createSegments(endpoint, () => ({ userId: 'u_8842', userHash }));
    expect(await Promise.all([tag.segments(), tag.inSegment('VIP customers'), tag.inSegment('Churn risk')])).toEqual([
      [
        { id: 'sync-cart', name: 'Cart abandoners' },
        { id: 'sync-vip', name: 'VIP customers' },
      ],
      true,
      false,
    ]);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    await tag.segments();
    expect(fetchSpy).toHaveBeenCalledTimes(2);
  });

  it('asks again when the user changes', async () => {
    await seedSegments();
    const fetchSpy = routeFetchToWorker();
    let ids = { userId: 'u_8842', anonymousId: 'a', userHash: await hashOf('u_8842') };
    const tag = createSegments(endpoint, () => ids);
    expect(await tag.inSegment('Cart abandoners')).toBe(true);
    ids = { userId: 'u_1', anonymousId: 'a', userHash: await hashOf('u_1') };
    expect(await tag.inSegment('Cart abandoners')).toBe(false);
    expect(await tag.inSegment('VIP customers')).toBe(true);
    expect(fetchSpy.mock.calls.map((c) => new URL(c[0] as string).searchParams.get('user_id'))).toEqual(['u_8842', 'u_1', 'u_1']);
  });

  it('resolves [] without a request for anonymous or unverified visitors', async () => {
    const fetchSpy = routeFetchToWorker();
    expect(await createSegments(endpoint, () => ({ userId: null, anonymousId: 'a' })).segments()).toEqual([]);
    expect(await createSegments(endpoint, () => ({ userId: 'u_8842', anonymousId: 'a' })).inSegment('VIP customers')).toBe(false);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('resolves [] when the collector refuses, and does not keep the failure', async () => {
    await seedSegments();
    const fetchSpy = routeFetchToWorker();
    let userHash = 'f'.repeat(64);
    const tag = createSegments(endpoint, () => ({ userId: 'u_8842', anonymousId: 'a', userHash }));
    expect(await tag.segments()).toEqual([]);
    expect(await tag.segments()).toEqual([]);
    expect(fetchSpy).toHaveBeenCalledTimes(2);
    userHash = await hashOf('u_8842');
    expect(await tag.inSegment('VIP customers')).toBe(true);
  });
});
