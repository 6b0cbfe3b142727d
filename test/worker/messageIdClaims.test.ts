/**
 * An invalid message never claims a messageId: it is answered in `rejected` and logged as dropped
 * under an id of its own, and the valid message with the same id (the client's corrected retry)
 * is stored, answered `accepted`, and delivered. And dedupe is scoped to the sender: a messageId one
 * write key stored does not make another write key's message a duplicate.
 */
import { reset } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { track, uid } from './corpus/cases';
import { listEvents } from './support/debugger';
import { basic, debuggerEvent, flush, post } from './support/ingest';
import { installSandbox } from './support/sandbox';

let sandbox: ReturnType<typeof installSandbox>['sandbox'];
beforeEach(() => {
  sandbox = installSandbox().sandbox;
});

/** How many times `marker` (a property value) reached MoEngage in an accepted request. */
function deliveredTimes(marker: string): number {
  return sandbox.requests.filter((r) => r.response.status < 300).reduce((n, r) => n + JSON.stringify(r.body).split(marker).length - 1, 0);
}

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

describe('dedupe is scoped to the sender (write key and connection)', () => {
  const asSecondKey = { authorization: basic('second-write-key') };

  it('the same messageId from two write keys: both accepted, logged apart, delivered; a retry under either key is a duplicate', async () => {
    const id = uid('two-keys');
    const first = (await (await post('/v1/batch', { batch: [track({ messageId: id, userId: 'key-one-user', properties: { sku: 'FROM-KEY-ONE' } })] })).json()) as Answer;
    const second = (await (await post('/v1/batch', { batch: [track({ messageId: id, userId: 'key-two-user', properties: { sku: 'FROM-KEY-TWO' } })] }, asSecondKey)).json()) as Answer;
    expect(first).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(second).toMatchObject({ accepted: 1, duplicates: 0 });

    // Retries, each under its own key: duplicates, stored once.
    const retryOne = (await (await post('/v1/batch', { batch: [track({ messageId: id, userId: 'key-one-user', properties: { sku: 'FROM-KEY-ONE' } })] })).json()) as Answer;
    const retryTwo = (await (await post('/v1/batch', { batch: [track({ messageId: id, userId: 'key-two-user', properties: { sku: 'FROM-KEY-TWO' } })] }, asSecondKey)).json()) as Answer;
    expect(retryOne).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(retryTwo).toMatchObject({ accepted: 0, duplicates: 1 });

    await flush();
    expect([deliveredTimes('FROM-KEY-ONE'), deliveredTimes('FROM-KEY-TWO')]).toEqual([1, 1]);

    // The first sender's message keeps its id in the debugger; the second is logged as <id>#<sender>.
    expect(await debuggerEvent(id)).toMatchObject({ status: 'delivered', userId: 'key-one-user' });
    const logged = (await listEvents('status=delivered')).events.filter((e) => e.messageId.startsWith(id));
    expect(logged).toHaveLength(2);
    expect(logged.map((e) => e.messageId)).toContain(id);
    const other = logged.find((e) => e.messageId !== id)!;
    expect(other.messageId).toMatch(new RegExp(`^${id}#[0-9a-f]{12}$`));
    expect(await debuggerEvent(other.messageId)).toMatchObject({ status: 'delivered', userId: 'key-two-user' });
  });

  it('a second key cannot pre-claim ids: its message first, then the first key’s real event is still delivered', async () => {
    const id = uid('pre-claim');
    await post('/v1/batch', { batch: [track({ messageId: id, userId: 'squatter', properties: { sku: 'SQUAT' } })] }, asSecondKey);
    const real = (await (await post('/v1/batch', { batch: [track({ messageId: id, userId: 'real-user', properties: { sku: 'REAL-PURCHASE' } })] })).json()) as Answer;
    expect(real).toMatchObject({ accepted: 1, duplicates: 0 });
    await flush();
    expect(deliveredTimes('REAL-PURCHASE')).toBe(1);
    expect(deliveredTimes('SQUAT')).toBe(1);
  });
});
