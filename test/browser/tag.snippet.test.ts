/**
 * The snippet and the async loader in real Chromium: calls made before the tag loads are replayed
 * in order with the time they were made; the global name is configurable; loading never blocks
 * rendering and a failed load never throws into the page.
 */
import { expect, inject, it } from 'vitest';
import './support/provided';
import { useTagSite } from './support/tagSuite';
import { eventually } from './chromium';
import { ackedCount, expectExactlyOnce, expectStoredAtCollector, sleep } from './support/delivery';
import { pagePath } from './support/site';
import { tagLoaded, type Win } from './support/tagPage';

const collectorUrl = inject('collectorUrl');

const suite = useTagSite();

it('queues calls made before the tag loads and replays them in order, stamped with the time they were made', async () => {
  suite.site.fault.scriptDelayMs = 800; // the tag file arrives late, as on a slow network
  const page = await suite.context.newPage();
  const script = `
    window.calledAt = Date.now();
    tag.track('Before Load A', {seq: 1});
    tag.identify('u_before', {plan: 'pro'});
    tag.track('Before Load B', {seq: 2});
    window.stubAtDomReady = null;
    document.addEventListener('DOMContentLoaded', function () { window.stubAtDomReady = Array.isArray(window.tag); });`;
  await page.goto(suite.site.url + pagePath({ script, title: 'Queued Page' }));
  await tagLoaded(page);
  const { calledAt, stubAtDomReady } = await page.evaluate(() => ({ calledAt: (window as unknown as Win).calledAt as number, stubAtDomReady: (window as unknown as Win).stubAtDomReady }));
  expect(stubAtDomReady).toBe(true); // the page was interactive while the tag was still loading

  await eventually(async () => (ackedCount(suite.site, () => true) >= 4 ? true : undefined), 10_000, 'the replayed calls');
  const sent = suite.site.messages();
  expect(sent.map((m) => [m.type, m.event ?? m.name ?? null])).toEqual([
    ['page', null],
    ['track', 'Before Load A'],
    ['identify', null],
    ['track', 'Before Load B'],
  ]);
  // Stamped when called (before the 800 ms the script took), not when replayed.
  for (const m of sent) expect(Date.parse(m.timestamp) - calledAt).toBeLessThan(400);
  expect(sent[3]?.userId).toBe('u_before');
  expect(sent[3]?.context?.traits).toEqual({ plan: 'pro' });
  expect(sent[0]?.properties).toMatchObject({ title: 'Queued Page', path: '/p' });
  expectExactlyOnce(suite.site, () => true, 4);
  await expectStoredAtCollector(collectorUrl, sent.map((m) => m.messageId));
});

it('uses the global name the snippet sets, and leaves window.tag alone', async () => {
  const page = await suite.context.newPage();
  await page.goto(suite.site.url + pagePath({ global: 'shopTag', script: "shopTag.track('Renamed Global', {ok: true});" }));
  await tagLoaded(page, 'shopTag');
  expect(await page.evaluate(() => typeof (window as unknown as Win).tag)).toBe('undefined');
  await eventually(async () => suite.site.messages().find((m) => m.event === 'Renamed Global' && m.status === 200), 10_000, 'the renamed global’s event');
  await page.evaluate(() => ((window as unknown as Record<string, { track(e: string): void }>).shopTag as { track(e: string): void }).track('After Load'));
  await eventually(async () => suite.site.messages().find((m) => m.event === 'After Load' && m.status === 200), 10_000, 'an event after load');
});

it('running the snippet again after the tag loaded changes nothing (no second script, no stub over the tag)', async () => {
  const page = await suite.context.newPage();
  await page.goto(suite.site.url + pagePath());
  await tagLoaded(page);
  const html = await page.evaluate(() => document.scripts[0]?.textContent ?? '');
  await page.evaluate((code) => (0, eval)(code.replace(/tag\.page\(\);\s*$/, '')), html.trim());
  expect(await page.evaluate(() => ({ scripts: document.querySelectorAll('script[src]').length, loaded: typeof (window as unknown as Win).tag.v }))).toEqual({ scripts: 1, loaded: 'string' });
});

for (const failure of [404, 'cut'] as const) {
  it(`a tag file that fails to load (${failure}) never throws into the page; calls keep being accepted`, async () => {
    suite.site.fault.script = failure;
    const page = await suite.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(suite.site.url + pagePath({ script: "tag.track('Never Sent');" }));
    await page.waitForLoadState('load');
    const userId = `never-loaded-${failure}`;
    const result = await page.evaluate((id) => {
      const t = (window as unknown as Win).tag;
      t.track('Still Fine', { a: 1 });
      t.identify(id);
      return Array.isArray(t);
    }, userId);
    expect(result).toBe(true); // still the stub, quietly queueing
    await sleep(300);
    expect(errors).toEqual([]);
    // Nothing of this page's calls went anywhere. (The previous test's context, closed just before,
    // may still beacon its own events to the site: those are not this page's.)
    const sent = suite.site.ingests.flatMap((r) => r.body.batch ?? []);
    expect(sent.filter((m) => m.event === 'Never Sent' || m.event === 'Still Fine' || m.userId === userId)).toEqual([]);
  });
}
