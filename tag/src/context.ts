/**
 * `context` of every message: the page, the browser, the library, the visitor's traits and the
 * UTM campaign of the landing URL. What cannot change during a page view is computed once.
 */
import { VERSION } from './config';
import { type Dict, identity } from './identity';

const fixed = {
  userAgent: navigator.userAgent,
  locale: navigator.language,
  timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  screen: { width: screen.width, height: screen.height, density: devicePixelRatio },
  library: { name: 'edgetag', version: VERSION },
};

/** utm_campaign → name, utm_source → source, … (Segment's `context.campaign`). */
const campaign = (): Dict | undefined => {
  let found: Dict | undefined;
  new URLSearchParams(location.search).forEach((value, key) => {
    if (key.startsWith('utm_')) (found ||= {})[key == 'utm_campaign' ? 'name' : key.slice(4)] = value;
  });
  return found;
};

export const pageFacts = () => ({
  path: location.pathname,
  referrer: document.referrer,
  search: location.search,
  title: document.title,
  url: location.href,
});

export function context(): Dict {
  return { ...fixed, page: pageFacts(), campaign: campaign(), traits: identity.traits };
}
