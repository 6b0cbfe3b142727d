/**
 * The debugger's JSON API is one router behind one auth stage: every route — the segments routes
 * included — answers with `cache-control: no-store`, whether it succeeds, refuses the token,
 * refuses the input or does not exist.
 */
import { reset } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { track } from '../support/debugger';
import { DEBUGGER_TOKEN } from '../support/ingest';
import { installSandbox } from '../support/sandbox';

beforeEach(() => installSandbox());
afterEach(async () => {
  vi.restoreAllMocks();
  await reset();
});

const ROUTES: [method: string, path: string, body?: unknown][] = [
  ['GET', '/debugger/api/events'],
  ['GET', '/debugger/api/events/nope'],
  ['GET', '/debugger/api/stats'],
  ['GET', '/debugger/api/stream?maxSeconds=1'],
  ['GET', '/debugger/api/connections'],
  ['GET', '/debugger/api/rejections'],
  ['POST', '/debugger/api/preview', track({ messageId: 'api-preview' })],
  ['POST', '/debugger/api/replay', { all: true }],
  ['POST', '/debugger/api/connections/default/resume', {}],
  ['GET', '/debugger/api/segments'],
  ['GET', '/debugger/api/segments/users/u_1'],
  ['GET', '/debugger/api/segments/sync-1/executions/e-1'],
  ['POST', '/debugger/api/segments/sync-1/resync', {}],
  ['DELETE', '/debugger/api/segments/sync-1'],
  ['GET', '/debugger/api/no-such-route'],
];

let address = 0;
async function call(method: string, path: string, body: unknown, authorization: string | null): Promise<Response> {
  const headers: Record<string, string> = { 'cf-connecting-ip': `198.51.100.${(address++ % 250) + 1}`, 'content-type': 'application/json' };
  if (authorization) headers.authorization = authorization;
  const res = await exports.default.fetch(new Request(`http://collector.test${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
  if (path.includes('/stream') && res.ok) await res.text(); // the stream ends by itself after maxSeconds
  return res;
}

describe('every debugger API answer is no-store', () => {
  it.each(ROUTES)('%s %s, with the token', async (method, path, body) => {
    const res = await call(method, path, body, `Bearer ${DEBUGGER_TOKEN}`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.status).toBeLessThan(500);
    if (path.endsWith('no-such-route')) expect([res.status, await res.json()]).toEqual([404, { error: 'not_found', detail: `no route for GET ${path}` }]);
  });

  it.each(ROUTES)('%s %s, refused without the token (401, no-store)', async (method, path, body) => {
    const res = await call(method, path, body, null);
    expect([res.status, res.headers.get('cache-control')]).toEqual([401, 'no-store']);
    expect(await res.json()).toMatchObject({ error: 'unauthorized' });
  });

  it('a refused input is no-store too', async () => {
    const res = await call('GET', '/debugger/api/events?limit=9999', undefined, `Bearer ${DEBUGGER_TOKEN}`);
    expect([res.status, res.headers.get('cache-control')]).toEqual([400, 'no-store']);
  });
});
