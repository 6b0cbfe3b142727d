import { reset } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { track } from './corpus/cases';
import { fetchWith, ingestRequest } from './support/configured';
import { DEBUGGER_TOKEN, get } from './support/ingest';
import { installSandbox } from './support/sandbox';

beforeEach(() => installSandbox());
afterEach(async () => {
  vi.restoreAllMocks();
  await reset();
});

const SHOP = 'https://shop.example';
const listed = { ALLOWED_ORIGINS: `${SHOP}, https://www.shop.example` };
/** What the tag sends: text/plain, write key in the body, no Authorization (a CORS "simple" request). */
const tagRequest = (origin?: string) =>
  ingestRequest('/i', { writeKey: 'test-write-key', batch: [track()] }, { 'content-type': 'text/plain;charset=UTF-8', authorization: '', ...(origin ? { origin } : {}) });
const preflightRequest = (origin: string, path = '/v1/batch', headers = 'content-type, authorization') =>
  new Request(`http://collector.test${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers },
  });

describe('ALLOWED_ORIGINS as a list', () => {
  it('a listed origin’s text/plain post gets its origin echoed, Vary: Origin, and no credentials', async () => {
    const res = await fetchWith(listed, tagRequest(SHOP));
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(res.headers.get('vary')).toBe('Origin');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('another origin is refused (403) before the body is read, and the refusal is logged', async () => {
    const res = await fetchWith(listed, tagRequest('https://evil.example'));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'origin_not_allowed' });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('vary')).toBe('Origin');
    const log = (await (await get('/debugger/api/rejections', { authorization: `Bearer ${DEBUGGER_TOKEN}` })).json()) as { recent: { error: string; origin: string }[] };
    expect(log.recent[0]).toMatchObject({ error: 'origin_not_allowed', origin: 'https://evil.example' });
  });

  it('a prefix or suffix of a listed origin is not that origin', async () => {
    for (const origin of ['https://shop.example.evil', 'http://shop.example', 'https://evilshop.example', 'null']) {
      expect((await fetchWith(listed, tagRequest(origin))).status).toBe(403);
    }
  });

  it('server clients (no Origin) are not browser traffic and pass', async () => {
    const res = await fetchWith(listed, ingestRequest('/v1/batch', { batch: [track()] }));
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('vary')).toBe('Origin');
  });

  it('answers a preflight with POST, the headers clients need, a max-age and the Vary it depends on', async () => {
    const res = await fetchWith(listed, preflightRequest(SHOP));
    expect(res.status).toBe(204);
    expect(Object.fromEntries(res.headers)).toMatchObject({
      'access-control-allow-origin': SHOP,
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': 'content-type, authorization, content-encoding',
      'access-control-max-age': '86400',
      vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    });
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('does not echo arbitrary requested headers', async () => {
    const res = await fetchWith(listed, preflightRequest(SHOP, '/v1/track', 'x-evil, content-type'));
    expect(res.headers.get('access-control-allow-headers')).not.toContain('x-evil');
  });

  it('refuses a preflight from another origin (403, logged)', async () => {
    const res = await fetchWith(listed, preflightRequest('https://evil.example', '/i'));
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers no preflight on the debugger API (a foreign page cannot read it)', async () => {
    const res = await fetchWith(listed, preflightRequest(SHOP, '/debugger/api/events'));
    expect(res.status).toBe(401); // the debugger's bearer check answers, not a CORS preflight
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('ALLOWED_ORIGINS unset (any site)', () => {
  it('answers Access-Control-Allow-Origin: * to a browser post and to a preflight', async () => {
    const post = await fetchWith({}, tagRequest('https://any.example'));
    expect(post.status).toBe(200);
    expect(post.headers.get('access-control-allow-origin')).toBe('*');
    const pre = await fetchWith({}, preflightRequest('https://any.example'));
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('errors carry CORS headers too, so the page can read why', async () => {
    const res = await fetchWith({}, ingestRequest('/i', '{', { origin: 'https://any.example' }));
    expect(res.status).toBe(400);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});
