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
