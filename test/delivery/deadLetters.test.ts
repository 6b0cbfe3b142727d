/**
 * Dead letters are kept until replayed or purged, with their own bound (DEAD_LETTER_RETENTION_DAYS,
 * 30 days by default): the log's retention (DEBUGGER_RETENTION_HOURS) forgets delivered and dropped
 * events, never a dead letter that could still be replayed. `tiny` keeps its log 2 hours.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alarmOf, cleanup, deliveredIds, drain, enqueue, eventRow, get, installSandbox, operator, runUntil, startClock, T0, trackRecord } from './support/harness';

beforeEach(() => startClock());
afterEach(cleanup);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** One delivered and two dead-lettered events in `tiny` (a 400 for each of the dead ones). */
async function deadLetters() {
  const { sandbox } = installSandbox();
  await enqueue('tiny', [trackRecord('u_ok', { id: 'fine' })]);
  await drain('tiny', 60_000);
  sandbox.faults.add({ status: 400, count: 2 });
  await enqueue('tiny', [trackRecord('u_bad', { id: 'dead-1' }), trackRecord('u_bad2', { id: 'dead-2' })]);
  await drain('tiny', 60_000);
  expect((await eventRow('tiny', 'dead-1'))?.status).toBe('dead');
  expect((await eventRow('tiny', 'dead-2'))?.status).toBe('dead');
  expect((await eventRow('tiny', 'fine'))?.status).toBe('delivered');
  return sandbox;
}

const healthOf = async (connection: string) => ((await (await get('/healthz')).json()) as { connections: { connection: string; deadLettered: number; deadLetters: unknown }[] }).connections.find((c) => c.connection === connection);

describe('dead letters outlive the log retention', () => {
  it('a dead letter is still replayable after DEBUGGER_RETENTION_HOURS; the delivered event is forgotten', async () => {
    const sandbox = await deadLetters();
    await runUntil('tiny', T0 + 3 * HOUR);
    expect(await eventRow('tiny', 'fine')).toBeNull(); // the log's retention (2 h) ran
    expect((await eventRow('tiny', 'dead-1'))?.status).toBe('dead');
    expect(await healthOf('tiny')).toMatchObject({ deadLettered: 2, deadLetters: { count: 2, oldestAgeHours: 3, retentionDays: 30 } });

    const replayed = await operator('/debugger/api/replay', { connection: 'tiny', messageIds: ['dead-1'] });
    expect(await replayed.json()).toMatchObject({ replayed: 1 });
    await drain('tiny', 60_000);
    expect((await eventRow('tiny', 'dead-1'))?.status).toBe('delivered');
    expect(deliveredIds(sandbox, 'tiny')).toContain('dead-1');
  });

  it('DEAD_LETTER_RETENTION_DAYS bounds them: the queue wakes for the oldest and forgets it after 30 days', async () => {
    await deadLetters();
    await runUntil('tiny', T0 + 29 * DAY);
    expect((await eventRow('tiny', 'dead-2'))?.status).toBe('dead');
    // Nothing else is stored: the alarm left is the dead letters' bound.
    const alarm = await alarmOf('tiny');
    expect(alarm).toBeGreaterThan(T0 + 30 * DAY);
    expect(alarm).toBeLessThan(T0 + 30 * DAY + 5 * 60_000); // they died within the first minutes
    await runUntil('tiny', T0 + 31 * DAY);
    expect(await eventRow('tiny', 'dead-1')).toBeNull();
    expect(await eventRow('tiny', 'dead-2')).toBeNull();
    expect(await healthOf('tiny')).toMatchObject({ deadLettered: 0, deadLetters: { count: 0, oldestAgeHours: null } });
  });
});

describe('POST /debugger/api/dead/purge', () => {
  const purge = async (body: unknown) => {
    const res = await operator('/debugger/api/dead/purge', body);
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it('purges by reason, by age and all, answering counts per connection', async () => {
    await deadLetters();
    expect(await purge({ reason: 'server_error', connection: 'tiny' })).toEqual({ status: 200, body: { purged: 0, connections: [{ connection: 'tiny', purged: 0 }] } });
    // Died at T0 (+ a little): none died before T0.
    expect((await purge({ olderThan: new Date(T0).toISOString() })).body.purged).toBe(0);
    expect((await purge({ reason: 'rejected_by_moengage', olderThan: new Date(T0 + HOUR).toISOString(), connection: 'tiny' })).body).toEqual({
      purged: 2,
      connections: [{ connection: 'tiny', purged: 2 }],
    });
    expect(await eventRow('tiny', 'dead-1')).toBeNull();
    expect((await eventRow('tiny', 'fine'))?.status).toBe('delivered'); // not a dead letter: untouched
    expect(await healthOf('tiny')).toMatchObject({ deadLetters: { count: 0 } });
    expect((await purge({ all: true })).body.purged).toBe(0);
  });

  it.each([
    ['no filter', {}],
    ['all with a filter', { all: true, reason: 'x' }],
    ['a time without a zone', { olderThan: '2031-01-06 00:00' }],
    ['an unknown field', { all: true, messageIds: ['a'] }],
    ['all: false', { all: false }],
  ])('refuses %s with 400 invalid_purge', async (_, body) => {
    const { status, body: answer } = await purge(body);
    expect(status).toBe(400);
    expect(answer).toMatchObject({ error: 'invalid_purge', detail: expect.stringContaining('"all":true') });
  });

  it('an unknown connection is a 404', async () => {
    expect(await purge({ all: true, connection: 'nope' })).toMatchObject({ status: 404, body: { error: 'unknown_connection' } });
  });
});
