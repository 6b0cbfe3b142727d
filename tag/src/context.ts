/**
 * `context` of every message: the page and the visitor's traits when the call is made; the
 * browser, library and timezone when the message is serialised (they cannot change meanwhile).
 */
import { pageReferrer } from './autoPage';
import { allowed } from './consent';
import type { Dict } from './identity';
import { get, set } from './storage';
import { VERSION } from './version';

let timezone: string | undefined;

/** utm_campaign → name, utm_source → source, … (Segment's `context.campaign`). */
const campaignOf = (query: string): Dict | undefined => {
  let found: Dict | undefined;
  new URLSearchParams(query).forEach((value, key) => {
    if (key.startsWith('utm_')) (found ||= {})[key == 'utm_campaign' ? 'name' : key.slice(4)] = value;
  });
  return found;
};

export const pageFacts = () => ({
  path: location.pathname,
  referrer: __AUTO_PAGE__ ? pageReferrer() : document.referrer,
  search: location.search,
  title: document.title,
  url: location.href,
});


/**
 * The IANA timezone. Asking Intl costs tens of milliseconds the first time in a page (it loads
 * ICU's date-format data), so it is asked at most once per device and UTC offset (kept in
 * localStorage with the offset it was seen at), and only when the first batch is serialised —
 * never while the page loads or inside a track() call.
 */
function zone(): string {
  if (!timezone) {
    const offset = new Date().getTimezoneOffset();
    const [name, seenAt] = (get('et_tz') || '').split(' ');
    timezone = name && +(seenAt as string) === offset ? name : Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (allowed()) set('et_tz', timezone + ' ' + offset);
  }
  return timezone;
}

/** What is added when the message is serialised (the campaign from the URL the call was made on). */
export const deviceFacts = (page: { search: string }): Dict => ({
  campaign: campaignOf(page.search),
  userAgent: navigator.userAgent,
  locale: navigator.language,
  timezone: zone(),
  screen: { width: screen.width, height: screen.height, density: devicePixelRatio },
  library: { name: 'edgetag', version: VERSION },
});
