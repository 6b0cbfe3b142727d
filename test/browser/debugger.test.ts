/**
 * The event debugger page in real Chromium against `wrangler dev` and the sandbox: a newcomer's
 * path from the issue — fire events from the demo page, see one delivered with MoEngage's 200 body,
 * see a dropped one's reason, filter, and replay a dead-lettered one.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually, launchChromium } from './chromium';
import { BROWSER_WRITE_KEY } from './globalSetup';
import './support/provided';

const collectorUrl = inject('collectorUrl');
const sandboxUrl = inject('sandboxUrl');
const token = inject('debuggerToken');
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());
afterEach(() => fetch(`${sandboxUrl}/_sandbox/faults`, { method: 'DELETE' }));

interface Tag {
  identify(userId: string, traits?: Record<string, unknown>): void;
  track(event: string, properties?: Record<string, unknown>): void;
}

/** The demo page as a visitor: a fresh user whose events only this test sends. */
async function visitor(): Promise<{ page: Page; userId: string }> {
  const page = await browser.newPage();
  const userId = `dbg-${crypto.randomUUID().slice(0, 8)}`;
  await page.goto(`${collectorUrl}/demo`);
  await page.waitForFunction(() => !Array.isArray((globalThis as unknown as { tag: unknown }).tag));
  await page.evaluate((id) => (globalThis as unknown as { tag: Tag }).tag.identify(id, { email: 'jane.doe@example.com', phone: '+447700900123' }), userId);
  return { page, userId };
}

const track = (page: Page, event: string, properties: Record<string, unknown>) =>
  page.evaluate(([e, p]) => (globalThis as unknown as { tag: Tag }).tag.track(e, p), [event, properties] as const);

/** The debugger, signed in through its own form. */
async function openDebugger(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${collectorUrl}/debugger`);
  await page.fill('#token', token);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#app:not([hidden])');
  expect(await page.isVisible('#login')).toBe(false);
  expect(errors).toEqual([]);
  return page;
}

/** Filters the table (the form at the top) and waits for the first row matching `row`. */
async function filter(page: Page, fields: { status?: string; event?: string; user?: string }): Promise<void> {
  await page.click('#filters button[type=reset]');
  if (fields.status !== undefined) await page.selectOption('#f-status', fields.status);
  if (fields.event !== undefined) await page.fill('#f-event', fields.event);
  if (fields.user !== undefined) await page.fill('#f-user', fields.user);
  await page.click('#filters button[type=submit]');
}

/**
 * Opens a row's journey. The click happens inside the page in one step: the live tail may swap a
 * row for its newer version at any moment, and a pointer click that waits for a "stable" element
 * can keep missing it on a loaded machine.
 */
async function openRow(page: Page, id: string): Promise<void> {
  let misses = 0;
  await eventually(
    async () => {
      const opened = await page.evaluate((rowId) => {
        const button = [...document.querySelectorAll<HTMLTableRowElement>('#rows tr')].find((tr) => tr.dataset.id === rowId)?.querySelector<HTMLButtonElement>('button.open');
        button?.click();
        return button ? true : undefined;
      }, id);
      // Gone for a while (a reload was answering while the row arrived): reload, as a reader would.
      if (!opened && ++misses % 20 === 0) await page.click('#filters button[type=submit]');
      return opened;
    },
    20_000,
    `the row of ${id}`,
  );
}

/** The table's rows as the user reads them. */
function rows(page: Page): Promise<{ id: string; status: string; text: string }[]> {
  return page.$$eval('#rows tr', (trs) =>
    trs.map((tr) => ({ id: tr.getAttribute('data-id') ?? '', status: tr.getAttribute('data-status') ?? '', text: (tr as HTMLElement).innerText.replace(/\s+/g, ' ') })),
  );
}

/**
 * Waits until the table shows `user`'s row for `event` in `status` (the live tail or a reload brings
 * it). The user is matched too: right after a filter is submitted the table still shows the rows of
 * before, earlier tests' users' among them, until the filtered answer arrives.
 */
async function rowFor(page: Page, user: string, event: string, status: string, timeoutMs = 20_000) {
  return eventually(
    async () => {
      const found = (await rows(page)).find((r) => r.text.includes(event) && r.text.includes(user) && r.status === status);
      if (!found) await page.click('#filters button[type=submit]'); // reload, in case the tail is reconnecting
      return found;
    },
    timeoutMs,
    `a ${status} "${event}" row`,
  );
}

describe('the event debugger page', () => {
  it('asks for the token once: a wrong one is refused with a message, the right one is kept for the tab', async () => {
    const page = await browser.newPage();
    await page.goto(`${collectorUrl}/debugger`);
    await page.fill('#token', 'not-the-token');
    await page.click('#login-form button[type=submit]');
    await page.waitForFunction(() => (document.getElementById('login-error')?.textContent ?? '') !== '');
    expect(await page.textContent('#login-error')).toMatch(/refused/i);
    expect(await page.isVisible('#app')).toBe(false);

    await page.fill('#token', token);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#app:not([hidden])');
    await page.reload();
    await page.waitForSelector('#app:not([hidden])'); // no second prompt: the token is in sessionStorage
    expect(await page.isVisible('#login')).toBe(false);
    expect(await page.evaluate(() => Object.keys(sessionStorage))).toEqual(['edgetag_debugger_token']);
    await page.close();
  });

  it('shows a delivered event’s journey down to MoEngage’s 200 body, with the key and personal data hidden', async () => {
    const { page: site, userId } = await visitor();
    await track(site, 'Order Completed', { order_id: 'ORD-DBG-1', revenue: 12.5, currency: 'GBP' });
    const page = await openDebugger();
    await filter(page, { user: userId, event: 'Order Completed' });
    const row = await rowFor(page, userId, 'Order Completed', 'delivered');
    expect(row.text).toContain('200');

    await openRow(page, row.id);
    await page.waitForSelector('#journey .answer-status');
    expect(await page.textContent('#journey-title')).toBe('Order Completed');
    const answer = JSON.parse((await page.textContent('#journey .response-body')) ?? 'null') as { status: string; request_id: string };
    expect(answer.status).toBe('success');
    expect(answer.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await page.textContent('#journey .answer-status')).toMatch(/^200/);
    const sent = JSON.parse((await page.textContent('#journey .request-body')) ?? 'null') as { customer_id: string; actions: { action: string; attributes: Record<string, unknown> }[] };
    expect(sent.customer_id).toBe(userId);
    expect(sent.actions.find((a) => a.attributes.order_id === 'ORD-DBG-1')).toMatchObject({ action: 'Order Completed', attributes: { value: 12.5 } });

    // The whole panel, headers included, never shows the Data API key; personal data is masked…
    const panel = (await page.textContent('#journey')) ?? '';
    const key = 'browser-data-api-key'; // globalSetup.ts gives the sandbox and the collector this key
    expect(panel).toContain('authorization: Basic browser-workspace:***');
    expect(panel).not.toContain(key);
    expect(panel).not.toContain(btoa(`browser-workspace:${key}`));
    expect(panel).toContain('***');
    expect(panel).not.toContain('jane.doe@example.com');
    expect(panel).not.toContain('+447700900123');
    // …until revealed for this one event.
    await page.click('#reveal');
    await page.waitForSelector('#reveal[aria-pressed="true"]');
    expect(await page.textContent('#raw')).toContain('jane.doe@example.com');
    await site.close();
    await page.close();
  });

  it('names the MoEngage standard attributes an identify set (Track User keys and dashboard fields)', async () => {
    const { page: site, userId } = await visitor();
    const page = await openDebugger();
    await filter(page, { user: userId });
    const row = await rowFor(page, userId, '(identify)', 'delivered');
    await openRow(page, row.id);
    await page.waitForSelector('#standard-attributes');
    expect(await page.textContent('#standard-attributes')).toBe('MoEngage standard attributes set: email (Email (Standard)), mobile (Mobile Number (Standard))');
    await site.close();
    await page.close();
  });

  it('shows why an event was dropped, and filters by status and event', async () => {
    const { page: site, userId } = await visitor();
    await track(site, 'Wishlist Shared', { list: 'summer' }); // not in the Retail blueprint
    await track(site, 'Product Viewed', { product_id: 'P-9' });
    const page = await openDebugger();
    await filter(page, { user: userId });
    const dropped = await rowFor(page, userId, 'Wishlist Shared', 'dropped');
    expect(dropped.text).toContain('not_in_blueprint');
    await rowFor(page, userId, 'Product Viewed', 'delivered');

    await filter(page, { user: userId, status: 'dropped' });
    await eventually(async () => ((await rows(page)).every((r) => r.status === 'dropped') && (await rows(page)).length > 0 ? true : undefined), 10_000, 'only dropped rows');
    expect((await rows(page)).map((r) => r.id)).toEqual([dropped.id]);

    await filter(page, { user: userId, event: 'Product Viewed' });
    await eventually(async () => ((await rows(page)).every((r) => r.text.includes('Product Viewed')) ? true : undefined), 10_000, 'only Product Viewed rows');
    expect(await rows(page)).toHaveLength(1);

    await filter(page, { user: userId, status: 'dropped' });
    await page.waitForSelector(`#rows tr[data-id="${dropped.id}"]`);
    await openRow(page, dropped.id);
    await page.waitForSelector('#journey-reason');
    expect(await page.textContent('#journey-reason')).toBe('not_in_blueprint');
    expect(await page.textContent('#journey')).toContain('Dropped events are never sent.');
    await site.close();
    await page.close();
  });

  it('replays a dead-lettered event: MoEngage refused it with a 400, the replay delivers it', async () => {
    const { page: site, userId } = await visitor();
    // Every request MoEngage gets from now on is refused, as it refuses a malformed event.
    const fault = await fetch(`${sandboxUrl}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 400, path: '/v1/event/', body: { status: 'fail', error: { type: 'Bad Request', message: 'attribute value rejected by the test' } } }),
    });
    expect(fault.status).toBe(201);
    await track(site, 'Checkout Started', { cart_id: 'C-DEAD' });
    const page = await openDebugger();
    await filter(page, { user: userId, event: 'Checkout Started' });
    const dead = await rowFor(page, userId, 'Checkout Started', 'dead', 30_000);
    expect(dead.text).toContain('400');

    await openRow(page, dead.id);
    await page.waitForSelector('#replay-one');
    expect(await page.textContent('#journey .response-body')).toContain('attribute value rejected by the test');
    await fetch(`${sandboxUrl}/_sandbox/faults`, { method: 'DELETE' });

    await page.click('#replay-one');
    await page.waitForFunction(() => /Replayed/.test(document.getElementById('replay-note')?.textContent ?? ''));
    // The live tail turns the row green without a reload.
    await eventually(async () => ((await rows(page)).find((r) => r.id === dead.id && r.status === 'delivered') ? true : undefined), 30_000, 'the replayed row delivered');
    await openRow(page, dead.id);
    await eventually(async () => ((await page.$$('#journey .exchange.ok')).length > 0 ? true : undefined), 10_000, 'a 2xx attempt in the journey');
    const answers = await page.$$eval('#journey .answer-status', (els) => els.map((e) => e.textContent ?? ''));
    expect(answers[0]).toMatch(/^400/);
    expect(answers.at(-1)).toMatch(/^200/);
    await site.close();
    await page.close();
  });

  it('erases a user: their events leave the table, the erasures panel shows the Delete User request (key redacted) and its answer', async () => {
    const { page: site, userId } = await visitor();
    await track(site, 'Product Viewed', { sku: 'SKU-ERASE' });
    const page = await openDebugger();
    await filter(page, { user: userId });
    await rowFor(page, userId, 'Product Viewed', 'delivered', 30_000);

    const res = await fetch(`${collectorUrl}/debugger/api/users/erase`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userId }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { totals: { events: number; deleteRequests: number } }).totals).toMatchObject({ events: expect.any(Number), deleteRequests: 1 });
    await filter(page, { user: userId });
    await eventually(async () => ((await rows(page)).length === 0 ? true : undefined), 10_000, 'no row of the erased user');

    const entry = `#erasures li.erasure[data-customer="${userId}"]`;
    const shown = await eventually(
      async () => {
        // The panel loads when opened: close and open it until the request has MoEngage's answer.
        if (await page.$eval('#erasures', (d) => (d as HTMLDetailsElement).open)) await page.click('#erasures summary');
        await page.click('#erasures summary');
        // Give the panel's request time to answer before judging (closing it again starts over).
        const text = await page.waitForSelector(entry, { timeout: 3_000 }).then((el) => el.innerText(), () => '');
        return /done/.test(text) ? text : undefined;
      },
      30_000,
      'the Delete User request answered',
    );
    expect(shown).toContain('POST ');
    expect(shown).toContain('/v1/customer/delete?app_id=');
    expect(shown).toContain('authorization: Basic [redacted]');
    expect(shown).toContain(`"identity_value": "${userId}"`);
    expect(shown).toMatch(/\b200\b/);
    expect(shown).toContain('Your request has been accepted');
    expect(shown).not.toContain('jane.doe');
    await site.close();
    await page.close();
  });

  it('a reload reads its page once the live tail is live: an event that arrives while the tail connects is in the table', async () => {
    const userId = `dbg-${crypto.randomUUID().slice(0, 8)}`;
    const page = await openDebugger();
    await filter(page, { user: userId });
    // The tail's next request is held back (a slow network): the server's tail starts when it answers.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let holding = true;
    await page.route('**/debugger/api/stream?**', async (route) => {
      if (holding) await held;
      await route.continue();
    });
    await page.click('#filters button[type=submit]');
    // Meanwhile an event arrives. Dropped (not in the blueprint), it never changes again, so no
    // later tail news could bring its row: only a page read after it arrived shows it.
    const messageId = `reload-race-${userId}`;
    const sent = await fetch(`${collectorUrl}/v1/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${btoa(`${BROWSER_WRITE_KEY}:`)}` },
      body: JSON.stringify({ userId, event: 'Wishlist Shared', messageId, properties: {} }),
    });
    expect(sent.status).toBe(200);
    await eventually(
      async () => ((await (await fetch(`${collectorUrl}/debugger/api/events?userId=${userId}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { events: unknown[] }).events.length > 0 || undefined,
      10_000,
      'the event in the log',
    );
    // Past the tail's one-second re-read window, so a tail starting now does not send it.
    await new Promise((r) => setTimeout(r, 1_200));
    holding = false;
    release();
    const row = await eventually(async () => (await rows(page)).find((r) => r.id === messageId), 10_000, 'the row of the event that arrived while the tail connected');
    expect(row.status).toBe('dropped');
    await page.close();
  });

  it('previews a message with the active blueprint: the exact MoEngage request, nothing sent', async () => {
    const page = await openDebugger();
    const before = ((await (await fetch(`${sandboxUrl}/_sandbox/requests`)).json()) as unknown[] | { requests: unknown[] });
    const sentBefore = Array.isArray(before) ? before.length : before.requests.length;
    await page.click('#preview summary');
    await page.fill(
      '#preview-input',
      JSON.stringify({ type: 'track', event: 'Order Completed', userId: 'preview-user', messageId: 'preview-1', properties: { order_id: 'PV-1', revenue: 42 }, context: { traits: { phone: '07700 900123' } } }),
    );
    await page.click('#preview-form button[type=submit]');
    await page.waitForSelector('#preview-result pre');
    const text = (await page.textContent('#preview-result')) ?? '';
    expect(text).toContain('/v1/event/browser-workspace');
    const body = JSON.parse((await page.textContent('#preview-result pre')) ?? 'null') as { customer_id: string; user_identifiers: Record<string, string>; actions: { action: string; attributes: Record<string, unknown> }[] };
    expect(body.customer_id).toBe('preview-user');
    expect(body.user_identifiers.u_mb).toBe('+447700900123'); // national number, the visitor's country (GB)
    expect(body.actions[0]).toMatchObject({ action: 'Order Completed', attributes: { order_id: 'PV-1', value: 42 } });

    await page.fill('#preview-input', JSON.stringify({ type: 'track', event: 'Wishlist Shared', userId: 'preview-user' }));
    await page.click('#preview-form button[type=submit]');
    await page.waitForFunction(() => (document.getElementById('preview-result')?.textContent ?? '').includes('not_in_blueprint'));

    const after = ((await (await fetch(`${sandboxUrl}/_sandbox/requests`)).json()) as unknown[] | { requests: unknown[] });
    expect(Array.isArray(after) ? after.length : after.requests.length).toBe(sentBefore);
    const stored = await fetch(`${collectorUrl}/debugger/api/events/preview-1`, { headers: { authorization: `Bearer ${token}` } });
    expect(stored.status).toBe(404);
    await page.close();
  });

  it('pages 100 events at a time: Older and Newer walk them without repeats, the newest page follows the tail', async () => {
    const { page: site, userId } = await visitor();
    for (let i = 0; i < 130; i++) await track(site, 'Product Viewed', { product_id: `P-${i}` });
    const page = await openDebugger();
    await filter(page, { user: userId, event: 'Product Viewed' });
    const ids = async () => (await rows(page)).map((r) => r.id);
    await eventually(async () => ((await rows(page)).length === 100 && (await page.isVisible('#older')) ? true : undefined), 30_000, 'a first page of 100');
    expect(await page.isVisible('#newer')).toBe(false);
    expect(await page.textContent('#shown')).toBe('Events 1–100 (the newest)');
    const first = await ids();

    await page.click('#older');
    await eventually(async () => ((await rows(page)).length === 30 ? true : undefined), 30_000, 'the last 30 on page 2');
    const second = await ids();
    expect(new Set([...first, ...second]).size).toBe(130);
    expect(await page.isVisible('#older')).toBe(false);
    expect(await page.textContent('#shown')).toBe('Events 101–130 (the oldest)');

    // An older page stays put while new events arrive…
    await track(site, 'Product Viewed', { product_id: 'P-new-1' });
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await ids()).toEqual(second);

    // …the newest page takes them at the top and stays at 100 rows.
    await page.click('#newer');
    await eventually(async () => ((await rows(page)).length === 100 ? true : undefined), 30_000, 'back on the newest page');
    await track(site, 'Product Viewed', { product_id: 'P-new-2' });
    await eventually(async () => {
      const now = await ids();
      return now.length === 100 && now.slice(2).every((id, i) => id === first[i]) && !first.includes(now[0] ?? '') ? true : undefined;
    }, 20_000, 'two new rows on top of the newest page, still 100 rows');
    await site.close();
    await page.close();
  });

  it('opens events whose messageId is ".", "..", "/", "%", "?", "#" or Unicode', async () => {
    const userId = `ids-${crypto.randomUUID().slice(0, 8)}`;
    const awkward = ['.', '..', '/', '%', '?', '#', '../x', '日本語 🙂'];
    const batch = awkward.map((messageId, i) => ({ type: 'track', event: 'Product Viewed', messageId, userId, properties: { product_id: `P-${i}` } }));
    // globalSetup.ts's write key (each run's collector starts with empty storage, so the ids are new).
    const res = await fetch(`${collectorUrl}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${btoa('browser-write-key:')}` },
      body: JSON.stringify({ batch }),
    });
    expect(res.status).toBe(200);
    const page = await openDebugger();
    await filter(page, { user: userId });
    await eventually(async () => ((await rows(page)).length === awkward.length ? true : undefined), 20_000, `${awkward.length} rows`);
    for (const id of awkward) {
      const index = (await rows(page)).findIndex((r) => r.id === id);
      expect(index, id).toBeGreaterThanOrEqual(0);
      await page.locator('#rows tr').nth(index).locator('button.open').click();
      const shownId = () =>
        page.evaluate(() => [...document.querySelectorAll('#journey dl.facts dt')].find((dt) => dt.textContent === 'messageId')?.nextElementSibling?.textContent ?? null);
      await eventually(async () => ((await shownId()) === id ? true : undefined), 10_000, `the journey of ${JSON.stringify(id)}`);
      expect(await page.isVisible('#journey [role=alert]')).toBe(false);
    }
    await page.close();
  });
});
