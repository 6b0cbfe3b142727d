/**
 * Who the visitor is: a first-party anonymousId (cookie on the registrable domain, mirrored in
 * localStorage so clearing one does not lose it), the userId after identify, and traits that
 * ride on every later message as `context.traits`. Kept in memory always; written to the
 * browser only when consent allows (`save`), erased on denial (`forget`).
 */
import { readCookie, writeCookie } from './cookie';
import { uuid } from './ids';
import { del, get, quietly, set } from './storage';

export type Dict = Record<string, unknown>;

const AID = 'et_aid';
const UID = 'et_uid';
const TRAITS = 'et_traits';


export const identity = {
  anonymousId: readCookie(AID) || get(AID) || uuid(),
  userId: get(UID),
  traits: (quietly(() => JSON.parse(get(TRAITS) as string)) || {}) as Dict,
};

export function save(): void {
  writeCookie(AID, identity.anonymousId);
  set(AID, identity.anonymousId);
  if (identity.userId) set(UID, identity.userId);
  else del(UID);
  set(TRAITS, JSON.stringify(identity.traits));
}

export function forget(): void {
  writeCookie(AID);
  for (const key of [AID, UID, TRAITS, 'et_tz']) del(key);
}

/** A new visitor: fresh anonymousId, no userId, no traits. */
export function renew(): void {
  identity.anonymousId = uuid();
  identity.userId = null;
  identity.traits = {};
}
