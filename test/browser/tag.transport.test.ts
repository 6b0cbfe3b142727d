/**
 * Batching and the wire in real Chromium against the real collector: batches by count, time and
 * size; text/plain with no CORS preflight; beacons under 64 KiB; an event fired on a link click
 * right before the page goes away still arrives.
 */
import { expect, inject, it } from 'vitest';
import './support/provided';
import { useTagSite } from './support/tagSuite';
import { LIMITS } from '../../shared/limits';
import { eventually } from './chromium';
import { ackedCount, expectExactlyOnce, expectStoredAtCollector, sleep } from './support/delivery';
import { openTagPage, queued, type Win } from './support/tagPage';

const collectorUrl = inject('collectorUrl');

const suite = useTagSite();

const tracked = (run: string) => (m: { event?: string; properties?: Record<string, unknown> }) => m.properties?.run === run;

it('batches calls made together into one text/plain POST, without a CORS preflight', async () => {
  const page = await openTagPage(suite.context, suite.site);
  await page.evaluate(() => {
    for (let i = 0; i < 5; i++) (window as unknown as Win).tag.track('Batched', { run: 'batch-5', i });
  });
  await eventually(async () => (ackedCount(suite.site, tracked('batch-5')) === 5 ? true : undefined), 10_000, '5 events');
  const carrying = suite.site.ingests.filter((r) => r.body.batch?.some(tracked('batch-5')));
  expect(carrying).toHaveLength(1);
  expect(carrying[0]?.body.batch?.filter(tracked('batch-5')).map((m) => m.properties?.i)).toEqual([0, 1, 2, 3, 4]);
  expect(carrying[0]?.contentType).toMatch(/^text\/plain/);
  expect(carrying[0]?.body.writeKey).toBe('browser-write-key');
  expect(suite.site.requests.filter((r) => r.startsWith('OPTIONS'))).toEqual([]);
  const ids = expectExactlyOnce(suite.site, tracked('batch-5'), 5).map((d) => d.message.messageId);
  await expectStoredAtCollector(collectorUrl, ids);
});

it('flushes at 20 messages without waiting for the timer; fewer wait for the 1 s timer; at most 20 per request', async () => {
  const page = await openTagPage(suite.context, suite.site);
  await eventually(async () => (ackedCount(suite.site, (m) => m.type === 'page') ? true : undefined), 10_000, 'the page view');
  const twentyAt = await page.evaluate(() => {
    for (let i = 0; i < 20; i++) (window as unknown as Win).tag.track('Counted', { run: 'count-20', i });
    return Date.now();
  });
  await eventually(async () => (ackedCount(suite.site, tracked('count-20')) === 20 ? true : undefined), 10_000, '20 events');
  const [twenty] = suite.site.ingests.filter((r) => r.body.batch?.some(tracked('count-20')));
  expect(twenty?.body.batch).toHaveLength(20);
  expect((twenty?.at as number) - twentyAt).toBeLessThan(1000); // the count, not the timer, sent it
  // The site counts the 20 as acknowledged when the collector answers; the page's flush loop takes
  // whatever was buffered meanwhile with it as soon as that answer reaches it. Let it arrive first,
  // or (on a loaded machine) the 5 below leave with the loop instead of waiting for the timer.
  await suite.site.quiet(300);

  const fiveAt = await page.evaluate(() => {
    for (let i = 0; i < 5; i++) (window as unknown as Win).tag.track('Timed', { run: 'timer-5', i });
    return Date.now();
  });
  await eventually(async () => (ackedCount(suite.site, tracked('timer-5')) === 5 ? true : undefined), 10_000, '5 events');
  const [five] = suite.site.ingests.filter((r) => r.body.batch?.some(tracked('timer-5')));
  expect(five?.body.batch).toHaveLength(5);
  expect((five?.at as number) - fiveAt).toBeGreaterThanOrEqual(990); // held for the timer

  await page.evaluate(() => {
    for (let i = 0; i < 45; i++) (window as unknown as Win).tag.track('Burst', { run: 'burst-45', i });
  });
  await eventually(async () => (ackedCount(suite.site, tracked('burst-45')) === 45 ? true : undefined), 10_000, '45 events');
  const sizes = suite.site.ingests.filter((r) => r.body.batch?.some(tracked('burst-45'))).map((r) => r.body.batch?.length);
  expect(sizes).toEqual([20, 20, 5]);
  const order = suite.site.messages().filter(tracked('burst-45')).map((m) => m.properties?.i);
  expect(order).toEqual([...Array(45).keys()]);
  expectExactlyOnce(suite.site, tracked('burst-45'), 45);
});

it('every message carries messageId, timestamp, sentAt, ids and the full context', async () => {
  const page = await openTagPage(suite.context, suite.site, { title: 'Context Page' });
  await page.goto(`${suite.site.url}/p?title=Context+Page&utm_source=newsletter&utm_medium=email&utm_campaign=spring_sale&utm_term=shoes&utm_content=hero`);
  await page.waitForFunction(() => typeof (window as unknown as Win).tag.v === 'string');
  await page.evaluate(() => (window as unknown as Win).tag.track('Context Check', { run: 'ctx' }));
  const [m] = await eventually(async () => {
    const found = suite.site.messages().filter((x) => x.status === 200 && tracked('ctx')(x));
    return found.length ? found : undefined;
  });
  const browserFacts = await page.evaluate(() => ({
    ua: navigator.userAgent,
    locale: navigator.language,
    tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
    w: screen.width,
    anonymousId: (window as unknown as Win).tag.user().anonymousId,
  }));
  expect(m?.messageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(m?.anonymousId).toBe(browserFacts.anonymousId);
  expect(Date.parse(m?.sentAt as string)).toBeGreaterThanOrEqual(Date.parse(m?.timestamp as string));
  expect(m?.context).toMatchObject({
    page: { path: '/p', title: 'Context Page', search: expect.stringContaining('utm_source=newsletter'), url: expect.stringContaining('/p?title=') },
    userAgent: browserFacts.ua,
    locale: browserFacts.locale,
    timezone: browserFacts.tz,
    screen: { width: browserFacts.w, height: expect.any(Number), density: expect.any(Number) },
    library: { name: 'edgetag', version: expect.stringMatching(/^\d+\.\d+\.\d+/) },
    campaign: { source: 'newsletter', medium: 'email', name: 'spring_sale', term: 'shoes', content: 'hero' },
  });
});

it('splits large volumes into requests under the 64 KiB beacon limit, and all arrive', async () => {
  const page = await openTagPage(suite.context, suite.site);
  await page.evaluate(() => {
    const blob = 'x'.repeat(5000);
    for (let i = 0; i < 30; i++) (window as unknown as Win).tag.track('Large', { run: 'large', i, blob });
  });
  await eventually(async () => (ackedCount(suite.site, tracked('large')) === 30 ? true : undefined), 15_000, '30 large events');
  const carrying = suite.site.ingests.filter((r) => r.body.batch?.some(tracked('large')));
  expect(carrying.length).toBeGreaterThan(2);
  for (const r of carrying) expect(r.bytes).toBeLessThanOrEqual(LIMITS.maxBeaconBytes);
  expectExactlyOnce(suite.site, tracked('large'), 30);
});

it('an event tracked on a link click right before navigation still arrives: 20 tries, 20 arrive', async () => {
  const page = await suite.context.newPage();
  for (let n = 0; n < 20; n++) {
    await page.goto(`${suite.site.url}/p`);
    await page.waitForFunction(() => typeof (window as unknown as Win).tag.v === 'string');
    await page.evaluate((i) => {
      document.getElementById('away')?.addEventListener('click', () => (window as unknown as Win).tag.track('Link Clicked', { run: 'unload', n: i }));
    }, n);
    await page.click('#away'); // navigates to a page without the tag at once
    await page.waitForURL(`${suite.site.url}/blank`);
  }
  await eventually(async () => (ackedCount(suite.site, tracked('unload')) === 20 ? true : undefined), 15_000, '20 link clicks');
  const delivered = expectExactlyOnce(suite.site, tracked('unload'), 20);
  expect(delivered.map((d) => d.message.properties?.n).sort((a, b) => Number(a) - Number(b))).toEqual([...Array(20).keys()]);
  await expectStoredAtCollector(collectorUrl, delivered.map((d) => d.message.messageId));
});

it('at page hide a large buffer leaves as several beacons under 64 KiB; what the browser refuses waits for the next page', async () => {
  const page = await suite.context.newPage();
  await page.goto(`${suite.site.url}/p`);
  await page.waitForFunction(() => typeof (window as unknown as Win).tag.v === 'string');
  await page.evaluate(() => {
    document.getElementById('next')?.addEventListener('click', () => {
      const blob = 'y'.repeat(6000);
      for (let i = 0; i < 30; i++) (window as unknown as Win).tag.track('Big Click', { run: 'big-unload', i, blob });
    });
  });
  await page.click('#next'); // the next page embeds the tag too
  await eventually(async () => (ackedCount(suite.site, tracked('big-unload')) === 30 ? true : undefined), 20_000, '30 large events');
  for (const r of suite.site.ingests) expect(r.bytes).toBeLessThanOrEqual(LIMITS.maxBeaconBytes);
  expectExactlyOnce(suite.site, tracked('big-unload'), 30);
  await sleep(500);
  expect(await queued(page)).toBe(0);
});
