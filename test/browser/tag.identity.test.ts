/**
 * Identity in real Chromium, on a site with a real domain name (www.shop.test, mapped to
 * loopback): a first-party anonymousId cookie on the registrable domain (SameSite=Lax, one year)
 * mirrored in localStorage, userId and traits that persist across reloads, and reset().
 * http://www.shop.test is not a secure context, so ids come from the getRandomValues fallback.
 */
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import './support/provided';
import { useTagSite } from './support/tagSuite';
import { eventually } from './chromium';
import { ackedCount } from './support/delivery';
import type { SentMessage } from './support/site';
import { openTagPage, tagLoaded, type Win } from './support/tagPage';

let www: string;

const suite = useTagSite(['--host-resolver-rules=MAP *.shop.test 127.0.0.1']);
beforeAll(() => {
  www = `http://www.shop.test:${suite.site.port}`;
});

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const user = (page: Page) => page.evaluate(() => (window as unknown as Win).tag.user());
const lastTracked = (event: string) =>
  eventually(async () => suite.site.messages().filter((m) => m.event === event && m.status === 200).at(-1) as SentMessage | undefined, 10_000, event);

it('sets a first-party anonymousId cookie on the registrable domain: SameSite=Lax, one year, shared by subdomains', async () => {
  const page = await openTagPage(suite.context, suite.site, {}, www);
  expect(await page.evaluate(() => ({ secure: isSecureContext, randomUUID: typeof crypto.randomUUID }))).toEqual({ secure: false, randomUUID: 'undefined' });
  const { anonymousId } = await user(page);
  expect(anonymousId).toMatch(UUID_V4);
  // Written with the first batch (reading and writing cookies is kept out of the page load).
  const cookies = await eventually(async () => {
    const all = await suite.context.cookies();
    return all.some((c) => c.name === 'et_aid') ? all : undefined;
  }, 5000, 'the cookie');
  expect(cookies.filter((c) => c.name.startsWith('et_')).map((c) => c.name)).toEqual(['et_aid']); // the probe cookie is gone
  const cookie = cookies.find((c) => c.name === 'et_aid');
  expect(cookie).toMatchObject({ value: anonymousId, domain: '.shop.test', path: '/', sameSite: 'Lax', httpOnly: false });
  const year = (cookie?.expires ?? 0) * 1000 - Date.now();
  expect(year).toBeGreaterThan(364 * 86400_000);
  expect(year).toBeLessThan(366 * 86400_000);

  const blog = await openTagPage(suite.context, suite.site, {}, `http://blog.shop.test:${suite.site.port}`);
  expect((await user(blog)).anonymousId).toBe(anonymousId);

  await page.evaluate(() => (window as unknown as Win).tag.track('Id Check'));
  const sent = await lastTracked('Id Check');
  expect(sent.messageId).toMatch(UUID_V4);
  expect(sent.anonymousId).toBe(anonymousId);
});

it('keeps anonymousId, userId and traits across reloads; traits ride on later events as context.traits', async () => {
  const page = await openTagPage(suite.context, suite.site, {}, www);
  const { anonymousId } = await user(page);
  await page.evaluate(() => (window as unknown as Win).tag.identify('u_42', { email: 'ada@example.com', plan: 'pro' }));
  await page.reload();
  await tagLoaded(page);
  expect(await user(page)).toEqual({ anonymousId, userId: 'u_42', traits: { email: 'ada@example.com', plan: 'pro' } });
  await page.evaluate(() => (window as unknown as Win).tag.track('After Reload', { sku: 'A1' }));
  const sent = await lastTracked('After Reload');
  expect(sent).toMatchObject({ anonymousId, userId: 'u_42', properties: { sku: 'A1' }, context: { traits: { email: 'ada@example.com', plan: 'pro' } } });

  // Cookie cleared (or capped by the browser): localStorage brings the same id back, and the cookie with it.
  await suite.context.clearCookies();
  await page.reload();
  await tagLoaded(page);
  expect((await user(page)).anonymousId).toBe(anonymousId);
  await eventually(async () => ((await suite.context.cookies()).find((c) => c.name === 'et_aid')?.value === anonymousId ? true : undefined), 5000, 'the cookie again');
});

it('reset() forgets the visitor on this device: new anonymousId, no userId, no traits — also after a reload', async () => {
  const page = await openTagPage(suite.context, suite.site, {}, www);
  const first = await user(page);
  await page.evaluate(() => {
    const tag = (window as unknown as Win).tag;
    tag.identify('u_7', { email: 'seven@example.com' });
    tag.track('Before Reset');
    tag.reset();
    tag.track('After Reset');
  });
  const after = await user(page);
  expect(after.anonymousId).toMatch(UUID_V4);
  expect(after.anonymousId).not.toBe(first.anonymousId);
  expect(after).toEqual({ anonymousId: after.anonymousId, userId: null, traits: {} });

  const before = await lastTracked('Before Reset');
  const sent = await lastTracked('After Reset');
  expect(before).toMatchObject({ anonymousId: first.anonymousId, userId: 'u_7' });
  expect(sent.anonymousId).toBe(after.anonymousId);
  expect(sent.userId).toBeUndefined();
  expect(sent.context?.traits).toEqual({});

  await page.reload();
  await tagLoaded(page);
  expect(await user(page)).toEqual({ anonymousId: after.anonymousId, userId: null, traits: {} });
  await eventually(async () => ((await suite.context.cookies()).find((c) => c.name === 'et_aid')?.value === after.anonymousId ? true : undefined), 5000, 'the new id’s cookie');
  await eventually(async () => (ackedCount(suite.site, () => true) >= 4 ? true : undefined));
});
