/**
 * Official Segment server client (@segment/analytics-node) pointed at the collector, unchanged:
 * /v1/batch with the write key as Basic username (and in the body), sentAt, its own messageIds, and
 * its own retry when an answer is lost. Runs against `wrangler dev` + the sandbox (globalSetup).
 */
import { Analytics } from '@segment/analytics-node';
import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../browser/chromium';
import { BROWSER_DEBUGGER_TOKEN, BROWSER_WRITE_KEY } from '../browser/globalSetup';

const collectorUrl = inject('collectorUrl');
const sandboxUrl = inject('sandboxUrl');
const run = Math.random().toString(36).slice(2, 8);

interface EventView {
  messageId: string;
  status: string;
  reason: string | null;
  attempts: number;
  raw: Record<string, unknown>;
}

async function debuggerEvent(messageId: string): Promise<EventView | null> {
  const res = await fetch(`${collectorUrl}/debugger/api/events/${encodeURIComponent(messageId)}`, { headers: { authorization: `Bearer ${BROWSER_DEBUGGER_TOKEN}` } });
  return res.status === 404 ? null : ((await res.json()) as EventView);
}

async function sandboxActions(customerId: string): Promise<string[]> {
  const res = await fetch(`${sandboxUrl}/_sandbox/requests`);
  const data = (await res.json()) as { path: string; body: { customer_id?: string; actions?: { action: string }[] } }[] | { requests: never[] };
  const list = Array.isArray(data) ? data : data.requests;
  return list.filter((r) => r.body?.customer_id === customerId).flatMap((r) => (r.body.actions ?? []).map((a) => a.action));
}

function client(host: string) {
  return new Analytics({ writeKey: BROWSER_WRITE_KEY, host, flushAt: 10, flushInterval: 200, maxRetries: 3 });
}

describe('@segment/analytics-node against the collector', () => {
  it('delivers track, identify and page calls, stamped with its own messageIds and sentAt', async () => {
    const analytics = client(collectorUrl);
    const userId = `seg-${run}`;
    const ids = { identify: `id-${run}`, order: `order-${run}`, page: `page-${run}` };
    const errors: unknown[] = [];
    analytics.on('error', (e) => errors.push(e));
    analytics.identify({ userId, messageId: ids.identify, traits: { email: 'jane@example.com', first_name: 'Jane' } });
    analytics.track({ userId, messageId: ids.order, event: 'Order Completed', properties: { order_id: `ORD-${run}`, revenue: 12.5, currency: 'EUR' } });
    analytics.page({ userId, messageId: ids.page, name: 'Checkout' });
    await analytics.closeAndFlush({ timeout: 20_000 });
    expect(errors).toEqual([]);

    for (const id of Object.values(ids)) {
      const event = await eventually(async () => {
        const e = await debuggerEvent(id);
        return e?.status === 'delivered' ? e : undefined;
      }, 20_000, `${id} delivered`);
      expect(event.raw).toMatchObject({ userId, context: { library: { name: '@segment/analytics-node' } } });
      expect(typeof event.raw.sentAt === 'string' || typeof event.raw.timestamp === 'string').toBe(true);
    }
    const actions = await eventually(async () => {
      const a = await sandboxActions(userId);
      return a.length >= 2 ? a : undefined;
    }, 20_000, 'actions at the sandbox');
    expect(actions.sort()).toEqual(['Order Completed', 'Page Viewed']);
  });

  describe('a lost answer: the client retries the same batch, the collector stores it once', () => {
    let proxy: Server;
    let proxyUrl = '';
    const seen: { retryCount: string | null; messageIds: string[]; answer: unknown }[] = [];

    beforeAll(async () => {
      // Between client and collector: forwards every request, but the first answer is "lost" (503).
      proxy = createServer(async (req, res) => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const body = Buffer.concat(chunks);
        const forwarded = await fetch(`${collectorUrl}${req.url}`, {
          method: req.method,
          headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)) as [string, string][]),
          body,
        });
        const answer = await forwarded.json();
        seen.push({ retryCount: (req.headers['x-retry-count'] as string) ?? null, messageIds: (JSON.parse(body.toString()) as { batch: { messageId: string }[] }).batch.map((m) => m.messageId), answer });
        if (seen.length === 1) {
          res.writeHead(503).end();
        } else {
          res.writeHead(forwarded.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
        }
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      const address = proxy.address();
      proxyUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    });
    afterAll(() => new Promise<void>((resolve) => proxy.close(() => resolve())));

    it('answers the retry as duplicates and MoEngage receives the event once', async () => {
      const analytics = client(proxyUrl);
      const userId = `retry-${run}`;
      const messageId = `retry-msg-${run}`;
      analytics.track({ userId, messageId, event: 'Order Completed', properties: { order_id: `R-${run}`, revenue: 1 } });
      await analytics.closeAndFlush({ timeout: 20_000 });

      expect(seen.map((s) => s.retryCount)).toEqual([null, '1']);
      expect(seen[1]?.messageIds).toEqual(seen[0]?.messageIds);
      expect(seen[0]?.answer).toMatchObject({ ok: true, accepted: 1, duplicates: 0 });
      expect(seen[1]?.answer).toMatchObject({ ok: true, accepted: 0, duplicates: 1 });
      await eventually(async () => ((await debuggerEvent(messageId))?.status === 'delivered' ? true : undefined), 20_000, 'retried event delivered');
      await new Promise((r) => setTimeout(r, 500));
      expect(await sandboxActions(userId)).toEqual(['Order Completed']);
    });
  });

  it('takes a gzip body as Segment’s other libraries send it (Content-Encoding: gzip, Basic auth)', async () => {
    const messageId = `gzip-${run}`;
    const res = await fetch(`${collectorUrl}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Basic ${Buffer.from(`${BROWSER_WRITE_KEY}:`).toString('base64')}` },
      body: gzipSync(JSON.stringify({ batch: [{ type: 'track', messageId, userId: `gz-${run}`, event: 'Product Viewed', timestamp: new Date().toISOString() }], sentAt: new Date().toISOString() })),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 1 });
    expect((await debuggerEvent(messageId))?.status).toMatch(/queued|delivered/);
  });
});
