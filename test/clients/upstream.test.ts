/**
 * Hostile answers on real sockets: `wrangler dev` (workerd's own fetch, not a test double) against
 * the sandbox server (Node) made to misbehave through its HTTP control API. The workerd tests in
 * test/delivery/upstream.test.ts cover every case with a faked clock; these prove the same
 * guarantees hold with a real network stack: a redirect is not followed, a 20 MB answer is cut,
 * a body that never ends times out.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { eventually } from '../browser/chromium';
import { BROWSER_DEBUGGER_TOKEN, BROWSER_WRITE_KEY } from '../browser/globalSetup';

const collectorUrl = inject('collectorUrl');
const sandboxUrl = inject('sandboxUrl');
const run = Math.random().toString(36).slice(2, 8);

interface Exchange {
  status: number;
  error: string | null;
  response: unknown;
}
interface EventView {
  status: string;
  reason: string | null;
  detail: string | null;
  exchanges: Exchange[];
}

async function fault(spec: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${sandboxUrl}/_sandbox/faults`, { method: 'POST', body: JSON.stringify(spec) });
  expect(res.status).toBe(201);
}

async function send(messageId: string): Promise<void> {
  const post = () =>
    fetch(`${collectorUrl}/v1/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${btoa(`${BROWSER_WRITE_KEY}:`)}` },
      body: JSON.stringify({ messageId, userId: `upstream-${run}`, event: 'Order Completed', properties: { order_id: messageId, revenue: 1, currency: 'EUR' } }),
    });
  // A kept-alive socket the collector closed (after another file's refused upload) fails the first
  // POST on it; sending again is what any client does, and the messageId makes it safe.
  const res = await post().catch(post);
  expect(res.status).toBe(200);
}

async function debuggerApi(method: 'GET' | 'POST', path: string): Promise<Response> {
  return fetch(`${collectorUrl}/debugger/api${path}`, {
    method,
    headers: { authorization: `Bearer ${BROWSER_DEBUGGER_TOKEN}`, 'content-type': 'application/json' },
    ...(method === 'POST' ? { body: '{}' } : {}),
  });
}

function settled(messageId: string, status: string, timeoutMs = 20_000): Promise<EventView> {
  return eventually(async () => {
    const res = await debuggerApi('GET', `/events/${encodeURIComponent(messageId)}`);
    if (res.status !== 200) return undefined;
    const event = (await res.json()) as EventView;
    return event.status === status ? event : undefined;
  }, timeoutMs, `${messageId} ${status}`);
}

async function requestsFor(messageId: string): Promise<number> {
  const list = (await (await fetch(`${sandboxUrl}/_sandbox/requests`)).json()) as { body: { actions?: { attributes?: { order_id?: string } }[] } }[];
  return list.filter((r) => r.body?.actions?.some((a) => a.attributes?.order_id === messageId)).length;
}

afterEach(async () => {
  await fetch(`${sandboxUrl}/_sandbox/faults`, { method: 'DELETE' });
});

describe('hostile answers, on real sockets', () => {
  it('a 307 to another host that would answer 200 is not followed: the connection pauses with the Location, then resumes', async () => {
    const port = new URL(sandboxUrl).port;
    const location = `http://localhost:${port}/_sandbox/landing/v1/event/browser-workspace`;
    const landingsBefore = ((await (await fetch(`${sandboxUrl}/_sandbox/landings`)).json()) as unknown[]).length;
    await fault({ redirectTo: location, count: 1 });
    const id = `redirect-${run}`;
    await send(id);
    const paused = await settled(id, 'paused');
    expect(paused.reason).toBe('moengage_redirected');
    expect(paused.detail).toContain(`HTTP 307 redirect to Location: ${location}`);
    expect(((await (await fetch(`${sandboxUrl}/_sandbox/landings`)).json()) as unknown[]).length).toBe(landingsBefore);

    const resumed = await debuggerApi('POST', '/connections/default/resume');
    expect(await resumed.json()).toMatchObject({ resumed: true, pause: { reason: 'moengage_redirected' } });
    await settled(id, 'delivered');
    expect(await requestsFor(id)).toBe(2);
  });

  it('a 20 MB answer: delivered once, 4 KB kept', async () => {
    await fault({ bodyBytes: 20_000_000, count: 1 });
    const id = `huge-${run}`;
    await send(id);
    const event = await settled(id, 'delivered');
    expect(event.exchanges.map((x) => [x.status, x.error])).toEqual([[200, "the answer's body was longer than 4096 bytes: the first 4096 are kept, the rest was not read"]]);
    expect(await requestsFor(id)).toBe(1);
  });

  it('a body that never ends is cut at the 15 s deadline; the 200 counts', { timeout: 60_000 }, async () => {
    await fault({ bodyNeverEnds: 'stall', count: 1 });
    const id = `stall-${run}`;
    const started = Date.now();
    await send(id);
    const event = await settled(id, 'delivered', 40_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15_000);
    expect(event.exchanges).toHaveLength(1);
    expect(event.exchanges[0]).toMatchObject({ status: 200, error: expect.stringMatching(/^the answer's body did not end within 15 s: the first \d+ bytes are kept$/) });
    expect(await requestsFor(id)).toBe(1);
  });
});
