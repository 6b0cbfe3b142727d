/**
 * autoPage in real Chromium, on a single-page app with a client-side router (support/spa.ts) that
 * loads the README's snippet with `autoPage: true` (`/s.js?autopage`), against the real collector:
 * a page view per navigation (pushState, replaceState to another path, back/forward), none for hash
 * or query-only changes, never one that doubles the app's own `page()`, and the previous view's URL
 * as the referrer.
 */
import type { Page } from 'playwright-core';
import { expect, inject, it } from 'vitest';
import './support/provided';
import { eventually } from './chromium';
import { expectStoredAtCollector, sleep } from './support/delivery';
import type { SentMessage, Site } from './support/site';
import { tagLoaded, type Win } from './support/tagPage';
import { useTagSite } from './support/tagSuite';

const collectorUrl = inject('collectorUrl');
const suite = useTagSite();

const views = (site: Site) => site.messages().filter((m) => m.type === 'page' && m.status === 200);
const view = (m: SentMessage) => ({ name: m.name, ...(m.properties as { path: string; title: string; referrer: string; url: string }) });
const waitViews = (n: number, what: string) =>
  eventually(async () => (views(suite.site).length >= n ? views(suite.site) : undefined), 10_000, what);

async function openApp(path = '/app/'): Promise<Page> {
  const page = await suite.context.newPage();
  await page.goto(suite.site.url + path);
  await tagLoaded(page);
  await waitViews(1, 'the landing page’s view');
  return page;
}

/** Clicks an in-app link; returns when the router pushed the URL (the app's clock, kept in history.state). */
const click = async (page: Page, selector: string): Promise<number> => {
  await page.click(selector);
  return page.evaluate(() => (history.state as { at: number } | null)?.at ?? 0);
};

for (const build of ['collector', 'core'] as const) {
  it(`pushState navigations (${build === 'core' ? 'core' : 'segments'} build): a view each, with the router's title, the previous view as referrer and the navigation's time`, async () => {
    suite.site.tagBuild = build;
    const page = await openApp();
    const app = suite.site.url + '/app';
    const productsAt = await click(page, 'a[href="/app/products"]');
    await waitViews(2, 'the products view');
    const productAt = await click(page, 'a[href="/app/products/42"]');
    await waitViews(3, 'the product view');
    await page.evaluate(() => (window as unknown as Win).tag.track('Product Viewed', { sku: '42' }));
    const track = await eventually(async () => suite.site.messages().find((m) => m.event === 'Product Viewed' && m.status === 200), 10_000, 'the track');

    const sent = views(suite.site);
    expect(sent.map(view).slice(1)).toEqual([
      { path: '/app/products', title: 'Products', referrer: `${app}/`, search: '', url: `${app}/products` },
      { path: '/app/products/42', title: 'Product 42', referrer: `${app}/products`, search: '', url: `${app}/products/42` },
    ]);
    expect(sent.map((m) => m.properties?.path)).toEqual(['/app/', '/app/products', '/app/products/42']); // the landing view: the snippet's page()
    expect(sent[0]?.properties?.referrer).toBe('');
    // context.page says the same, and so does it for the events after a view.
    expect(sent.slice(1).map((m) => m.context?.page)).toEqual(sent.slice(1).map((m) => ({ ...(m.properties as object), search: '' })));
    expect(track.context?.page).toMatchObject({ url: `${app}/products/42`, referrer: `${app}/products`, title: 'Product 42' });
    // Stamped when the URL changed, not when the view left (it waits 100 ms for the title).
    for (const [m, at] of [[sent[1], productsAt], [sent[2], productAt]] as const) {
      const stamp = Date.parse((m as SentMessage).timestamp);
      expect(stamp - at).toBeGreaterThanOrEqual(0);
      expect(stamp - at).toBeLessThan(50);
    }
    await expectStoredAtCollector(collectorUrl, sent.map((m) => m.messageId));
  });
}

it('back and forward (popstate) are views with the URL left as referrer; hash links are not', async () => {
  const page = await openApp();
  const app = suite.site.url + '/app';
  await click(page, 'a[href="/app/products"]');
  await waitViews(2, 'products');
  await click(page, 'a[href="/app/products/42"]');
  await waitViews(3, 'product 42');
  await page.goBack();
  await waitViews(4, 'back to products');
  await page.goForward();
  await waitViews(5, 'forward to product 42');
  await page.click('#reviews'); // #reviews: a fragment, same page
  await page.goBack(); // popstate to the same URL without its fragment
  await sleep(600);

  expect(views(suite.site).map(view).slice(1).map(({ path, referrer }) => [path, referrer])).toEqual([
    ['/app/products', `${app}/`],
    ['/app/products/42', `${app}/products`],
    ['/app/products', `${app}/products/42`],
    ['/app/products/42', `${app}/products`],
  ]);
});

it('replaceState: a redirect makes one view, of where it lands; a query-only change or a pushState of the same URL makes none', async () => {
  const page = await openApp();
  const app = suite.site.url + '/app';
  await click(page, 'a[href="/app/old"]'); // pushState /app/old, then the router's replaceState to /app/new
  await waitViews(2, 'the redirect’s view');
  await page.click('#filter'); // replaceState ?stock=1: same path
  await page.evaluate(() => (window as unknown as Win & { navigate(href: string): void }).navigate(location.pathname + location.search)); // same URL again
  await sleep(600);
  expect(views(suite.site)).toHaveLength(2);
  await page.evaluate(() => history.replaceState(null, '', '/app/products')); // another path, by replaceState alone
  await waitViews(3, 'the replaced path’s view');
  await sleep(300);

  expect(views(suite.site).map(view).slice(1)).toEqual([
    { path: '/app/new', title: 'New Arrivals', referrer: `${app}/`, search: '', url: `${app}/new` },
    { path: '/app/products', title: 'New Arrivals', referrer: `${app}/new`, search: '', url: `${app}/products` },
  ]);
});

it('never doubles the app’s own page(): one from the router’s hook is the view; a late one for a counted URL is dropped and reported', async () => {
  const page = await openApp();
  const warnings: string[] = [];
  page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
  await page.evaluate(() => {
    const w = window as unknown as Win & { afterNavigate?: (path: string) => void };
    w.tag.debug(true);
    w.tag.page(); // the landing page was counted already (the snippet's page()): the app's own second call still goes
    w.afterNavigate = (path) => w.tag.page(document.title, { route: path }); // as a router's after-each hook does
  });
  await click(page, 'a[href="/app/products"]');
  await click(page, 'a[href="/app/products/42"]');
  await waitViews(4, 'the router hook’s views');
  // Now the app stops calling page(): autoPage counts /app/, and a page() for it 400 ms later is a double.
  await page.evaluate(() => delete (window as unknown as { afterNavigate?: unknown }).afterNavigate);
  await click(page, 'a[href="/app/"]');
  await waitViews(5, 'autoPage’s view of /app/');
  await page.evaluate(() => (window as unknown as Win).tag.page('Home again'));
  await sleep(1500);

  expect(views(suite.site).map((m) => [m.name ?? null, m.properties?.path, m.properties?.route ?? null])).toEqual([
    [null, '/app/', null], // the snippet's
    [null, '/app/', null], // the app's explicit second call, not autoPage's business
    ['Products', '/app/products', '/app/products'],
    ['Product 42', '/app/products/42', '/app/products/42'],
    [null, '/app/', null], // autoPage's
  ]);
  expect(warnings.filter((w) => w.includes('page() dropped') && w.includes('autoPage'))).toHaveLength(1);
});

it('a view still waiting for its grace time leaves with the page', async () => {
  const page = await openApp();
  await page.evaluate(() => {
    history.pushState(null, '', '/app/products/42');
    location.href = '/blank'; // gone before the 100 ms are over
  });
  await page.waitForURL('**/blank');
  const left = await waitViews(2, 'the view made at page hide');
  expect(left[1]?.properties).toMatchObject({ path: '/app/products/42', referrer: `${suite.site.url}/app/` });
});

it('without autoPage (the plain snippet) the History API is left alone and navigation sends nothing', async () => {
  suite.site.tagBuild = 'core';
  const page = await suite.context.newPage();
  await page.goto(suite.site.url + '/p');
  await tagLoaded(page);
  await waitViews(1, 'the snippet’s view');
  const native = await page.evaluate(() => {
    history.pushState(null, '', '/p/elsewhere');
    history.replaceState(null, '', '/p/other');
    return [history.pushState, history.replaceState].every((f) => String(f).includes('[native code]'));
  });
  await page.goBack();
  await sleep(1500);
  expect(native).toBe(true);
  expect(views(suite.site)).toHaveLength(1);
});
