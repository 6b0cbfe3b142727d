/**
 * The MoEngage sandbox as a specification: each table row is a request and the exact answer
 * MoEngage (as modelled by dev/moengage-sandbox/) gives it. Runs inside workerd to prove the double is
 * web-standard only.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ACCEPTED_MESSAGE,
  basicAuthHeader,
  createMoEngageSandbox,
  MAX_BODY_BYTES,
  MAX_BULK_BODY_BYTES,
  type MoEngageSandbox,
  type RecordedRequest,
  type SandboxOptions,
} from '../../dev/moengage-sandbox/moengage';

const WS = 'demo-workspace';
const KEY = 'demo-data-api-key';
const OTHER_WS = 'other-workspace';
const OTHER_KEY = 'other-key';
const AUTH = basicAuthHeader(WS, KEY);
const BASE = 'http://moengage.test';

/** 2026-01-01T00:00:10Z — ten seconds into a minute, so a fresh window resets in 50 s. */
const T0 = Date.UTC(2026, 0, 1, 0, 0, 10);
const T0_SECONDS = T0 / 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let clock = T0;
let slept: number[] = [];
let sandbox: MoEngageSandbox;

function makeSandbox(extra: SandboxOptions = {}): MoEngageSandbox {
  return createMoEngageSandbox({
    credentials: { [WS]: KEY, [OTHER_WS]: OTHER_KEY },
    now: () => clock,
    sleep: async (ms) => {
      slept.push(ms);
    },
    ...extra,
  });
}

beforeEach(() => {
  clock = T0;
  slept = [];
  sandbox = makeSandbox();
});

function post(path: string, body: unknown, headers: Record<string, string> = { authorization: AUTH }): Request {
  return new Request(BASE + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
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
  return { res, status: res.status, body, text };
}

function control(method: string, path: string, body?: unknown): Request {
  return new Request(BASE + path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
}

function rate(res: Response) {
  return {
    limit: res.headers.get('x-ratelimit-limit'),
    remaining: res.headers.get('x-ratelimit-remaining'),
    reset: res.headers.get('x-ratelimit-reset'),
    retryAfter: res.headers.get('retry-after'),
  };
}

const event = (actions: Array<Record<string, unknown>> = [{ action: 'Order Completed', attributes: { value: 89.99 } }], extra: Record<string, unknown> = {}) => ({
  type: 'event',
  customer_id: 'u_8842',
  actions,
  ...extra,
});
const nActions = (n: number) => Array.from({ length: n }, (_, i) => ({ action: `Page Viewed ${i}` }));
const customer = (attributes: Record<string, unknown> = { first_name: 'Jane' }, extra: Record<string, unknown> = {}) => ({
  type: 'customer',
  customer_id: 'u_8842',
  attributes,
  ...extra,
});
const transition = (elements: unknown[]) => ({ type: 'transition', elements });
const merge = (pairs: unknown[]) => ({ merge_data: pairs });

function expectFailure(r: { status: number; body: any; res: Response }, status: number, type: string, messagePart?: string) {
  expect(r.status).toBe(status);
  expect(r.res.headers.get('content-type')).toBe('application/json');
  expect(r.body.status).toBe('fail');
  expect(r.body.error.type).toBe(type);
  expect(r.body.error.request_id).toMatch(UUID);
  if (messagePart !== undefined) expect(r.body.error.message).toContain(messagePart);
}

/** A JSON body of exactly `bytes` UTF-8 bytes, grown through a padding string. */
function sizedBody(bytes: number, make: (pad: string) => unknown): string {
  const base = new TextEncoder().encode(JSON.stringify(make(''))).length;
  const text = JSON.stringify(make('x'.repeat(bytes - base)));
  expect(new TextEncoder().encode(text).length).toBe(bytes);
  return text;
}

describe('successful requests', () => {
  it.each([
    ['/v1/event/demo-workspace', event()],
    ['/v1/customer/demo-workspace', customer()],
    ['/v1/transition/demo-workspace', transition([customer(), event()])],
  ])('POST %s answers the MoEngage success envelope', async (path, body) => {
    const r = await send(post(path, body));
    expect(r.status).toBe(200);
    expect(r.res.headers.get('content-type')).toBe('application/json');
    expect(r.body).toEqual({ status: 'success', message: ACCEPTED_MESSAGE, request_id: expect.stringMatching(UUID) });
  });

  it('merge answers the documented {"status":"success","operation":"created"}', async () => {
    const r = await send(post(`/v1/customer/merge?app_id=${WS}`, merge([{ merged_user: 'a', retained_user: 'b' }])));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'success', operation: 'created' });
  });

  it('every request gets a fresh request_id', async () => {
    const a = await send(post('/v1/event/demo-workspace', event()));
    const b = await send(post('/v1/event/demo-workspace', event()));
    expect(a.body.request_id).not.toBe(b.body.request_id);
  });

  it('accepts a trailing slash and the MOE-APPKEY header when it names the same workspace', async () => {
    const r = await send(post('/v1/event/demo-workspace/', event(), { authorization: AUTH, 'moe-appkey': WS }));
    expect(r.status).toBe(200);
  });
});

describe('authentication (Basic workspace_id:data_api_key)', () => {
  const cases: Array<[string, string, Record<string, string>, string]> = [
    ['missing Authorization', '/v1/event/demo-workspace', {}, 'missing'],
    ['wrong Data API key', '/v1/event/demo-workspace', { authorization: basicAuthHeader(WS, 'nope') }, 'invalid workspace ID or Data API key'],
    ['unknown workspace', '/v1/event/ghost', { authorization: basicAuthHeader('ghost', KEY) }, 'invalid workspace ID or Data API key'],
    ['Bearer instead of Basic', '/v1/event/demo-workspace', { authorization: `Bearer ${KEY}` }, 'expected "Authorization: Basic'],
    ['Basic without a colon', '/v1/event/demo-workspace', { authorization: `Basic ${btoa('demo-workspace')}` }, 'expected "Authorization: Basic'],
    ['Basic with broken base64', '/v1/event/demo-workspace', { authorization: 'Basic %%%' }, 'expected "Authorization: Basic'],
    ["other workspace's valid credentials", '/v1/event/demo-workspace', { authorization: basicAuthHeader(OTHER_WS, OTHER_KEY) }, `workspace '${WS}'`],
    ['app_id naming another workspace', `/v1/event/demo-workspace?app_id=${OTHER_WS}`, { authorization: AUTH }, `workspace '${OTHER_WS}'`],
    ['MOE-APPKEY naming another workspace', '/v1/event/demo-workspace', { authorization: AUTH, 'moe-appkey': OTHER_WS }, `workspace '${OTHER_WS}'`],
    ['merge with app_id of another workspace', `/v1/customer/merge?app_id=${OTHER_WS}`, { authorization: AUTH }, `workspace '${OTHER_WS}'`],
  ];

  it.each(cases)('%s → 401 AuthenticationError', async (_name, path, headers, message) => {
    const body = path.includes('merge') ? merge([{ merged_user: 'a', retained_user: 'b' }]) : event();
    expectFailure(await send(post(path, body, headers)), 401, 'AuthenticationError', message);
  });

  it('a password containing ":" still authenticates', async () => {
    const sb = makeSandbox({ credentials: { [WS]: 'k:e:y' } });
    expect((await send(post('/v1/event/demo-workspace', event(), { authorization: basicAuthHeader(WS, 'k:e:y') }), sb)).status).toBe(200);
  });

  it('the merge API takes its workspace from the Basic user when app_id is absent', async () => {
    const r = await send(post('/v1/customer/merge', merge([{ merged_user: 'a', retained_user: 'b' }]), { authorization: basicAuthHeader(OTHER_WS, OTHER_KEY) }));
    expect(r.status).toBe(200);
    expect(sandbox.requests[0]?.workspace).toBe(OTHER_WS);
  });

  it('is checked before size and JSON: an unauthenticated oversized garbage body is a 401', async () => {
    const r = await send(post('/v1/event/demo-workspace', '{'.repeat(MAX_BODY_BYTES + 10), {}));
    expectFailure(r, 401, 'AuthenticationError');
  });
});

describe('body size (128 KB single, 100 KB bulk)', () => {
  const KB128 = 131_072;
  const KB100 = 102_400;
  const padEvent = (pad: string) => event([{ action: 'Page Viewed', attributes: { pad } }]);
  const padCustomer = (pad: string) => customer({ pad });
  const padTransition = (pad: string) => transition([customer({ pad })]);
  const padMerge = (pad: string) => merge([{ merged_user: `a${pad}`, retained_user: 'b' }]);
  const cases: Array<[string, number, (pad: string) => unknown, number]> = [
    ['/v1/event/demo-workspace', KB128, padEvent, 200],
    ['/v1/event/demo-workspace', KB128 + 1, padEvent, 413],
    ['/v1/customer/demo-workspace', KB128, padCustomer, 200],
    ['/v1/customer/demo-workspace', KB128 + 1, padCustomer, 413],
    ['/v1/transition/demo-workspace', KB100, padTransition, 200],
    ['/v1/transition/demo-workspace', KB100 + 1, padTransition, 413],
    [`/v1/customer/merge?app_id=${WS}`, KB128, padMerge, 200],
    [`/v1/customer/merge?app_id=${WS}`, KB128 + 1, padMerge, 413],
  ];

  it.each(cases)('%s with %i bytes → %i', async (path, bytes, make, status) => {
    const r = await send(post(path, sizedBody(bytes, make)));
    if (status === 200) {
      expect(r.status).toBe(200);
    } else {
      expectFailure(r, 413, 'PayloadTooLargeError', `${bytes} bytes`);
    }
    expect(sandbox.requests[0]?.bytes).toBe(bytes);
  });

  it('exports the same limits for callers that pack batches', () => {
    expect(MAX_BODY_BYTES).toBe(KB128);
    expect(MAX_BULK_BODY_BYTES).toBe(KB100);
  });

  it('counts UTF-8 bytes, not characters', async () => {
    const euro = '€'.repeat(Math.ceil(MAX_BODY_BYTES / 3)); // 3 bytes each, under the limit in characters
    expectFailure(await send(post('/v1/event/demo-workspace', event([{ action: 'x', attributes: { euro } }]))), 413, 'PayloadTooLargeError');
  });

  it('is checked before JSON: oversized invalid JSON is a 413', async () => {
    expectFailure(await send(post('/v1/event/demo-workspace', '{'.repeat(MAX_BODY_BYTES + 1))), 413, 'PayloadTooLargeError');
  });
});

describe('JSON', () => {
  const cases: Array<[string, string, string, string]> = [
    ['truncated', '{"type":"event"', 'InvalidJSONError', 'not valid JSON'],
    ['empty', '', 'InvalidJSONError', 'empty'],
    ['plain text', 'hello', 'InvalidJSONError', 'not valid JSON'],
    ['an array', '[1,2]', 'InvalidAttributeError', 'must be a JSON object, got array'],
    ['null', 'null', 'InvalidAttributeError', 'must be a JSON object, got null'],
    ['a string', '"event"', 'InvalidAttributeError', 'must be a JSON object, got "event"'],
  ];
  it.each(cases)('%s body → 400 %s', async (_name, text, type, message) => {
    expectFailure(await send(post('/v1/event/demo-workspace', text)), 400, type, message);
  });
});

describe('required attributes → 400 MissingAttributeError', () => {
  const { customer_id: _c, ...eventWithoutId } = event();
  const { type: _t, ...eventWithoutType } = event();
  const { actions: _a, ...eventWithoutActions } = event();
  const { customer_id: _cc, ...customerWithoutId } = customer();
  const { type: _ct, ...customerWithoutType } = customer();
  const cases: Array<[string, string, unknown, string]> = [
    ['event without customer_id', '/v1/event/demo-workspace', eventWithoutId, 'customer_id'],
    ['event with empty customer_id', '/v1/event/demo-workspace', event(undefined, { customer_id: '  ' }), 'customer_id'],
    ['event without type', '/v1/event/demo-workspace', eventWithoutType, 'type'],
    ['event without actions', '/v1/event/demo-workspace', eventWithoutActions, 'actions'],
    ['action without a name', '/v1/event/demo-workspace', event([{ attributes: {} }]), 'actions[0].action'],
    ['second action with an empty name', '/v1/event/demo-workspace', event([{ action: 'ok' }, { action: '' }]), 'actions[1].action'],
    ['customer without customer_id', '/v1/customer/demo-workspace', customerWithoutId, 'customer_id'],
    ['customer without type', '/v1/customer/demo-workspace', customerWithoutType, 'type'],
    ['transition without elements', '/v1/transition/demo-workspace', { type: 'transition' }, 'elements'],
    ['transition element without type', '/v1/transition/demo-workspace', transition([customer(), { customer_id: 'x' }]), 'elements[1].type'],
    ['transition customer without customer_id', '/v1/transition/demo-workspace', transition([event(), customerWithoutId]), 'elements[1].customer_id'],
    ['transition event action without a name', '/v1/transition/demo-workspace', transition([event([{ action: 'a' }, { platform: 'web' }])]), 'elements[0].actions[1].action'],
    ['merge without merge_data', `/v1/customer/merge?app_id=${WS}`, {}, 'merge_data'],
    ['merge pair without retained_user', `/v1/customer/merge?app_id=${WS}`, merge([{ merged_user: 'a' }]), 'merge_data[0].retained_user'],
  ];
  it.each(cases)('%s', async (_name, path, body, field) => {
    expectFailure(await send(post(path, body)), 400, 'MissingAttributeError', `Missing required attribute '${field}'.`);
  });
});

describe('bad values → 400 InvalidAttributeError', () => {
  const cases: Array<[string, string, unknown, string]> = [
    ['type in the wrong case', '/v1/event/demo-workspace', event(undefined, { type: 'Event' }), `'type': must be "event" (case-sensitive), got "Event"`],
    ['customer payload sent to /v1/event', '/v1/event/demo-workspace', customer(), `'type': must be "event"`],
    ['numeric customer_id', '/v1/event/demo-workspace', event(undefined, { customer_id: 42 }), `'customer_id': must be a string, got number`],
    ['placeholder customer_id', '/v1/customer/demo-workspace', customer(undefined, { customer_id: 'null' }), 'placeholder'],
    ['actions as an object', '/v1/event/demo-workspace', event(undefined, { actions: { action: 'x' } }), `'actions': must be a list`],
    ['no actions', '/v1/event/demo-workspace', event([]), 'at least one action'],
    ['action that is a string', '/v1/event/demo-workspace', event(['Order Completed' as never]), `'actions[0]': must be a JSON object, got "Order Completed"`],
    ['action name as a number', '/v1/event/demo-workspace', event([{ action: 7 }]), `'actions[0].action': must be a string, got number`],
    ['event attributes as a list', '/v1/event/demo-workspace', event([{ action: 'x', attributes: [1] }]), `'actions[0].attributes': must be a JSON object, got array`],
    ['customer attributes as a string', '/v1/customer/demo-workspace', customer('x' as never), `'attributes': must be a JSON object`],
    ['user_identifiers as a string', '/v1/event/demo-workspace', event(undefined, { user_identifiers: 'a@b.c' }), `'user_identifiers'`],
    ['timezone offset beyond ±15 h', '/v1/event/demo-workspace', event([{ action: 'x', user_timezone_offset: 60000 }]), `'actions[0].user_timezone_offset'`],
    ['current_time that is no date', '/v1/event/demo-workspace', event([{ action: 'x', current_time: 'yesterday' }]), `'actions[0].current_time': must be epoch seconds or an ISO 8601 string`],
    ['transition element of unknown type', '/v1/transition/demo-workspace', transition([{ type: 'user', customer_id: 'x' }]), `'elements[0].type'`],
    ['transition with no elements', '/v1/transition/demo-workspace', transition([]), 'at least one element'],
    ['merge of a user into itself', `/v1/customer/merge?app_id=${WS}`, merge([{ merged_user: 'a', retained_user: 'a' }]), 'must differ'],
    ['merge_data as an object', `/v1/customer/merge?app_id=${WS}`, { merge_data: { merged_user: 'a', retained_user: 'b' } }, `'merge_data': must be a list`],
  ];
  it.each(cases)('%s', async (_name, path, body, message) => {
    expectFailure(await send(post(path, body)), 400, 'InvalidAttributeError', message);
  });
});

describe('reserved moe_ prefix → 400 InvalidAttributeError', () => {
  const cases: Array<[string, string, unknown, string]> = [
    ['event name', '/v1/event/demo-workspace', event([{ action: 'moe_click' }]), 'actions[0].action'],
    ['event attribute', '/v1/event/demo-workspace', event([{ action: 'x', attributes: { moe_source: 'a' } }]), 'actions[0].attributes.moe_source'],
    ['user attribute, any case', '/v1/customer/demo-workspace', customer({ MOE_tier: 'gold' }), 'attributes.MOE_tier'],
    ['event attribute inside a transition', '/v1/transition/demo-workspace', transition([customer(), event([{ action: 'x', attributes: { moe_x: 1 } }])]), 'elements[1].actions[0].attributes.moe_x'],
  ];
  it.each(cases)('%s', async (_name, path, body, field) => {
    expectFailure(await send(post(path, body)), 400, 'InvalidAttributeError', `'${field}'`);
    expect((await send(post(path, body))).body.error.message).toContain('reserved prefix "moe_"');
  });

  it('names that merely contain moe_ are fine', async () => {
    expect((await send(post('/v1/event/demo-workspace', event([{ action: 'shoe_moe_click', attributes: { is_moe_: 1 } }])))).status).toBe(200);
  });
});

describe('future-dated events (sandbox clock, 300 s tolerance)', () => {
  const iso = (ms: number) => new Date(ms).toISOString();
  const cases: Array<[string, Record<string, unknown>, number]> = [
    ['current_time 299 s ahead (clock skew)', { current_time: T0_SECONDS + 299 }, 200],
    ['current_time 301 s ahead', { current_time: T0_SECONDS + 301 }, 400],
    ['current_time an hour ago', { current_time: T0_SECONDS - 3600 }, 200],
    ['current_time as an ISO string an hour ahead', { current_time: iso(T0 + 3_600_000) }, 400],
    ['current_time as an ISO string now', { current_time: iso(T0) }, 200],
    ['current_time as a numeric string ahead', { current_time: String(T0_SECONDS + 3600) }, 400],
    ['current_time in milliseconds', { current_time: T0 }, 400],
    ['user_time 5 h ahead with a +5:30 offset', { user_time: T0_SECONDS + 5 * 3600, user_timezone_offset: 19800 }, 200],
    ['user_time 6 h ahead with a +5:30 offset', { user_time: T0_SECONDS + 6 * 3600, user_timezone_offset: 19800 }, 400],
    ['user_time 10 min ahead with a negative offset', { user_time: T0_SECONDS + 600, user_timezone_offset: -18000 }, 400],
    ['user_time 14 h ahead without an offset', { user_time: T0_SECONDS + 14 * 3600 }, 200],
    ['user_time in milliseconds', { user_time: T0 }, 400],
  ];
  it.each(cases)('%s → %i', async (_name, times, status) => {
    const r = await send(post('/v1/event/demo-workspace', event([{ action: 'Order Completed', ...times }])));
    if (status === 200) {
      expect(r.status).toBe(200);
    } else {
      expectFailure(r, 400, 'InvalidAttributeError', 'in the future');
    }
  });

  it('follows the injected clock', async () => {
    const body = event([{ action: 'x', current_time: T0_SECONDS + 3600 }]);
    expect((await send(post('/v1/event/demo-workspace', body))).status).toBe(400);
    clock = T0 + 3_600_000;
    expect((await send(post('/v1/event/demo-workspace', body))).status).toBe(200);
  });

  it('applies to events inside a transition', async () => {
    const r = await send(post('/v1/transition/demo-workspace', transition([event([{ action: 'x', current_time: T0_SECONDS + 3600 }])])));
    expectFailure(r, 400, 'InvalidAttributeError', `'elements[0].actions[0].current_time'`);
  });
});

describe('rate limit (fixed minute windows on the sandbox clock)', () => {
  beforeEach(() => {
    sandbox = makeSandbox({ eventsPerMinute: 5, customerUpdatesPerMinute: 2, mergesPerMinute: 1 });
  });

  it('counts actions, answers 429 with headers when a request would exceed, and resets with the next minute', async () => {
    let r = await send(post('/v1/event/demo-workspace', event(nActions(3))));
    expect(r.status).toBe(200);
    expect(rate(r.res)).toEqual({ limit: '5', remaining: '2', reset: '50', retryAfter: null });

    clock += 5_000;
    r = await send(post('/v1/event/demo-workspace', event(nActions(3))));
    expectFailure(r, 429, 'RateLimitExceededError', '5 events per minute');
    expect(rate(r.res)).toEqual({ limit: '5', remaining: '2', reset: '45', retryAfter: '45' });

    // The refused request consumed nothing: two more still fit.
    r = await send(post('/v1/event/demo-workspace', event(nActions(2))));
    expect(rate(r.res)).toEqual({ limit: '5', remaining: '0', reset: '45', retryAfter: null });

    r = await send(post('/v1/event/demo-workspace', event(nActions(1))));
    expect(r.status).toBe(429);
    expect(rate(r.res).retryAfter).toBe('45');

    clock = T0 + 49_999; // 59.999 s into the minute
    r = await send(post('/v1/event/demo-workspace', event(nActions(1))));
    expect(r.status).toBe(429);
    expect(rate(r.res).reset).toBe('1');

    clock = T0 + 50_000; // next minute starts
    r = await send(post('/v1/event/demo-workspace', event(nActions(1))));
    expect(r.status).toBe(200);
    expect(rate(r.res)).toEqual({ limit: '5', remaining: '4', reset: '60', retryAfter: null });
  });

  it('keeps a separate budget per workspace', async () => {
    await send(post('/v1/event/demo-workspace', event(nActions(5))));
    expect((await send(post('/v1/event/demo-workspace', event(nActions(1))))).status).toBe(429);
    const other = await send(post(`/v1/event/${OTHER_WS}`, event(nActions(1)), { authorization: basicAuthHeader(OTHER_WS, OTHER_KEY) }));
    expect(other.status).toBe(200);
    expect(rate(other.res).remaining).toBe('4');
  });

  it('counts customer updates separately from events', async () => {
    await send(post('/v1/event/demo-workspace', event(nActions(5))));
    let r = await send(post('/v1/customer/demo-workspace', customer()));
    expect(rate(r.res)).toEqual({ limit: '2', remaining: '1', reset: '50', retryAfter: null });
    r = await send(post('/v1/customer/demo-workspace', customer()));
    expect(rate(r.res).remaining).toBe('0');
    r = await send(post('/v1/customer/demo-workspace', customer()));
    expectFailure(r, 429, 'RateLimitExceededError', '2 customers per minute');
  });

  it('charges transition events and customers to their own buckets, all or nothing', async () => {
    let r = await send(post('/v1/transition/demo-workspace', transition([customer(), event(nActions(2))])));
    expect(r.status).toBe(200);
    // Reports the tighter bucket: customers has 1 of 2 left, events 3 of 5.
    expect(rate(r.res)).toEqual({ limit: '2', remaining: '1', reset: '50', retryAfter: null });

    r = await send(post('/v1/transition/demo-workspace', transition([customer(), customer()])));
    expectFailure(r, 429, 'RateLimitExceededError', 'customers per minute');
    expect(rate(r.res)).toMatchObject({ limit: '2', remaining: '1' });

    r = await send(post('/v1/transition/demo-workspace', transition([customer(), event(nActions(4))])));
    expectFailure(r, 429, 'RateLimitExceededError', 'events per minute');
    expect(rate(r.res)).toMatchObject({ limit: '5', remaining: '3' });

    // Neither refused batch consumed its customer: one still fits.
    expect((await send(post('/v1/customer/demo-workspace', customer()))).status).toBe(200);
    expect(sandbox.stats().customersAccepted).toBe(2);
    expect(sandbox.stats().eventsAccepted).toBe(2);
  });

  it('limits merged user pairs per minute', async () => {
    const r = await send(post(`/v1/customer/merge?app_id=${WS}`, merge([{ merged_user: 'a', retained_user: 'b' }, { merged_user: 'c', retained_user: 'd' }])));
    expectFailure(r, 429, 'RateLimitExceededError', '1 merges per minute');
  });

  it('rejected requests consume no budget', async () => {
    await send(post('/v1/event/demo-workspace', event([{ action: 'x' }, {}])));
    await send(post('/v1/event/demo-workspace', event(nActions(5)), {}));
    const r = await send(post('/v1/event/demo-workspace', event(nActions(5))));
    expect(r.status).toBe(200);
    expect(rate(r.res).remaining).toBe('0');
  });

  it('uses 30,000 events and 10,000 customer updates by default', async () => {
    const sb = makeSandbox();
    expect(rate((await send(post('/v1/event/demo-workspace', event()), sb)).res).limit).toBe('30000');
    expect(rate((await send(post('/v1/customer/demo-workspace', customer()), sb)).res).limit).toBe('10000');
  });
});

describe('faults', () => {
  const fault = async (spec: unknown) => send(control('POST', '/_sandbox/faults', spec));

  it('by count: answers the status for the next N requests, then recovers', async () => {
    const added = await fault({ status: 503, count: 2 });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ id: 1, status: 503, count: 2, remaining: 2 });

    for (let i = 0; i < 2; i++) {
      expectFailure(await send(post('/v1/event/demo-workspace', event())), 503, 'ServiceUnavailableError', 'Injected fault #1');
    }
    expect((await send(post('/v1/event/demo-workspace', event()))).status).toBe(200);
    expect((await send(control('GET', '/_sandbox/faults'))).body).toEqual([]);
  });

  it('by seconds of the sandbox clock', async () => {
    await fault({ status: 500, seconds: 120 });
    expectFailure(await send(post('/v1/event/demo-workspace', event())), 500, 'InternalServerError');
    clock = T0 + 119_999;
    expect((await send(post('/v1/event/demo-workspace', event()))).status).toBe(500);
    clock = T0 + 120_000;
    expect((await send(post('/v1/event/demo-workspace', event()))).status).toBe(200);
  });

  it('latency delays the answer and then processes normally', async () => {
    await fault({ latencyMs: 200, count: 1 });
    expect((await send(post('/v1/event/demo-workspace', event()))).status).toBe(200);
    expect((await send(post('/v1/event/demo-workspace', event()))).status).toBe(200);
    expect(slept).toEqual([200]);
  });

  it('latency really waits with the default sleep', async () => {
    const sb = createMoEngageSandbox({ credentials: { [WS]: KEY } });
    sb.faults.add({ latencyMs: 60 });
    const started = Date.now();
    expect((await send(post('/v1/event/demo-workspace', event()), sb)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
  });

  it('latency and status combine, and latencies add up', async () => {
    await fault({ latencyMs: 100, status: 504, count: 1 });
    await fault({ latencyMs: 50, count: 1 });
    expectFailure(await send(post('/v1/event/demo-workspace', event())), 504, 'GatewayTimeoutError');
    expect(slept).toEqual([150]);
  });

  it('scoped to a path prefix', async () => {
    await fault({ status: 503, path: '/v1/customer/demo-workspace' });
    expect((await send(post('/v1/event/demo-workspace', event()))).status).toBe(200);
    expect((await send(post('/v1/customer/demo-workspace', customer()))).status).toBe(503);
    expect((await send(post('/v1/transition/demo-workspace', transition([customer()])))).status).toBe(200);
  });

  it('with a custom body and headers', async () => {
    await fault({ status: 502, count: 1, body: { oops: true }, headers: { 'x-upstream': 'lb' } });
    const r = await send(post('/v1/event/demo-workspace', event()));
    expect(r.status).toBe(502);
    expect(r.body).toEqual({ oops: true });
    expect(r.res.headers.get('x-upstream')).toBe('lb');
    expect(sandbox.requests[0]?.response).toEqual({ status: 502, body: { oops: true } });
  });

  it('an injected 429 carries rate-limit headers for the current window', async () => {
    await fault({ status: 429, count: 1 });
    clock = T0 + 20_000;
    const r = await send(post('/v1/event/demo-workspace', event()));
    expectFailure(r, 429, 'RateLimitExceededError');
    expect(rate(r.res)).toEqual({ limit: '30000', remaining: '0', reset: '30', retryAfter: '30' });
  });

  it('hit before authentication and consume no budget', async () => {
    await fault({ status: 503, count: 1 });
    expect((await send(post('/v1/event/demo-workspace', event(), {}))).status).toBe(503);
    expect(sandbox.stats().eventsAccepted).toBe(0);
  });

  it('the oldest status fault answers first', async () => {
    await fault({ status: 500, count: 1 });
    await fault({ status: 503, count: 1 });
    expect((await send(post('/v1/event/demo-workspace', event()))).status).toBe(500);
    expect((await send(post('/v1/event/demo-workspace', event()))).status).toBe(503);
    expect((await send(post('/v1/event/demo-workspace', event()))).status).toBe(200);
  });

  it('DELETE /_sandbox/faults clears them', async () => {
    await fault({ status: 500 });
    await fault({ latencyMs: 10 });
    expect((await send(control('DELETE', '/_sandbox/faults'))).body).toEqual({ cleared: 2 });
    expect((await send(post('/v1/event/demo-workspace', event()))).status).toBe(200);
    expect(slept).toEqual([]);
  });

  it('never touch control endpoints', async () => {
    await fault({ status: 500, path: '/' });
    expect((await send(control('GET', '/_sandbox/stats'))).status).toBe(200);
  });

  it('accepts a list of faults in one POST', async () => {
    const r = await fault([{ status: 500, count: 1 }, { status: 503, count: 1 }]);
    expect(r.status).toBe(201);
    expect(r.body.map((f: { id: number }) => f.id)).toEqual([1, 2]);
  });

  describe('hostile answers', () => {
    it('redirectTo: a 307 to another host, which the sandbox plays and which accepts anything', async () => {
      await fault({ redirectTo: 'http://elsewhere.test/_sandbox/landing/v1/event/demo-workspace', count: 1 });
      const r = await send(post('/v1/event/demo-workspace', event()));
      expect(r.status).toBe(307);
      expect(r.res.headers.get('location')).toBe('http://elsewhere.test/_sandbox/landing/v1/event/demo-workspace');
      expect(sandbox.stats().eventsAccepted).toBe(0);
      const landed = await send(new Request('http://elsewhere.test/_sandbox/landing/v1/event/demo-workspace', { method: 'POST', body: '{}' }));
      expect(landed.status).toBe(200);
      expect(landed.body).toMatchObject({ status: 'success' });
      expect(sandbox.landings).toEqual([{ at: T0, method: 'POST', url: 'http://elsewhere.test/_sandbox/landing/v1/event/demo-workspace', authorization: false }]);
      expect((await send(control('GET', '/_sandbox/landings'))).body).toHaveLength(1);
      expect(sandbox.requests).toHaveLength(1); // the landing is not a MoEngage request
    });

    it.each([301, 302, 303, 308])('redirectTo with status %i', async (status) => {
      await fault({ redirectTo: 'https://elsewhere.test/x', status, count: 1 });
      const r = await send(post('/v1/event/demo-workspace', event()));
      expect([r.status, r.res.headers.get('location')]).toEqual([status, 'https://elsewhere.test/x']);
    });

    it.each([3_000_000, 20_000_000])('bodyBytes: a real answer of exactly %i bytes, still JSON, and the request is accepted', async (bytes) => {
      await fault({ bodyBytes: bytes, count: 1 });
      const res = await sandbox.handle(post('/v1/event/demo-workspace', event()));
      const text = await res.text();
      expect(res.status).toBe(200);
      expect(new TextEncoder().encode(text).byteLength).toBe(bytes);
      expect(JSON.parse(text)).toMatchObject({ status: 'success', message: ACCEPTED_MESSAGE });
      expect(sandbox.stats().eventsAccepted).toBe(1);
      expect(sandbox.requests[0]?.response.body).toMatchObject({ sandbox: `body padded to ${bytes} bytes` });
    });

    it('bodyBytes with an injected status, and bodies smaller than the JSON', async () => {
      await fault({ status: 400, bodyBytes: 4_096, count: 1 });
      await fault({ status: 502, bodyBytes: 5, count: 1 });
      const big = await sandbox.handle(post('/v1/event/demo-workspace', event()));
      expect([big.status, (await big.arrayBuffer()).byteLength]).toEqual([400, 4_096]);
      const tiny = await sandbox.handle(post('/v1/event/demo-workspace', event()));
      expect([tiny.status, await tiny.text()]).toEqual([502, 'xxxxx']);
    });

    it('bodyNeverEnds "stall": the first bytes, then nothing until the reader gives up', async () => {
      await fault({ bodyNeverEnds: 'stall', count: 1 });
      const res = await sandbox.handle(post('/v1/event/demo-workspace', event()));
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const first = await reader.read();
      expect(new TextDecoder().decode(first.value)).toMatch(/^\{"status":"success"/);
      const next = await Promise.race([reader.read(), new Promise((r) => setTimeout(() => r('still waiting'), 50))]);
      expect(next).toBe('still waiting');
      await reader.cancel();
    });

    it('bodyNeverEnds "flood": bytes forever', async () => {
      await fault({ status: 503, bodyNeverEnds: 'flood', count: 1 });
      const res = await sandbox.handle(post('/v1/event/demo-workspace', event()));
      expect(res.status).toBe(503);
      const reader = res.body!.getReader();
      let total = 0;
      while (total < 1_000_000) total += (await reader.read()).value?.byteLength ?? 0;
      await reader.cancel();
      expect(total).toBeGreaterThanOrEqual(1_000_000);
    });

    it('headers without a status shape the real answer: a 200 saying x-ratelimit-remaining 0 with an epoch reset', async () => {
      await fault({ headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1924992000' }, count: 1 });
      const r = await send(post('/v1/event/demo-workspace', event()));
      expect(r.status).toBe(200);
      expect(rate(r.res)).toEqual({ limit: '30000', remaining: '0', reset: '1924992000', retryAfter: null });
      expect(sandbox.stats().eventsAccepted).toBe(1);
      expect(rate((await send(post('/v1/event/demo-workspace', event()))).res).remaining).toBe('29998');
    });

    it('a header value "" removes the sandbox’s own header (a 429 with only an epoch reset)', async () => {
      await fault({ status: 429, headers: { 'retry-after': '', 'x-ratelimit-reset': '1924992000' }, count: 1 });
      const r = await send(post('/v1/event/demo-workspace', event()));
      expect(rate(r.res)).toEqual({ limit: '30000', remaining: '0', reset: '1924992000', retryAfter: null });
    });
  });

  const badSpecs: Array<[unknown, string]> = [
    [{ statuss: 503 }, 'unknown fault field(s): statuss'],
    [{ count: 2 }, 'needs "status" and/or "latencyMs"'],
    [{ redirectTo: '/relative' }, '"redirectTo" must be an absolute http(s) URL'],
    [{ redirectTo: 'https://elsewhere.test/', status: 200 }, '"redirectTo" needs a 3xx "status"'],
    [{ bodyBytes: -1 }, '"bodyBytes" must be an integer'],
    [{ bodyBytes: 200 * 1024 * 1024 }, '"bodyBytes" must be an integer'],
    [{ bodyNeverEnds: 'sometimes' }, '"bodyNeverEnds" must be "stall" or "flood"'],
    [{ bodyBytes: 10, bodyNeverEnds: 'stall' }, 'not both'],
    [{ status: 99 }, '"status" must be'],
    [{ status: 503, count: 0 }, '"count" must be'],
    [{ status: 503, seconds: -1 }, '"seconds" must be'],
    [{ status: 503, path: 'v1/event' }, '"path" must be'],
    [{ latencyMs: 'slow' }, '"latencyMs" must be'],
    [[1], 'fault must be a JSON object'],
  ];
  it.each(badSpecs)('rejects %j', async (spec, message) => {
    const r = await fault(spec);
    expect(r.status).toBe(400);
    expect(r.body.error).toContain(message);
    expect(() => sandbox.faults.add(spec as never)).toThrow(TypeError);
  });
});

describe('recording', () => {
  it('records every request with redacted Authorization and the answer it got', async () => {
    const ok = await send(post('/v1/event/demo-workspace?src=test', event(), { authorization: AUTH, 'x-forwarded-for': '203.0.113.7' }));
    clock = T0 + 1_000;
    await send(post('/v1/event/demo-workspace', 'not json'));

    const [first, second] = sandbox.requests;
    expect(first).toEqual<RecordedRequest>({
      id: 1,
      at: T0,
      method: 'POST',
      path: '/v1/event/demo-workspace',
      query: '?src=test',
      workspace: WS,
      headers: { authorization: 'Basic ***', 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' },
      body: event(),
      bytes: JSON.stringify(event()).length,
      response: { status: 200, body: ok.body },
    });
    expect(second).toMatchObject({ id: 2, at: T0 + 1_000, body: 'not json', response: { status: 400 } });
    expect(JSON.stringify(sandbox.requests)).not.toContain(KEY);
    expect(JSON.stringify(sandbox.requests)).not.toContain(AUTH.slice(6));
  });

  it('records rejected, faulted and unknown-path requests too', async () => {
    await send(post('/v1/event/demo-workspace', event(), { authorization: 'Bearer secret-token' }));
    sandbox.faults.add({ status: 503, count: 1 });
    await send(post('/v1/event/demo-workspace', event()));
    await send(post('/v2/nothing', {}));
    expect(sandbox.requests.map((r) => [r.path, r.response.status, r.headers.authorization])).toEqual([
      ['/v1/event/demo-workspace', 401, '***'],
      ['/v1/event/demo-workspace', 503, 'Basic ***'],
      ['/v2/nothing', 404, 'Basic ***'],
    ]);
  });

  it('names the workspace from app_id for merges', async () => {
    await send(post(`/v1/customer/merge?app_id=${WS}`, merge([{ merged_user: 'a', retained_user: 'b' }])));
    expect(sandbox.requests[0]?.workspace).toBe(WS);
  });

  it('keeps only the newest maxRecorded requests', async () => {
    const sb = makeSandbox({ maxRecorded: 2 });
    for (let i = 0; i < 3; i++) await send(post('/v1/event/demo-workspace', event()), sb);
    expect(sb.requests.map((r) => r.id)).toEqual([2, 3]);
    expect(sb.stats().total).toBe(3);
  });

  it('does not record control requests', async () => {
    await send(control('GET', '/_sandbox/requests'));
    await send(control('GET', '/_sandbox/'));
    expect(sandbox.requests).toEqual([]);
  });
});

describe('routing', () => {
  it('unknown paths → 404 NotFoundError', async () => {
    expectFailure(await send(post('/v1/events/demo-workspace', event())), 404, 'NotFoundError', '/v1/events/demo-workspace');
    expectFailure(await send(post('/v1/event', event())), 404, 'NotFoundError');
  });

  it('non-POST on an API path → 405 with Allow: POST', async () => {
    const r = await send(new Request(`${BASE}/v1/event/demo-workspace`, { headers: { authorization: AUTH } }));
    expectFailure(r, 405, 'MethodNotAllowedError');
    expect(r.res.headers.get('allow')).toBe('POST');
  });

  it('/v1/customer/merge is the merge API, not a workspace called "merge"', async () => {
    const r = await send(post('/v1/customer/merge', customer()));
    expectFailure(r, 400, 'MissingAttributeError', `'merge_data'`);
  });
});

describe('control endpoints', () => {
  async function traffic() {
    await send(post('/v1/event/demo-workspace', event(nActions(2)))); // 1: 200
    await send(post('/v1/customer/demo-workspace', customer())); // 2: 200
    await send(post('/v1/event/demo-workspace', event(), {})); // 3: 401
    await send(post('/v1/customer/demo-workspace', '{')); // 4: 400
  }

  it('GET /_sandbox/requests lists, filters by path prefix and by since', async () => {
    await traffic();
    expect((await send(control('GET', '/_sandbox/requests'))).body.map((r: RecordedRequest) => r.id)).toEqual([1, 2, 3, 4]);
    expect((await send(control('GET', '/_sandbox/requests?path=/v1/customer'))).body.map((r: RecordedRequest) => r.id)).toEqual([2, 4]);
    expect((await send(control('GET', '/_sandbox/requests?since=2'))).body.map((r: RecordedRequest) => r.id)).toEqual([3, 4]);
    expect((await send(control('GET', '/_sandbox/requests?path=/v1/event&since=1'))).body.map((r: RecordedRequest) => r.id)).toEqual([3]);
    expect((await send(control('GET', '/_sandbox/requests?since=abc'))).status).toBe(400);
  });

  it('GET /_sandbox/stats counts per path and status, and accepted units', async () => {
    await traffic();
    expect((await send(control('GET', '/_sandbox/stats'))).body).toEqual({
      total: 4,
      byStatus: { '200': 2, '400': 1, '401': 1 },
      byPath: { '/v1/event/demo-workspace': { '200': 1, '401': 1 }, '/v1/customer/demo-workspace': { '200': 1, '400': 1 } },
      eventsAccepted: 2,
      customersAccepted: 1,
      mergesAccepted: 0,
      deletionsAccepted: 0,
    });
  });

  it('DELETE /_sandbox/requests clears recordings and stats; ids keep increasing', async () => {
    await traffic();
    expect((await send(control('DELETE', '/_sandbox/requests'))).body).toEqual({ cleared: 4 });
    expect(sandbox.requests).toEqual([]);
    expect(sandbox.stats().total).toBe(0);
    await send(post('/v1/event/demo-workspace', event()));
    expect(sandbox.requests.map((r) => r.id)).toEqual([5]);
  });

  it('GET /_sandbox/ renders recent requests newest first, HTML-escaped', async () => {
    await send(post('/v1/event/demo-workspace', event([{ action: '<script>alert(1)</script>' }])));
    await send(post('/v1/customer/demo-workspace', customer()));
    const r = await send(control('GET', '/_sandbox/'));
    expect(r.status).toBe(200);
    expect(r.res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.text.indexOf('#2 POST /v1/customer')).toBeGreaterThan(-1);
    expect(r.text.indexOf('#2 POST /v1/customer')).toBeLessThan(r.text.indexOf('#1 POST /v1/event'));
    expect(r.text).not.toContain('<script>alert');
    expect(r.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(r.text).not.toContain(KEY);
    expect((await send(control('GET', '/_sandbox'))).status).toBe(200);
  });

  it('POST /_sandbox/reset forgets requests, faults and rate windows', async () => {
    const sb = makeSandbox({ eventsPerMinute: 1 });
    await send(post('/v1/event/demo-workspace', event()), sb);
    sb.faults.add({ status: 500, path: '/v1/customer' });
    expect((await send(control('POST', '/_sandbox/reset'), sb)).body).toEqual({ reset: true });
    expect(sb.requests).toEqual([]);
    expect(sb.faults.list()).toEqual([]);
    expect((await send(post('/v1/event/demo-workspace', event()), sb)).status).toBe(200);
  });

  it('unknown control endpoints → 404', async () => {
    const r = await send(control('GET', '/_sandbox/nope'));
    expect(r.status).toBe(404);
    expect(r.body.error).toContain('GET /_sandbox/nope');
  });
});
