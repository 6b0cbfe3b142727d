/**
 * The anonymous hold (worker/delivery/store/holds.ts) inside the delivery queue: held events wait outside the
 * outbox, a linking message releases them into it (then they are rate limited, paused and
 * delivered like any other), and an unclaimed hold ends at its deadline, which the queue wakes for.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IngestRecord } from '../../worker/delivery/record';
import { alarmOf, cleanup, CREDENTIALS, drain, enqueue, eventRow, installSandbox, queue, runUntil, startClock, statuses, T0, trackRecord } from './support/harness';

beforeEach(() => startClock());
afterEach(cleanup);

const HOUR = 3_600_000;

function held(messageId: string, anonymousId: string): IngestRecord {
  return {
    messageId,
    type: 'track',
    name: 'Product Viewed',
    userId: null,
    anonymousId,
    receivedAt: T0,
    raw: { type: 'track', messageId, anonymousId },
    outcome: {
      status: 'held',
      items: [{ kind: 'event', customer_id: '', action: { action: 'Product Viewed', platform: 'web', attributes: { sku: messageId } } }],
      holdUntil: T0 + HOUR,
      omissions: [],
    },
  };
}

function linking(messageId: string, anonymousId: string, userId: string): IngestRecord {
  return { ...trackRecord(userId, { id: messageId }), anonymousId };
}

describe('anonymous hold', () => {
  it('keeps held events out of delivery until a message links the visitor, then delivers them as that user', async () => {
    const { sandbox } = installSandbox();
    await enqueue('main', [held('h1', 'anon-1'), held('h2', 'anon-1')]);
    expect(await statuses('main')).toEqual({ held: 2 });
    expect(await alarmOf('main')).toBe(T0 + 1_000); // the log's write-behind first (LOG_FLUSH_MS)
    await runUntil('main', T0 + 1_000);
    expect(await alarmOf('main')).toBe(T0 + HOUR); // then it will wake for the deadline
    await runUntil('main', T0 + 10 * 60_000);
    expect(sandbox.requests).toHaveLength(0);

    await enqueue('main', [linking('login', 'anon-1', 'u_42')]);
    expect((await queue('main').health('main')).queueDepth).toBe(3);
    await drain('main', 10 * 60_000);
    const [request] = sandbox.requests;
    expect(request?.body).toMatchObject({ type: 'event', customer_id: 'u_42' });
    expect((request?.body as { actions: unknown[] }).actions).toHaveLength(3);
    expect(await eventRow('main', 'h1')).toMatchObject({ status: 'delivered', detail: expect.stringContaining('released when anonymousId "anon-1" was identified as "u_42"') });
  });

  it('a release while the connection is paused waits as paused, and counts against the backlog bound', async () => {
    installSandbox({ credentials: { ...CREDENTIALS, 'ws-main': 'wrong' } });
    await enqueue('main', [trackRecord('u1', { id: 'first' })]);
    await drain('main', 10_000); // 401: paused
    await enqueue('main', [held('h1', 'anon-9')]);
    await enqueue('main', [linking('login', 'anon-9', 'u_9')]);
    expect(await eventRow('main', 'h1')).toMatchObject({ status: 'paused', reason: 'moengage_unauthorized' });
    expect((await queue('main').health('main')).queueDepth).toBe(3);
  });

  it('ends an unclaimed hold at its deadline as dropped (anonymous_not_identified)', async () => {
    const { sandbox } = installSandbox();
    await enqueue('main', [held('h1', 'anon-2')]);
    await runUntil('main', T0 + HOUR);
    expect(await eventRow('main', 'h1')).toMatchObject({ status: 'dropped', reason: 'anonymous_not_identified' });
    expect(sandbox.requests).toHaveLength(0);
    // Idle: only retention's alarm is left, for when the dropped event leaves the log (168 h).
    expect(await alarmOf('main')).toBe(T0 + HOUR + 168 * HOUR + 1);
  });
});
