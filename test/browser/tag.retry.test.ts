/**
 * The retry queue in real Chromium against the real collector. Outages are played by the site's
 * edge in front of the collector (it answers 503/429/408 or cuts the connection instead of
 * forwarding), so the tag and the collector run unmodified: every event must arrive exactly once,
 * across page loads and tabs.
 */
import { expect, inject, it } from 'vitest';
import './support/provided';
import { useTagSite } from './support/tagSuite';
import { eventually } from './chromium';
import { ackedCount, deliveries, expectExactlyOnce, expectStoredAtCollector, sleep } from './support/delivery';
import { type Fault, type SentMessage } from './support/site';
import { openTagPage, queued, type Win } from './support/tagPage';

const collectorUrl = inject('collectorUrl');

const suite = useTagSite();

const run = (name: string) => (m: SentMessage) => m.properties?.run === name;
const track = (page: import('playwright-core').Page, name: string, from: number, count: number) =>
  page.evaluate(
    ([r, f, c]) => {
      for (let n = f; n < f + c; n++) (window as unknown as Win).tag.track('Outage Event', { run: r, n });
    },
    [name, from, count] as const,
  );
/** Waits until the edge has answered at least `count` requests with this fault. */
const faultSeen = (fault: Fault, count = 1) =>
  eventually(async () => (suite.site.ingests.filter((r) => r.status === (fault === 'cut' ? 0 : fault)).length >= count ? true : undefined), 20_000, `${fault} answers`);

it('survives an outage (503, 429, 408, cut connections) across page loads: every event arrives exactly once', async () => {
  const page = await openTagPage(suite.context, suite.site);
  await eventually(async () => (ackedCount(suite.site, (m) => m.type === 'page') ? true : undefined), 10_000, 'the page view');

  suite.site.fault.ingest = 503;
  await track(page, 'outage', 0, 5);
  await faultSeen(503);
  await eventually(async () => ((await queued(page)) > 0 ? true : undefined), 5000, 'the failed batch in the retry queue');

  // Tracked right before leaving while the collector is down: kept for the next page, not beaconed into the void.
  await track(page, 'outage', 5, 3);
  await page.click('#next');
  await page.waitForFunction(() => typeof (window as unknown as Win).tag?.v === 'string');
  await track(page, 'outage', 8, 2);

  for (const fault of [429, 408, 'cut'] as const) {
    const before = suite.site.ingests.length;
    suite.site.fault.ingest = fault;
    await eventually(async () => (suite.site.ingests.slice(before).some((r) => r.status === (fault === 'cut' ? 0 : fault)) ? true : undefined), 20_000, `a ${fault}`);
  }
  const failedDuringOutage = suite.site.ingests.filter((r) => r.status !== 200).length;
  suite.site.fault.ingest = undefined;

  await eventually(async () => (ackedCount(suite.site, run('outage')) === 10 ? true : undefined), 40_000, '10 events after recovery');
  await sleep(2500); // anything sent twice would show up now
  const delivered = expectExactlyOnce(suite.site, run('outage'), 10);
  expect(delivered.map((d) => d.message.properties?.n).sort((a, b) => Number(a) - Number(b))).toEqual([...Array(10).keys()]);
  expect(delivered.every((d) => d.sends >= 1)).toBe(true);
  expect(delivered.filter((d) => d.sends > 1).length).toBeGreaterThan(0); // they really were retried
  expect(await queued(page)).toBe(0);
  // Backoff, not a retry storm: a handful of attempts over the whole outage.
  expect(failedDuringOutage).toBeLessThan(25);
  await expectStoredAtCollector(collectorUrl, delivered.map((d) => d.message.messageId));
});

it('a 4xx other than 408/429 is not retried', async () => {
  const page = await openTagPage(suite.context, suite.site);
  await eventually(async () => (ackedCount(suite.site, (m) => m.type === 'page') ? true : undefined), 10_000, 'the page view');
  suite.site.fault.ingest = 400;
  await track(page, 'refused', 0, 3);
  await faultSeen(400);
  suite.site.fault.ingest = undefined;
  await page.evaluate(() => (window as unknown as Win).tag.track('After Refusal', { run: 'after-refusal' }));
  await eventually(async () => (ackedCount(suite.site, run('after-refusal')) === 1 ? true : undefined), 10_000, 'the next event');
  await sleep(3000); // past the first retry's backoff
  const refused = [...deliveries(suite.site, run('refused')).values()];
  expect(refused.map((d) => [d.sends, d.acks])).toEqual([
    [1, 0],
    [1, 0],
    [1, 0],
  ]);
  expect(await queued(page)).toBe(0);
});

it('two tabs share the retry queue without sending anything twice', async () => {
  const a = await openTagPage(suite.context, suite.site);
  const b = await openTagPage(suite.context, suite.site);
  await eventually(async () => (ackedCount(suite.site, (m) => m.type === 'page') === 2 ? true : undefined), 10_000, 'both page views');

  suite.site.fault.ingest = 503;
  for (let round = 0; round < 4; round++) {
    await Promise.all([track(a, 'tabs', round * 10, 5), track(b, 'tabs', round * 10 + 5, 5)]);
    await sleep(1100); // each round is its own batch per tab
  }
  await eventually(async () => ((await queued(a)) >= 6 ? true : undefined), 15_000, 'batches of both tabs in the queue');
  suite.site.fault.ingest = undefined;

  await eventually(async () => (ackedCount(suite.site, run('tabs')) === 40 ? true : undefined), 40_000, '40 events from two tabs');
  await sleep(2500);
  expectExactlyOnce(suite.site, run('tabs'), 40);
  expect(await queued(a)).toBe(0);
});

it('what a closed tab left in the queue is delivered by the next page of the site, once', async () => {
  const a = await openTagPage(suite.context, suite.site);
  suite.site.fault.ingest = 503;
  await track(a, 'orphan', 0, 6);
  await eventually(async () => ((await queued(a)) > 0 ? true : undefined), 10_000, 'the batch queued');
  await a.close({ runBeforeUnload: true });
  suite.site.fault.ingest = undefined;

  const b = await openTagPage(suite.context, suite.site);
  await eventually(async () => (ackedCount(suite.site, run('orphan')) === 6 ? true : undefined), 30_000, 'the closed tab’s events');
  await sleep(2000);
  expectExactlyOnce(suite.site, run('orphan'), 6);
  expect(await queued(b)).toBe(0);
});
