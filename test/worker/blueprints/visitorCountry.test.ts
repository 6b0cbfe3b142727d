import { exports } from 'cloudflare:workers';
import { reset } from 'cloudflare:test';
import { afterEach, expect, it } from 'vitest';
import { basic, debuggerEvent, WRITE_KEY } from '../support/ingest';

afterEach(() => reset());

/** Ingest reads the visitor's country from Cloudflare's request.cf, the fallback for local phone numbers. */
function postFrom(country: string | undefined, messageId: string, phone: string) {
  return exports.default.fetch(
    new Request('http://collector.test/v1/track', {
      method: 'POST',
      headers: { authorization: basic(WRITE_KEY), 'content-type': 'application/json' },
      body: JSON.stringify({ messageId, userId: 'u_1', event: 'Product Viewed', context: { traits: { phone } } }),
      ...(country ? { cf: { country } } : {}),
    }),
  );
}

it.each([
  ['US', '(415) 555-2671', { user_identifiers: { u_mb: '+14155552671' } }, null],
  ['DE', '030 901820', { user_identifiers: { u_mb: '+4930901820' } }, null],
  [undefined, '030 901820', {}, 'invalid_phone'],
])('a visitor from %s typing %j', async (country, phone, expected, omitted) => {
  const id = `m-${country ?? 'none'}`;
  expect((await postFrom(country, id, phone)).status).toBe(200);
  const event = await debuggerEvent(id, { reveal: true });
  expect(event?.status).toBe('queued');
  if (omitted) {
    expect(event?.mapped[0]).not.toHaveProperty('user_identifiers');
    expect(event?.omissions).toMatchObject([{ reason: omitted }]);
  } else {
    expect(event?.mapped[0]).toMatchObject(expected);
  }
});
