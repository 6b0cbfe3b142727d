/**
 * autoPage (opt-in): a page view for each client-side navigation of a single-page app, as Plausible
 * and GA4 count them — `history.pushState`, a `replaceState` that changes the path, and back/forward
 * (`popstate`). A router changes the URL first and the title, and calls its own `page()`, a moment
 * later, so the view waits GRACE_MS: an explicit `page()` for the URL in that time is the view (with
 * its name and properties), and URLs passed through in that time (a redirect) make no view of their own.
 *
 * One view per URL: autoPage skips the URL of the last view, and an explicit `page()` for a URL that
 * autoPage has just counted is dropped (reported in debug mode), so nothing is counted twice. The
 * referrer of a view, and of the events after it, is the previous view's URL: `document.referrer`
 * only knows how the page was loaded. URLs are compared without their #fragment, and a pushState or
 * back/forward that leaves the URL as it was is no navigation.
 */
const GRACE_MS = 100;

let on = false;
/** URL of the last page view, the referrer it had, and whether autoPage made it. */
let last: string | undefined;
let lastReferrer: string | undefined;
let lastAuto = false;
/** The current referrer; undefined until the first view: `document.referrer`. */
let referrer: string | undefined;
/** A view waiting for the grace time, and when its navigation happened. */
let timer: ReturnType<typeof setTimeout> | undefined;
let at = 0;
let view: ((at: number) => void) | undefined;

const here = (): string => location.href.split('#')[0] as string;

export const pageReferrer = (): string => referrer ?? document.referrer;

/** The visitor is at `url` now: they came from the last view, or are back on it. */
function follow(url: string): void {
  referrer = url == last ? lastReferrer : (last ?? referrer);
}

/**
 * A page view of the current URL is being made (`auto`: by autoPage). False for an explicit view of
 * the URL autoPage has just counted: that one must not be sent.
 */
export function viewed(auto: boolean): boolean {
  if (!on) return true;
  const url = here();
  if (!auto && lastAuto && url == last) return false;
  follow(url);
  [last, lastReferrer, lastAuto] = [url, referrer, auto];
  return true;
}

/** The URL changed: a view of wherever the visitor is once the grace time is over, unless one was made. */
function navigated(): void {
  follow(here());
  at = Date.now();
  clearTimeout(timer);
  timer = setTimeout(settle, GRACE_MS);
}

/**
 * Starts watching the History API; `page(at)` makes autoPage's view, stamped with the navigation's
 * time. The landing page gets a view too, unless `page()` is called for it within the grace time
 * (the snippet's queued `page()` is).
 */
export function startAutoPage(page: (at: number) => void): void {
  on = true;
  view = page;
  let current = here();
  for (const name of ['pushState', 'replaceState'] as const) {
    const original = history[name];
    history[name] = function (this: History, ...args: Parameters<History['pushState']>) {
      const path = location.pathname;
      original.apply(this, args); // throws as it would have (a cross-origin URL): no view then
      // pushState to another URL; replaceState to another path (not a filter in the query).
      if (name == 'pushState' ? here() != current : location.pathname != path) navigated();
      current = here();
    };
  }
  addEventListener('popstate', () => here() != current && (navigated(), (current = here())));
  navigated();
}

/** Makes the view that waits, if any: after the grace time, or at once when the page is being hidden. */
export function settle(): void {
  if (timer) {
    clearTimeout(timer);
    timer = undefined;
    if (here() != last) view?.(at);
  }
}
