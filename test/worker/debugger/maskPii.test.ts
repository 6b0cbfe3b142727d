/** What the debugger shows of personal data, as a table (worker/debugger/maskPii.ts, pure). */
import { describe, expect, it } from 'vitest';
import { maskEmail, maskPhone, maskPii, maskPiiInText, piiKindOf } from '../../../worker/debugger/maskPii';

describe('maskPii', () => {
  it.each([
    ['email', 'u_em', 'email'],
    ['Work_Email', 'u_em', 'email'],
    ['phone', 'u_mb', 'phone'],
    ['mobile_number', 'u_mb', 'phone'],
    ['tel', 'u_mb', 'phone'],
    ['first_name', null, null],
    ['order_id', null, null],
  ])('%s is a %s-like key (or none)', (key, _moengage, kind) => {
    expect(piiKindOf(key)).toBe(kind);
  });

  it.each([
    ['jane@example.com', 'j***@example.com'],
    ['j@x.io', 'j***@x.io'],
    ['not-an-email', 'n***'],
  ])('email %s → %s', (input, shown) => expect(maskEmail(input)).toBe(shown));

  it.each([
    ['+447700900123', '+44*******123'],
    ['07700 900123', '07******123'],
    ['12345', '1***'],
  ])('phone %s → %s', (input, shown) => expect(maskPhone(input)).toBe(shown));

  it.each([
    ['user jane@example.com refused', 'user j***@example.com refused'],
    ['u_mb +447700900123 is not valid', 'u_mb +44*******123 is not valid'],
    ['call +1 (415) 555-0100 now', 'call +14******100 now'],
    ['order ORD-1001 total 89.99', 'order ORD-1001 total 89.99'],
    ['build +1234 is short', 'build +1234 is short'],
  ])('free text %j → %j', (input, shown) => expect(maskPiiInText(input)).toBe(shown));

  it('masks by key anywhere in a payload, free text everywhere else, and leaves the input alone', () => {
    const raw = {
      userId: '+447700900123',
      context: { traits: { email: 'jane@example.com', phone: '07700 900123', first_name: 'Jane' } },
      properties: { note: 'mail me at jane@example.com', revenue: 89.99 },
      omissions: [{ reason: 'invalid_phone', detail: 'not a phone number: "12-34"' }],
    };
    const copy = structuredClone(raw);
    expect(maskPii(raw)).toEqual({
      userId: '+44*******123',
      context: { traits: { email: 'j***@example.com', phone: '07******123', first_name: 'Jane' } },
      properties: { note: 'mail me at j***@example.com', revenue: 89.99 },
      omissions: [{ reason: 'invalid_phone', detail: 'not a phone number: "1***"' }],
    });
    expect(raw).toEqual(copy);
  });
});

/**
 * The formats the masker must catch wherever they appear (any key name, free text), and the ones it
 * must leave readable. When in doubt it masks: a national number without a country is still a phone.
 */
describe('maskPii: a table of formats', () => {
  const masked: [string, string, string][] = [
    // Emails
    ['plain email', 'jane@example.com', 'j***@example.com'],
    ['IDN domain', 'jane@bücher.de', 'j***@bücher.de'],
    ['Unicode local part', 'jöran@example.com', 'j***@example.com'],
    ['CJK address', '用户@例子.广告', '用***@例子.广告'],
    ['punycode domain', 'jane@xn--bcher-kva.de', 'j***@xn--bcher-kva.de'],
    ['quoted local part with a space', '"john doe"@example.com', '"***@example.com'],
    ['quoted local part with an @', '"a@b"@example.com', '"***@example.com'],
    ['@localhost', 'root@localhost', 'r***@localhost'],
    ['plus addressing', 'jane+shop@example.co.uk', 'j***@example.co.uk'],
    ['mailto: link', 'mailto:jane@example.com', 'mailto:j***@example.com'],
    ['credentials in a URL', 'https://user:secret@host.example/x', 'https://user:s***@host.example/x'],
    ['display name and angle brackets', 'Jane <jane@example.com>', 'Jane <j***@example.com>'],
    ['upper case', 'JANE.DOE@EXAMPLE.COM', 'J***@EXAMPLE.COM'],
    ['bracketed IP domain', 'admin@[192.168.0.1]', 'a***@[19***801]'],
    // Phones, national formats
    ['UK mobile, national', '07700 900123', '07******123'],
    ['UK mobile, no spaces', '07700900123', '07******123'],
    ['UK landline', '020 7946 0958', '02******958'],
    ['US with brackets', '(415) 555-0132', '41*****132'],
    ['US with dots', '415.555.0132', '41*****132'],
    ['US with dashes', '415-555-0132', '41*****132'],
    ['US bare digits', '4155550132', '41*****132'],
    ['DE landline', '030 12345678', '03******678'],
    ['DE mobile with a slash', '0171/1234567', '01******567'],
    ['FR in pairs', '06 12 34 56 78', '06*****678'],
    ['IN mobile', '98765 43210', '98*****210'],
    ['JP mobile', '090-1234-5678', '09******678'],
    ['BR mobile', '(11) 91234-5678', '11******678'],
    ['international with 00', '0044 7700 900123', '00*********123'],
    // Phones, international formats
    ['E.164', '+447700900123', '+44*******123'],
    ['international with spaces', '+44 7700 900123', '+44*******123'],
    ['international with dashes', '+1-415-555-0132', '+14******132'],
    ['international with a trunk (0)', '+49 (0)30 1234567', '+49*******567'],
    ['tel: link', 'tel:+33612345678', 'tel:+33******678'],
    // In sentences and query strings
    ['phone at the end of a sentence', 'call me on 07700 900123.', 'call me on 07******123.'],
    ['phone in a query string', 'phone=07700900123&x=1', 'phone=07******123&x=1'],
    ['an IP address (in doubt: masked)', '203.0.113.7', '20***137'],
  ];
  it.each(masked)('%s: %j → %j', (_what, input, shown) => {
    expect(maskPiiInText(input)).toBe(shown);
    expect(maskPii({ anything: input })).toEqual({ anything: shown });
  });

  const readable: [string, string][] = [
    ['ISO timestamp', '2026-11-28T10:00:00.000Z'],
    ['date', '28/11/2026'],
    ['UUID', '550e8400-e29b-41d4-a716-446655440000'],
    ['order id', 'ORD-1001'],
    ['SKU glued to its prefix', 'SKU-123456789'],
    ['price', '89.99'],
    ['price in the millions', '1234567.89'],
    ['id in a URL path', 'https://shop.example/products/12345678'],
    ['version', '1.13.16'],
    ['short number', '12345'],
    ['@mention', '@mention'],
    ['at sign between words', 'user @ home'],
  ];
  it.each(readable)('%s stays readable: %j', (_what, input) => {
    expect(maskPiiInText(input)).toBe(input);
  });

  it.each([
    ['contact', '07700 900123', '07******123'],
    ['whatsapp', 447700900123, '44*******123'],
    ['Handynummer', '0171 1234567', '01******567'],
    ['telefono', '612345678', '61****678'],
    ['tel_no', '612345678', '61****678'],
    ['cell_number', '612345678', '61****678'],
    ['correo', 'ana@example.es', 'a***@example.es'],
    ['e-mail', 'x', '*'],
    ['mail', 'someone', 's***'],
    ['hotel', 'Ritz', 'Ritz'],
    ['cellar', 'B2', 'B2'],
    ['order_total', 1234567, 1234567],
  ])('under the key %j: %j → %j', (key, value, shown) => {
    expect(maskPii({ [key]: value })).toEqual({ [key]: shown });
  });

  it('leaves what we or MoEngage generate readable: rate-limit headers, request ids, cursors', () => {
    const shown = { rateLimit: { 'x-ratelimit-reset': '1924992000' }, requestId: '4155550132', cursor: 'abc' };
    expect(maskPii(shown)).toEqual(shown);
  });
});

