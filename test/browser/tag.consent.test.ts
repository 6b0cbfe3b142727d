/**
 * Consent in real Chromium: with a default of 'pending' the tag holds events in memory, sends
 * nothing and writes no cookie or storage; granting releases them; denying discards them and
 * erases what the tag had stored.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import './support/provided';
import { useTagSite } from './support/tagSuite';
import { eventually } from './chromium';
import { ackedCount, expectExactlyOnce, sleep } from './support/delivery';
import type { SentMessage } from './support/site';
import { openTagPage, type Win } from './support/tagPage';


const suite = useTagSite();

const run = (name: string) => (m: SentMessage) => m.properties?.run === name;
const stored = async (page: Page) => ({
  cookies: (await suite.context.cookies()).map((c) => c.name).filter((n) => n.startsWith('et_')),
  storage: await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('et_'))),
});
const call = (page: Page, fn: (tag: Win['tag']) => unknown) => page.evaluate(`(${fn.toString()})(window.tag)`);

it("'pending' holds events in memory without sending or storing anything; granting releases them", async () => {
  const page = await openTagPage(suite.context, suite.site, { consent: 'pending' });
  await call(page, (tag) => {
    tag.track('Held One', { run: 'held' });
    tag.identify('u_held', { email: 'held@example.com' });
    tag.track('Held Two', { run: 'held' });
  });
  await sleep(1500); // past the flush timer
  expect(suite.site.ingests).toEqual([]);
  expect(await stored(page)).toEqual({ cookies: [], storage: [] });
  const anonymousId = ((await call(page, (tag) => tag.user())) as { anonymousId: string }).anonymousId;

  await call(page, (tag) => tag.consent({ analytics: true }));
  await eventually(async () => (ackedCount(suite.site, () => true) === 4 ? true : undefined), 10_000, 'the held messages');
  expect(suite.site.messages().map((m) => [m.type, m.event ?? null, m.anonymousId])).toEqual([
    ['page', null, anonymousId],
    ['track', 'Held One', anonymousId],
    ['identify', null, anonymousId],
    ['track', 'Held Two', anonymousId],
  ]);
  expect(suite.site.messages()[3]?.userId).toBe('u_held');
  expectExactlyOnce(suite.site, run('held'), 2);
  const cookie = (await suite.context.cookies()).find((c) => c.name === 'et_aid');
  expect(cookie?.value).toBe(anonymousId);
  expect((await stored(page)).storage.sort()).toEqual(['et_id', 'et_tz']);
});

it('denying discards the held events, and what is tracked after a later grant is sent under a new id', async () => {
  const page = await openTagPage(suite.context, suite.site, { consent: 'pending' });
  const before = ((await call(page, (tag) => tag.user())) as { anonymousId: string }).anonymousId;
  await call(page, (tag) => {
    tag.track('Never Sent', { run: 'denied' });
    tag.consent({ analytics: false });
    tag.track('Also Never Sent', { run: 'denied' });
  });
  await sleep(1500);
  expect(suite.site.ingests).toEqual([]);
  expect(await stored(page)).toEqual({ cookies: [], storage: [] });

  await call(page, (tag) => {
    tag.consent({ analytics: true });
    tag.track('After Grant', { run: 'granted-later' });
  });
  await eventually(async () => (ackedCount(suite.site, run('granted-later')) === 1 ? true : undefined), 10_000, 'the event after the grant');
  await sleep(500);
  expect(suite.site.messages().map((m) => m.event ?? m.type)).toEqual(['After Grant']);
  expect(suite.site.messages()[0]?.anonymousId).not.toBe(before);
});

it('withdrawing consent stops sending and erases the tag’s cookie and storage', async () => {
  const page = await openTagPage(suite.context, suite.site);
  await eventually(async () => (ackedCount(suite.site, (m) => m.type === 'page') ? true : undefined), 10_000, 'the page view');
  await call(page, (tag) => tag.identify('u_withdraw', { email: 'w@example.com' }));
  expect((await stored(page)).cookies).toEqual(['et_aid']);

  await call(page, (tag) => {
    tag.track('Before Withdrawal Unsent', { run: 'withdrawn' }); // still in the buffer: discarded
    tag.consent({ analytics: false });
    tag.track('After Withdrawal', { run: 'withdrawn' });
  });
  expect(await stored(page)).toEqual({ cookies: [], storage: [] });
  await sleep(1500);
  expect(suite.site.messages().filter(run('withdrawn'))).toEqual([]);
  await page.reload();
  await page.waitForFunction(() => typeof (window as unknown as Win).tag.v === 'string');
  const after = (await call(page, (tag) => tag.user())) as { userId: string | null };
  expect(after.userId).toBeNull(); // forgotten on this device
});
