/**
 * Messages as the browser tag puts them on the wire (tag/src/outbox.ts serialize, transport.ts body),
 * made from the retail workload: the tag's `context` (page, traits, userAgent, locale, timezone,
 * screen, library), no `userId` for anonymous visitors, `sentAt` and `messageId` stamped when a
 * request leaves. One visitor in three never signs in (under ANONYMOUS=hold their events are held),
 * as on a shop where most visitors browse without an account.
 */
import { readFileSync } from 'node:fs';
import { retailWorkload } from './workload';

/** The tag's version as its build stamps it (tag/src/version.ts is a build-time constant, unset under tsx). */
const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export const TAG_USER_AGENT = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
export const ANONYMOUS_EVERY = 3;

type Json = Record<string, unknown>;

/**
 * A pool of messages serialised without `messageId` and `sentAt` (each starts with `{`), so a
 * request can stamp them as the tag does: `'{"sentAt":…,"messageId":…,' + json.slice(1)`.
 */
export function tagMessagePool(size: number, timestamp: string): string[] {
  return retailWorkload({ events: size, customers: 2_000, idPrefix: 'pool', timestamp }).map((m) => {
    const { messageId: _id, userId, anonymousId, context, ...fields } = m as Json & { context: { page: Json; traits: Json } };
    const visitor = Number(String(anonymousId).slice('anon-'.length));
    const anonymous = visitor % ANONYMOUS_EVERY === 0;
    // An anonymous visitor has no account: no userId, no traits, and nothing to identify.
    const message: Json = anonymous && fields.type === 'identify' ? { type: 'page', properties: context.page } : fields;
    const page = { path: '/c', referrer: 'https://www.google.com/', search: '', title: 'Shop', url: 'https://shop.example.com/c', ...(message.type === 'page' ? (message.properties as Json) : {}) };
    return JSON.stringify({
      ...message,
      anonymousId,
      ...(anonymous ? {} : { userId }),
      context: {
        page,
        traits: anonymous ? {} : context.traits,
        userAgent: TAG_USER_AGENT,
        locale: 'en-GB',
        timezone: 'Europe/London',
        screen: { width: 1440, height: 900, density: 2 },
        library: { name: 'edgetag', version: VERSION },
      },
    });
  });
}

/** The tag's request body: the envelope, and `sentAt` on the envelope and on each message. */
export function tagBody(writeKey: string, messages: { json: string; messageId: string }[], sentAt: string): string {
  const stamp = `{"sentAt":"${sentAt}",`;
  return `{"writeKey":${JSON.stringify(writeKey)},"sentAt":"${sentAt}","batch":[${messages.map((m) => `${stamp}"messageId":"${m.messageId}",${m.json.slice(1)}`).join(',')}]}`;
}
