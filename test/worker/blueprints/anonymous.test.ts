import { env } from 'cloudflare:workers';
import { createExecutionContext, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { mapMessage } from '../../../worker/blueprints/map';
import { PRESETS } from '../../../worker/blueprints/registry';
import type { Blueprint } from '../../../worker/blueprints/schema';
import { QueueStore } from '../../../worker/delivery/store/queueStore';
import type { IngestRecord } from '../../../worker/delivery/record';
import type { Env } from '../../../worker/env';
import worker from '../../../worker/index';
import { basic, debuggerEvent, flush, post, queue, WRITE_KEY } from '../support/ingest';
import { useSandbox } from '../support/sandboxPerTest';
import { message } from './support';

const { sandbox } = useSandbox();

const now = () => new Date().toISOString();
const anonymous = (messageId: string, anonymousId: string, event = 'Product Viewed') => ({
  type: 'track',
  messageId,
  anonymousId,
  userId: null,
  event,
  properties: { sku: messageId },
  timestamp: now(),
});
const identify = (messageId: string, userId: string, anonymousId: string) => ({
  type: 'identify',
  messageId,
  userId,
  anonymousId,
  traits: { email: 'jane@example.com' },
  timestamp: now(),
});

/** POSTs a batch through the Worker with some settings changed (ANONYMOUS=…); same DeliveryQueue namespace. */
async function postWith(settings: Record<string, string>, batch: unknown[]): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request('http://collector.test/v1/batch', {
      method: 'POST',
      headers: { authorization: basic(WRITE_KEY), 'content-type': 'application/json' },
      body: JSON.stringify({ batch }),
    }),
    { ...env, ...settings } as Env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

async function heldRows(): Promise<{ message_id: string; anonymous_id: string; hold_until: number }[]> {
  return runInDurableObject(queue(), (_instance, state) =>
    state.storage.sql.exec<{ message_id: string; anonymous_id: string; hold_until: number }>('SELECT * FROM held ORDER BY message_id').toArray(),
  );
}

interface Sent {
  path: string;
  body: { customer_id?: string; actions?: { action: string; attributes: Record<string, unknown> }[]; attributes?: unknown; merge_data?: unknown };
  status: number;
}
const sent = (): Sent[] => sandbox().requests.map((r) => ({ path: r.path, body: r.body as Sent['body'], status: r.response.status }));

describe('ANONYMOUS=hold (default), in the real DeliveryQueue', () => {
  it('holds anonymous events, then releases them as the user an identify links', async () => {
    const before = Date.now();
    expect((await post('/v1/batch', { batch: [anonymous('a-1', 'anon-1'), anonymous('a-2', 'anon-1', 'Product Added')] })).status).toBe(200);
    expect(await debuggerEvent('a-1')).toMatchObject({ status: 'held', mapped: [{ kind: 'event', customer_id: '' }] });
    const held = await heldRows();
    expect(held.map((r) => [r.message_id, r.anonymous_id])).toEqual([['a-1', 'anon-1'], ['a-2', 'anon-1']]);
    // The default window is 60 minutes from receipt.
    for (const row of held) expect(row.hold_until - 60 * 60_000).toBeGreaterThanOrEqual(before);

    // The alarm (scheduled for the hold deadline) sends nothing while the visitor is anonymous.
    await flush();
    expect(sent()).toEqual([]);
    expect((await debuggerEvent('a-1'))?.status).toBe('held');

    await post('/v1/batch', { batch: [identify('id-1', 'u_1', 'anon-1')] });
    expect(await debuggerEvent('a-1')).toMatchObject({
      status: 'queued',
      detail: 'held while anonymous; released when anonymousId "anon-1" was identified as "u_1"',
      mapped: [{ kind: 'event', customer_id: 'u_1' }],
    });
    expect(await heldRows()).toEqual([]);

    expect(await flush()).toBe(true);
    const requests = sent();
    const events = requests.filter((r) => r.path === '/v1/event/demo-workspace');
    expect(events).toHaveLength(1);
    expect(events[0]?.status).toBe(200);
    expect(events[0]?.body.customer_id).toBe('u_1');
    expect(events[0]?.body.actions?.map((a) => [a.action, a.attributes])).toEqual([
      ['Product Viewed', { sku: 'a-1' }],
      ['Product Added', { sku: 'a-2' }],
    ]);
    expect(requests.filter((r) => r.path === '/v1/customer/demo-workspace').map((r) => r.body)).toEqual([
      { type: 'customer', customer_id: 'u_1', attributes: { email: 'jane@example.com' } },
    ]);
    expect((await debuggerEvent('a-2'))?.status).toBe('delivered');
  });

  it('any message with both ids links them (an event after login), and other visitors stay held', async () => {
    await post('/v1/batch', { batch: [anonymous('a-1', 'anon-1'), anonymous('b-1', 'anon-2')] });
    await post('/v1/batch', { batch: [{ ...anonymous('a-2', 'anon-1', 'Logged In'), userId: 'u_1' }] });
    expect((await debuggerEvent('a-1'))?.status).toBe('queued');
    expect((await debuggerEvent('b-1'))?.status).toBe('held');
    expect((await heldRows()).map((r) => r.message_id)).toEqual(['b-1']);
  });

  it('a disallowed userId links nothing', async () => {
    await post('/v1/batch', { batch: [anonymous('a-1', 'anon-1'), identify('id-1', 'guest', 'anon-1')] });
    expect((await debuggerEvent('a-1'))?.status).toBe('held');
    expect(await debuggerEvent('id-1')).toMatchObject({ status: 'dropped', reason: 'disallowed_customer_id' });
  });

  it('an event and the identify that links it in the same batch go out together', async () => {
    await post('/v1/batch', { batch: [anonymous('a-1', 'anon-1'), identify('id-1', 'u_1', 'anon-1')] });
    expect(await debuggerEvent('a-1')).toMatchObject({ status: 'queued', mapped: [{ customer_id: 'u_1' }] });
  });

  it('remembers the link: an anonymous event arriving after the identify is released at once', async () => {
    await post('/v1/batch', { batch: [identify('id-1', 'u_1', 'anon-1')] });
    await post('/v1/batch', { batch: [anonymous('late-1', 'anon-1')] });
    expect(await debuggerEvent('late-1')).toMatchObject({ status: 'queued', mapped: [{ customer_id: 'u_1' }] });
    expect(await heldRows()).toEqual([]);
  });

  it('alias links its previousId too', async () => {
    await post('/v1/batch', { batch: [anonymous('a-1', 'anon-9')] });
    await post('/v1/batch', { batch: [{ type: 'alias', messageId: 'al-1', userId: 'u_9', previousId: 'anon-9', timestamp: now() }] });
    expect(await debuggerEvent('a-1')).toMatchObject({ status: 'queued', mapped: [{ customer_id: 'u_9' }] });
  });

  it('a client retrying a batch does not hold an already released event again', async () => {
    const batch = { batch: [anonymous('a-1', 'anon-1')] };
    await post('/v1/batch', batch);
    await post('/v1/batch', { batch: [identify('id-1', 'u_1', 'anon-1')] });
    const retry = await post('/v1/batch', batch);
    expect(await retry.json()).toMatchObject({ duplicates: 1 });
    expect(await heldRows()).toEqual([]);
    expect((await debuggerEvent('a-1'))?.status).toBe('queued');
  });

  it('unidentified past the window: the alarm drops them with reason anonymous_not_identified', async () => {
    const mapped = mapMessage(message(anonymous('old-1', 'anon-old')), PRESETS.retail as Blueprint);
    if (mapped.status !== 'held') throw new Error(`expected held, got ${mapped.status}`);
    // A record whose window has already passed: the queue sets its alarm for the deadline (now).
    const record: IngestRecord = {
      messageId: 'old-1',
      type: 'track',
      name: 'Product Viewed',
      userId: null,
      anonymousId: 'anon-old',
      receivedAt: Date.now() - 61 * 60_000,
      raw: anonymous('old-1', 'anon-old'),
      outcome: { ...mapped, holdUntil: Date.now() - 1 },
    };
    await queue().enqueue('default', [record]);
    await runDurableObjectAlarm(queue()); // workerd may already have run it: either way it has run now
    expect(await debuggerEvent('old-1')).toMatchObject({
      status: 'dropped',
      reason: 'anonymous_not_identified',
      detail: 'anonymousId "anon-old" was not linked to a userId within the hold window (ANONYMOUS_HOLD_MINUTES)',
    });
    expect(await heldRows()).toEqual([]);
    // An identify after the window changes nothing: the event stays dropped, never sent.
    await post('/v1/batch', { batch: [identify('id-late', 'u_old', 'anon-old')] });
    expect((await debuggerEvent('old-1'))?.status).toBe('dropped');
  });

  it('expiry follows ANONYMOUS_HOLD_MINUTES', async () => {
    const receivedAfter = Date.now();
    expect((await postWith({ ANONYMOUS_HOLD_MINUTES: '5' }, [anonymous('a-1', 'anon-1')])).status).toBe(200);
    const [row] = await heldRows();
    expect(row?.hold_until).toBeGreaterThanOrEqual(receivedAfter + 5 * 60_000);
    expect(row?.hold_until).toBeLessThanOrEqual(Date.now() + 5 * 60_000);

    const expireAt = (row?.hold_until ?? 0) - 1;
    expect(await runInDurableObject(queue(), (_i, state) => new QueueStore(state.storage).expireHolds(expireAt))).toBe(0);
    expect(await runInDurableObject(queue(), (_i, state) => new QueueStore(state.storage).expireHolds(expireAt + 1))).toBe(1);
    expect(await debuggerEvent('a-1')).toMatchObject({ status: 'dropped', reason: 'anonymous_not_identified' });
  });
});

describe('ANONYMOUS=customer and ANONYMOUS=drop', () => {
  it('customer: the anonymousId is the customer_id, and identify merges it into the user', async () => {
    await postWith({ ANONYMOUS: 'customer' }, [anonymous('a-1', 'anon-1'), identify('id-1', 'u_1', 'anon-1')]);
    expect(await debuggerEvent('a-1')).toMatchObject({ status: 'queued', mapped: [{ customer_id: 'anon-1' }] });
    expect(await flush()).toBe(true);
    const requests = sent();
    expect(requests.find((r) => r.path === '/v1/event/demo-workspace')?.body.customer_id).toBe('anon-1');
    const merge = requests.find((r) => r.path === '/v1/customer/merge');
    expect(merge).toMatchObject({ status: 200, body: { merge_data: [{ merged_user: 'anon-1', retained_user: 'u_1' }] } });
    expect(sandbox().requests.find((r) => r.path === '/v1/customer/merge')?.workspace).toBe('demo-workspace');
    expect((await debuggerEvent('id-1'))?.status).toBe('delivered');
  });

  it('drop: anonymous events are dropped with the reason, known users still delivered', async () => {
    await postWith({ ANONYMOUS: 'drop' }, [anonymous('a-1', 'anon-1'), { ...anonymous('k-1', 'anon-1'), userId: 'u_1' }]);
    expect(await debuggerEvent('a-1')).toMatchObject({ status: 'dropped', reason: 'anonymous_dropped', detail: 'anonymous visitor (no userId) and ANONYMOUS=drop' });
    expect((await debuggerEvent('k-1'))?.status).toBe('queued');
    expect(await heldRows()).toEqual([]);
  });
});
