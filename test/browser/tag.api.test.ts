/**
 * The call surface in real Chromium (analytics.js habits): what each call sends, and that a bad
 * call never throws into the page — it is reported in debug mode only, and dropped.
 */
import { expect, it } from 'vitest';
import './support/provided';
import { useTagSite } from './support/tagSuite';
import { eventually } from './chromium';
import { ackedCount, sleep } from './support/delivery';
import type { SentMessage } from './support/site';
import { openTagPage, type Win } from './support/tagPage';


const suite = useTagSite();

const pick = (m: SentMessage) => {
  const { type, event, name, userId, previousId, groupId, properties, traits } = m;
  return JSON.parse(JSON.stringify({ type, event, name, userId, previousId, groupId, properties, traits })) as Record<string, unknown>;
};

it('page, track, identify, alias and group send analytics.js-shaped messages', async () => {
  const page = await openTagPage(suite.context, suite.site, { title: 'Shoes' });
  await eventually(async () => (ackedCount(suite.site, () => true) === 1 ? true : undefined), 10_000, 'the snippet’s page view');
  await page.evaluate(() => {
    const tag = (window as unknown as Win).tag;
    tag.page('Pricing', { plan: 'pro' });
    tag.page({ section: 'docs' });
    tag.track('Product Viewed', { sku: 'SKU-1', price: 49.9 });
    tag.identify({ email: 'anon@example.com' }); // traits only, no userId yet
    tag.identify('u_1', { first_name: 'Ada' });
    tag.identify('u_2', { first_name: 'Bob' }); // another person on this device: Ada's traits do not ride along
    tag.alias('u_2_new');
    tag.group('acme', { plan: 'enterprise' });
    tag.identify(12345);
  });
  await eventually(async () => (ackedCount(suite.site, () => true) === 10 ? true : undefined), 10_000, 'ten messages');
  const facts = { path: '/p', title: 'Shoes', referrer: '', search: '?title=Shoes', url: `${suite.site.url}/p?title=Shoes` };
  const { anonymousId } = await page.evaluate(() => (window as unknown as Win).tag.user());
  expect(suite.site.messages().map(pick)).toEqual([
    { type: 'page', properties: facts },
    { type: 'page', name: 'Pricing', properties: { ...facts, plan: 'pro' } },
    { type: 'page', properties: { ...facts, section: 'docs' } },
    { type: 'track', event: 'Product Viewed', properties: { sku: 'SKU-1', price: 49.9 } },
    { type: 'identify', traits: { email: 'anon@example.com' } },
    { type: 'identify', userId: 'u_1', traits: { email: 'anon@example.com', first_name: 'Ada' } },
    { type: 'identify', userId: 'u_2', traits: { first_name: 'Bob' } },
    { type: 'alias', userId: 'u_2_new', previousId: 'u_2' },
    { type: 'group', userId: 'u_2_new', groupId: 'acme', traits: { plan: 'enterprise' } },
    { type: 'identify', userId: '12345', traits: {} }, // numbers become strings; yet another user: no traits carried over
  ]);
  expect(suite.site.messages().every((m) => m.anonymousId === anonymousId)).toBe(true);
  expect(new Set(suite.site.messages().map((m) => m.messageId)).size).toBe(10);
});

it('ready() calls back once loaded, whether called before or after the tag loaded', async () => {
  const page = await openTagPage(suite.context, suite.site, { script: 'tag.ready(function () { window.readyBefore = typeof tag.v; });' });
  await page.evaluate(() => (window as unknown as Win).tag.ready(() => ((window as unknown as Win).readyAfter = true)));
  await page.waitForFunction(() => (window as unknown as Win).readyAfter === true);
  expect(await page.evaluate(() => (window as unknown as Win).readyBefore)).toBe('string');
});

const BAD_CALLS = `
  const circular = {}; circular.self = circular;
  tag.track();
  tag.track('');
  tag.track(42);
  tag.track('x'.repeat(300));
  tag.track('Bad Props', 'not an object');
  tag.track('Bad Props', [1, 2]);
  tag.track('Circular', circular);
  tag.track('Huge', { blob: 'z'.repeat(40000) });
  tag.page(5);
  tag.identify(true);
  tag.identify('u', 'traits');
  tag.alias();
  tag.alias({});
  tag.group();
  tag.ready('not a function');
  tag.consent('yes');
  tag.consent({ analytics: 'maybe' });
  tag.track('Good After Bad', { ok: true });
`;

for (const debug of [true, false]) {
  it(`bad calls never throw and are dropped; debug ${debug ? 'on: each is reported on the console' : 'off: the console stays silent'}`, async () => {
    const page = await openTagPage(suite.context, suite.site);
    const warnings: string[] = [];
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    const threw = await page.evaluate(`(() => { try { tag.debug(${debug}); ${BAD_CALLS} return false } catch (e) { return String(e) } })()`);
    expect(threw).toBe(false);
    await eventually(async () => suite.site.messages().find((m) => m.event === 'Good After Bad' && m.status === 200), 10_000, 'the good call');
    await sleep(200);
    expect(suite.site.messages().map((m) => m.event ?? m.type)).toEqual(['page', 'Good After Bad']);
    expect(errors).toEqual([]);
    if (debug) {
      expect(warnings).toHaveLength(17);
      expect(warnings.every((w) => w.startsWith('[edgetag]') && w.includes('dropped'))).toBe(true);
      // Checked at the call: 6; a circular or oversized message is found when serialised, at the flush.
      expect(warnings.filter((w) => w.includes('track() dropped'))).toHaveLength(6);
      expect(warnings.filter((w) => w.includes('track dropped'))).toHaveLength(2);
    } else expect(warnings).toEqual([]);
  });
}
