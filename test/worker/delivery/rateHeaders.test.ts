/** Rate-limit headers as servers write them → the instant they name (or nothing). */
import { describe, expect, it } from 'vitest';
import { readCount, readNumericTime, readRateHeaders, readRetryAfter } from '../../../worker/moengage/rateHeaders';

const NOW = Date.UTC(2031, 0, 6, 0, 0, 0);
const NOW_S = NOW / 1000;

describe('x-ratelimit-reset: seconds until the reset, or an epoch', () => {
  it.each([
    { value: '42', at: NOW + 42_000, form: 'seconds' },
    { value: '0', at: NOW, form: 'seconds' },
    { value: '0.25', at: NOW + 250, form: 'seconds' },
    { value: ' 30 ', at: NOW + 30_000, form: 'seconds' },
    { value: '31536000', at: NOW + 31_536_000_000, form: 'seconds' }, // a year, as a delay: the limiter caps it
    { value: '999999999', at: NOW + 999_999_999_000, form: 'seconds' },
    { value: '1000000000', at: 1_000_000_000_000, form: 'epoch-seconds' }, // 2001-09-09, the first epoch read as one
    { value: String(NOW_S + 30), at: NOW + 30_000, form: 'epoch-seconds' },
    { value: '1924992000', at: 1_924_992_000_000, form: 'epoch-seconds' },
    { value: `${NOW_S + 30}.5`, at: NOW + 30_500, form: 'epoch-seconds' },
    { value: '999999999999', at: 999_999_999_999_000, form: 'epoch-seconds' },
    { value: '1000000000000', at: 1_000_000_000_000, form: 'epoch-ms' },
    { value: String(NOW + 45_000), at: NOW + 45_000, form: 'epoch-ms' },
  ])('$value → $form', ({ value, at, form }) => {
    expect(readNumericTime(value, NOW)).toEqual({ at, form, value: value.trim() });
  });

  it.each(['', ' ', '-5', '+5', '1e3', '1e400', 'Infinity', 'NaN', '0x1F', '12abc', '5, 10', '5 10', '.5', '5.', 'soon', 'Tue, 01 Jan 2087 00:00:00 GMT'])(
    '%j → ignored',
    (value) => {
      expect(readNumericTime(value, NOW)).toBeUndefined();
    },
  );
});

describe('Retry-After: seconds, an HTTP date, or (by mistake) an epoch', () => {
  it.each([
    { value: '120', at: NOW + 120_000, form: 'seconds' },
    { value: 'Mon, 06 Jan 2031 00:00:25 GMT', at: NOW + 25_000, form: 'http-date' },
    { value: 'Tue, 01 Jan 2087 00:00:00 GMT', at: Date.UTC(2087, 0, 1), form: 'http-date' },
    { value: 'Wed, 21 Oct 2015 07:28:00 GMT', at: Date.UTC(2015, 9, 21, 7, 28), form: 'http-date' },
    { value: 'Monday, 06-Jan-31 00:01:00 GMT', at: NOW + 60_000, form: 'http-date' }, // RFC 850
    { value: 'Mon Jan  6 00:00:10 2031', at: NOW + 10_000, form: 'http-date' }, // asctime
    { value: String(NOW_S + 20), at: NOW + 20_000, form: 'epoch-seconds' },
  ])('$value → $form', ({ value, at, form }) => {
    expect(readRetryAfter(value, NOW)).toEqual({ at, form, value });
  });

  it.each(['tomorrow', '2031-01-06T00:00:25Z', 'Mon, 06 Jan 2031', 'Mon, 32 Jan 2031 00:00:00 GMT', '-1', '1e9', ''])('%j → ignored', (value) => {
    expect(readRetryAfter(value, NOW)).toBeUndefined();
  });
});

describe('counts', () => {
  it.each([
    { value: '0', n: 0 },
    { value: '29998', n: 29_998 },
    { value: ' 7 ', n: 7 },
  ])('$value → $n', ({ value, n }) => expect(readCount(value)).toBe(n));

  it.each(['-1', '1.5', 'lots', '', '1e3', '99999999999999999999'])('%j → ignored', (value) => expect(readCount(value)).toBeUndefined());
});

describe('readRateHeaders', () => {
  it('reads all four and keeps what was sent', () => {
    const headers = new Headers({ 'x-ratelimit-limit': '30000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1924992000', 'retry-after': '31536000' });
    expect(readRateHeaders(headers, NOW)).toEqual({
      limit: 30_000,
      remaining: 0,
      reset: { at: 1_924_992_000_000, form: 'epoch-seconds', value: '1924992000' },
      retryAfter: { at: NOW + 31_536_000_000, form: 'seconds', value: '31536000' },
      raw: { 'retry-after': '31536000', 'x-ratelimit-limit': '30000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1924992000' },
    });
  });

  it('garbage is kept as sent (shortened, control characters replaced) but read as nothing', () => {
    const headers = new Headers({ 'x-ratelimit-remaining': 'none', 'x-ratelimit-limit': '0', 'retry-after': `9${'9'.repeat(500)}`, 'x-ratelimit-reset': 'a\tb' });
    const read = readRateHeaders(headers, NOW);
    expect(read).toEqual({ raw: expect.any(Object) });
    expect(read?.raw['retry-after']).toBe(`${'9'.repeat(120)}… (501 characters)`);
    expect(read?.raw['x-ratelimit-reset']).toBe('a?b');
  });

  it('an answer without rate headers has none', () => {
    expect(readRateHeaders(new Headers({ 'content-type': 'application/json' }), NOW)).toBeUndefined();
  });
});
