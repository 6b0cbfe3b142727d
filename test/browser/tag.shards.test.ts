/**
 * The tag against a sharded collector (globalSetup.ts runs it with QUEUE_SHARDS=4): visitors in
 * real Chromium, each anonymous first (their events held) and then identified, reach the MoEngage
 * sandbox with their customer_id; the collector spread them over its queue shards, which /healthz lists.
 */
import { expect, inject, it } from 'vitest';
import './support/provided';
import { eventually } from './chromium';
import { useTagSite } from './support/tagSuite';
import { openTagPage, type Win } from './support/tagPage';

const suite = useTagSite();
const sandboxUrl = inject('sandboxUrl');
const collectorUrl = inject('collectorUrl');

interface Shard {
  shard: number;
  queue: string;
  eventsReceived: number;
}

it('delivers every visitor’s held and identified events to the sandbox through four queue shards', async () => {
  const visitors = Array.from({ length: 8 }, (_, i) => `shard-visitor-${i}-${Date.now()}`);
  for (const user of visitors) {
    const context = await suite.browser.newContext();
    const page = await openTagPage(context, suite.site);
    await page.evaluate((u) => {
      const { tag } = window as unknown as Win;
      tag.track('Product Viewed', { product_id: u, name: 'Shard Check' });
      tag.identify(u, { plan: 'pro' });
    }, user);
    await eventually(async () => (suite.site.messages().some((m) => m.userId === user && m.status === 200) ? true : undefined), 10_000, `the identify of ${user}`);
    await context.close();
  }

  const delivered = await eventually(
    async () => {
      const requests = (await (await fetch(`${sandboxUrl}/_sandbox/requests`)).json()) as { response?: { status: number }; body: { customer_id?: string; actions?: { action: string; attributes?: Record<string, unknown> }[]; elements?: { customer_id?: string; actions?: { action: string }[] }[] } }[];
      const checks = new Set<string>();
      for (const r of requests) {
        for (const e of [r.body, ...(r.body.elements ?? [])]) if (e.customer_id && (e.actions ?? []).some((a) => a.action === 'Product Viewed')) checks.add(e.customer_id);
      }
      return visitors.every((u) => checks.has(u)) ? checks : undefined;
    },
    30_000,
    'every visitor’s Product Viewed at the MoEngage sandbox',
  );
  expect(visitors.filter((u) => !delivered.has(u))).toEqual([]);

  const health = (await (await fetch(`${collectorUrl}/healthz`)).json()) as { connections: { connection: string; queueDepth: number; shards: Shard[] }[] };
  const [connection] = health.connections;
  expect(connection?.shards.map((s) => s.queue)).toEqual(['default', 'default#1', 'default#2', 'default#3']);
  // Eight visitors over four shards: more than one shard took events.
  expect(connection!.shards.filter((s) => s.eventsReceived > 0).length).toBeGreaterThan(1);
});
