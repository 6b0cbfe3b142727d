/**
 * Every status (and reason) an event can be in, each brought about by its real cause — the
 * blueprint, the identity rules, the anonymous hold, MoEngage's answers from the sandbox — and read
 * back through the debugger API the way a user sees it. Then replay and resume move them on.
 * The clock is faked (Date only) so retries and holds can be driven by alarms without waiting.
 */
import { describe, expect, it, vi } from 'vitest';
import type { EventSummary, JourneyShown } from '../../../worker/debugger/views';
import { ACCEPTED_MESSAGE } from '../../../dev/moengage-sandbox/moengage';
import { fetchWith, ingestRequest } from '../support/configured';
import { api, ingest, journey, listEvents, ok, postJson, refusal, stats, track } from '../support/debugger';
import { flush } from '../support/ingest';
import { useSandbox } from '../support/sandboxPerTest';

const T0 = Date.UTC(2030, 5, 3, 12, 0, 0);
const MINUTE = 60_000;

const { sandbox } = useSandbox({ clock: T0 });

const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);
const moengageError = (type: string, message: string, requestId: string) => ({ status: 'fail', error: { type, message, request_id: requestId } });

describe('delivered', () => {
  it('shows the exact request (URL, body, redacted headers) and MoEngage’s answer (status, body, request_id, timing)', async () => {
    await ingest(track({ messageId: 'ok-1', userId: 'u_42', event: 'Order Completed', properties: { order_id: 'o-9', revenue: 12.5, currency: 'GBP' } }));
    await flush();
    const [sent] = sandbox().requests;
    expect(sent?.response.status).toBe(200);

    const event = await journey('ok-1');
    expect(event).toMatchObject({ messageId: 'ok-1', status: 'delivered', reason: null, attempts: 1, nextAttemptAt: null, lastAnswer: { status: 200, at: T0 } });
    expect(event.exchanges).toHaveLength(1);
    const x = event.exchanges[0]!;
    expect(x).toMatchObject({
      number: 1,
      at: T0,
      method: 'POST',
      url: 'http://moengage.sandbox/v1/event/demo-workspace',
      status: 200,
      error: null,
      units: { events: 1, customers: 0, merges: 0 },
      headers: { authorization: 'Basic demo-workspace:*** (base64; Data API key redacted)', 'content-type': 'application/json' },
    });
    // The body recorded is the body MoEngage received, byte for byte.
    expect(x.request).toEqual(sent!.body);
    expect(x.bytes).toBe(new TextEncoder().encode(JSON.stringify(sent!.body)).length);
    expect(x.request).toMatchObject({ type: 'event', customer_id: 'u_42', actions: [{ action: 'Order Completed', attributes: { order_id: 'o-9', value: 12.5, currency: 'GBP' } }] });
    expect(x.response).toEqual({ status: 'success', message: ACCEPTED_MESSAGE, request_id: expect.any(String) });
    expect(x.requestId).toBe((x.response as { request_id: string }).request_id);
    expect(x.requestId).toBe((sent!.response.body as { request_id: string }).request_id);
    expect(x.durationMs).toBeGreaterThanOrEqual(0);
    expect(Number.isInteger(x.durationMs)).toBe(true);
    // And what it mapped to, before sending.
    expect(event.mapped).toEqual([expect.objectContaining({ kind: 'event', customer_id: 'u_42' })]);
    expect(event.raw).toMatchObject({ messageId: 'ok-1', type: 'track', event: 'Order Completed' });
  });
});

describe('dropped', () => {
  const dropped = async (messageId: string, mapped = false) => {
    const event = await journey(messageId);
    expect(event.status).toBe('dropped');
    if (!mapped) expect(event.mapped).toBeNull();
    expect(event.exchanges).toEqual([]);
    expect(event.attempts).toBe(0);
    return event;
  };

  it('not_in_blueprint: an event the blueprint does not list, or disables', async () => {
    await ingest(track({ messageId: 'nib-1', event: 'Wishlist Shared' }), track({ messageId: 'nib-2', event: 'Order Refunded' }));
    await flush();
    expect(sandbox().requests).toHaveLength(0);
    expect(await dropped('nib-1')).toMatchObject({ reason: 'not_in_blueprint', detail: '"Wishlist Shared" is not in blueprint "retail"' });
    expect(await dropped('nib-2')).toMatchObject({ reason: 'not_in_blueprint', detail: '"Order Refunded" is disabled in blueprint "retail"' });
  });

  it('filtered: the blueprint’s filter is false for the event (true ones are queued)', async () => {
    const blueprint = { name: 'big-orders', extends: 'retail', events: { 'Order Completed': { filter: 'revenue >= 100', rename: { revenue: 'value' } } } };
    const res = await fetchWith(
      { BLUEPRINT: JSON.stringify(blueprint) },
      ingestRequest('/v1/batch', {
        batch: [
          track({ messageId: 'small', event: 'Order Completed', properties: { order_id: 'a', revenue: 20 } }),
          track({ messageId: 'big', event: 'Order Completed', properties: { order_id: 'b', revenue: 250 } }),
        ],
      }),
    );
    expect(res.status).toBe(200);
    expect(await dropped('small')).toMatchObject({ reason: 'filtered', detail: 'filter "revenue >= 100" is false for this event' });
    expect(await journey('big')).toMatchObject({ status: 'queued', reason: null });
  });

  it('disallowed_customer_id: a placeholder userId MoEngage refuses', async () => {
    await ingest(track({ messageId: 'guest-1', userId: 'Guest' }));
    expect(await dropped('guest-1')).toMatchObject({ reason: 'disallowed_customer_id', detail: 'userId "Guest" is a placeholder MoEngage does not allow as customer_id' });
  });

  it('a message with no userId and no anonymousId cannot reach MoEngage: dropped as invalid_message, answered in `rejected`', async () => {
    // (missing_customer_id is the mapping's reason; the message schema already refuses such messages.)
    const res = await fetchWith({}, ingestRequest('/v1/batch', { batch: [{ type: 'track', messageId: 'no-ids', event: 'Product Viewed' }] }));
    expect(await res.json()).toMatchObject({ accepted: 0, rejected: [{ index: 0, messageId: 'no-ids', error: 'invalid_message' }] });
    // Logged under an id of its own: an invalid message never claims its messageId.
    const logged = (await listEvents('status=dropped')).events.find((e) => e.messageId.endsWith(':no-ids'));
    const event = await dropped(logged?.messageId ?? 'no-ids');
    expect(event).toMatchObject({ reason: 'invalid_message', detail: expect.stringContaining('userId') });
    expect(event.raw).toEqual({ type: 'track', messageId: 'no-ids', event: 'Product Viewed' });
  });

  it('anonymous_not_identified: a held event whose visitor is never identified within the hold window', async () => {
    await ingest(track({ messageId: 'anon-lost', userId: undefined, anonymousId: 'visitor-lost' }));
    advance(60 * MINUTE + 1);
    await flush();
    // It was mapped (customer_id left empty), so the journey still shows what it would have sent.
    const event = await dropped('anon-lost', true);
    expect(event).toMatchObject({ reason: 'anonymous_not_identified', detail: expect.stringContaining('visitor-lost') });
    expect(event.mapped).toEqual([expect.objectContaining({ customer_id: '' })]);
    expect(sandbox().requests).toHaveLength(0);
  });
});

describe('invalid_phone', () => {
  it('is an omission, not a drop: the event is delivered without u_mb and the journey says why', async () => {
    await ingest(track({ messageId: 'bad-phone', userId: 'u_7', context: { traits: { email: 'seven@example.com', phone: 'call me maybe' } } }));
    await flush();
    const event = await journey('bad-phone', 'reveal=pii');
    expect(event).toMatchObject({ status: 'delivered', reason: null });
    expect(event.omissions).toContainEqual({ reason: 'invalid_phone', detail: 'trait phone: "call me maybe" contains words, not a phone number' });
    expect(event.mapped[0].user_identifiers).toEqual({ u_em: 'seven@example.com' });
    expect(sandbox().requests[0]?.body).toMatchObject({ user_identifiers: { u_em: 'seven@example.com' } });
    expect(JSON.stringify(sandbox().requests[0]?.body)).not.toContain('u_mb');
  });
});

describe('held → queued → delivered', () => {
  it('holds an anonymous visitor’s event until a message links the visitor, then delivers it as that user', async () => {
    await ingest(track({ messageId: 'h-1', userId: undefined, anonymousId: 'visitor-9' }));
    const held = await journey('h-1');
    expect(held).toMatchObject({ status: 'held', reason: null, userId: null, anonymousId: 'visitor-9', nextAttemptAt: T0 + 60 * MINUTE });
    expect(held.mapped).toEqual([expect.objectContaining({ kind: 'event', customer_id: '' })]);
    await flush();
    expect(sandbox().requests).toHaveLength(0);
    expect((await journey('h-1')).status).toBe('held');

    advance(5 * MINUTE);
    await ingest({ type: 'identify', messageId: 'id-1', userId: 'u_9', anonymousId: 'visitor-9', traits: { first_name: 'Nine' } });
    expect((await journey('h-1')).status).toBe('queued');
    await flush();
    const delivered = await journey('h-1');
    expect(delivered.status).toBe('delivered');
    expect(delivered.exchanges.at(-1)?.request).toMatchObject({ customer_id: 'u_9' });
  });
});

describe('queued, retrying, dead', () => {
  it('queued: stored and waiting for the flush, nothing sent yet', async () => {
    await ingest(track({ messageId: 'q-1' }));
    const event = await journey('q-1');
    expect(event).toMatchObject({ status: 'queued', reason: null, attempts: 0, lastAnswer: null, exchanges: [] });
    expect(event.nextAttemptAt).toBeGreaterThanOrEqual(T0);
    expect(sandbox().requests).toHaveLength(0);
  });

  it('retrying after a MoEngage 500, then dead once MAX_ATTEMPTS (8) attempts failed', async () => {
    sandbox().faults.add({ status: 500 });
    await ingest(track({ messageId: 'r-1' }));
    await flush();
    const retrying = await journey('r-1');
    expect(retrying).toMatchObject({
      status: 'retrying',
      reason: 'moengage_unavailable',
      detail: expect.stringMatching(/^HTTP 500 InternalServerError: Injected fault/),
      attempts: 1,
      lastAnswer: { status: 500, at: T0 },
    });
    expect(retrying.nextAttemptAt).toBeGreaterThan(T0);
    expect(retrying.exchanges[0]).toMatchObject({ status: 500, response: { status: 'fail', error: { type: 'InternalServerError' } } });
    expect((await listEvents('status=retrying')).events.map((e) => e.messageId)).toEqual(['r-1']);

    for (let i = 0; i < 12 && (await journey('r-1')).status === 'retrying'; i++) {
      advance(11 * MINUTE);
      await flush();
    }
    const dead = await journey('r-1');
    expect(dead).toMatchObject({ status: 'dead', reason: 'moengage_unavailable', attempts: 8, nextAttemptAt: null });
    expect(dead.detail).toMatch(/\(gave up after 8 failed attempts\)$/);
    expect(dead.exchanges.map((x) => x.status)).toEqual(Array(8).fill(500));
    expect(sandbox().requests).toHaveLength(8);
  });

  it('dead with MoEngage’s error text: a 400 is isolated to the one event MoEngage refuses', async () => {
    const refused = moengageError('InvalidAttributeError', "Attribute 'colour' has an invalid value.", 'req-400');
    sandbox().faults.add({ status: 400, count: 3, body: refused });
    // One customer: the three actions share one /v1/event request; halves are sent until the refused one is alone.
    await ingest(track({ messageId: 'x-a', userId: 'u_1' }), track({ messageId: 'x-b', userId: 'u_1' }), track({ messageId: 'x-c', userId: 'u_1' }));
    await flush();
    expect(sandbox().requests.map((r) => r.response.status)).toEqual([400, 400, 400, 200, 200]);

    const dead = await journey('x-a');
    expect(dead).toMatchObject({ status: 'dead', reason: 'rejected_by_moengage', detail: "HTTP 400 InvalidAttributeError: Attribute 'colour' has an invalid value.", attempts: 3 });
    expect(dead.exchanges.map((x) => [x.status, x.requestId, (x.request as { actions: unknown[] }).actions.length])).toEqual([
      [400, 'req-400', 3],
      [400, 'req-400', 2],
      [400, 'req-400', 1],
    ]);
    expect(dead.exchanges[0]?.error).toContain('split: the 3 items are sent again in two halves');
    expect(dead.exchanges[2]?.response).toEqual(refused);
    expect((await journey('x-b')).status).toBe('delivered');
    expect((await journey('x-c')).status).toBe('delivered');
    expect((await listEvents('status=dead')).events.map((e) => [e.messageId, e.reason])).toEqual([['x-a', 'rejected_by_moengage']]);
  });

  it('dead as payload_too_large when MoEngage answers 413 to the event alone', async () => {
    sandbox().faults.add({ status: 413, count: 1, body: moengageError('PayloadTooLargeError', 'Request body exceeds 128 KB.', 'req-413') });
    await ingest(track({ messageId: 'big-1' }));
    await flush();
    expect(await journey('big-1')).toMatchObject({
      status: 'dead',
      reason: 'payload_too_large',
      detail: 'HTTP 413 PayloadTooLargeError: Request body exceeds 128 KB.',
      attempts: 1,
      exchanges: [expect.objectContaining({ status: 413, requestId: 'req-413' })],
    });
  });
});

describe('paused, resume, replay', () => {
  it('a MoEngage 401 pauses the connection: its events show paused with the reason until resumed, then go out', async () => {
    sandbox().faults.add({ status: 401, count: 1, body: moengageError('AuthenticationError', 'Invalid credentials.', 'req-401') });
    await ingest(track({ messageId: 'p-1' }));
    await flush();
    const paused = await journey('p-1');
    expect(paused).toMatchObject({ status: 'paused', reason: 'moengage_unauthorized', attempts: 1 });
    expect(paused.detail).toBe(
      'HTTP 401 AuthenticationError: Invalid credentials. — POST http://moengage.sandbox/v1/event/demo-workspace (MOENGAGE_API_BASE http://moengage.sandbox; no data center set): ' +
        'check the workspace ID and Data API key (the Data tile key); a wrong data center (MOENGAGE_DATA_CENTER, or dataCenter in MOENGAGE_CONNECTIONS) gives this answer too: ' +
        'a workspace is known only to its own data center (the number in your dashboard URL, dashboard-0N); then resume',
    );
    expect(paused.exchanges[0]?.error).toContain('connection paused');

    // Events arriving while paused are paused too, and nothing is sent.
    advance(1_000);
    await ingest(track({ messageId: 'p-2' }));
    await flush();
    expect(sandbox().requests).toHaveLength(1);
    expect((await listEvents('status=paused')).events.map((e) => [e.messageId, e.reason])).toEqual([
      ['p-2', 'moengage_unauthorized'],
      ['p-1', 'moengage_unauthorized'],
    ]);
    const s = await stats();
    expect(s.paused).toEqual([{ connection: 'default', reason: 'moengage_unauthorized', detail: paused.detail, since: T0 }]);

    advance(1_000);
    const resumed = await ok(postJson('/debugger/api/connections/default/resume', {}));
    expect(resumed).toEqual({ connection: 'default', resumed: true, pause: { reason: 'moengage_unauthorized', detail: paused.detail, since: T0 }, rateLimited: null });
    expect((await journey('p-1')).status).toBe('queued');
    await flush();
    expect((await journey('p-1')).status).toBe('delivered');
    expect((await journey('p-2')).status).toBe('delivered');
    expect((await stats()).paused).toEqual([]);
    // Resuming a connection that is not paused says so.
    expect(await ok(postJson('/debugger/api/connections/default/resume', {}))).toEqual({ connection: 'default', resumed: false, pause: null, rateLimited: null });
  });

  it('resume of an unknown connection is 404', async () => {
    const { status, body } = await refusal(postJson('/debugger/api/connections/nope/resume', {}));
    expect(status).toBe(404);
    expect(body.error).toBe('unknown_connection');
  });

  it('replay of a dead event queues it again and it is delivered; a second replay does nothing', async () => {
    sandbox().faults.add({ status: 400, count: 1, body: moengageError('InvalidAttributeError', 'bad', 'req-1') });
    await ingest(track({ messageId: 'd-1' }), track({ messageId: 'd-2', userId: 'u_2' }));
    await flush();
    expect((await journey('d-1')).status).toBe('dead');

    advance(1_000);
    const replayed = await ok(postJson('/debugger/api/replay', { messageIds: ['d-1', 'd-2', 'unknown-id'] }));
    expect(replayed).toEqual({
      replayed: 1,
      connections: [
        {
          connection: 'default',
          replayed: 1,
          paused: 0,
          resumed: false,
          skipped: [
            { messageId: 'd-2', status: 'delivered' },
            { messageId: 'unknown-id', status: null },
          ],
        },
      ],
      notReplayable: ['d-2', 'unknown-id'],
    });
    const queued = await journey('d-1');
    expect(queued).toMatchObject({ status: 'queued', reason: null, detail: `replayed at ${new Date(T0 + 1_000).toISOString()}` });
    await flush();
    const delivered = await journey('d-1');
    expect(delivered).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(delivered.exchanges.map((x) => x.status)).toEqual([400, 200]);
    expect((await ok(postJson('/debugger/api/replay', { messageIds: ['d-1'] }))).replayed).toBe(0);
  });

  it('replay by reason replays exactly the dead events of that reason', async () => {
    sandbox().faults.add({ status: 413, count: 1 });
    await ingest(track({ messageId: 'z-1', userId: 'u_a' }));
    await flush();
    sandbox().faults.add({ status: 400, count: 1 });
    await ingest(track({ messageId: 'z-2', userId: 'u_b' }));
    await flush();
    const dead = async () => (await listEvents('status=dead')).events.map((e: EventSummary) => [e.messageId, e.reason]);
    expect(await dead()).toEqual([
      ['z-2', 'rejected_by_moengage'],
      ['z-1', 'payload_too_large'],
    ]);
    expect((await ok(postJson('/debugger/api/replay', { reason: 'payload_too_large' }))).replayed).toBe(1);
    expect(await dead()).toEqual([['z-2', 'rejected_by_moengage']]);
  });

  it.each([
    ['nothing selected', {}],
    ['two selectors', { all: true, reason: 'x' }],
    ['an unknown key', { all: true, everything: true }],
    ['messageIds not an array', { messageIds: 'd-1' }],
  ])('refuses a replay with %s: 400 invalid_replay with issues', async (_name, body) => {
    const answer = await refusal(postJson('/debugger/api/replay', body));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'invalid_replay', detail: expect.stringContaining('messageIds'), issues: [expect.objectContaining({ path: expect.any(String) })] });
  });

  it('refuses a replay body that is not JSON', async () => {
    const answer = await refusal(api('/debugger/api/replay', { method: 'POST', body: '{all' }));
    expect(answer).toEqual({ status: 400, body: { error: 'invalid_json', detail: expect.any(String) } });
  });
});

describe('an unknown messageId', () => {
  it('is 404 event_not_found', async () => {
    const { status, body } = await refusal(api('/debugger/api/events/never-seen'));
    expect(status).toBe(404);
    expect(body).toEqual({ error: 'event_not_found', detail: 'no event with messageId "never-seen"' });
  });

  it('a messageId with slashes, spaces and Unicode opens its journey', async () => {
    const id = 'a/b c?d#é-😀';
    await ingest(track({ messageId: id }));
    const event: JourneyShown = await journey(id);
    expect(event.messageId).toBe(id);
  });
});
