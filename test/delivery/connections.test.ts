/**
 * Several MoEngage workspaces from one collector: each connection has its own queue, limiter and
 * state, and one failing workspace never delays another.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CREDENTIALS, cleanup, deliveredIds, enqueue, eventRow, installSandbox, post, runUntil, setClock, startClock, T0, trackRecord } from './support/harness';

beforeEach(() => startClock());
afterEach(cleanup);

describe('one failing workspace never delays another', () => {
  // 40 flushes of two queues: ~3 s alone, more under the whole suite's load (the latencies checked are simulated time).
  it.each([
    { failure: '500 on every request', fault: true, expected: 'retrying' },
    { failure: '401 (wrong key)', fault: false, expected: 'paused' },
  ])('"other" answers $failure; "main" still delivers each event within its flush interval', { timeout: 30_000 }, async ({ fault, expected }) => {
    const { sandbox } = fault ? installSandbox() : installSandbox({ credentials: { ...CREDENTIALS, 'ws-other': 'wrong' } });
    if (fault) {
      sandbox.faults.add({ status: 500, path: '/v1/event/ws-other' });
      sandbox.faults.add({ status: 500, path: '/v1/transition/ws-other' });
    }
    const latencies: number[] = [];
    for (let s = 0; s < 300; s += 15) {
      const at = T0 + s * 1_000;
      await runUntil(['main', 'other'], at);
      const id = `t${s}`;
      await enqueue('main', [trackRecord('u1', { id })]);
      await enqueue('other', [trackRecord('u1', { id })]);
      await runUntil(['main', 'other'], at + 1_000);
      const delivered = sandbox.requests.find((r) => r.workspace === 'ws-main' && r.response.status === 200 && JSON.stringify(r.body).includes(`"sku":"${id}"`));
      latencies.push((delivered?.at ?? Infinity) - at);
    }
    expect(Math.max(...latencies)).toBeLessThanOrEqual(1_000);
    expect(deliveredIds(sandbox, 'main')).toHaveLength(20);
    expect(deliveredIds(sandbox, 'other')).toHaveLength(0);
    expect((await eventRow('other', 't0'))?.status).toBe(expected);
  });

  it('a batch from the Worker is stored in every connection’s queue, each with its own copy', async () => {
    installSandbox();
    setClock(T0);
    const res = await post('/v1/batch', {
      batch: [{ type: 'track', messageId: 'shared-1', userId: 'u1', event: 'Order Completed', properties: { order_id: 'A' }, timestamp: new Date(T0).toISOString() }],
    });
    expect(res.status).toBe(200);
    for (const c of ['main', 'other', 'slow', 'batch', 'tiny']) expect((await eventRow(c, 'shared-1'))?.status).toBe('queued');
  });
});
