import type { LoggedEvent } from '../delivery/logViews';
import { standardAttributesSet } from '../moengage/userAttributes';
import { encodePosition } from './cursor';
import { maskPii } from './maskPii';
import type { EventSummary, EventView, JourneyShown } from './views';

/**
 * The request headers the queue sent (moengage/client.ts), rebuilt for display: MoEngage's Basic
 * auth is `workspace_id:data_api_key`; the workspace is no secret, the key is never stored.
 */
export function shownHeaders(connection: { workspaceId: string } | undefined): Record<string, string> {
  return {
    authorization: `Basic ${connection?.workspaceId ?? '<workspace_id>'}:*** (base64; Data API key redacted)`,
    'content-type': 'application/json',
  };
}

/** Which of MoEngage's standard fields the event's Track User items fill (keys only: nothing personal). */
export function standardAttributesOf(mapped: unknown): { key: string; label: string }[] {
  const set = new Map<string, string>();
  for (const item of Array.isArray(mapped) ? mapped : []) {
    if (item?.kind !== 'customer' || typeof item.attributes !== 'object' || item.attributes === null) continue;
    for (const { key, label } of standardAttributesSet(item.attributes)) set.set(key, label);
  }
  return [...set].map(([key, label]) => ({ key, label }));
}

export function showJourney(event: EventView, connection: { workspaceId: string } | undefined, reveal: boolean): JourneyShown {
  const headers = shownHeaders(connection);
  const shown: JourneyShown = {
    ...event,
    exchanges: event.exchanges.map((x) => ({ ...x, headers })),
    pii: reveal ? 'revealed' : 'masked',
    standardAttributes: standardAttributesOf(event.mapped),
  };
  if (reveal) return shown;
  const masked = maskPii(shown);
  // The reconstructed headers are ours (no personal data) and stay readable; so do the keys that
  // address the event (an id that happens to contain an address must still open its journey).
  masked.exchanges.forEach((x, i) => (x.headers = shown.exchanges[i]!.headers));
  return { ...masked, messageId: event.messageId, cursor: event.cursor };
}

/** Listings and the live tail are always masked; only one event at a time can be revealed. Each carries its cursor. */
export function showSummary(event: LoggedEvent): EventSummary {
  const cursor = encodePosition(event);
  return { ...maskPii(event), messageId: event.messageId, cursor };
}
