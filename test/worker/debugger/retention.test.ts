/**
 * DEBUGGER_RETENTION_HOURS (default 168): the queue's alarm forgets finished events (delivered,
 * dropped; dead letters have their own bound, test/delivery/deadLetters.test.ts) once that long has passed since their last change, in bounded chunks, without
 * holding up delivery; an undelivered event is never forgotten. The queue reads the time from
 * Date.now(), so the clock is faked (Date only) and the alarm is run by hand.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { RETENTION_CHUNK } from '../../../worker/delivery/upkeep';
import { api, ingest, journey, listEvents, ok, postJson, stats, track } from '../support/debugger';
import { flush, queue } from '../support/ingest';
import { useSandbox } from '../support/sandboxPerTest';

const HOUR = 3_600_000;
const RETENTION = 168 * HOUR;
const T0 = Date.UTC(2030, 5, 3, 12, 0, 0);

const { sandbox, at } = useSandbox({ clock: T0 });

const alarm = () => runInDurableObject(queue(), (_instance, state) => state.storage.getAlarm());
const logRows = async () => (await stats()).connections[0]!.health.log.events;
const known = async (messageId: string) => (await api(`/debugger/api/events/${messageId}`)).status === 200;

describe('retention', () => {
  it('is 168 hours by default, as the API says', async () => {
    const { connections } = await ok<{ connections: { id: string; retentionHours: number }[] }>(api('/debugger/api/connections'));
    expect(connections).toEqual([expect.objectContaining({ id: 'default', retentionHours: 168 })]);
    expect((await stats()).connections[0]?.health.log.retentionHours).toBe(168);
  });

  it('an idle queue wakes when its oldest finished event expires and forgets it; newer ones stay', async () => {
    await ingest(track({ messageId: 'old-delivered' }), track({ messageId: 'old-dropped', event: 'Wishlist Shared' }));
    await flush();
    expect((await journey('old-delivered')).status).toBe('delivered');
    at(HOUR);
    await ingest(track({ messageId: 'newer-dropped', event: 'Wishlist Shared' }));
    // The log is written behind: a dropped-only batch still brings the alarm within a second, to move its row in.
    expect(await alarm()).toBe(T0 + HOUR + 1_000);
    at(HOUR + 1_000);
    await runDurableObjectAlarm(queue());
    // Nothing waits for delivery: the only alarm left is retention's, set for the oldest finished event.
    expect(await alarm()).toBe(T0 + RETENTION + 1);

    at(RETENTION - 1); // not yet
    await runDurableObjectAlarm(queue());
    expect(await known('old-delivered')).toBe(true);

    at(RETENTION + 1);
    expect(await runDurableObjectAlarm(queue())).toBe(true);
    expect(await known('old-delivered')).toBe(false);
    expect(await known('old-dropped')).toBe(false);
    expect((await listEvents()).events.map((e) => e.messageId)).toEqual(['newer-dropped']);
    expect(await logRows()).toBe(1);
    // Its attempts go with it: the journey of a forgotten event is gone, not half there.
    const attempts = await runInDurableObject(queue(), (_i, state) => state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM attempts').one().n);
    expect(attempts).toBe(0);
    // Next wake-up: when the newer one expires.
    expect(await alarm()).toBe(T0 + HOUR + RETENTION + 1);
    at(HOUR + RETENTION + 1);
    await runDurableObjectAlarm(queue());
    expect(await logRows()).toBe(0);
    expect(await alarm()).toBeNull();
  });

  it('counts from the last change: an event delivered late is kept 168 h from its delivery', async () => {
    sandbox().faults.add({ status: 503, count: 1 });
    await ingest(track({ messageId: 'late' }));
    await flush();
    expect((await journey('late')).status).toBe('retrying');
    at(HOUR);
    await flush();
    expect((await journey('late')).status).toBe('delivered');
    // Nothing finished when that flush began: the delivery itself must arm retention.
    expect(await alarm()).toBe(T0 + HOUR + RETENTION + 1);
    at(RETENTION + 30 * 60_000); // 168.5 h after it arrived, 167.5 h after it was delivered
    await runDurableObjectAlarm(queue());
    expect(await known('late')).toBe(true);
    at(HOUR + RETENTION + 1);
    await runDurableObjectAlarm(queue());
    expect(await known('late')).toBe(false);
  });

  it('never forgets an undelivered event: past MAX_EVENT_AGE_HOURS it is dead-lettered (visible, replayable) and kept from then', async () => {
    sandbox().faults.add({ status: 503 }); // MoEngage down for good
    await ingest(track({ messageId: 'delivered-before', userId: 'u_ok' }));
    sandbox().faults.clear();
    await flush();
    sandbox().faults.add({ status: 503 });
    await ingest(track({ messageId: 'stuck', userId: 'u_stuck' }));
    await flush();
    expect((await journey('stuck')).status).toBe('retrying');

    at(RETENTION + 1);
    await runDurableObjectAlarm(queue());
    expect(await known('delivered-before')).toBe(false);
    const stuck = await journey('stuck');
    expect(stuck).toMatchObject({ status: 'dead', reason: 'expired', detail: expect.stringContaining('72 h') });
    expect(stuck.updatedAt).toBe(T0 + RETENTION + 1);

    // Still there a retention later minus a moment, and replayable once MoEngage is back.
    at(2 * RETENTION);
    await runDurableObjectAlarm(queue());
    expect(await known('stuck')).toBe(true);
    sandbox().faults.clear();
    expect((await ok(postJson('/debugger/api/replay', { messageIds: ['stuck'] }))).replayed).toBe(1);
    await flush();
    expect((await journey('stuck')).status).toBe('delivered');
  });

  it('forgets in bounded chunks, coming back soon for the rest, and delivers in between', async () => {
    const total = RETENTION_CHUNK + 500;
    for (let i = 0; i < total; i += 500) {
      await ingest(...Array.from({ length: 500 }, (_, j) => track({ messageId: `bulk-${i + j}`, event: 'Wishlist Shared' })));
    }
    expect(await logRows()).toBe(total);

    at(RETENTION + 1);
    await ingest(track({ messageId: 'fresh' })); // due now: must not wait behind the purge
    await runDurableObjectAlarm(queue());
    expect(await logRows()).toBe(total - RETENTION_CHUNK + 1);
    expect((await journey('fresh')).status).toBe('delivered');
    expect(sandbox().requests).toHaveLength(1);
    // More expired rows remain: the alarm comes back in half a second, not in 168 h.
    const next = await alarm();
    expect(next).not.toBeNull();
    expect(next! - Date.now()).toBeLessThanOrEqual(500);

    at(RETENTION + 1 + 500);
    await runDurableObjectAlarm(queue());
    expect(await logRows()).toBe(1);
    expect((await listEvents()).events.map((e) => e.messageId)).toEqual(['fresh']);
  });
});
