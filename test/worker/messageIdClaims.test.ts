/**
 * An invalid message never claims a messageId: it is answered in `rejected` and logged as dropped
 * under an id of its own, and the valid message with the same id (the client's corrected retry)
 * is stored, answered `accepted`, and delivered.
 */
import { reset } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { track, uid } from './corpus/cases';
import { listEvents } from './support/debugger';
import { debuggerEvent, flush, post } from './support/ingest';
import { installSandbox } from './support/sandbox';

beforeEach(() => installSandbox());
afterEach(async () => {
  vi.restoreAllMocks();
  await reset();
});

type Answer = { ok: boolean; accepted: number; duplicates: number; rejected: { messageId?: string; error: string }[] };

describe('an invalid message never claims its messageId', () => {
  it.each([
    ['missing event name', (id: string) => ({ ...track({ messageId: id }), event: undefined })],
    ['wrong type of userId', (id: string) => track({ messageId: id, userId: { nested: true } })],
    ['unknown type', (id: string) => ({ type: 'purchase', messageId: id, userId: 'u_1' })],
    ['string over the cap', (id: string) => track({ messageId: id, properties: { note: 'x'.repeat(9_000) } })],
  ])('%s, then the valid message with that id: accepted and delivered', async (_what, invalid) => {
    const id = uid('claim');
    const first = (await (await post('/v1/batch', { batch: [invalid(id)] })).json()) as Answer;
    expect(first).toMatchObject({ accepted: 0, duplicates: 0 });
    expect(first.rejected).toEqual([expect.objectContaining({ messageId: id })]);

    const valid = track({ messageId: id, userId: 'claim-user' });
    const second = (await (await post('/v1/batch', { batch: [valid] })).json()) as Answer;
    expect(second).toMatchObject({ ok: true, accepted: 1, duplicates: 0, rejected: [] });
    await flush();
    expect(await debuggerEvent(id)).toMatchObject({ status: 'delivered', userId: 'claim-user' });

    // The invalid one is still visible in the debugger, dropped with its reason, under an id of its own.
    const dropped = (await listEvents('status=dropped')).events.filter((e) => e.messageId.endsWith(`:${id}`));
    expect(dropped).toHaveLength(1);
    expect(dropped[0]!.messageId).toMatch(new RegExp(`^rejected-[0-9a-f]{8}:${id}$`));
    expect(dropped[0]!.reason).toBe(first.rejected[0]!.error);
  });

  it('an invalid and a valid message with one id in the same batch: the valid one is accepted', async () => {
    const id = uid('same-batch');
    const answer = (await (await post('/v1/batch', { batch: [{ ...track({ messageId: id }), event: 42 }, track({ messageId: id })] })).json()) as Answer;
    expect(answer).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(answer.rejected).toHaveLength(1);
    expect(await debuggerEvent(id)).toMatchObject({ status: 'queued' });
  });

  it('a valid message still deduplicates a valid retry of itself', async () => {
    const message = track();
    await post('/v1/batch', { batch: [message] });
    const again = (await (await post('/v1/batch', { batch: [message] })).json()) as Answer;
    expect(again).toMatchObject({ accepted: 0, duplicates: 1 });
  });
});
