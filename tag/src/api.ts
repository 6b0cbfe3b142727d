/**
 * The call surface, analytics.js style. Every method returns at once and never throws: a bad
 * argument throws here, the wrapper at the bottom catches it, reports it in debug mode and drops
 * the call. (New methods go in `methods`, in tag.d.ts and in snippet.ts's stub list.)
 * `segments`/`inSegment` and identify's `userHash` exist only in the segments build (`__SEGMENTS__`).
 */
import type { ConsentChoice, EdgeTag, IdentifyOptions } from '../tag';
import { viewed } from './autoPage';
import { collector } from './config';
import { VERSION } from './version'; // (before the others: keeps the core's bytes as they were)
import { allowed, consentState } from './consent';
import { pageFacts } from './context';
import { log, setDebug } from './debug';
import { captured, change, type Dict, forget, renew, save, who } from './identity';
import { add, flush, take } from './outbox';
import { drain } from './queue';
import { createSegments } from './segments';

/** When a replayed call was made (the snippet stamps each queued call), so its timestamp is true. */
export const clock: { at?: number } = {};

/** Rejects a call; the wrapper names the method in the debug log (see tag.d.ts for the usage). */
const check = (ok: unknown): void => {
  if (!ok) throw 'invalid arguments';
};
const isDict = (v: unknown): v is Dict | undefined => v == null || (typeof v == 'object' && !Array.isArray(v));
const isId = (v: unknown): v is string | number => (typeof v == 'string' && !!v) || (typeof v == 'number' && isFinite(v));
const store = () => allowed() && save();

/**
 * A call captures what can change (ids, page, traits, time, a shallow copy of its arguments) and
 * returns; ids, timestamps and JSON are made when the batch leaves (outbox.ts), off the caller's path.
 */
function send(type: string, fields: Dict): void {
  if (consentState.now === false) return;
  add({ type, ids: captured(), timestamp: clock.at || Date.now(), context: { page: pageFacts() }, ...fields });
}

const methods = {
  track(event: unknown, properties?: unknown) {
    check(typeof event == 'string' && event && event.length < 256 && isDict(properties));
    send('track', { event, properties: { ...(properties as Dict) } });
  },
  page(name?: unknown, properties?: unknown) {
    if (name && typeof name == 'object') [name, properties] = [undefined, name];
    check((name == null || typeof name == 'string') && isDict(properties));
    if (__AUTO_PAGE__ && !viewed(false)) throw 'autoPage already counted this URL';
    send('page', { name, properties: { ...pageFacts(), ...(properties as Dict) } });
  },
  identify(userId?: unknown, traits?: unknown) {
    if (userId && typeof userId == 'object') [userId, traits] = [undefined, userId];
    check((userId == null || isId(userId)) && isDict(traits));
    const me = who();
    const id = userId == null ? me.userId : String(userId);
    // The third argument, `{userHash}`, is read from `arguments`: the core build ignores it and so
    // carries no parameter for it.
    const options: unknown = __SEGMENTS__ && arguments[2];
    const userHash = __SEGMENTS__ ? (options as IdentifyOptions | undefined)?.userHash : undefined;
    if (__SEGMENTS__) check(isDict(options) && (userHash == null || typeof userHash == 'string'));
    // Another user on this device: the previous user's traits must not ride on their events.
    change({ userId: id, traits: { ...(me.userId && id != me.userId ? {} : me.traits), ...(traits as Dict) }, ...(__SEGMENTS__ && userHash ? { userHash } : {}) });
    store();
    send('identify', { traits: captured().traits });
  },
  alias(newId: unknown) {
    check(isId(newId));
    const { userId, anonymousId } = who();
    change({ userId: String(newId) });
    store();
    send('alias', { previousId: userId || anonymousId });
  },
  group(groupId: unknown, traits?: unknown) {
    check(isId(groupId) && isDict(traits));
    send('group', { groupId: String(groupId), traits: { ...(traits as Dict) } });
  },
  reset() {
    renew();
    store();
  },
  ready(callback: unknown) {
    check(typeof callback == 'function');
    setTimeout(callback as () => void);
  },
  user: () => ({ ...who() }),
  consent(choice: unknown) {
    const state = (choice as ConsentChoice | null)?.analytics;
    check(state === !!state || state == 'pending');
    consentState.now = state as ConsentChoice['analytics'];
    if (state === true) {
      save();
      flush();
      void drain();
    } else if (state === false) {
      take();
      forget();
      renew();
    }
  },
  debug: setDebug,
  ...(__SEGMENTS__ ? segmentMethods() : {}),
} satisfies { [M in keyof Omit<EdgeTag, 'v'>]: unknown }; // exactly the declared methods (tag.d.ts; optional ones: a variant's)

/**
 * Segments build: the visitor's MoEngage segments from the collector's GET /v1/segments, for the
 * userId the site's backend vouched for with `identify(userId, traits, {userHash})`.
 */
function segmentMethods() {
  // Made at the first read: the package build learns the collector's URL after this module loads.
  let reader: ReturnType<typeof createSegments> | undefined;
  const read = () => (reader ||= createSegments(new URL('/v1/segments', collector).href, who));
  return {
    segments: () => read().segments(),
    inSegment: (nameOrId: unknown) => read().inSegment(String(nameOrId)),
  };
}

/** autoPage's page view (autoPage.ts), stamped with the time of the navigation. */
export function autoView(at: number): void {
  viewed(true);
  clock.at = at;
  send('page', { properties: pageFacts() });
  clock.at = undefined;
}

export const tag = { v: VERSION } as Record<string, unknown>;
for (const [name, method] of Object.entries(methods)) {
  tag[name] = (...args: unknown[]) => {
    try {
      return (method as (...a: unknown[]) => unknown)(...args);
    } catch (error) {
      log(name + '() dropped:', error, args);
    }
  };
}
