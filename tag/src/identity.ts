/**
 * Who the visitor is: a first-party anonymousId (cookie `et_aid` on the registrable domain), the
 * userId after identify, and traits that ride on every later message as `context.traits`, all
 * three mirrored in localStorage (`et_id`, with the segments build's userHash), so clearing cookies does not lose the visitor. Written to the browser only when consent
 * allows (`save`), erased on denial (`forget`).
 *
 * Reading cookie and storage is a synchronous round trip to the browser process, so it is not
 * done while the page loads: a call captures the identity object as it stands (`captured`),
 * which is filled from storage the first time anyone looks inside (`who`), at the latest when
 * the first batch is serialised. A change makes a new object, so messages made before keep theirs.
 */
import { readCookie, writeCookie } from './cookie';
import { uuid } from './ids';
import { del, get, quietly, set } from './storage';

export type Dict = Record<string, unknown>;
export interface Identity {
  anonymousId: string;
  userId: string | null;
  traits: Dict;
  /** Segments build: the site backend's proof for `userId` (GET /v1/segments); never sent in messages. */
  userHash?: string;
}

const COOKIE = 'et_aid';
const KEY = 'et_id';

const stored = {} as Identity;
let current = stored;

export const captured = (): Identity => current;

export function who(): Identity {
  if (!stored.anonymousId) {
    Object.assign(stored, { userId: null, traits: {} }, quietly(() => JSON.parse(get(KEY) as string)));
    stored.anonymousId = readCookie(COOKIE) || stored.anonymousId || uuid();
  }
  return current;
}

export const change = __SEGMENTS__
  ? (next: Partial<Identity>): void => {
      const me = who();
      current = { ...me, ...next };
      // A userHash vouches for one userId: a new user (identify, alias, reset) drops it unless it brings its own.
      if (!next.userHash && (!current.userId || current.userId != me.userId)) current.userHash = undefined;
    }
  : (next: Partial<Identity>): void => {
      current = { ...who(), ...next };
    };

/** A new visitor: fresh anonymousId, no userId, no traits. */
export const renew = (): void => change({ anonymousId: uuid(), userId: null, traits: {} });

export function save(): void {
  writeCookie(COOKIE, who().anonymousId);
  set(KEY, JSON.stringify(current));
}

export function forget(): void {
  writeCookie(COOKIE);
  del(KEY);
  del('et_tz');
}
