/**
 * No secret in any answer: every route, with good and bad input, including MoEngage failures recorded
 * for the debugger and a misconfiguration. (Every response of the other worker tests is checked the
 * same way by support/ingest.ts, and every console line by support/consoleGuard.ts.)
 */
import { reset } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compress, track } from './corpus/cases';
import { fetchWith, ingestRequest } from './support/configured';
import { basic, DEBUGGER_TOKEN, flush } from './support/ingest';
import { installSandbox } from './support/sandbox';
import { SECRETS, secretsIn, WRITE_KEYS } from './support/secrets';

let sandbox: ReturnType<typeof installSandbox>['sandbox'];
beforeAll(() => {
  sandbox = installSandbox().sandbox;
});
afterAll(async () => {
  vi.restoreAllMocks();
  await reset();
});

const bearer = { authorization: `Bearer ${DEBUGGER_TOKEN}` };
const delivered = track({ messageId: 'secret-check-delivered' });
const refusedByMoEngage = track({ messageId: 'secret-check-refused' });

async function everything(): Promise<[string, Request][]> {
  const r = (method: string, path: string, init: RequestInit = {}) => [`${method} ${path}`, new Request(`http://collector.test${path}`, { method, ...init })] as [string, Request];
  const json = { 'content-type': 'application/json', authorization: basic('test-write-key') };
  return [
    r('POST', '/v1/batch', { headers: json, body: JSON.stringify({ batch: [track()] }) }),
    r('POST', '/v1/batch (gzip)', { headers: { ...json, 'content-encoding': 'gzip' }, body: await compress(JSON.stringify({ batch: [track()] })) }),
    r('POST', '/v1/track', { headers: json, body: JSON.stringify(track()) }),
    r('POST', '/i', { headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ writeKey: 'second-write-key', batch: [track()] }) }),
    r('POST', '/v1/batch (bad key)', { headers: { ...json, authorization: basic('not-a-key') }, body: JSON.stringify({ batch: [track()] }) }),
    r('POST', '/v1/batch (body key wrong)', { headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ writeKey: 'test-write-kez', batch: [track()] }) }),
    r('POST', '/v1/batch (bad json)', { headers: json, body: '{"writeKey":"test-write-key",' }),
    r('POST', '/v1/batch (invalid message)', { headers: json, body: JSON.stringify({ batch: [{ type: 'track', writeKey: 'test-write-key' }] }) }),
    r('POST', '/v1/identify', { headers: json, body: JSON.stringify({ userId: 'u_1', traits: { email: 'a@b.co' } }) }),
    r('OPTIONS', '/v1/batch', { headers: { origin: 'https://x.example', 'access-control-request-method': 'POST' } }),
    r('GET', '/s.js'),
    r('GET', '/healthz'),
    r('GET', '/nope'),
    r('GET', '/debugger'),
    r('GET', '/debugger/api/events', { headers: bearer }),
    r('GET', '/debugger/api/events?status=dead', { headers: bearer }),
    r('GET', `/debugger/api/events/${delivered.messageId}`, { headers: bearer }),
    r('GET', `/debugger/api/events/${refusedByMoEngage.messageId}`, { headers: bearer }),
    r('GET', '/debugger/api/events/unknown', { headers: bearer }),
    r('GET', '/debugger/api/rejections', { headers: bearer }),
    r('GET', '/debugger/api/events (wrong token)', { headers: { authorization: `Bearer ${DEBUGGER_TOKEN}x` } }),
    r('GET', '/debugger/api/events (no token)'),
  ];
}

describe('secrets never leave the collector', () => {
  beforeAll(async () => {
    // One event MoEngage accepts, one it refuses with 401 (a wrong key shows as an exchange in the debugger).
    await exports.default.fetch(ingestRequest('/v1/batch', { batch: [delivered] }));
    await flush();
    sandbox.faults.add({ status: 401, count: 1 });
    await exports.default.fetch(ingestRequest('/v1/batch', { batch: [refusedByMoEngage] }));
    await flush();
  });

  it('the secrets under test are the configured ones', () => {
    expect(SECRETS).toEqual(expect.arrayContaining(['demo-data-api-key', 'test-debugger-token']));
    expect(WRITE_KEYS).toEqual(['test-write-key', 'second-write-key']);
  });

  it('no route answers with one, in headers or body, for good or bad input', async () => {
    const requests = await everything();
    const seen: string[] = [];
    for (const [name, request] of requests) {
      const res = await exports.default.fetch(request);
      const text = `${[...res.headers].join('\n')}\n${await res.text()}`;
      seen.push(`${name} → ${res.status}`);
      expect(secretsIn(text, true), `${name} answered ${res.status}`).toEqual([]);
    }
    // The debugger really did show both events, including MoEngage's 401 exchange.
    expect(seen).toContain(`GET /debugger/api/events/${refusedByMoEngage.messageId} → 200`);
    expect(seen).toContain('GET /debugger/api/events (wrong token) → 401');
  });

  it('the debugger’s recorded MoEngage exchange holds the request body, not its Authorization', async () => {
    const res = await exports.default.fetch(new Request(`http://collector.test/debugger/api/events/${refusedByMoEngage.messageId}`, { headers: bearer }));
    const event = (await res.json()) as { exchanges: { status: number; request: unknown; headers: Record<string, string> }[] };
    expect(event.exchanges[0]?.status).toBe(401);
    // The headers are shown as sent, with the key replaced: the workspace is no secret.
    expect(event.exchanges[0]?.headers).toEqual({ authorization: 'Basic demo-workspace:*** (base64; Data API key redacted)', 'content-type': 'application/json' });
    expect(JSON.stringify(event).match(/Basic [^"]*/g)).toEqual(['Basic demo-workspace:*** (base64; Data API key redacted)']);
  });

  it('a misconfiguration names the setting, never its value', async () => {
    const res = await fetchWith(
      { MOENGAGE_CONNECTIONS: JSON.stringify([{ id: 'Bad Id', workspaceId: 'ws', dataApiKeySecret: 'MOENGAGE_DATA_API_KEY' }]) },
      ingestRequest('/v1/batch', { batch: [track()] }),
    );
    expect(res.status).toBe(503);
    const body = await res.text();
    expect(body).toContain('MOENGAGE_CONNECTIONS');
    expect(secretsIn(body, true)).toEqual([]);
  });
});
