import { expect } from 'vitest';
import { Message } from '../../../shared/message';
import { type MapResult, type MappingOptions, mapMessage } from '../../../worker/blueprints/map';
import { PRESETS } from '../../../worker/blueprints/registry';
import type { Blueprint } from '../../../worker/blueprints/schema';
import type { CustomerItem, DeliveryItem, EventItem, MergeItem } from '../../../worker/moengage/payloads';

export const AT = '2026-11-28T10:00:00.000Z';

/** A message as the ingest contract validates it (so tests cannot feed mapping a shape ingest would refuse). */
export function message(fields: Record<string, unknown>): Message {
  return Message.parse({ messageId: 'm-1', timestamp: AT, ...fields });
}

export function map(fields: Record<string, unknown>, blueprint: Blueprint | string = 'retail', options: MappingOptions = {}): MapResult {
  return mapMessage(message(fields), typeof blueprint === 'string' ? (PRESETS[blueprint] as Blueprint) : blueprint, options);
}

function items(result: MapResult): DeliveryItem[] {
  if (result.status === 'dropped') throw new Error(`expected items, got dropped ${result.reason}: ${result.detail}`);
  return result.items;
}

export function onlyEvent(result: MapResult): EventItem {
  const all = items(result);
  expect(all).toHaveLength(1);
  expect(all[0]?.kind).toBe('event');
  return all[0] as EventItem;
}

export function onlyCustomer(result: MapResult): CustomerItem {
  const all = items(result);
  expect(all.map((i) => i.kind)).toEqual(['customer']);
  return all[0] as CustomerItem;
}

export function merges(result: MapResult): MergeItem[] {
  return items(result).filter((i): i is MergeItem => i.kind === 'merge');
}

export function reasons(result: MapResult): string[] {
  return result.omissions.map((o) => o.reason);
}
