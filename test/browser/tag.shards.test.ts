/**
 * The tag against a sharded collector: its own MoEngage sandbox and collector (`wrangler dev`) with
 * QUEUE_SHARDS=4. Visitors in real Chromium, each anonymous first (their events held) and then
 * identified, reach the sandbox with their customer_id; the collector spread them over its queue
 * shards, which /healthz lists.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCollector } from '../../scripts/collector';
import { startSandboxServer } from '../../dev/moengage-sandbox/server';
import { eventually, launchChromium } from './chromium';
import { type Site, startSite } from './support/site';
import { openTagPage, type Win } from './support/tagPage';

const WRITE_KEY = 'browser-write-key';
let browser: Browser;
let site: Site;
let collectorUrl: string;
let sandboxUrl: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  const sandbox = await startSandboxServer({ port: 0, credentials: { 'shard-workspace': 'shard-data-api-key' } });
  const state = await mkdtemp(join(tmpdir(), 'edgetag-shards-'));
  const collector = await startCollector({
    persistTo: state,
    vars: { MOENGAGE_API_BASE: sandbox.url, MOENGAGE_WORKSPACE_ID: 'shard-workspace', WRITE_KEYS: WRITE_KEY, FLUSH_INTERVAL_MS: '200', BOT_POLICY: 'allow', QUEUE_SHARDS: '4' },
    secrets: { MOENGAGE_DATA_API_KEY: 'shard-data-api-key', DEBUGGER_TOKEN: 'shard-debugger-token' },
  });
  collectorUrl = collector.url;
  sandboxUrl = sandbox.url;
  browser = await launchChromium();
  site = await startSite(collectorUrl);
  stop = async () => {
    await collector.stop();
    await sandbox.close();
    await rm(state, { recursive: true, force: true });
  };
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await stop?.();
});

interface Shard {
  shard: number;
  queue: string;
  eventsReceived: number;
}

it('delivers every visitor’s held and identified events to the sandbox through four queue shards', async () => {
  const visitors = Array.from({ length: 8 }, (_, i) => `shard-visitor-${i}-${Date.now()}`);
  for (const user of visitors) {
    const context = await browser.newContext();
    const page = await openTagPage(context, site);
    await page.evaluate((u) => {
      const { tag } = window as unknown as Win;
      tag.track('Product Viewed', { product_id: u, name: 'Shard Check' });
      tag.identify(u, { plan: 'pro' });
    }, user);
    await eventually(async () => (site.messages().some((m) => m.userId === user && m.status === 200) ? true : undefined), 10_000, `the identify of ${user}`);
    await context.close();
  }

  const delivered = await eventually(
    async () => {
      const requests = (await (await fetch(`${sandboxUrl}/_sandbox/requests`)).json()) as { body: { customer_id?: string; actions?: { action: string }[]; elements?: { customer_id?: string; actions?: { action: string }[] }[] } }[];
      const viewed = new Set<string>();
      for (const r of requests) {
        for (const e of [r.body, ...(r.body.elements ?? [])]) if (e.customer_id && (e.actions ?? []).some((a) => a.action === 'Product Viewed')) viewed.add(e.customer_id);
      }
      return visitors.every((u) => viewed.has(u)) ? viewed : undefined;
    },
    30_000,
    'every visitor’s Product Viewed at the MoEngage sandbox',
  );
  expect(visitors.filter((u) => !delivered.has(u))).toEqual([]);

  const health = (await (await fetch(`${collectorUrl}/healthz`)).json()) as { connections: { connection: string; shards: Shard[] }[] };
  const [connection] = health.connections;
  expect(connection?.shards.map((s) => s.queue)).toEqual(['default', 'default#1', 'default#2', 'default#3']);
  // Eight visitors over four shards: more than one shard took events.
  expect(connection!.shards.filter((s) => s.eventsReceived > 0).length).toBeGreaterThan(1);
});
