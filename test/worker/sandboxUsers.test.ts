/**
 * The sandbox's users as a specification: the Track User keys MoEngage documents fill standard
 * profile fields (anything else, MoEngage's internal u_* names included, is a custom attribute),
 * Delete User answers exactly as MoEngage documents it, and Portfolio's project_code is taken only
 * where MoEngage documents it. Runs inside workerd (the double is web-standard only).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  basicAuthHeader,
  createMoEngageSandbox,
  DELETE_ACCEPTED,
  DELETE_BUFFER_MS,
  DELETE_RATE_LIMITED,
  DELETE_SERVER_ERROR,
  type MoEngageSandbox,
  type SandboxOptions,
} from '../../dev/moengage-sandbox/moengage';

const WS = 'demo-workspace';
const KEY = 'demo-data-api-key';
const OTHER_WS = 'other-workspace';
const OTHER_KEY = 'other-key';
const AUTH = basicAuthHeader(WS, KEY);
const BASE = 'http://moengage.test';
const T0 = Date.UTC(2026, 0, 1, 0, 0, 10);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let clock = T0;
let sandbox: MoEngageSandbox;

const makeSandbox = (extra: SandboxOptions = {}) => createMoEngageSandbox({ credentials: { [WS]: KEY, [OTHER_WS]: OTHER_KEY }, now: () => clock, sleep: async () => {}, ...extra });

beforeEach(() => {
  clock = T0;
  sandbox = makeSandbox();
});

function post(path: string, body: unknown, headers: Record<string, string> = { authorization: AUTH }): Request {
  return new Request(BASE + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

async function send(req: Request, sb: MoEngageSandbox = sandbox) {
  const res = await sb.handle(req);
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { res, status: res.status, body };
}

const profile = (id: string, query = '') => send(new Request(`${BASE}/_sandbox/profiles/${encodeURIComponent(id)}${query}`));
const trackUser = (attributes: Record<string, unknown>, customerId = 'u_8842', path = `/v1/customer/${WS}`) => send(post(path, { type: 'customer', customer_id: customerId, attributes }));
const trackEvent = (customerId = 'u_8842', extra: Record<string, unknown> = {}, path = `/v1/event/${WS}`) =>
  send(post(path, { type: 'event', customer_id: customerId, actions: [{ action: 'Order Completed', attributes: { value: 1 } }], ...extra }));
const deleteUser = (body: unknown, query = `?app_id=${WS}`, headers?: Record<string, string>) => send(post(`/v1/customer/delete${query}`, body, headers));
const byCustomerId = (id: string) => ({ identity_type: 'customer_id', identity_value: id });

describe('Track User: documented standard keys fill standard fields, anything else is custom', () => {
  it('records the profile at GET /_sandbox/profiles/{customer_id}, standard apart from custom', async () => {
    const r = await trackUser({
      name: 'Jane Doe',
      first_name: 'Jane',
      last_name: 'Doe',
      email: 'jane@example.com',
      mobile: '+447700900123',
      gender: 'female',
      birthday: '1990-04-12',
      age: 35,
      created_time: '2025-03-01T12:00:00Z',
      last_seen: 1767225600000,
      transactions: 3,
      revenue: 120.5,
      moe_unsubscribe: false,
      plan: 'pro',
    });
    expect(r.status).toBe(200);
    const p = await profile('u_8842');
    expect(p.status).toBe(200);
    expect(p.body).toEqual({
      workspace: WS,
      customer_id: 'u_8842',
      moengage_id: expect.stringMatching(/^[0-9a-f]{24}$/),
      standard: {
        name: 'Jane Doe',
        first_name: 'Jane',
        last_name: 'Doe',
        email: 'jane@example.com',
        mobile: '+447700900123',
        gender: 'female',
        birthday: '1990-04-12',
        age: 35,
        created_time: '2025-03-01T12:00:00Z',
        last_seen: 1767225600000,
        transactions: 3,
        revenue: 120.5,
        moe_unsubscribe: false,
      },
      custom: { plan: 'pro' },
      identifiers: {},
      events: 0,
      projects: [],
      created_at: T0,
      updated_at: T0,
    });
  });

  it('MoEngage’s internal names are custom attributes: Email (Standard) stays empty', async () => {
    await trackUser({ u_em: 'jane@example.com', u_mb: '+447700900123', u_fn: 'Jane', u_bd: '1990-04-12T00:00:00.000Z' });
    const p = (await profile('u_8842')).body;
    expect(p.standard).toEqual({});
    expect(p.custom).toEqual({ u_em: 'jane@example.com', u_mb: '+447700900123', u_fn: 'Jane', u_bd: '1990-04-12T00:00:00.000Z' });
  });

  it('moe_mobile (the identity-resolution samples) fills the same Mobile Number; later values win', async () => {
    await trackUser({ moe_mobile: '+447700900123', first_name: 'Jane' });
    await trackUser({ first_name: 'Janet', email: 'j@example.com' });
    expect((await profile('u_8842')).body.standard).toEqual({ mobile: '+447700900123', first_name: 'Janet', email: 'j@example.com' });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an email that is not one', { email: 'jane at example.com' }, `'attributes.email': the standard attribute "email" must be an email address, got "jane at example.com"`],
    ['a local mobile number with spaces', { mobile: '07700 900123' }, `'attributes.mobile': the standard attribute "mobile" must be a mobile number`],
    ['a birthday with milliseconds (MoEngage would keep a string)', { birthday: '1990-04-12T00:00:00.000Z' }, `'attributes.birthday': the standard attribute "birthday" must be a date as YYYY-MM-DD or YYYY-MM-DDTHH:mm:ssZ`],
    ['a birthday in another format', { birthday: '12/04/1990' }, `'attributes.birthday'`],
    ['an age that is no number', { age: 'thirty' }, `'attributes.age': the standard attribute "age" must be a number, got "thirty"`],
    ['moe_unsubscribe as a string', { moe_unsubscribe: 'true' }, `'attributes.moe_unsubscribe': the standard attribute "moe_unsubscribe" must be true or false, got "true"`],
    ['an empty first name', { first_name: ' ' }, `'attributes.first_name'`],
    ['a moe_ name MoEngage does not document for Track User', { moe_tier: 'gold' }, `'attributes.moe_tier': attribute names must not use the reserved prefix "moe_".`],
    ['the blocked name id', { id: 'u_1' }, `'attributes.id': "id" is blocked as a user attribute name.`],
    ['the blocked name _id', { _id: 'u_1' }, `'attributes._id'`],
  ])('refuses %s with 400 InvalidAttributeError', async (_name, attributes, message) => {
    const r = await trackUser(attributes);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ status: 'fail', error: { type: 'InvalidAttributeError', message: expect.stringContaining(message), request_id: expect.stringMatching(UUID) } });
    expect((await profile('u_8842')).status).toBe(404);
  });

  it('checks customer elements of a bulk request the same way, and records them', async () => {
    const bad = await send(post(`/v1/transition/${WS}`, { type: 'transition', elements: [{ type: 'customer', customer_id: 'a', attributes: { email: 'nope' } }] }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain(`'elements[0].attributes.email'`);
    const ok = await send(
      post(`/v1/transition/${WS}`, {
        type: 'transition',
        elements: [
          { type: 'customer', customer_id: 'a', attributes: { email: 'a@example.com', first_name: 'Ann' } },
          { type: 'event', customer_id: 'a', user_identifiers: { u_em: 'a@example.com' }, actions: [{ action: 'X' }, { action: 'Y' }] },
        ],
      }),
    );
    expect(ok.status).toBe(200);
    expect((await profile('a')).body).toMatchObject({ standard: { email: 'a@example.com', first_name: 'Ann' }, identifiers: { u_em: 'a@example.com' }, events: 2 });
  });

  it('an event creates an unknown user and records its user_identifiers (seed 004)', async () => {
    await trackEvent('u_9', { user_identifiers: { u_em: 'jane@example.com', u_mb: '+447700900123' } });
    expect((await profile('u_9')).body).toMatchObject({ standard: {}, custom: {}, identifiers: { u_em: 'jane@example.com', u_mb: '+447700900123' }, events: 1 });
  });

  it('merge moves the merged user’s attributes onto the retained user (merged values win) and removes it', async () => {
    await trackUser({ first_name: 'Anon', plan: 'free' }, 'anon-1');
    await trackUser({ first_name: 'Jane', email: 'jane@example.com' }, 'u_1');
    expect((await send(post(`/v1/customer/merge?app_id=${WS}`, { merge_data: [{ merged_user: 'anon-1', retained_user: 'u_1' }, { merged_user: 'ghost', retained_user: 'u_1' }] }))).status).toBe(200);
    expect((await profile('anon-1')).status).toBe(404);
    expect((await profile('u_1')).body).toMatchObject({ standard: { first_name: 'Anon', email: 'jane@example.com' }, custom: { plan: 'free' } });
  });

  it('keeps workspaces apart: ?workspace= picks one when an id is in several', async () => {
    await trackUser({ first_name: 'Jane' });
    await send(post(`/v1/customer/${OTHER_WS}`, { type: 'customer', customer_id: 'u_8842', attributes: { first_name: 'Other' } }, { authorization: basicAuthHeader(OTHER_WS, OTHER_KEY) }));
    expect((await profile('u_8842')).status).toBe(400);
    expect((await profile('u_8842', `?workspace=${OTHER_WS}`)).body.standard).toEqual({ first_name: 'Other' });
    expect(sandbox.profiles('u_8842', WS)).toEqual([expect.objectContaining({ standard: { first_name: 'Jane' } })]);
  });

  it('unknown ids answer 404; reset forgets every profile', async () => {
    expect(await profile('nobody')).toMatchObject({ status: 404, body: { error: 'No profile with customer_id "nobody".' } });
    await trackUser({ first_name: 'Jane' });
    await send(new Request(`${BASE}/_sandbox/reset`, { method: 'POST' }));
    expect((await profile('u_8842')).status).toBe(404);
  });
});

describe('Delete User: POST /v1/customer/delete?app_id={ws}, strictly as documented', () => {
  beforeEach(async () => {
    await trackUser({ email: 'jane@example.com' });
  });

  it('accepts one user by customer_id with the documented success body (no request_id)', async () => {
    const r = await deleteUser(byCustomerId('u_8842'));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'success', message: 'Your request has been accepted and will be processed soon.' });
    expect(r.body).toEqual(DELETE_ACCEPTED);
    expect(sandbox.stats().deletionsAccepted).toBe(1);
  });

  it('hard-deletes after MoEngage’s 24-hour buffer, during which the user can still be updated', async () => {
    await deleteUser(byCustomerId('u_8842'));
    expect((await profile('u_8842')).body.deletion).toEqual({ requested_at: T0, hard_delete_at: T0 + DELETE_BUFFER_MS });
    clock = T0 + DELETE_BUFFER_MS - 1;
    expect((await trackUser({ first_name: 'Jane' })).status).toBe(200);
    expect((await profile('u_8842')).body.standard).toEqual({ email: 'jane@example.com', first_name: 'Jane' });
    clock = T0 + DELETE_BUFFER_MS;
    expect((await profile('u_8842')).status).toBe(404);
    // The same id later makes a new user, with a new MoEngage id.
    await trackEvent('u_8842');
    expect((await profile('u_8842')).body).toMatchObject({ standard: {}, events: 1, created_at: T0 + DELETE_BUFFER_MS });
    expect((await profile('u_8842')).body).not.toHaveProperty('deletion');
  });

  it('deletes by moengage_id too', async () => {
    const id = (await profile('u_8842')).body.moengage_id;
    expect((await deleteUser({ identity_type: 'moengage_id', identity_value: id })).status).toBe(200);
    expect((await profile('u_8842')).body.deletion).toBeDefined();
  });

  it('answers an unknown user with the documented 400 "Not Found"', async () => {
    const r = await deleteUser(byCustomerId('ghost'));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ status: 'fail', error: { type: 'Not Found', message: "User doesn't exists with customer id ghost", request_id: expect.stringMatching(UUID) } });
    expect((await deleteUser({ identity_type: 'moengage_id', identity_value: 'ffffffffffffffffffffffff' })).body.error.message).toBe("User doesn't exists with moengage id ffffffffffffffffffffffff");
  });

  it.each<[string, unknown, string, string]>([
    ['no identity_type', { identity_value: 'u_8842' }, 'MissingAttributeError', "Missing required attribute 'identity_type'."],
    ['an identity_type it does not know', { identity_type: 'email', identity_value: 'jane@example.com' }, 'InvalidAttributeError', `allowed values are "customer_id" and "moengage_id", got "email"`],
    ['no identity_value', { identity_type: 'customer_id' }, 'MissingAttributeError', "Missing required attribute 'identity_value'."],
    ['a blank identity_value', byCustomerId('  '), 'MissingAttributeError', "Missing required attribute 'identity_value'."],
    ['a numeric identity_value', { identity_type: 'customer_id', identity_value: 8842 }, 'InvalidAttributeError', 'must be a string, got number'],
    ['a list of users (one per request)', { identity_type: 'customer_id', identity_value: 'u_8842', identities: ['a', 'b'] }, 'InvalidAttributeError', 'one user per request'],
  ])('refuses %s with 400 %s', async (_name, body, type, message) => {
    const r = await deleteUser(body);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ status: 'fail', error: { type, message: expect.stringContaining(message), request_id: expect.stringMatching(UUID) } });
    expect((await profile('u_8842')).body).not.toHaveProperty('deletion');
  });

  it('needs app_id in the query: 400 ParamsRequired', async () => {
    const r = await deleteUser(byCustomerId('u_8842'), '');
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ type: 'ParamsRequired', message: 'app_id is required in path/query params.' });
  });

  it.each<[string, string, Record<string, string>]>([
    ['no Authorization', `?app_id=${WS}`, {}],
    ['a wrong Data API key', `?app_id=${WS}`, { authorization: basicAuthHeader(WS, 'nope') }],
    ['app_id of another workspace', `?app_id=${OTHER_WS}`, { authorization: AUTH }],
  ])('%s → 401, nothing deleted', async (_name, query, headers) => {
    const r = await deleteUser(byCustomerId('u_8842'), query, headers);
    expect(r.status).toBe(401);
    expect(r.body.error.type).toBe('AuthenticationError');
    expect((await profile('u_8842')).body).not.toHaveProperty('deletion');
  });

  it('allows 5,000 requests a minute; the next is a 429 in Delete User’s own shape', async () => {
    const sb = makeSandbox({ deletionsPerMinute: 2 });
    for (const id of ['a', 'b', 'c']) await send(post(`/v1/customer/${WS}`, { type: 'customer', customer_id: id, attributes: {} }), sb);
    expect((await send(post(`/v1/customer/delete?app_id=${WS}`, byCustomerId('a')), sb)).status).toBe(200);
    expect((await send(post(`/v1/customer/delete?app_id=${WS}`, byCustomerId('b')), sb)).status).toBe(200);
    const r = await send(post(`/v1/customer/delete?app_id=${WS}`, byCustomerId('c')), sb);
    expect(r.status).toBe(429);
    expect(r.body).toEqual({ status: 'fail', title: 'Rate limit exceeded', description: 'Exceeded rate limit for this url' });
    expect(r.body).toEqual(DELETE_RATE_LIMITED);
    expect(r.res.headers.get('retry-after')).toBe('50');
    expect(r.res.headers.get('x-ratelimit-limit')).toBe('2');
    expect((await send(post(`/v1/customer/delete?app_id=${WS}`, byCustomerId('ghost')), sb)).status).toBe(400); // refused requests spend nothing
    clock = T0 + 50_000;
    expect((await send(post(`/v1/customer/delete?app_id=${WS}`, byCustomerId('c')), sb)).status).toBe(200);
    const first = await deleteUser(byCustomerId('u_8842'));
    expect(first.res.headers.get('x-ratelimit-limit')).toBe('5000');
  });

  it('injected 5xx and 429 answer in Delete User’s title/description shape', async () => {
    sandbox.faults.add({ status: 503, count: 1, path: '/v1/customer/delete' });
    sandbox.faults.add({ status: 429, count: 1, path: '/v1/customer/delete' });
    expect(await deleteUser(byCustomerId('u_8842'))).toMatchObject({ status: 503, body: DELETE_SERVER_ERROR });
    expect(await deleteUser(byCustomerId('u_8842'))).toMatchObject({ status: 429, body: DELETE_RATE_LIMITED });
    expect((await deleteUser(byCustomerId('u_8842'))).status).toBe(200);
  });

  it('does not model the bulk variant, published only with the same one-user body: 404', async () => {
    const r = await send(post(`/v1/customer/delete/bulk?app_id=${WS}`, byCustomerId('u_8842')));
    expect(r.status).toBe(404);
  });

  it('is not mistaken for Track User of a workspace called "delete"', async () => {
    await deleteUser(byCustomerId('u_8842'));
    expect(sandbox.requests.at(-1)).toMatchObject({ path: '/v1/customer/delete', query: `?app_id=${WS}`, workspace: WS, body: byCustomerId('u_8842') });
  });
});

describe('Portfolio project_code: only where MoEngage documents it', () => {
  it.each([
    ['Track User', () => trackUser({ first_name: 'Jane' }, 'u_p', `/v1/customer/${WS}?project_code=brand-a`)],
    ['Create Event', () => trackEvent('u_p', {}, `/v1/event/${WS}?project_code=brand-a`)],
    [
      'Bulk Import',
      () => send(post(`/v1/transition/${WS}?project_code=brand-a`, { type: 'transition', elements: [{ type: 'customer', customer_id: 'u_p', attributes: { first_name: 'Jane' } }] })),
    ],
  ])('%s takes ?project_code= and the profile records the project', async (_name, call) => {
    expect((await call()).status).toBe(200);
    expect((await profile('u_p')).body.projects).toEqual(['brand-a']);
  });

  it.each([
    ['Merge User', `/v1/customer/merge?app_id=${WS}&project_code=brand-a`, { merge_data: [{ merged_user: 'a', retained_user: 'b' }] }],
    ['Delete User', `/v1/customer/delete?app_id=${WS}&project_code=brand-a`, byCustomerId('u_8842')],
  ])('%s does not document it: 400, nothing done', async (_name, path, body) => {
    await trackUser({ first_name: 'Jane' });
    const r = await send(post(path, body));
    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain("'project_code': MoEngage documents project_code for Track User, Create Event and Bulk Import only");
    expect((await profile('u_8842')).body).not.toHaveProperty('deletion');
  });

  it('an empty project_code is refused', async () => {
    expect((await trackEvent('u_p', {}, `/v1/event/${WS}?project_code=`)).status).toBe(400);
  });
});
