/**
 * A shop as a single-page app, bundled by vite, using edgetag as an npm package:
 * `createTag()` with autoPage, a hand-written History API router, and an order.
 */
import { createTag, type EdgeTag, type TagOptions } from 'edgetag/tag';

/** The collector's URL, set at build time (vite `define`), as an app would from its environment. */
declare const __EDGETAG_COLLECTOR__: string;

const options: TagOptions = { writeKey: 'browser-write-key', collector: __EDGETAG_COLLECTOR__, autoPage: true, global: 'tag' };
const tag: EdgeTag = createTag(options);

// What the test page checks: a second createTag() is the same tag; other options are refused.
const state = window as unknown as Record<string, unknown>;
state.sameTag = createTag({ ...options }) === tag;
try {
  createTag({ ...options, autoPage: false });
} catch (error) {
  state.otherOptions = (error as Error).message;
}

const user = new URLSearchParams(location.search).get('user') ?? 'u_shop';
const routes: Record<string, string> = { '/shop/': 'Shop', '/shop/cart': 'Cart', '/shop/checkout': 'Checkout' };

function render(): void {
  const title = routes[location.pathname] ?? 'Not found';
  document.title = title;
  (document.querySelector('main') as HTMLElement).textContent = title;
}

document.addEventListener('click', (event) => {
  const link = (event.target as Element).closest('a[data-link]');
  if (!link) return;
  event.preventDefault();
  history.pushState(null, '', link.getAttribute('href'));
  render();
});
addEventListener('popstate', render);

(document.querySelector('#buy') as HTMLButtonElement).addEventListener('click', () => {
  tag.identify(user, { email: `${user}@example.com` });
  tag.track('Order Completed', { order_id: `ORD-${user}`, revenue: 42.5, currency: 'EUR' });
});

render();

/** Never called: it only has to type-check, proving the package's types are checked, not `any`. */
export function typesAreReal(): void {
  // @ts-expect-error track() needs an event name
  tag.track();
  // @ts-expect-error consent takes {analytics}
  tag.consent(true);
  // @ts-expect-error createTag() needs a collector
  createTag({ writeKey: 'k' });
  // The core build has no segments(): it is optional in the types.
  void tag.segments?.();
}
