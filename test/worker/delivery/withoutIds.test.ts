/** A stored request without an erased user: their elements go, other users' stay as sent. */
import { describe, expect, it } from 'vitest';
import { ERASED, mentions, withoutIds } from '../../../worker/delivery/withoutIds';

const ids = new Set(['u_erase', 'anon-e']);

describe('withoutIds', () => {
  it.each<[string, unknown, unknown]>([
    ['a single-user event body: the id reads [erased]', { type: 'event', customer_id: 'u_erase', actions: [{ action: 'Viewed' }] }, { type: 'event', customer_id: ERASED, actions: [{ action: 'Viewed' }] }],
    [
      "a bulk body: the erased user's elements go, the others stay",
      { type: 'transition', elements: [{ type: 'customer', customer_id: 'u_erase', attributes: { email: 'e@x.test' } }, { type: 'event', customer_id: 'u_keep', actions: [{ action: 'A' }] }] },
      { type: 'transition', elements: [{ type: 'event', customer_id: 'u_keep', actions: [{ action: 'A' }] }] },
    ],
    ['a merge pair naming a linked visitor goes', { merge_data: [{ merged_user: 'anon-e', retained_user: 'u_erase' }, { merged_user: 'a2', retained_user: 'u2' }] }, { merge_data: [{ merged_user: 'a2', retained_user: 'u2' }] }],
    ['an id inside a longer text is left (ids are matched whole)', { note: 'u_erase_2' }, { note: 'u_erase_2' }],
    ['numbers, booleans and null as they were', { n: 1, b: true, z: null, list: [1, 'u_erase', 2] }, { n: 1, b: true, z: null, list: [1, 2] }],
  ])('%s', (_, input, expected) => {
    expect(withoutIds(input, ids)).toEqual(expected);
    expect(mentions(withoutIds(input, ids), ids)).toBe(false);
  });
});
