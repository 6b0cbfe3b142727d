/**
 * Every debugger API route is behind `Authorization: Bearer ${DEBUGGER_TOKEN}`: 401 JSON without it
 * or with anything else, the route's answer with it. The page shell needs no token and holds no data.
 */
import { reset } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ingest, track } from '../support/debugger';
import { DEBUGGER_TOKEN, flush, get } from '../support/ingest';
import { installSandbox } from '../support/sandbox';
import { assertNoSecrets } from '../support/secrets';

beforeEach(() => installSandbox());
afterEach(async () => {
  vi.restoreAllMocks();
  await reset();
});

interface Route {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

const ROUTES: Route[] = [
  { method: 'GET', path: '/debugger/api/events' },
  { method: 'GET', path: '/debugger/api/events/auth-known' },
  { method: 'GET', path: '/debugger/api/stats' },
  { method: 'GET', path: '/debugger/api/stream?maxSeconds=1' },
  { method: 'GET', path: '/debugger/api/connections' },
  { method: 'GET', path: '/debugger/api/rejections' },
  { method: 'POST', path: '/debugger/api/preview', body: track({ messageId: 'auth-preview' }) },
  { method: 'POST', path: '/debugger/api/replay', body: { all: true } },
  { method: 'POST', path: '/debugger/api/connections/default/resume', body: {} },
];

/** Each refused attempt comes from its own address, so the brute-force lockout (abuse.test.ts) never answers instead. */
let address = 0;
function call(route: Route, authorization: string | null): Promise<Response> {
  const headers: Record<string, string> = { 'cf-connecting-ip': `203.0.113.${(address++ % 250) + 1}` };
  if (authorization !== null) headers.authorization = authorization;
  if (route.body !== undefined) headers['content-type'] = 'application/json';
  const request = new Request(`http://collector.test${route.path}`, { method: route.method, headers, ...(route.body === undefined ? {} : { body: JSON.stringify(route.body) }) });
  return exports.default.fetch(request).then(async (res) => (await assertNoSecrets(res, `${route.method} ${route.path}`), res));
}

const WRONG: [string, string | null][] = [
  ['no Authorization header', null],
  ['an empty Authorization header', ''],
  ['"Bearer" and no token', 'Bearer '],
  ['a wrong token of the same length', `Bearer ${'x'.repeat(DEBUGGER_TOKEN.length)}`],
  ['the token with one character changed', `Bearer ${DEBUGGER_TOKEN.slice(0, -1)}X`],
  ['a longer token that starts with the right one', `Bearer ${DEBUGGER_TOKEN}x`],
  ['a prefix of the token', `Bearer ${DEBUGGER_TOKEN.slice(0, 8)}`],
  ['the token in Basic auth', `Basic ${btoa(`${DEBUGGER_TOKEN}:`)}`],
  ['the raw token without a scheme', DEBUGGER_TOKEN],
  ['another scheme with the token', `Token ${DEBUGGER_TOKEN}`],
  ['a write key as bearer', 'Bearer test-write-key'],
];

describe('the debugger API refuses without the token', () => {
  it.each(WRONG)('%s → 401 JSON {error, detail} on every route', async (_name, authorization) => {
    for (const route of ROUTES) {
      const res = await call(route, authorization);
      const where = `${route.method} ${route.path}`;
      expect(res.status, where).toBe(401);
      expect(res.headers.get('content-type'), where).toContain('application/json');
      expect(res.headers.get('www-authenticate'), where).toBe('Bearer');
      expect(await res.json(), where).toEqual({ error: 'unauthorized', detail: 'send Authorization: Bearer <DEBUGGER_TOKEN>' });
    }
  });

  it('refuses before anything else: an unknown API path is 401 without the token, 404 with it', async () => {
    const route: Route = { method: 'GET', path: '/debugger/api/nothing-here' };
    expect((await call(route, null)).status).toBe(401);
    const res = await call(route, `Bearer ${DEBUGGER_TOKEN}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found' });
  });

  it('a refused request changes nothing: replay and resume without the token leave the queue as it was', async () => {
    const { sandbox } = installSandbox();
    sandbox.faults.add({ status: 400, count: 1, body: { status: 'fail', error: { type: 'ValidationError', message: 'bad attribute', request_id: 'r-1' } } });
    await ingest(track({ messageId: 'auth-dead' }));
    await flush();
    const before = (await (await api('/debugger/api/events/auth-dead')).json()) as { status: string };
    expect(before.status).toBe('dead');
    expect((await call({ method: 'POST', path: '/debugger/api/replay', body: { all: true } }, 'Bearer nope')).status).toBe(401);
    const after = (await (await api('/debugger/api/events/auth-dead')).json()) as { status: string };
    expect(after.status).toBe('dead');
  });
});

describe('the debugger API answers with the token', () => {
  it('every route answers 200 (the scheme is case-insensitive, as RFC 7235 says)', async () => {
    await ingest(track({ messageId: 'auth-known' }));
    for (const authorization of [`Bearer ${DEBUGGER_TOKEN}`, `bearer ${DEBUGGER_TOKEN}`, `BEARER ${DEBUGGER_TOKEN}`]) {
      for (const route of ROUTES) {
        const res = await call(route, authorization);
        const where = `${route.method} ${route.path} (${authorization.split(' ')[0]})`;
        expect(res.status, where).toBe(200);
        expect(res.headers.get('cache-control'), where).toBe('no-store');
        if (route.path.includes('/stream')) {
          expect(res.headers.get('content-type'), where).toContain('text/event-stream');
          await res.body?.cancel();
        } else {
          expect(res.headers.get('content-type'), where).toContain('application/json');
          await res.json();
        }
      }
    }
  });

  it('answers the requested data, not just a status', async () => {
    await ingest(track({ messageId: 'auth-known', event: 'Wishlist Shared' }));
    const res = await call({ method: 'GET', path: '/debugger/api/events/auth-known' }, `Bearer ${DEBUGGER_TOKEN}`);
    expect(await res.json()).toMatchObject({ messageId: 'auth-known', status: 'dropped', reason: 'not_in_blueprint', connection: 'default' });
  });
});

describe('GET /debugger (the page shell)', () => {
  it('needs no token and holds no data: no event, user, email, token or key', async () => {
    await ingest(track({ messageId: 'shell-secret-msg', userId: 'shell-user-42', context: { traits: { email: 'shell.person@shell-domain.test' } } }));
    await flush();
    const res = await get('/debugger');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('edgetag event debugger');
    const found = ['shell-secret-msg', 'shell-user-42', 'shell.person', 'shell-domain', DEBUGGER_TOKEN, 'demo-data-api-key', 'demo-workspace'].filter((data) => html.includes(data));
    expect(found).toEqual([]);
  });

  it('is the same page with or without a token (the token unlocks nothing in it)', async () => {
    const plain = await (await get('/debugger')).text();
    const withToken = await (await exports.default.fetch(new Request('http://collector.test/debugger', { headers: { authorization: `Bearer ${DEBUGGER_TOKEN}` } }))).text();
    expect(withToken).toBe(plain);
  });
});
