import type { DeliveryItem } from '../moengage/payloads';

/**
 * ANONYMOUS=hold: an anonymous visitor's items are mapped with this customer_id and kept in the
 * queue until a message links the visitor's anonymousId to a userId. MoEngage refuses an empty
 * customer_id, so a held item can never be sent as someone by mistake.
 */
export const UNIDENTIFIED = '' as const;

/** The items of a held event, as the user it turned out to be (merges name their users already). */
export function identifiedAs(items: readonly DeliveryItem[], userId: string): DeliveryItem[] {
  return items.map((item) => (item.kind !== 'merge' && item.customer_id === UNIDENTIFIED ? { ...item, customer_id: userId } : item));
}
