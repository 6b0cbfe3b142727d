/**
 * Numbers a double cannot hold exactly are never rounded: ids keep their digits (a rounded id is
 * someone else), properties keep their digits as text with a note the debugger shows. Runs in
 * workerd, whose V8 gives JSON.parse revivers each number's source text.
 */
import { reset } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decimalKey, parseExact } from '../../worker/ingest/exactNumbers';
import { uid } from './corpus/cases';
import { debuggerEvent, flush, post } from './support/ingest';
import { installSandbox } from './support/sandbox';
import { membership, postSync, syncBody } from './support/segments';

let sandbox: ReturnType<typeof installSandbox>['sandbox'];
beforeEach(() => {
  sandbox = installSandbox().sandbox;
});
afterEach(async () => {
  vi.restoreAllMocks();
  await reset();
});

describe('parseExact', () => {
  it.each([
    ['an integer beyond 2^53', '{"a":12345678901234567890}', { a: '12345678901234567890' }, ['a']],
    ['2^53 + 1', '{"a":9007199254740993}', { a: '9007199254740993' }, ['a']],
    ['a decimal with too many digits', '{"a":0.12345678901234567890123}', { a: '0.12345678901234567890123' }, ['a']],
    ['a long number in a nested array', '{"a":{"b":[1,{"c":98765432109876543210}]}}', { a: { b: [1, { c: '98765432109876543210' }] } }, ['a.b.1.c']],
    ['a big id a double holds exactly', '{"userId":9007199254740992}', { userId: '9007199254740992' }, ['userId']],
    // 2^60 is a double exactly, but JSON.stringify writes it back as 1152921504606847000.
    ['a big property a double holds, written back with other digits (2^60)', '{"a":1152921504606846976}', { a: '1152921504606846976' }, ['a']],
    ['a big round number written back the same', '{"a":100000000000000000000}', { a: 100000000000000000000 }, []],
    ['16 digits that fit', '{"a":1234567890123456}', { a: 1234567890123456 }, []],
    ['trailing zeros and exponents are the same number', '{"a":1.50000000000000000,"b":1.2e3}', { a: 1.5, b: 1200 }, []],
    ['a long digit run in a string only', '{"a":"12345678901234567890","b":2}', { a: '12345678901234567890', b: 2 }, []],
    ['an empty key', '{"":{"":12345678901234567890}}', { '': { '': '12345678901234567890' } }, ['.']],
    ['no long number: JSON.parse as is', '{"a":1,"b":[2.5,-3]}', { a: 1, b: [2.5, -3] }, []],
  ])('%s', (_what, text, value, paths) => {
    const parsed = parseExact(text);
    expect(parsed.value).toEqual(value);
    expect(parsed.keptAsText.map((k) => k.path)).toEqual(paths);
  });

  it.each([
    ['1.50', '15e-1'],
    ['1e2', '1e2'],
    ['100', '1e2'],
    ['-0.0', '0'],
    ['0.000120', '12e-5'],
  ])('decimalKey(%s) = %s', (text, key) => expect(decimalKey(text)).toBe(key));
});

describe('ingest keeps every digit', () => {
  it('a numeric userId beyond 2^53 is its digits; properties that would round go as text, with a note', async () => {
    const messageId = uid('big');
    const text = JSON.stringify({
      batch: [{ type: 'track', messageId, userId: '@USER@', event: 'Order Completed', properties: { order_id: 'O-1', order_ref: '@REF@', ratio: '@RATIO@', exact: '@EXACT@', revenue: 10 } }],
    })
      .replace('"@USER@"', '12345678901234567890')
      .replace('"@REF@"', '98765432109876543210')
      .replace('"@RATIO@"', '0.12345678901234567890123')
      .replace('"@EXACT@"', '1152921504606846976');
    const res = await post('/v1/batch', text);
    expect(await res.json()).toMatchObject({ accepted: 1, rejected: [] });
    await flush();

    const event = await debuggerEvent(messageId, { reveal: true });
    expect(event).toMatchObject({ status: 'delivered', userId: '12345678901234567890' });
    const notes = (event?.omissions ?? []) as { reason: string; detail: string }[];
    expect(notes.filter((n) => n.reason === 'number_kept_as_text').map((n) => n.detail.split(':')[0]).sort()).toEqual(['properties.exact', 'properties.order_ref', 'properties.ratio']);

    const sent = sandbox.requests.map((r) => r.body as { customer_id?: string; actions?: { attributes: Record<string, unknown> }[] });
    const request = sent.find((b) => b.customer_id === '12345678901234567890');
    expect(request?.actions?.[0]?.attributes).toMatchObject({ order_ref: '98765432109876543210', ratio: '0.12345678901234567890123', exact: '1152921504606846976', value: 10 });
  });
});

describe('segment sync keeps every digit of a numeric user id', () => {
  it('two ids that round to the same double stay two different users', async () => {
    const text = JSON.stringify(syncBody({ sync: 'sync-big', add: ['@A@', '@B@'] }))
      .replace('"@A@"', '12345678901234567891')
      .replace('"@B@"', '12345678901234567892');
    const res = await postSync(text);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ added: 2, skipped: 0 });
    expect(await membership('12345678901234567891')).toEqual(['VIP customers']);
    expect(await membership('12345678901234567892')).toEqual(['VIP customers']);
    // What a rounding parser would have made of both: nobody.
    expect(await membership(String(12345678901234567891))).toEqual([]);
  });
});
