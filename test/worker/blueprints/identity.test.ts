import { describe, expect, it } from 'vitest';
import { checkCustomerId, DISALLOWED_CUSTOMER_IDS } from '../../../worker/identity/customerId';
import { normalizePhone, type PhoneOptions } from '../../../worker/identity/phone';
import { resolveBlueprints } from '../../../worker/blueprints/registry';
import { map, merges, onlyCustomer, onlyEvent } from './support';

describe('phone → E.164 (libphonenumber-js)', () => {
  it.each<[string | number, PhoneOptions, string]>([
    ['+447700900123', {}, '+447700900123'], // the seed's own number (a UK drama range: possible, not valid)
    ['+44 7700 900123', {}, '+447700900123'],
    ['0044 7700 900123', {}, '+447700900123'], // 00 international prefix, no default country needed
    ['07700 900123', { countries: ['GB'] }, '+447700900123'],
    ['447700900123', { countries: ['GB'] }, '+447700900123'], // country code without +
    [447700900123, { countries: ['GB'] }, '+447700900123'], // a number, not a string
    ['020 7183 8750', { countries: ['GB'] }, '+442071838750'],
    ['(415) 555-2671', { countries: ['US'] }, '+14155552671'],
    ['415.555.2671', { countries: ['us'] }, '+14155552671'], // country codes in any case
    ['+1 202-555-0143', {}, '+12025550143'],
    ['(415) 555-2671', { countries: ['GB', 'US'] }, '+14155552671'], // valid in the visitor's US beats merely possible in the default GB
    ['07700 900123', { countries: ['GB', 'US'] }, '+447700900123'],
    ['030 901820', { countries: ['DE'] }, '+4930901820'],
    ['+49 30 901820', {}, '+4930901820'],
    ['06 12 34 56 78', { countries: ['FR'] }, '+33612345678'],
    ['+91 98765 43210', {}, '+919876543210'],
    ['98765 43210', { countries: ['IN'] }, '+919876543210'],
    ['0412 345 678', { countries: ['AU'] }, '+61412345678'],
    ['+55 11 91234-5678', {}, '+5511912345678'],
    ['+447700900123 ext. 5', {}, '+447700900123'],
    ['07700 900123', { countries: ['XX', 'GB'] }, '+447700900123'], // Cloudflare's "XX" (unknown) is skipped
  ])('%j %j → %s', (input, options, e164) => {
    expect(normalizePhone(input, options)).toMatchObject({ ok: true, e164 });
  });

  it.each<[unknown, PhoneOptions, string]>([
    ['12345', { countries: ['GB'] }, '"12345" is not a possible phone number (read as a number of GB)'],
    ['+4477009001234567', {}, '"+4477009001234567" is not a possible phone number'],
    ['07700 900123', {}, '"07700 900123" is not a phone number (no + country code, and no DEFAULT_PHONE_COUNTRY or visitor country to read it with)'],
    ['07700 900123', { countries: ['XX'] }, '"07700 900123" is not a phone number (no + country code, and no DEFAULT_PHONE_COUNTRY or visitor country to read it with)'],
    ['call me at 07700 900123', { countries: ['GB'] }, '"call me at 07700 900123" contains words, not a phone number'],
    ['n/a', { countries: ['GB'] }, '"n/a" is not a phone number (read as a number of GB)'],
    ['', { countries: ['GB'] }, 'phone is empty'],
    ['   ', { countries: ['GB'] }, 'phone is empty'],
    [{ number: '07700 900123' }, { countries: ['GB'] }, 'phone must be a string, got object'],
    [['07700 900123'], { countries: ['GB'] }, 'phone must be a string, got array'],
    [true, { countries: ['GB'] }, 'phone must be a string, got boolean'],
    ['+447700900123', { validation: 'valid' }, '"+447700900123" is not a valid phone number'], // the seed's number under PHONE_VALIDATION=valid
    ['+1 123 456 7890', { validation: 'valid' }, '"+1 123 456 7890" is not a valid phone number'], // no US area code starts with 1
  ])('%j %j is refused: %s', (input, options, detail) => {
    expect(normalizePhone(input, options)).toEqual({ ok: false, reason: 'invalid_phone', detail });
  });

  it('PHONE_VALIDATION=valid still accepts numbers in assigned ranges', () => {
    expect(normalizePhone('+1 415 555 2671', { validation: 'valid' })).toMatchObject({ ok: true, e164: '+14155552671' });
    expect(normalizePhone('020 7183 8750', { countries: ['GB'], validation: 'valid' })).toMatchObject({ ok: true, e164: '+442071838750' });
  });
});

describe('customer_id', () => {
  it.each([...DISALLOWED_CUSTOMER_IDS].filter((id) => id !== ''))('%j is refused as a placeholder', (id) => {
    expect(checkCustomerId(id)).toEqual({ ok: false, reason: 'disallowed_customer_id', detail: `userId "${id}" is a placeholder MoEngage does not allow as customer_id` });
  });

  it.each(['unknown', 'guest', 'null', '0', '1', '-1', 'true', 'false', 'none', 'na', 'n/a', '', 'undefined'])('includes %j', (id) => {
    expect(DISALLOWED_CUSTOMER_IDS.has(id)).toBe(true);
  });

  it.each([
    [' Guest ', false],
    ['NULL', false],
    ['   ', false],
    ['u_8842', true],
    ['guest-42', true],
    ['10', true],
    ['jane@example.com', true],
  ])('%j allowed: %s (case-insensitive, trimmed)', (id, allowed) => {
    expect(checkCustomerId(id).ok).toBe(allowed);
  });

  it('trims the id it keeps', () => {
    expect(checkCustomerId('  u_1 ')).toEqual({ ok: true, id: 'u_1' });
  });

  it.each([
    [{ type: 'track', userId: 'guest', event: 'Product Viewed' }, 'disallowed_customer_id', 'userId "guest" is a placeholder MoEngage does not allow as customer_id'],
    [{ type: 'track', userId: 0, event: 'Product Viewed' }, 'disallowed_customer_id', 'userId "0" is a placeholder MoEngage does not allow as customer_id'],
    [{ type: 'identify', userId: 'null', traits: { email: 'a@b.test' } }, 'disallowed_customer_id', 'userId "null" is a placeholder MoEngage does not allow as customer_id'],
    [{ type: 'identify', userId: '   ', traits: {} }, 'disallowed_customer_id', 'userId is blank'],
  ])('messages with a disallowed userId are dropped with the reason: %j', (fields, reason, detail) => {
    expect(map(fields)).toEqual({ status: 'dropped', reason, detail, omissions: [] });
  });
});

describe('identity on events: user_identifiers', () => {
  const order = (traits: Record<string, unknown>, options = {}) =>
    map({ type: 'track', userId: 'u_1', event: 'Order Completed', properties: { order_id: 'O-1' }, context: { traits } }, 'retail', options);

  it.each([
    [{ email: 'jane@example.com' }, { u_em: 'jane@example.com' }],
    [{ email: '  jane@example.com ' }, { u_em: 'jane@example.com' }],
    [{ phone: '+447700900123' }, { u_mb: '+447700900123' }],
    [{ mobile: '+447700900123' }, { u_mb: '+447700900123' }],
    [{ phone: '+447700900123', email: 'jane@example.com' }, { u_em: 'jane@example.com', u_mb: '+447700900123' }],
  ])('%j → %j', (traits, ids) => {
    const event = onlyEvent(order(traits));
    expect(event.user_identifiers).toEqual(ids);
    expect(JSON.stringify(event.user_identifiers)).toBe(JSON.stringify(ids)); // u_em before u_mb
  });

  it.each([
    [{ email: 'jane at example.com' }, 'invalid_email', 'trait email "jane at example.com" is not an email address'],
    [{ email: 42 }, 'invalid_email', 'trait email 42 is not an email address'],
    [{ phone: '07700 900123' }, 'invalid_phone', 'trait phone: "07700 900123" is not a phone number (no + country code, and no DEFAULT_PHONE_COUNTRY or visitor country to read it with)'],
    [{ phone: 'ask reception' }, 'invalid_phone', 'trait phone: "ask reception" contains words, not a phone number'],
  ])('%j is left out, never sent malformed: %s', (traits, reason, detail) => {
    const result = order(traits);
    expect(onlyEvent(result)).not.toHaveProperty('user_identifiers');
    expect(result.omissions).toEqual([{ reason, detail }]);
  });

  it('a local number is read with DEFAULT_PHONE_COUNTRY, then the visitor’s country', () => {
    expect(onlyEvent(order({ phone: '07700 900123' }, { defaultPhoneCountry: 'GB' })).user_identifiers).toEqual({ u_mb: '+447700900123' });
    expect(onlyEvent(order({ phone: '07700 900123' }, { visitorCountry: 'GB' })).user_identifiers).toEqual({ u_mb: '+447700900123' });
    expect(onlyEvent(order({ phone: '(415) 555-2671' }, { defaultPhoneCountry: 'GB', visitorCountry: 'US' })).user_identifiers).toEqual({ u_mb: '+14155552671' });
  });

  it('the seed’s number passes under PHONE_VALIDATION=possible (default) and is left out under valid', () => {
    expect(onlyEvent(order({ phone: '+447700900123' }, { phoneValidation: 'possible' })).user_identifiers).toEqual({ u_mb: '+447700900123' });
    const strict = order({ phone: '+447700900123', email: 'jane@example.com' }, { phoneValidation: 'valid' });
    expect(onlyEvent(strict).user_identifiers).toEqual({ u_em: 'jane@example.com' });
    expect(strict.omissions).toEqual([{ reason: 'invalid_phone', detail: 'trait phone: "+447700900123" is not a valid phone number' }]);
  });

  it('a message’s own traits win over context.traits on identify', () => {
    const customer = onlyCustomer(map({ type: 'identify', userId: 'u_1', traits: { email: 'new@example.com' }, context: { traits: { email: 'old@example.com', first_name: 'Jane' } } }));
    expect(customer.attributes).toEqual({ email: 'new@example.com', first_name: 'Jane' });
  });
});

describe('identify → Track User (POST /v1/customer/{ws}) with MoEngage’s documented keys', () => {
  it('standard keys, E.164 mobile, ISO 8601 birthday and custom traits, exactly', () => {
    const result = map(
      {
        type: 'identify',
        userId: 'u_8842',
        traits: {
          email: 'jane@example.com',
          phone: '07700 900123',
          first_name: 'Jane',
          last_name: 'Doe',
          name: 'Jane Doe',
          gender: 'female',
          birthday: '1990-04-12',
          plan: 'pro',
          newsletter: true,
          visits: 12,
        },
      },
      'retail',
      { defaultPhoneCountry: 'GB' },
    );
    expect(result.status).toBe('queued');
    expect(onlyCustomer(result)).toEqual({
      kind: 'customer',
      customer_id: 'u_8842',
      attributes: {
        email: 'jane@example.com',
        mobile: '+447700900123',
        first_name: 'Jane',
        last_name: 'Doe',
        name: 'Jane Doe',
        gender: 'female',
        birthday: '1990-04-12',
        plan: 'pro',
        newsletter: true,
        visits: 12,
      },
    });
    expect(result.omissions).toEqual([]);
  });

  it('reads the traits as Segment users write them (camelCase spec traits), exactly', () => {
    const traits = {
      firstName: 'Jane',
      lastName: 'Doe',
      phone: '+1 415 555 2671',
      birthday: '1990-04-12T08:30:00+02:00',
      createdAt: '2025-03-01T12:00:00.000Z',
      age: 35,
      email: 'jane@example.com',
      title: 'CTO',
    };
    expect(onlyCustomer(map({ type: 'identify', userId: 'u_1', traits })).attributes).toEqual({
      email: 'jane@example.com',
      mobile: '+14155552671',
      first_name: 'Jane',
      last_name: 'Doe',
      birthday: '1990-04-12T06:30:00Z',
      age: 35,
      created_time: '2025-03-01T12:00:00Z',
      title: 'CTO',
    });
  });

  it('reads the traits as RudderStack users write them (lowercase, mobile, lastSeen, moeUnsubscribe), exactly', () => {
    const traits = { firstname: 'Jane', lastname: 'Doe', mobile: '+447700900123', birthdate: '1990-04-12', lastSeen: 1767225600000, transactions: '3', revenue: 120.5, moeUnsubscribe: 'false' };
    expect(onlyCustomer(map({ type: 'identify', userId: 'u_1', traits })).attributes).toEqual({
      mobile: '+447700900123',
      first_name: 'Jane',
      last_name: 'Doe',
      birthday: '1990-04-12',
      last_seen: '2026-01-01T00:00:00Z',
      transactions: 3,
      revenue: 120.5,
      moe_unsubscribe: false,
    });
  });

  it.each([
    [{ firstName: 'Jane', lastName: 'Doe' }, { first_name: 'Jane', last_name: 'Doe' }, []],
    [{ birthday: '1990-04-12T08:30:00+02:00' }, { birthday: '1990-04-12T06:30:00Z' }, []],
    [{ birthday: '1990-04-12 08:30' }, { birthday: '1990-04-12T08:30:00Z' }, []],
    [{ birthday: '1990-02-30' }, {}, ['invalid_date']],
    [{ birthday: '12/04/1990' }, {}, ['invalid_date']],
    [{ birthday: 'soon' }, {}, ['invalid_date']],
    [{ birthday: 639878400 }, {}, ['invalid_date']], // a birthday is a date, not an instant
    [{ createdAt: 1735732800 }, { created_time: '2025-01-01T12:00:00Z' }, []], // epoch seconds
    [{ createdAt: 'last week' }, {}, ['invalid_date']],
    [{ age: 'thirty' }, {}, ['invalid_value']],
    [{ moe_unsubscribe: 'yes' }, {}, ['invalid_value']],
    [{ moe_unsubscribe: true }, { moe_unsubscribe: true }, []],
    [{ email: 'nope' }, {}, ['invalid_email']],
    [{ first_name: { given: 'Jane' } }, {}, ['invalid_value']],
    [{ first_name: 'Jane', firstName: 'Janet' }, { first_name: 'Jane' }, ['duplicate_trait']],
    [{ phone: '+447700900123', mobile: '+14155552671' }, { mobile: '+447700900123' }, ['duplicate_trait']],
    [{ first_name: null }, {}, ['null_value']],
    [{ id: 'u_1', _id: 'x', plan: 'pro' }, { plan: 'pro' }, ['blocked_attribute_name']], // MoEngage blocks id and _id as user attribute names
    [{ address: { city: 'London', country: 'GB' } }, { address_city: 'London', address_country: 'GB' }, []],
  ])('%j → %j (omitted: %j)', (traits, attributes, omitted) => {
    const result = map({ type: 'identify', userId: 'u_1', traits });
    expect(onlyCustomer(result).attributes).toEqual(attributes);
    expect(result.omissions.map((o) => o.reason)).toEqual(omitted);
  });

  it('never sends MoEngage’s internal names (u_em, u_fn, …) unless a blueprint asks for them', () => {
    const traits = { email: 'jane@example.com', phone: '+447700900123', first_name: 'Jane', last_name: 'Doe', name: 'Jane Doe', gender: 'f', birthday: '1990-04-12' };
    const keys = Object.keys(onlyCustomer(map({ type: 'identify', userId: 'u_1', traits })).attributes);
    expect(keys.filter((k) => k.startsWith('u_'))).toEqual([]);
    expect(keys).toEqual(['email', 'mobile', 'first_name', 'last_name', 'name', 'gender', 'birthday']);
  });

  it('a trait named like a standard key but not mapped still takes that key’s format', () => {
    const blueprint = { name: 'bare', events: {}, userAttributes: {} };
    const result = map({ type: 'identify', userId: 'u_1', traits: { age: '41', last_seen: 'never', plan: 'pro' } }, blueprint);
    expect(onlyCustomer(result).attributes).toEqual({ age: 41, plan: 'pro' });
    expect(result.omissions.map((o) => o.reason)).toEqual(['invalid_date']);
  });

  it('a blueprint overrides the key per trait; a mobile key keeps E.164 and events keep u_mb', () => {
    const blueprint = resolveBlueprints([{ origin: 'test', value: { name: 'legacy', extends: 'retail', events: {}, userAttributes: { phone: 'moe_mobile', email: 'u_em', first_name: 'given_name' } } }]).legacy!;
    const customer = onlyCustomer(map({ type: 'identify', userId: 'u_1', traits: { phone: '07700 900123', email: 'a@b.test', first_name: 'Jane' } }, blueprint, { defaultPhoneCountry: 'GB' }));
    expect(customer.attributes).toEqual({ u_em: 'a@b.test', moe_mobile: '+447700900123', given_name: 'Jane' });
    const event = onlyEvent(map({ type: 'track', userId: 'u_1', event: 'Product Viewed', context: { traits: { phone: '+447700900123', email: 'a@b.test' } } }, blueprint));
    expect(event.user_identifiers).toEqual({ u_em: 'a@b.test', u_mb: '+447700900123' });
  });

  it('otherTraits: "ignore" sends only the mapped traits and lists the rest', () => {
    const blueprint = { name: 'strict', events: {}, userAttributes: { email: 'email' }, otherTraits: 'ignore' as const };
    const result = map({ type: 'identify', userId: 'u_1', traits: { email: 'a@b.test', plan: 'pro', visits: 3 } }, blueprint);
    expect(onlyCustomer(result).attributes).toEqual({ email: 'a@b.test' });
    expect(result.omissions).toEqual([{ reason: 'traits_not_in_blueprint', detail: 'not sent (otherTraits: "ignore"): plan, visits' }]);
  });
});

describe('alias → merge (POST /v1/customer/merge)', () => {
  it('merges previousId into userId', () => {
    expect(map({ type: 'alias', userId: 'u_8842', previousId: 'old-42' })).toEqual({
      status: 'queued',
      items: [{ kind: 'merge', merged_user: 'old-42', retained_user: 'u_8842' }],
      omissions: [],
    });
  });

  it.each([
    [{ type: 'alias', userId: 'u_1', previousId: 'u_1' }, 'alias_same_user'],
    [{ type: 'alias', userId: 'u_1', previousId: 'guest' }, 'disallowed_customer_id'],
    [{ type: 'alias', userId: 'unknown', previousId: 'old-1' }, 'disallowed_customer_id'],
  ])('%j is dropped: %s', (fields, reason) => {
    expect(map(fields)).toMatchObject({ status: 'dropped', reason });
  });
});

describe('anonymous visitors (pure mapping)', () => {
  const anonymousView = { type: 'track', anonymousId: 'anon-7', event: 'Product Viewed', properties: { sku: 'A' }, context: { traits: { email: 'a@b.test' } } };

  it('hold (default): mapped with customer_id left empty, status held', () => {
    const result = map(anonymousView);
    expect(result.status).toBe('held');
    expect(onlyEvent(result)).toMatchObject({ customer_id: '', user_identifiers: { u_em: 'a@b.test' }, action: { action: 'Product Viewed' } });
  });

  it('customer: the anonymousId is the customer_id', () => {
    const result = map(anonymousView, 'retail', { anonymous: 'customer' });
    expect(result.status).toBe('queued');
    expect(onlyEvent(result).customer_id).toBe('anon-7');
  });

  it('customer: identify merges the anonymous profile into the real user, after setting its attributes', () => {
    const result = map({ type: 'identify', userId: 'u_1', anonymousId: 'anon-7', traits: { email: 'a@b.test' } }, 'retail', { anonymous: 'customer' });
    expect(result.status === 'queued' && result.items.map((i) => i.kind)).toEqual(['customer', 'merge']);
    expect(merges(result)).toEqual([{ kind: 'merge', merged_user: 'anon-7', retained_user: 'u_1' }]);
  });

  it('hold: identify sends the profile only (the queue releases held events)', () => {
    const result = map({ type: 'identify', userId: 'u_1', anonymousId: 'anon-7', traits: {} });
    expect(merges(result)).toEqual([]);
    expect(onlyCustomer(result).customer_id).toBe('u_1');
  });

  it('drop: dropped with the reason', () => {
    expect(map(anonymousView, 'retail', { anonymous: 'drop' })).toEqual({
      status: 'dropped',
      reason: 'anonymous_dropped',
      detail: 'anonymous visitor (no userId) and ANONYMOUS=drop',
      omissions: [],
    });
  });

  it('customer: a placeholder anonymousId is refused like a placeholder userId', () => {
    expect(map({ ...anonymousView, anonymousId: 'undefined' }, 'retail', { anonymous: 'customer' })).toMatchObject({
      status: 'dropped',
      reason: 'disallowed_customer_id',
      detail: 'anonymousId "undefined" is a placeholder MoEngage does not allow as customer_id',
    });
  });

  it('an anonymous identify is held too, and a known user is never held', () => {
    expect(map({ type: 'identify', anonymousId: 'anon-7', traits: { email: 'a@b.test' } }).status).toBe('held');
    expect(map({ ...anonymousView, userId: 'u_1' }).status).toBe('queued');
  });
});
