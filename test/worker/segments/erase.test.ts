/**
 * Erasure in the segment store: POST /debugger/api/users/erase removes the user's memberships (other
 * users keep theirs) and this data center's edge copy of their GET /v1/segments answer.
 */
import { reset } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installSandbox } from '../support/sandbox';
import { debuggerGet, membership, readSegments, syncPage } from '../support/segments';

vi.setConfig({ testTimeout: 30_000 });

afterEach(async () => {
  vi.restoreAllMocks();
  await reset();
});

const cached = { overrides: { SEGMENTS_CACHE_SECONDS: '30' } };

describe('erasing a user from the segment store', () => {
  it('drops their memberships and the edge copy of their answer', async () => {
    installSandbox(); // the erasure's Delete User goes to MoEngage (the sandbox) from the queue's alarm
    await syncPage({ sync: 'sync-vip', name: 'VIP customers', add: ['u_gone', 'u_stays'] });
    await syncPage({ sync: 'sync-cart', name: 'Cart abandoners', add: ['u_gone'] });
    expect((await readSegments('u_gone', cached)).headers.get('x-edgetag-cache')).toBe('miss');
    const hit = await readSegments('u_gone', cached);
    expect(hit.headers.get('x-edgetag-cache')).toBe('hit');
    expect(((await hit.json()) as { segments: unknown[] }).segments).toHaveLength(2);

    const res = await debuggerGet('/debugger/api/users/erase', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'u_gone' }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ segments: { memberships: 2 }, totals: { segmentMemberships: 2 } });

    expect(await membership('u_gone')).toEqual([]);
    expect(await membership('u_stays')).toEqual(['VIP customers']);
    const after = await readSegments('u_gone', cached);
    expect(after.headers.get('x-edgetag-cache')).toBe('miss');
    expect(await after.json()).toEqual({ segments: [] });
  });
});
