/**
 * Nothing acknowledged is lost: events are stored before the Worker answers 2xx, survive a restart
 * of the Durable Object in the middle of a flush, and a replayed batch creates no duplicate delivery.
 */
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  alarmOf,
  cleanup,
  deliveredIds,
  drain,
  enqueue,
  eventRow,
  installSandbox,
  post,
  queue,
  runUntil,
  setClock,
  startClock,
  statuses,
  T0,
  trackRecord,
  until,
} from './support/harness';

beforeEach(() => startClock());

afterEach(cleanup);

const order = (messageId: string, userId = 'u_8842') => ({
  type: 'track',
  messageId,
  userId,
  event: 'Order Completed',
  properties: { order_id: messageId, revenue: 10, currency: 'EUR' },
  timestamp: new Date(T0).toISOString(),
});

describe('stored before 2xx', () => {
  it('keeps what it acknowledged when the queue dies right after answering', async () => {
    const { sandbox } = installSandbox();
    const res = await post('/v1/batch', { batch: [order('o-1'), order('o-2')] });
    expect(res.status).toBe(200);
    await abortAllDurableObjects(); // e.g. evicted before its first flush
    expect(await statuses('main')).toEqual({ queued: 2 });
    await drain('main');
    expect(await statuses('main')).toEqual({ delivered: 2 });
    expect(sandbox.requests.filter((r) => r.workspace === 'ws-main' && r.response.status === 200)).toHaveLength(1);
  });
});

describe('restart in the middle of a flush', () => {
  it('resends a request that never reached MoEngage: every event delivered exactly once', async () => {
    const { sandbox, fetchSpy } = installSandbox();
    await enqueue('main', ['a', 'b', 'c'].map((id) => trackRecord('u1', { id })));
    // The request hangs on the network and never arrives; meanwhile the object is restarted (a deploy).
    fetchSpy.mockImplementationOnce(() => new Promise<Response>(() => {}));
    void runDurableObjectAlarm(queue('main')).catch(() => undefined);
    await until(() => fetchSpy.mock.calls.length === 1);
    await abortAllDurableObjects();

    // The alarm left behind before sending brings the new object back to the events.
    expect(await alarmOf('main')).toBe(T0 + 60_000);
    await runUntil('main', T0 + 120_000);
    expect(deliveredIds(sandbox, 'main')).toEqual(['a', 'b', 'c']);
    const event = await eventRow('main', 'b');
    expect(event).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(event?.exchanges?.map((x) => [x.status, x.error])).toEqual([
      [0, expect.stringMatching(/^interrupted at .*: the queue restarted before MoEngage's answer was recorded/)],
      [200, null],
    ]);
  });

  it('bounds the duplicate when MoEngage accepted the request but the answer was lost: only that request’s events, shown in the debugger', async () => {
    const { sandbox, fetchSpy } = installSandbox();
    await enqueue('main', ['a', 'b'].map((id) => trackRecord('u1', { id })));
    fetchSpy.mockImplementationOnce(async (input, init) => {
      await sandbox.handle(new Request(input as RequestInfo, init)); // MoEngage takes it…
      return new Promise<Response>(() => {}); // …and the object dies before hearing back.
    });
    void runDurableObjectAlarm(queue('main')).catch(() => undefined);
    await until(() => sandbox.requests.length === 1);
    await abortAllDurableObjects();
    setClock(T0 + 5_000);
    await enqueue('main', [trackRecord('u1', { id: 'c' })]); // later traffic is not duplicated
    await runUntil('main', T0 + 120_000);

    // At-least-once: the interrupted request's events went twice, nothing else did.
    expect(deliveredIds(sandbox, 'main').sort()).toEqual(['a', 'a', 'b', 'b', 'c']);
    const event = await eventRow('main', 'a');
    expect(event?.exchanges?.[0]?.error).toContain('MoEngage may have received them twice');
    expect(event?.status).toBe('delivered');
  });

  it('a restarted object with orphaned requests and no alarm schedules one as it starts', async () => {
    const { sandbox, fetchSpy } = installSandbox();
    await enqueue('main', [trackRecord('u1', { id: 'a' })]);
    fetchSpy.mockImplementationOnce(() => new Promise<Response>(() => {}));
    void runDurableObjectAlarm(queue('main')).catch(() => undefined);
    await until(() => fetchSpy.mock.calls.length === 1);
    await abortAllDurableObjects();
    await runInDurableObject(queue('main'), (_i, state) => state.storage.deleteAlarm());
    await abortAllDurableObjects();
    await queue('main').health('main'); // any call starts the object
    expect(await alarmOf('main')).not.toBeNull();
    await drain('main');
    expect(deliveredIds(sandbox, 'main')).toEqual(['a']);
  });
});

/**
 * Holds a connection's budget object (delivery/DeliveryBudget.ts) busy, as a loaded one is: calls to
 * it wait, in the order they came, until released. Nothing of it is replaced.
 */
function holdBudget(connection: string) {
  const state = { holding: false, released: false };
  const held = runInDurableObject(env.DELIVERY_BUDGET.getByName(connection), (_i, object) =>
    object.blockConcurrencyWhile(async () => {
      state.holding = true;
      while (!state.released) await new Promise((r) => setTimeout(r, 5));
    }),
  );
  return {
    holding: () => state.holding,
    release: () => ((state.released = true), held),
  };
}

describe('an enqueue that lands while a flush ends', () => {
  it('keeps its wake-up: the flush plans its alarm after its last call out, not before', async () => {
    const { sandbox } = installSandbox();
    await enqueue('main', [trackRecord('u1', { id: 'first' })]);
    await drain('main');
    expect(deliveredIds(sandbox, 'main')).toEqual(['first']);

    // The race needs the flush's first call to reach the held budget before the test's second hold
    // does; nothing shows when it has, so a busy machine may miss it. Then the flush finds the event
    // and sends it itself (also correct). Each round waits longer, and one round must hit the race.
    let hit = false;
    for (const [round, reach] of [300, 1_000, 3_000, 8_000].entries()) {
      const id = `second-${round}`;
      // A flush with nothing to send asks the budget twice: where the limiter stands (first), and
      // then tells it this shard is at rest (last). Hold the budget so that the last call waits…
      const first = holdBudget('main');
      await until(first.holding);
      await runInDurableObject(queue('main'), (_i, state) => state.storage.setAlarm(Date.now()));
      const flushing = runDurableObjectAlarm(queue('main'));
      await new Promise((r) => setTimeout(r, reach)); // the flush's first call reaches the held budget
      const last = holdBudget('main'); // in line behind that first call
      await first.release();
      await until(last.holding);
      await new Promise((r) => setTimeout(r, 300)); // the flush planned "nothing to do" and made its last call

      // …and an event arrives meanwhile: stored, with an alarm for its delivery, and shown in the
      // debugger (whose read moves it into the log, so no alarm for the log's write-behind is left).
      await enqueue('main', [trackRecord('u1', { id })]);
      const arrivedWith = await alarmOf('main');
      expect(arrivedWith).not.toBeNull();
      expect(await eventRow('main', id)).toMatchObject({ status: 'queued' });
      await last.release();
      await flushing;

      if (!deliveredIds(sandbox, 'main').includes(id)) {
        // The race: the flush's own plan came after the event. Its alarm stands, and delivers it.
        hit = true;
        const after = await alarmOf('main');
        expect(after).not.toBeNull();
        expect(after!).toBeLessThanOrEqual(arrivedWith!);
        await drain('main');
        expect(deliveredIds(sandbox, 'main').filter((d) => d === id)).toEqual([id]);
        break;
      }
      expect((await eventRow('main', id))?.status).toBe('delivered'); // missed: the flush sent it
    }
    expect(hit).toBe(true);
  });
});

describe('dedupe at enqueue', () => {
  it('a batch replayed by the tag’s retry queue creates no duplicate delivery', async () => {
    const { sandbox } = installSandbox();
    const batch = { batch: [order('o-1'), order('o-2')] };
    expect(await (await post('/v1/batch', batch)).json()).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(await (await post('/v1/batch', batch)).json()).toMatchObject({ accepted: 0, duplicates: 2 }); // before delivery
    await drain('main');
    expect(await (await post('/v1/batch', batch)).json()).toMatchObject({ accepted: 0, duplicates: 2 }); // after delivery
    await drain('main');
    const orders = sandbox.requests
      .filter((r) => r.workspace === 'ws-main')
      .flatMap((r) => (r.body as { actions: { attributes: { order_id: string } }[] }).actions.map((a) => a.attributes.order_id));
    expect(orders.sort()).toEqual(['o-1', 'o-2']);
  });

  it('remembers messageIds for DEBUGGER_RETENTION_HOURS, then its own alarm forgets them, even while idle', async () => {
    installSandbox();
    // Connection "tiny" keeps its log 2 hours.
    expect(await enqueue('tiny', [trackRecord('u1', { id: 'x' })])).toEqual({ duplicates: [] });
    await drain('tiny');
    const finished = (await eventRow('tiny', 'x')) as { status: string; updatedAt: number };
    expect(finished.status).toBe('delivered');
    setClock(finished.updatedAt + 7_100_000);
    expect(await enqueue('tiny', [trackRecord('u1', { id: 'x' })])).toEqual({ duplicates: ['x'] });
    // Nothing else happens on "tiny", yet an alarm is set for the moment x expires, and forgets it.
    expect(await alarmOf('tiny')).toBe(finished.updatedAt + 7_200_001);
    await runUntil('tiny', finished.updatedAt + 7_300_000);
    expect(await eventRow('tiny', 'x')).toBeNull();
    expect(await alarmOf('tiny')).toBeNull();
    expect(await enqueue('tiny', [trackRecord('u1', { id: 'x' })])).toEqual({ duplicates: [] });
  });
});
