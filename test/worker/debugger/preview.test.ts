/**
 * POST /debugger/api/preview: what the active blueprint makes of one message — the exact MoEngage
 * request(s), or why it would be dropped — with nothing stored and nothing sent.
 */
import { reset, runInDurableObject } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, listEvents, ok, postJson, refusal, track } from '../support/debugger';
import { fetchWith } from '../support/configured';
import { DEBUGGER_TOKEN, queue } from '../support/ingest';
import { installSandbox } from '../support/sandbox';

let spy: ReturnType<typeof installSandbox>;
beforeEach(() => {
  spy = installSandbox();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await reset();
});

interface PreviewAnswer {
  connections: {
    connection: string;
    workspaceId: string;
    blueprint: string;
    urls: string[];
    result: {
      status: string;
      reason?: string;
      detail?: string;
      anonymousId?: string;
      issues?: { path: string; message: string }[];
      omissions: { reason: string; detail: string }[];
      requests: { method: string; path: string; body: Record<string, any> }[];
    };
  }[];
}

const preview = (body: unknown) => ok<PreviewAnswer>(postJson('/debugger/api/preview', body));
const only = async (body: unknown) => {
  const answer = await preview(body);
  expect(answer.connections).toHaveLength(1);
  return answer.connections[0]!;
};

/** Rows and alarm of the default connection's queue, straight from its storage. */
async function queueState() {
  return runInDurableObject(queue(), async (_instance, state) => ({
    events: state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM events').one().n,
    alarm: await state.storage.getAlarm(),
  }));
}

describe('preview', () => {
  it('shows the exact MoEngage request a track message becomes, with its URL', async () => {
    const when = new Date(Date.now() - 5 * 60_000).toISOString();
    const c = await only(
      track({
        messageId: 'pv-1',
        userId: 'u_8842',
        event: 'Order Completed',
        properties: { order_id: 'ORD-1001', revenue: 89.99, currency: 'GBP' },
        context: { traits: { email: 'jane@example.com' } },
        timestamp: when,
      }),
    );
    expect(c).toMatchObject({ connection: 'default', workspaceId: 'demo-workspace', blueprint: 'retail', urls: ['http://moengage.sandbox/v1/event/demo-workspace'] });
    expect(c.result.status).toBe('queued');
    expect(c.result.requests).toEqual([
      {
        method: 'POST',
        path: '/v1/event/demo-workspace',
        body: {
          type: 'event',
          customer_id: 'u_8842',
          user_identifiers: { u_em: 'jane@example.com' },
          actions: [
            {
              action: 'Order Completed',
              platform: 'web',
              attributes: { order_id: 'ORD-1001', value: 89.99, currency: 'GBP' },
              user_time: when,
              current_time: when,
            },
          ],
        },
      },
    ]);
  });

  it('stores nothing and sends nothing', async () => {
    const before = await listEvents();
    await preview(track({ messageId: 'pv-nothing' }));
    await preview({ message: track({ messageId: 'pv-nothing-2' }), connection: 'default' });
    expect(await listEvents()).toEqual(before);
    expect((await api('/debugger/api/events/pv-nothing')).status).toBe(404);
    expect(spy.fetchSpy).not.toHaveBeenCalled();
    expect(spy.sandbox.requests).toEqual([]);
    expect(await queueState()).toEqual({ events: 0, alarm: null });
  });

  it('takes {message, connection, visitorCountry}: the visitor’s country normalises a national phone number', async () => {
    const message = track({ userId: 'u_1', context: { traits: { phone: '07700 900123' } } });
    const inGb = await only({ message, connection: 'default', visitorCountry: 'gb' });
    expect(inGb.result.requests[0]?.body.user_identifiers).toEqual({ u_mb: '+447700900123' });
    const unknownCountry = await only({ message });
    expect(unknownCountry.result.requests[0]?.body.user_identifiers).toBeUndefined();
    expect(unknownCountry.result.omissions).toEqual([expect.objectContaining({ reason: 'invalid_phone' })]);
  });

  it('says why a message would be dropped', async () => {
    const c = await only(track({ event: 'Wishlist Shared' }));
    expect(c.result).toEqual({ status: 'dropped', reason: 'not_in_blueprint', detail: '"Wishlist Shared" is not in blueprint "retail"', requests: [], omissions: [] });
    expect(c.urls).toEqual([]);
  });

  it('says an anonymous visitor’s event would be held, and what it would send once identified', async () => {
    const c = await only(track({ userId: undefined, anonymousId: 'visitor-7' }));
    expect(c.result).toMatchObject({ status: 'held', anonymousId: 'visitor-7', detail: expect.stringContaining('visitor-7') });
    expect(c.result.requests[0]?.body).toMatchObject({ customer_id: '' });
  });

  it('an identify becomes a /v1/customer request', async () => {
    const c = await only({ type: 'identify', userId: 'u_5', traits: { first_name: 'Ada', email: 'ada@example.com' } });
    expect(c.urls).toEqual(['http://moengage.sandbox/v1/customer/demo-workspace']);
    expect(c.result.requests[0]).toMatchObject({ path: '/v1/customer/demo-workspace', body: { type: 'customer', customer_id: 'u_5', attributes: { first_name: 'Ada', email: 'ada@example.com' } } });
  });

  it('an invalid message is answered with its issues (the preview’s result, per connection)', async () => {
    const c = await only({ type: 'track', userId: 'u_1', event: '', timestamp: 'yesterday' });
    expect(c.result.status).toBe('invalid');
    expect(c.result.issues?.map((i) => i.path).sort()).toEqual(['event', 'timestamp']);
    expect(c.urls).toEqual([]);
  });

  it.each([
    ['a body that is not JSON', '{"type":', 400, 'invalid_json'],
    ['a JSON array', '[]', 400, 'invalid_preview'],
    ['a JSON string', '"track"', 400, 'invalid_preview'],
    ['a connection that is not a string', JSON.stringify({ message: track(), connection: 7 }), 400, 'invalid_preview'],
    ['a visitorCountry that is not a country code', JSON.stringify({ message: track(), visitorCountry: 'Britain' }), 400, 'invalid_preview'],
    ['an unknown connection', JSON.stringify({ message: track(), connection: 'nope' }), 404, 'unknown_connection'],
    ['a body over 64 KB', JSON.stringify(track({ properties: { blob: 'x'.repeat(70 * 1024) } })), 413, 'body_too_large'],
  ])('refuses %s', async (_name, body, status, error) => {
    const answer = await refusal(api('/debugger/api/preview', { method: 'POST', body }));
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ error, detail: expect.any(String) });
  });
});

describe('preview shows the request(s) delivery would send, packed as the connection packs', () => {
  const previewWith = async (settings: Record<string, string>, body: unknown) => {
    const res = await fetchWith(settings, new Request('http://collector.test/debugger/api/preview', { method: 'POST', headers: { authorization: `Bearer ${DEBUGGER_TOKEN}` }, body: JSON.stringify(body) }));
    expect(res.status).toBe(200);
    return ((await res.json()) as PreviewAnswer).connections[0]!;
  };
  const when = new Date(Date.now() - 60_000).toISOString();
  const order = track({ userId: 'u_8842', event: 'Order Completed', properties: { order_id: 'o-1', revenue: 5, currency: 'EUR' }, timestamp: when });

  it('DELIVERY_PACKING=bulk: the /v1/transition body, as delivery sends it', async () => {
    const c = await previewWith({ DELIVERY_PACKING: 'bulk' }, order);
    expect(c.urls).toEqual(['http://moengage.sandbox/v1/transition/demo-workspace']);
    expect(c.result.requests).toEqual([
      {
        method: 'POST',
        path: '/v1/transition/demo-workspace',
        body: {
          type: 'transition',
          elements: [
            {
              type: 'event',
              customer_id: 'u_8842',
              actions: [{ action: 'Order Completed', platform: 'web', attributes: { order_id: 'o-1', value: 5, currency: 'EUR' }, user_time: when, current_time: when }],
            },
          ],
        },
      },
    ]);
  });

  it('the same message, packed per customer (DELIVERY_PACKING=event): /v1/event', async () => {
    const c = await previewWith({ DELIVERY_PACKING: 'event' }, order);
    expect(c.urls).toEqual(['http://moengage.sandbox/v1/event/demo-workspace']);
  });

  it('an identify that merges (ANONYMOUS=customer), bulk: the profile in the bulk body, the merge on its own endpoint', async () => {
    const c = await previewWith({ DELIVERY_PACKING: 'bulk', ANONYMOUS: 'customer' }, { type: 'identify', userId: 'u_5', anonymousId: 'anon-5', traits: { first_name: 'Ada' } });
    expect(c.urls).toEqual(['http://moengage.sandbox/v1/transition/demo-workspace', 'http://moengage.sandbox/v1/customer/merge?app_id=demo-workspace']);
    expect(c.result.requests.map((r) => r.body)).toEqual([
      { type: 'transition', elements: [{ type: 'customer', customer_id: 'u_5', attributes: { first_name: 'Ada' } }] },
      { merge_data: [{ merged_user: 'anon-5', retained_user: 'u_5' }] },
    ]);
  });
});
