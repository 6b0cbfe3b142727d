/**
 * identify → MoEngage Track User end to end (Worker → DeliveryQueue → the strict sandbox): the
 * documented keys reach MoEngage's standard fields, alone or packed in a bulk /v1/transition, and
 * events keep seed 004's user_identifiers. The sandbox's profile says what MoEngage would hold.
 */
import { reset } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MoEngageSandbox } from '../../dev/moengage-sandbox/moengage';
import { SEED_MESSAGE, SEED_PAYLOAD } from '../seed';
import { journey } from './support/debugger';
import { flush, post } from './support/ingest';
import { installSandbox } from './support/sandbox';

const AT = '2026-11-28T10:00:00.000Z';
let sandbox: MoEngageSandbox;

beforeEach(() => {
  sandbox = installSandbox().sandbox;
});
afterEach(async () => {
  vi.restoreAllMocks();
  await reset();
});

async function ingest(batch: Record<string, unknown>[]) {
  const res = await post('/v1/batch', { batch });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ accepted: batch.length, rejected: [] });
  await flush();
}

const identify = (userId: string, traits: Record<string, unknown>, messageId = `id-${userId}`) => ({ type: 'identify', messageId, userId, timestamp: AT, traits });

describe('identify → POST /v1/customer/{ws} with MoEngage’s documented standard keys', () => {
  it('sends exactly the documented keys, and MoEngage’s profile gets Email, Mobile, names and birthday in its standard fields', async () => {
    await ingest([
      identify('u_8842', { email: 'jane@example.com', phone: '+447700900123', firstName: 'Jane', lastName: 'Doe', name: 'Jane Doe', gender: 'female', birthday: '1990-04-12', createdAt: '2025-03-01T12:00:00Z', plan: 'pro' }),
    ]);
    expect(sandbox.requests.map((r) => [r.path, r.response.status])).toEqual([['/v1/customer/demo-workspace', 200]]);
    expect(JSON.stringify(sandbox.requests[0]?.body)).toBe(
      JSON.stringify({
        type: 'customer',
        customer_id: 'u_8842',
        attributes: {
          email: 'jane@example.com',
          mobile: '+447700900123',
          first_name: 'Jane',
          last_name: 'Doe',
          name: 'Jane Doe',
          gender: 'female',
          birthday: '1990-04-12',
          created_time: '2025-03-01T12:00:00Z',
          plan: 'pro',
        },
      }),
    );
    const [profile] = sandbox.profiles('u_8842');
    expect(profile?.standard).toEqual({
      email: 'jane@example.com',
      mobile: '+447700900123',
      first_name: 'Jane',
      last_name: 'Doe',
      name: 'Jane Doe',
      gender: 'female',
      birthday: '1990-04-12',
      created_time: '2025-03-01T12:00:00Z',
    });
    expect(profile?.custom).toEqual({ plan: 'pro' });
  });

  it('the debugger’s journey of the identify names the standard attributes it set', async () => {
    await ingest([identify('u_8842', { email: 'jane@example.com', phone: '+447700900123', first_name: 'Jane', plan: 'pro' }, 'identify-jane')]);
    const shown = await journey('identify-jane');
    expect(shown.status).toBe('delivered');
    expect(shown.standardAttributes).toEqual([
      { key: 'email', label: 'Email (Standard)' },
      { key: 'mobile', label: 'Mobile Number (Standard)' },
      { key: 'first_name', label: 'First Name' },
    ]);
  });

  it('events keep seed 004’s user_identifiers u_em / u_mb exactly, and the profile has them', async () => {
    await ingest([{ ...SEED_MESSAGE, messageId: 'order-1', timestamp: AT }]);
    const body = structuredClone(sandbox.requests[0]?.body) as { actions: Record<string, unknown>[] };
    for (const action of body.actions) {
      delete action.user_time;
      delete action.current_time;
    }
    expect(JSON.stringify(body)).toBe(JSON.stringify(SEED_PAYLOAD));
    expect(sandbox.profiles('u_8842')[0]?.identifiers).toEqual({ u_em: 'jane@example.com', u_mb: '+447700900123' });
    const shown = await journey('order-1');
    expect(shown.standardAttributes).toEqual([]);
  });

  it('many identifies go as one bulk /v1/transition whose customer elements carry the documented keys too', async () => {
    // `auto` packing switches to bulk when one request per customer would take more than 10.
    const users = Array.from({ length: 12 }, (_, i) => `u_${i + 1}`);
    await ingest(users.map((id, i) => identify(id, { email: `user${i + 1}@example.com`, mobile: `+44770090${String(1000 + i).padStart(4, '0')}`, first_name: `User ${i + 1}`, birthdate: '1990-04-12' })));
    expect(sandbox.requests.map((r) => [r.path, r.response.status])).toEqual([['/v1/transition/demo-workspace', 200]]);
    const elements = (sandbox.requests[0]?.body as { elements: unknown[] }).elements;
    expect(elements).toHaveLength(12);
    expect(elements[0]).toEqual({
      type: 'customer',
      customer_id: 'u_1',
      attributes: { email: 'user1@example.com', mobile: '+447700901000', first_name: 'User 1', birthday: '1990-04-12' },
    });
    for (const id of users) {
      const [profile] = sandbox.profiles(id);
      expect(Object.keys(profile?.standard ?? {})).toEqual(['email', 'mobile', 'first_name', 'birthday']);
      expect(profile?.custom).toEqual({});
    }
  });
});
