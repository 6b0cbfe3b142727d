/**
 * Erasure across the pipeline (POST /debugger/api/users/erase): the user's events leave every
 * connection's queue and log, held events and identity links go, the segment store forgets the user,
 * MoEngage gets a strict Delete User per connection (retried after a 500), and afterwards no
 * debugger answer shows any of it, while a later event from the same user is new. Ingested through
 * the Worker into the five test connections; the sandbox plays MoEngage.
 */
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeStreamId } from '../../worker/debugger/stream';
import { shardName, shardOf } from '../../worker/segments/shard';
import { SseReader } from '../worker/support/debugger';
import { cleanup, DEBUGGER_TOKEN, deliveredIds, drain, enqueue, eventRow, installSandbox, operator, post, startClock, T0, trackRecord, until, WORKSPACE } from './support/harness';

vi.setConfig({ testTimeout: 60_000 });
beforeEach(() => startClock());
afterEach(cleanup);

const CONNECTIONS = Object.keys(WORKSPACE);
const at = (ms = 0) => new Date(T0 + ms).toISOString();
/** Everything that identifies the erased user: none of it may be shown afterwards. */
const ERASED = ['u_erase', 'anon-e', 'erin.erase@example.com', 'Erin', 'SKU-E'];

const api = async (path: string, init: RequestInit = {}) => {
  const { exports } = await import('cloudflare:workers');
  return exports.default.fetch(new Request(`http://collector.test${path}`, { ...init, headers: { authorization: `Bearer ${DEBUGGER_TOKEN}`, ...init.headers } }));
};
const apiText = async (path: string) => {
  const res = await api(path);
  expect(res.status, path).toBe(200);
  return res.text();
};
const erase = async (body: unknown) => {
  const res = await operator('/debugger/api/users/erase', body);
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
function expectNoneOf(text: string, where: string, ids: readonly string[] = ERASED) {
  for (const id of ids) expect(text.includes(id), `${where} still shows ${id}`).toBe(false);
}

async function ingest(messages: Record<string, unknown>[]) {
  const res = await post('/v1/batch', { batch: messages });
  const body = (await res.json()) as { accepted: number; duplicates: number };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body;
}

const track = (messageId: string, who: Record<string, string>, sku: string, ms = 0) => ({ type: 'track', messageId, ...who, event: 'Product Viewed', properties: { sku }, timestamp: at(ms) });

/** The user to erase, another user whose events share requests with theirs, and an unrelated held visitor. */
async function history() {
  // Anonymous first: held until the identify links the visitor, then delivered as the user.
  await ingest([track('e-anon-1', { anonymousId: 'anon-e' }, 'SKU-E0'), track('e-anon-2', { anonymousId: 'anon-e' }, 'SKU-E0')]);
  await ingest([
    { type: 'identify', messageId: 'e-identify', userId: 'u_erase', anonymousId: 'anon-e', traits: { email: 'erin.erase@example.com', firstName: 'Erin' }, timestamp: at() },
    track('e-track-1', { userId: 'u_erase' }, 'SKU-E1'),
    track('e-track-2', { userId: 'u_erase' }, 'SKU-E2'),
    track('k-track-1', { userId: 'u_keep', anonymousId: 'anon-k' }, 'SKU-K1'),
    track('h-other', { anonymousId: 'anon-other' }, 'SKU-H'),
  ]);
  await drain(CONNECTIONS, 10 * 60_000);
  // A refused request whose path carried the id (what the rejection log keeps of a request), and another.
  const rejection = { at: T0, status: 404, error: 'not_found', detail: 'no such route', method: 'POST', contentType: null, contentLength: null, origin: null, userAgent: null };
  await env.COLLECTOR_LOG.getByName('collector').recordRejection({ ...rejection, path: '/v1/profile/u_erase' });
  await env.COLLECTOR_LOG.getByName('collector').recordRejection({ ...rejection, path: '/v1/profile/u_keep' });
  // A segment membership, as MoEngage's sync left it.
  for (const user of ['u_erase', 'u_keep']) {
    await env.SEGMENT_STORE.getByName(shardName(shardOf(user))).apply({ syncId: 'sync-vip', syncName: 'VIP', executionId: 'x1', page: 1, contentHash: user, resync: false, add: [user], remove: [] });
  }
}

const ERASED_IDS = ['e-anon-1', 'e-anon-2', 'e-identify', 'e-track-1', 'e-track-2'];

describe('POST /debugger/api/users/erase by userId', () => {
  it('forgets the user everywhere, sends Delete User (retried after a 500), and a later event is new', async () => {
    const { sandbox } = installSandbox();
    await history();
    expect((await eventRow('main', 'e-anon-1'))?.status).toBe('delivered'); // released as u_erase
    expect(JSON.stringify(sandbox.requests.map((r) => r.body))).toContain('u_erase');
    expect(await apiText('/debugger/api/segments/users/u_erase')).toContain('sync-vip');
    // `slow` packs in bulk: u_keep's event went out in one request with u_erase's.
    expect(await apiText('/debugger/api/journey?messageId=k-track-1&connection=slow&reveal=pii')).toContain('erin.erase@example.com');

    sandbox.faults.add({ status: 500, count: 1, path: '/v1/customer/delete' });
    const { status, body } = await erase({ userId: 'u_erase' });
    expect(status).toBe(200);
    for (const c of CONNECTIONS) {
      // 2 released anonymous events + identify + 2 tracks; the identify's link; one Delete User.
      expect(body.connections).toContainEqual(expect.objectContaining({ connection: c, events: 5, held: 0, links: 1, deleteRequests: 1 }));
    }
    expect(body.totals).toEqual({ events: 25, held: 0, links: 5, deleteRequests: 5, segmentMemberships: 1, rejections: 1 });
    expect(body.erased).toEqual({ userId: 'u_erase' });

    // Delete User goes out from each queue's alarm: a 500 first, then the retry.
    await drain(CONNECTIONS, 5 * 60_000);
    const deletes = sandbox.requests.filter((r) => r.path === '/v1/customer/delete');
    expect(deletes).toHaveLength(6);
    for (const r of deletes) {
      expect(r.body).toEqual({ identity_type: 'customer_id', identity_value: 'u_erase' });
      expect(r.method).toBe('POST');
      expect(r.query).toBe(`?app_id=${r.workspace}`);
    }
    expect(deletes.map((r) => r.response.status).sort()).toEqual([200, 200, 200, 200, 200, 500]);
    expect(new Set(deletes.filter((r) => r.response.status === 200).map((r) => r.workspace))).toEqual(new Set(Object.values(WORKSPACE)));

    // The requests, as the debugger shows them: the id being deleted, the exact body, no key.
    const erasures = JSON.parse(await apiText('/debugger/api/users/erasures')) as { connections: { connection: string; requests: any[] }[] };
    const all = erasures.connections.flatMap((c) => c.requests.map((r) => ({ ...r, connection: c.connection })));
    expect(all).toHaveLength(5);
    for (const r of all) expect(r).toMatchObject({ customerId: 'u_erase', state: 'done', nextAttemptAt: null });
    const retried = all.find((r) => r.attempts.length === 2);
    expect(retried?.attempts.map((a: any) => a.status)).toEqual([500, 200]);
    expect(retried?.attempts[1]).toMatchObject({
      request: {
        method: 'POST',
        url: `http://moengage.sandbox/v1/customer/delete?app_id=${WORKSPACE[retried.connection]}`,
        headers: { authorization: 'Basic [redacted]' },
        body: { identity_type: 'customer_id', identity_value: 'u_erase' },
      },
      response: { status: 'success' },
    });
    const erasuresText = JSON.stringify(erasures);
    expectNoneOf(erasuresText, 'the erasures view', ERASED.filter((id) => id !== 'u_erase'));
    expect(erasuresText).not.toMatch(/main-key|other-key|tiny-key|Basic [A-Za-z0-9+/=]{8,}/);

    // No debugger answer shows any of the user's data.
    for (const id of ERASED_IDS) expect((await api(`/debugger/api/journey?messageId=${id}`)).status, id).toBe(404);
    expectNoneOf(await apiText('/debugger/api/events?limit=500'), 'the event list');
    expect(JSON.parse(await apiText('/debugger/api/events?userId=u_erase')).events).toEqual([]);
    for (const c of CONNECTIONS) {
      const kept = await apiText(`/debugger/api/journey?messageId=k-track-1&connection=${c}&reveal=pii`);
      expect(kept).toContain('SKU-K1'); // the other user's event is whole, in requests it shared with u_erase
      expectNoneOf(kept, `another user's journey (${c})`);
    }
    expectNoneOf(await apiText('/debugger/api/stats?minutes=10080'), 'the stats');
    const rejections = await apiText('/debugger/api/rejections');
    expectNoneOf(rejections, 'the rejections');
    expect(rejections).toContain('/v1/profile/u_keep');
    expectNoneOf(await apiText('/debugger/api/metrics'), 'the metrics');
    expectNoneOf(await apiText('/debugger/api/segments'), 'the segments overview');
    expect(JSON.parse(await apiText('/debugger/api/segments/users/u_erase'))).toEqual({ userId: 'u_erase', segments: [] });
    expect(JSON.parse(await apiText('/debugger/api/segments/users/u_keep')).segments).toEqual([{ id: 'sync-vip', name: 'VIP' }]);
    expect((await eventRow('main', 'h-other'))?.status).toBe('held'); // another visitor's held event stays

    // The live tail, replayed from the beginning of time, sends only what is left.
    const stream = await api('/debugger/api/stream?connection=main&maxSeconds=1', { headers: { 'last-event-id': encodeStreamId({ main: { updatedAt: 0, messageId: '' } }) } });
    const reader = new SseReader(stream);
    const seen = [(await reader.nextEvent()).data, (await reader.nextEvent()).data];
    // The tail ends at its lifetime (by the faked clock), before the test's storage is wiped.
    vi.setSystemTime(Date.now() + 2_000);
    while ((await reader.next())?.event !== 'end');
    expect(seen.map((e) => e.messageId).sort()).toEqual(['h-other', 'k-track-1']);

    // A later event from the same user, even with a messageId seen before, is new and delivered.
    sandbox.reset();
    expect(await ingest([track('e-track-1', { userId: 'u_erase' }, 'SKU-AFTER', 60_000)])).toMatchObject({ accepted: 1, duplicates: 0 });
    await drain(CONNECTIONS, 10 * 60_000);
    const sent = sandbox.requests.filter((r) => r.workspace === 'ws-main' && JSON.stringify(r.body).includes('SKU-AFTER'));
    expect(sent).toHaveLength(1);
    expect(sent[0]?.response.status).toBe(200);
    expect(JSON.stringify(sent[0]?.body)).toContain('"customer_id":"u_erase"');
    expect((await eventRow('main', 'e-track-1'))?.status).toBe('delivered');
  });
});

describe('after an erasure, the same visitor links again', () => {
  it('an anonymous event of the erased visitor is released by their next identify, as on a first visit', async () => {
    const { sandbox } = installSandbox();
    await history(); // links anon-e → u_erase (and the queue remembers the link)
    expect((await erase({ userId: 'u_erase' })).status).toBe(200);
    await drain(CONNECTIONS, 5 * 60_000);
    sandbox.reset();

    // The visitor comes back: signs in again, then browses with the same anonymousId.
    await ingest([{ type: 'identify', messageId: 'again-identify', userId: 'u_erase', anonymousId: 'anon-e', timestamp: at(60_000) }]);
    await ingest([track('again-anon', { anonymousId: 'anon-e' }, 'SKU-AGAIN', 61_000)]);
    await drain(CONNECTIONS, 60_000);
    // The link was written anew, so the anonymous event goes out at once as the user, not held.
    expect((await eventRow('main', 'again-anon'))?.status).toBe('delivered');
    const sent = sandbox.requests.filter((r) => r.workspace === 'ws-main' && JSON.stringify(r.body).includes('SKU-AGAIN'));
    expect(sent).toHaveLength(1);
    expect(JSON.stringify(sent[0]?.body)).toContain('"customer_id":"u_erase"');
  });
});

describe('an erasure while a request to MoEngage is out', () => {
  it("a refused bulk request's halves carry nothing of the user erased while it was out", async () => {
    const { sandbox, fetchSpy } = installSandbox();
    // Thirteen customers make one bulk request; MoEngage refuses it for 'guest' (a placeholder id).
    const customers = ['u_gone', ...Array.from({ length: 11 }, (_, i) => `c${i}`), 'guest'];
    await enqueue('main', customers.map((c) => trackRecord(c, { id: `m-${c}` })));
    const route = fetchSpy.getMockImplementation()!;
    let answer!: () => void;
    const answerHeld = new Promise<void>((r) => (answer = r));
    fetchSpy.mockImplementationOnce(async (input, init) => (await answerHeld, route(input, init)));
    const draining = drain(CONNECTIONS);
    await until(() => fetchSpy.mock.calls.length === 1); // the bulk request is out, its answer held

    expect((await erase({ userId: 'u_gone' })).status).toBe(200);
    answer(); // the 400: the request is split in halves, from what the flush held in memory
    await draining;

    const [refused, ...later] = sandbox.requests;
    expect(refused).toMatchObject({ path: '/v1/transition/ws-main', response: { status: 400 } });
    expect(JSON.stringify(refused?.body)).toContain('"customer_id":"u_gone"'); // it left before the erasure
    const sentAfter = later.filter((r) => r.path !== '/v1/customer/delete');
    expect(sentAfter.length).toBeGreaterThan(1);
    expect(JSON.stringify(sentAfter.map((r) => r.body))).not.toContain('u_gone');
    const deletes = sandbox.requests.filter((r) => r.path === '/v1/customer/delete' && r.workspace === 'ws-main');
    expect(deletes.map((r) => JSON.stringify(r.body))).toEqual([expect.stringContaining('u_gone')]);
    expect(deliveredIds(sandbox, 'main').sort()).toEqual(customers.slice(1, -1).map((c) => `m-${c}`).sort());
    expect(await eventRow('main', 'm-u_gone')).toBeNull();
    expect(await eventRow('main', 'm-guest')).toMatchObject({ status: 'dead', reason: 'rejected_by_moengage' });
  });
});

describe('POST /debugger/api/users/erase by anonymousId', () => {
  it("drops the visitor's held events and links; no Delete User where MoEngage never saw the id", async () => {
    const { sandbox } = installSandbox();
    await ingest([track('h-1', { anonymousId: 'anon-h' }, 'SKU-H1'), track('h-2', { anonymousId: 'anon-h' }, 'SKU-H2'), track('h-3', { anonymousId: 'anon-z' }, 'SKU-Z')]);
    await drain(CONNECTIONS, 60_000);
    expect((await eventRow('main', 'h-1'))?.status).toBe('held');

    const { status, body } = await erase({ anonymousId: 'anon-h' });
    expect(status).toBe(200);
    expect(body.totals).toEqual({ events: 10, held: 10, links: 0, deleteRequests: 0, segmentMemberships: 0, rejections: 0 });
    expect(await eventRow('main', 'h-1')).toBeNull();
    expect((await eventRow('main', 'h-3'))?.status).toBe('held');
    expectNoneOf(await apiText('/debugger/api/events?limit=500'), 'the event list', ['anon-h', 'SKU-H1', 'SKU-H2']);

    // The visitor's hold is gone: logging in now releases nothing of the erased events.
    await ingest([{ type: 'identify', messageId: 'login', userId: 'u_h', anonymousId: 'anon-h', timestamp: at(1_000) }]);
    await drain(CONNECTIONS, 60_000);
    expect(JSON.stringify(sandbox.requests.map((r) => r.body))).not.toContain('SKU-H1');
    expect(sandbox.requests.filter((r) => r.path === '/v1/customer/delete')).toHaveLength(0);
  });
});

describe('POST /debugger/api/users/erase refuses what it cannot act on', () => {
  it.each([
    ['an empty body object', {}],
    ['both ids', { userId: 'u1', anonymousId: 'a1' }],
    ['a blank userId', { userId: '  ' }],
    ['a number', { userId: 42 }],
    ['an unknown field', { userId: 'u1', email: 'x@example.com' }],
    ['an array', [{ userId: 'u1' }]],
  ])('%s → 400 invalid_erase', async (_, body) => {
    installSandbox();
    const { status, body: answer } = await erase(body);
    expect(status).toBe(400);
    expect(answer).toMatchObject({ error: 'invalid_erase', detail: expect.stringContaining('"userId"') });
  });

  it('a body that is not JSON, or too large, is refused before anything is erased; no token is a 401', async () => {
    installSandbox();
    const notJson = await api('/debugger/api/users/erase', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"userId":' });
    expect(notJson.status).toBe(400);
    const large = await api('/debugger/api/users/erase', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'u'.repeat(20_000) }) });
    expect(large.status).toBe(413);
    const { exports } = await import('cloudflare:workers');
    const anonymous = await exports.default.fetch(new Request('http://collector.test/debugger/api/users/erase', { method: 'POST', body: '{"userId":"u1"}' }));
    expect(anonymous.status).toBe(401);
  });
});
