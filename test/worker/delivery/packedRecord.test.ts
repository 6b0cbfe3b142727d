/** A record packed for the queue (JSON text, not deep objects), and what a batch writes table by table. */
import { describe, expect, it } from 'vitest';
import { itemsText, packed, packRecord } from '../../../worker/delivery/packedRecord';
import type { IngestRecord } from '../../../worker/delivery/record';
import { planInsert } from '../../../worker/delivery/store/insertPlan';
import type { PauseInfo } from '../../../worker/delivery/store/meta';
import type { DeliveryItem } from '../../../worker/moengage/payloads';

const AT = Date.UTC(2031, 0, 6);
const event = (name: string): DeliveryItem =>
  ({ kind: 'event', customerId: 'u1', action: { action: name, attributes: { note: 'line\nbreak “quoted” \u2028' } } }) as unknown as DeliveryItem;

const queued: IngestRecord = {
  messageId: 'm1',
  sender: 's1',
  type: 'track',
  name: 'Order Completed',
  userId: 'u1',
  anonymousId: 'a1',
  receivedAt: AT,
  raw: { type: 'track', event: 'Order Completed', properties: { total: '12.50', big: '12345678901234567890' }, emoji: '😀' },
  outcome: { status: 'queued', items: [event('Order Completed'), event('Second')], omissions: [{ reason: 'r', detail: 'd' }] },
};
const held: IngestRecord = {
  ...queued,
  messageId: 'm2',
  userId: null,
  outcome: { status: 'held', items: [event('Viewed')], holdUntil: AT + 60_000, omissions: [] },
};
const dropped: IngestRecord = {
  ...queued,
  messageId: 'm3',
  sender: undefined,
  outcome: { status: 'dropped', reason: 'bot', detail: 'a crawler', omissions: [] },
};
const alias: IngestRecord = { ...queued, messageId: 'm4', type: 'alias', name: null, raw: { type: 'alias', previousId: 42, userId: 'u1' } };

describe('packRecord', () => {
  it('keeps the text the queue stored before packing: raw, the items (each and as the log’s array), omissions', () => {
    const p = packRecord(queued);
    expect(p.raw).toBe(JSON.stringify(queued.raw));
    expect(p.items).toEqual((queued.outcome as { items: DeliveryItem[] }).items.map((i) => JSON.stringify(i)));
    expect(itemsText(p.items ?? [])).toBe(JSON.stringify((queued.outcome as { items: DeliveryItem[] }).items));
    expect(p.omissions).toBe(JSON.stringify(queued.outcome.omissions));
    expect(p).toMatchObject({ messageId: 'm1', sender: 's1', status: 'queued', reason: null, detail: null, holdUntil: null, previousId: null });
  });

  it.each<[string, IngestRecord, Partial<ReturnType<typeof packRecord>>]>([
    ['held: its window, its items', held, { status: 'held', holdUntil: AT + 60_000, omissions: null }],
    ['dropped: reason and detail, no items; no sender stays absent', dropped, { status: 'dropped', reason: 'bot', detail: 'a crawler', items: null }],
    ['alias: previousId as a string (a number too)', alias, { previousId: '42' }],
  ])('%s', (_, record, expected) => {
    const p = packRecord(record);
    expect(p).toMatchObject(expected);
    if (record.sender === undefined) expect('sender' in p).toBe(false);
  });

  it('packed() leaves packed records as they are and packs the rest', () => {
    const already = packRecord(queued);
    const [a, b] = packed([already, held]);
    expect(a).toBe(already);
    expect(b).toEqual(packRecord(held));
  });
});

describe('planInsert', () => {
  const records = [queued, held, dropped].map(packRecord);

  it('writes new messages table by table, in order, and lists the ones already stored', () => {
    const plan = planInsert(records, ['m1', 'm2', null], null, AT + 1_000);
    expect(plan.duplicates).toEqual(['m3']);
    expect(plan.rows.map((r) => [r.r.messageId, r.first.status, r.first.nextAttemptAt, r.claimedId])).toEqual([
      ['m1', 'queued', AT + 1_000, null],
      ['m2', 'held', AT + 60_000, null],
    ]);
    expect(plan.items.map(([m, item]) => [m, JSON.parse(item).action.action])).toEqual([
      ['m1', 'Order Completed'],
      ['m1', 'Second'],
    ]);
    expect(plan.holds).toEqual([['m2', 'a1', AT + 60_000]]);
    expect(plan.held.map((r) => r.messageId)).toEqual(['m2']);
    expect(plan.holdUntil).toBe(AT + 60_000);
  });

  it('a message claimed under another id (another sender’s) is written under it and keeps the one claimed', () => {
    const plan = planInsert([records[0]!], ['m1#s1'], null, AT);
    expect(plan.rows[0]).toMatchObject({ r: { messageId: 'm1#s1' }, claimedId: 'm1' });
    expect(plan.items.map(([m]) => m)).toEqual(['m1#s1', 'm1#s1']);
  });

  it('a pause shows on queued rows, not on held or dropped ones', () => {
    const pause: PauseInfo = { reason: 'paused_auth', detail: 'MoEngage answered 401', since: AT, fingerprint: 'f' };
    const plan = planInsert(records, ['m1', 'm2', 'm3'], pause, AT);
    expect(plan.rows.map((r) => [r.first.status, r.first.reason])).toEqual([
      ['paused', 'paused_auth'],
      ['held', null],
      ['dropped', 'bot'],
    ]);
  });
});
