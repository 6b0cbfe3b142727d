/** An event's status in the log, derived from its outbox items and the connection's pause. */
import { describe, expect, it } from 'vitest';
import { type ItemState, statusOf } from '../../../worker/delivery/status';

const ready = (over: Partial<ItemState> = {}): ItemState => ({ state: 'ready', failures: 0, nextAttemptAt: 1_000, reason: null, detail: null, ...over });
const dead = (reason: string, detail: string): ItemState => ({ state: 'dead', failures: 3, nextAttemptAt: 500, reason, detail });
const failed = (at: number, reason = 'moengage_unavailable', detail = 'HTTP 503'): ItemState => ready({ failures: 1, nextAttemptAt: at, reason, detail });
const PAUSE = { reason: 'moengage_unauthorized', detail: 'HTTP 401 — check the key' };

describe('statusOf', () => {
  it.each<[string, ItemState[], typeof PAUSE | null, ReturnType<typeof statusOf>]>([
    ['no items left: delivered', [], null, { status: 'delivered', reason: null, detail: null, nextAttemptAt: null }],
    ['no items left while paused: still delivered', [], PAUSE, { status: 'delivered', reason: null, detail: null, nextAttemptAt: null }],
    ['one waiting item: queued, due when it is', [ready({ nextAttemptAt: 2_000 })], null, { status: 'queued', reason: null, detail: null, nextAttemptAt: 2_000 }],
    ['several waiting: the earliest due time', [ready({ nextAttemptAt: 3_000 }), ready({ nextAttemptAt: 2_500 })], null, { status: 'queued', reason: null, detail: null, nextAttemptAt: 2_500 }],
    ['a waiting item that failed before: retrying with its reason', [ready(), failed(9_000)], null, { status: 'retrying', reason: 'moengage_unavailable', detail: 'HTTP 503', nextAttemptAt: 1_000 }],
    ['two failed items: the first one’s reason', [failed(5_000, 'timeout', 'timed out'), failed(4_000)], null, { status: 'retrying', reason: 'timeout', detail: 'timed out', nextAttemptAt: 4_000 }],
    ['waiting while paused: paused with the pause’s reason', [failed(9_000)], PAUSE, { status: 'paused', ...PAUSE, nextAttemptAt: 9_000 }],
    ['one dead item among waiting ones: dead wins', [ready(), dead('rejected_by_moengage', 'HTTP 400 bad')], null, { status: 'dead', reason: 'rejected_by_moengage', detail: 'HTTP 400 bad', nextAttemptAt: null }],
    ['dead even while paused', [dead('expired', 'too old'), ready()], PAUSE, { status: 'dead', reason: 'expired', detail: 'too old', nextAttemptAt: null }],
    ['two dead items: the first one’s reason', [dead('payload_too_large', 'big'), dead('expired', 'old')], null, { status: 'dead', reason: 'payload_too_large', detail: 'big', nextAttemptAt: null }],
  ])('%s', (_, items, pause, expected) => {
    expect(statusOf(items, pause)).toEqual(expected);
  });
});
