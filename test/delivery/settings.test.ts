/**
 * A queue reads only its own connection's delivery settings: whatever else is malformed — a
 * segments setting, an ingest limit, a blueprint, another connection — its queued events are
 * delivered. The collector names the malformed setting on /healthz and in the debugger, and only
 * the routes that need it answer 503.
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { DeliveryQueue } from '../../worker/delivery/DeliveryQueue';
import type { QueueEnv } from '../../worker/delivery/queueEnv';
import type { Env } from '../../worker/env';
import worker from '../../worker/index';
import { accepted, alarmOf, cleanup, CREDENTIALS, DEBUGGER_TOKEN, deliveredIds, drain, enqueue, installSandbox, queue, startClock, statuses, T0, trackRecord } from './support/harness';

beforeEach(() => startClock());
afterEach(cleanup);

const CONNECTIONS = JSON.parse(env.MOENGAGE_CONNECTIONS as string) as Record<string, unknown>[];
const withEntry = (id: string, change: Record<string, unknown>) => JSON.stringify(CONNECTIONS.map((c) => (c.id === id ? { ...c, ...change } : c)));

/** Runs the queue's alarm with the given settings in place of its own (the object as a redeploy with them would run it). */
async function alarmWith(connection: string, settings: Record<string, unknown>): Promise<void> {
  await runInDurableObject(queue(connection), async (_instance, state) => {
    await new DeliveryQueue(state, { ...env, ...settings } as unknown as QueueEnv).alarm();
  });
}

async function fetchWith(settings: Record<string, unknown>, path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`http://collector.test${path}`, init) as Request<unknown, IncomingRequestCfProperties>, { ...env, ...settings } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe('a malformed setting that is not this connection’s does not stop its delivery', () => {
  it.each<[string, Record<string, unknown>]>([
    ['SEGMENTS_CACHE_SECONDS=9999', { SEGMENTS_CACHE_SECONDS: '9999' }],
    ['BOT_POLICY=block', { BOT_POLICY: 'block' }],
    ['INGEST_RATE_PER_IP=lots', { INGEST_RATE_PER_IP: 'lots' }],
    ['a malformed custom blueprint', { BLUEPRINTS: '{"name":"x","events":{"A":{"filter":"revenue >="}}}' }],
    ['ANONYMOUS=keep (a mapping setting: ingest’s, not delivery’s)', { ANONYMOUS: 'keep' }],
    ['another connection’s malformed entry', { MOENGAGE_CONNECTIONS: withEntry('other', { maxAttempts: 'lots', dataCenter: '99' }) }],
    ['another connection’s missing key', { KEY_OTHER: undefined }],
  ])('%s', async (_, settings) => {
    const { sandbox } = installSandbox();
    await enqueue('main', ['s-1', 's-2', 's-3'].map((id) => trackRecord('u1', { id })));
    await alarmWith('main', settings);
    expect(deliveredIds(sandbox, 'main')).toEqual(['s-1', 's-2', 's-3']);
    expect(await statuses('main')).toEqual({ delivered: 3 });
  });
});

describe('this connection’s own malformed delivery setting', () => {
  it('keeps its events stored and waiting, looks again each minute, and says why on /healthz', async () => {
    const { sandbox } = installSandbox();
    await enqueue('main', [trackRecord('u1', { id: 'own-1' })]);
    const broken = { MOENGAGE_CONNECTIONS: withEntry('main', { maxAttempts: 'lots' }) };
    await alarmWith('main', broken);
    expect(accepted(sandbox, 'main')).toEqual([]);
    expect(await statuses('main')).toEqual({ queued: 1 });
    expect(await alarmOf('main')).toBe(T0 + 60_000);
    const health = await runInDurableObject(queue('main'), (_i, state) => new DeliveryQueue(state, { ...env, ...broken } as unknown as QueueEnv).health('main'));
    expect(health).toMatchObject({
      status: 'misconfigured',
      queueDepth: 1,
      misconfigured: { setting: 'MOENGAGE_CONNECTIONS[0]', problems: [expect.stringContaining('delivery.maxAttempts')] },
    });
    // Fixed (a redeploy restarts the object with its settings): delivered.
    await drain('main');
    expect(deliveredIds(sandbox, 'main')).toEqual(['own-1']);
  });
});

describe('the collector with SEGMENTS_CACHE_SECONDS=9999', () => {
  const bad = { SEGMENTS_CACHE_SECONDS: '9999' };
  const bearer = { authorization: `Bearer ${DEBUGGER_TOKEN}` };

  it('accepts and delivers events, shows the setting on /healthz and in the debugger, and refuses only the segments read', async () => {
    const { sandbox } = installSandbox();
    const batch = { batch: [{ type: 'track', messageId: 'm-seg-1', userId: 'u_1', event: 'Order Completed', properties: { order_id: 'o1', revenue: 1, currency: 'EUR' }, timestamp: new Date(T0).toISOString() }] };
    const ingest = await fetchWith(bad, '/v1/batch', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Basic ${btoa('test-write-key:')}` }, body: JSON.stringify(batch) });
    expect(ingest.status).toBe(200);

    const problem = { setting: 'SEGMENTS_CACHE_SECONDS', problems: ['an integer from 0 to 3600'] };
    const healthz = await fetchWith(bad, '/healthz');
    expect(healthz.status).toBe(200);
    expect(await healthz.json()).toMatchObject({ ok: true, status: 'degraded', misconfigured: [problem] });

    const stats = await fetchWith(bad, '/debugger/api/stats', { headers: bearer });
    expect(stats.status).toBe(200);
    expect(await stats.json()).toMatchObject({ misconfigured: [problem] });
    expect((await fetchWith(bad, '/debugger/api/events', { headers: bearer })).status).toBe(200);

    const segments = await fetchWith(bad, '/v1/segments?user_id=u_1&user_hash=00');
    expect(segments.status).toBe(503);
    expect(await segments.json()).toEqual({ error: 'misconfigured', detail: 'SEGMENTS_CACHE_SECONDS: an integer from 0 to 3600' });

    await drain('main');
    expect(accepted(sandbox, 'main')).toHaveLength(1);
    expect(await statuses('main')).toMatchObject({ delivered: 1 });
  });
});

describe('secrets stay out of storage', () => {
  it('no Data API key is written to a queue’s storage, through delivery, a pause and a replay', async () => {
    const { sandbox } = installSandbox();
    await enqueue('main', [trackRecord('u1', { id: 'k-1' })]);
    await drain('main');
    sandbox.faults.add({ status: 401, count: 1 });
    await enqueue('main', [trackRecord('u1', { id: 'k-2' })]);
    await drain('main');
    expect((await queue('main').health('main')).status).toBe('paused');
    const stored = await runInDurableObject(queue('main'), (_i, state) => {
      const tables = state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").toArray();
      return JSON.stringify(tables.map(({ name }) => state.storage.sql.exec(`SELECT * FROM "${name}"`).toArray()));
    });
    expect(stored).toContain('k-2'); // the scan reads the stored rows
    for (const key of Object.values(CREDENTIALS)) expect(stored).not.toContain(key);
    expect(stored).not.toContain(btoa('ws-main:main-key'));
  });
});
