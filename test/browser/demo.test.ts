import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { eventually, launchChromium } from './chromium';
import { SEED_PAYLOAD } from '../seed';

const collectorUrl = inject('collectorUrl');
const sandboxUrl = inject('sandboxUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

interface Recorded {
  path: string;
  body: { customer_id?: string; actions?: { action: string }[] } & Record<string, unknown>;
  response: { status: number };
}

async function sandboxRequests(): Promise<Recorded[]> {
  const res = await fetch(`${sandboxUrl}/_sandbox/requests`);
  const data = (await res.json()) as Recorded[] | { requests: Recorded[] };
  return Array.isArray(data) ? data : data.requests;
}

it('the demo page’s Order Completed button makes MoEngage receive the seed payload, field for field', async () => {
  const page = await browser.newPage();
  await page.goto(`${collectorUrl}/demo`);
  await page.click('#identify');
  await page.click('#order');

  const delivered = await eventually(
    // The demo's own order (other tests, e.g. test/clients, send Order Completed to the same sandbox).
    async () => (await sandboxRequests()).find((r) => r.path.startsWith('/v1/event/') && r.body.customer_id === 'u_8842' && r.body.actions?.some((a) => a.action === 'Order Completed')),
    20_000,
    'Order Completed at the sandbox',
  );
  expect(delivered.path).toBe('/v1/event/browser-workspace');
  expect(delivered.response.status).toBe(200);
  const body = structuredClone(delivered.body) as { actions: Record<string, unknown>[] };
  // ANONYMOUS=hold (default): the page view the snippet sent while the visitor was still anonymous
  // was held, released as u_8842 by identify, and may be packed into this same request.
  body.actions = body.actions.filter((a) => a.action === 'Order Completed');
  for (const action of body.actions) {
    expect(Date.parse(action.user_time as string)).toBeGreaterThan(Date.now() - 60_000);
    expect(typeof action.user_timezone_offset).toBe('number');
    delete action.user_time;
    delete action.current_time;
    delete action.user_timezone_offset;
  }
  expect(body).toStrictEqual(SEED_PAYLOAD);
  const pageViews = (await sandboxRequests()).flatMap((r) =>
    (r.body.actions ?? []).filter((a) => a.action === 'Page Viewed').map(() => r.body.customer_id),
  );
  expect(pageViews).toContain('u_8842'); // the anonymous page view, delivered as the user who identified
  await page.close();
});

it('the demo page embeds the snippet and loads the tag without blocking or errors', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${collectorUrl}/demo`);
  await page.waitForFunction(() => !Array.isArray((globalThis as unknown as { tag: unknown }).tag));
  const ids = await page.evaluate(() => (globalThis as unknown as { tag: { user(): { anonymousId: string } } }).tag.user());
  expect(ids.anonymousId).toMatch(/^[0-9a-f-]{36}$/);
  expect(errors).toEqual([]);
  await page.close();
});
