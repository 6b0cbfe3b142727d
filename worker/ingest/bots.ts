import type { Message } from '../../shared/message';

/** Why a message is not a person's visit: a crawler/headless user agent, or a page loaded speculatively. */
export interface TrafficFlag {
  reason: 'bot' | 'prefetch';
  detail: string;
}

/**
 * User agents of crawlers, link unfurlers, monitors, audit tools and automated browsers. Generic
 * HTTP libraries (curl, node, python-requests, Segment's server clients) are NOT here: server-side
 * senders are legitimate, and the end user's agent travels in `context.userAgent` instead.
 * "bot" alone is not enough (a "Cubot" phone is a person): bots say bot/ bot; bot) bot- or carry a +URL.
 */
const BOT_PATTERNS: readonly [RegExp, string][] = [
  [/bot[/;)\-]|bot$/i, 'bot'],
  [/\+https?:\/\//i, '+URL (a crawler’s contact link)'],
  [/crawl|spider|slurp|scrap(er|y)/i, 'crawler'],
  [/headless|phantomjs|puppeteer|playwright|selenium|webdriver|electron-prerender/i, 'automated browser'],
  [/lighthouse|pagespeed|gtmetrix|pingdom|uptimerobot|statuscake|site24x7|checkly/i, 'audit / uptime monitor'],
  [/facebookexternalhit|facebookcatalog|embedly|whatsapp|skypeuripreview|bingpreview|linkpreview|quora link preview|vkshare|iframely/i, 'link preview'],
  [/mediapartners-google|adsbot|apis-google|google-inspectiontool|googleother|feedfetcher|google-read-aloud|storebot/i, 'Google crawler'],
  [/yandex|baiduspider|bytespider|petalbot|sogou|exabot|ia_archiver|ahrefs|semrush|mj12|dotbot|seznam/i, 'search / SEO crawler'],
  [/gptbot|chatgpt-user|oai-searchbot|claudebot|claude-web|anthropic-ai|perplexity|ccbot|cohere-ai|diffbot|amazonbot|applebot/i, 'AI / search crawler'],
  [/prerender|rendertron/i, 'prerender service'],
];

export function botUserAgent(userAgent: string | undefined | null): TrafficFlag | null {
  if (!userAgent) return null;
  // A batch's messages carry one visitor's agent: ten patterns per message, so the last answer is kept (frozen: it is shared).
  if (userAgent !== last.userAgent) last = { userAgent, flag: Object.freeze(matchBot(userAgent)) };
  return last.flag;
}
let last: { userAgent: string; flag: TrafficFlag | null } = { userAgent: '', flag: null };

function matchBot(userAgent: string): TrafficFlag | null {
  for (const [pattern, kind] of BOT_PATTERNS) {
    const match = pattern.exec(userAgent);
    if (match) return { reason: 'bot', detail: `user agent matches ${kind}: "${tokenAround(userAgent, match.index, match[0].length)}"` };
  }
  return null;
}

/** The user agent's product token around a match ("Googlebot/2.1"), for the debugger. */
function tokenAround(ua: string, index: number, length: number): string {
  const stop = /[\s;()]/;
  let start = index;
  let end = index + length;
  while (start > 0 && !stop.test(ua[start - 1]!)) start--;
  while (end < ua.length && !stop.test(ua[end]!)) end++;
  return ua.slice(start, Math.min(end, start + 80));
}

/**
 * Speculative loads: Chrome marks prefetches and prerenders (and requests made by prerendering
 * pages) with `Sec-Purpose: prefetch[;prerender]`; older browsers send `Purpose`/`X-Purpose`/`X-Moz`.
 */
export function prefetchRequest(headers: Headers): TrafficFlag | null {
  for (const name of ['sec-purpose', 'purpose', 'x-purpose', 'x-moz']) {
    const value = headers.get(name)?.toLowerCase();
    if (value && /prefetch|prerender|preview/.test(value)) return { reason: 'prefetch', detail: `${name}: ${value.slice(0, 60)}` };
  }
  return null;
}

/**
 * One message's flag: the request's prefetch headers, the tag's `context.prerendering` (set while
 * `document.prerendering` is true), then the end user's agent (`context.userAgent`, or the request's
 * own when the message carries none).
 */
export function classifyTraffic(message: Message, requestFlag: TrafficFlag | null, requestUserAgent: string | null): TrafficFlag | null {
  if (requestFlag) return requestFlag;
  const context = message.context as (Message['context'] & { prerendering?: unknown }) | undefined;
  if (context?.prerendering === true) return { reason: 'prefetch', detail: 'context.prerendering is true (document.prerendering)' };
  return botUserAgent(context?.userAgent ?? requestUserAgent);
}
