/**
 * What the debugger never shows: the Data API key (raw or in its Basic form), the debugger token or
 * any other secret, in any answer; and what it shows only when asked: emails and phone numbers,
 * masked by default, revealed one event at a time with `?reveal=pii` (behind the token).
 */
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { EventSummary, JourneyShown } from '../../../worker/debugger/views';
import { api, ingest, journey, listEvents, ok, postJson, SseReader, stats, track } from '../support/debugger';
import { flush } from '../support/ingest';
import { useSandbox } from '../support/sandboxPerTest';
import { SECRETS, secretsIn } from '../support/secrets';

const { sandbox } = useSandbox();

const EMAIL = 'jane.doe@example.com';
const PHONE = '+447700900123';
const MASKED_EMAIL = 'j***@example.com';
const MASKED_PHONE = '+44*******123';
const BASIC = btoa('demo-workspace:demo-data-api-key');

/**
 * A log that puts personal data everywhere the debugger shows something: traits, the mapped
 * identifiers, the request body, MoEngage's error text, omissions, a userId that is an email.
 */
async function logWithPii(): Promise<void> {
  const traits = { email: EMAIL, phone: PHONE, first_name: 'Jane' };
  await ingest(track({ messageId: 'pii-delivered', userId: 'u_jane', context: { traits } }));
  await flush();
  sandbox().faults.add({
    status: 400,
    count: 1,
    body: { status: 'fail', error: { type: 'InvalidAttributeError', message: `u_em ${EMAIL} is on the suppression list`, request_id: 'req-pii' } },
  });
  await ingest(track({ messageId: 'pii-dead', userId: 'u_jane', context: { traits } }));
  await flush();
  await ingest(
    track({ messageId: 'pii-omitted', userId: EMAIL, context: { traits: { email: 'not-an-email', phone: 'call 0123 maybe' } } }),
    track({ messageId: 'pii-dropped', userId: 'u_jane', event: 'Wishlist Shared', context: { traits } }),
  );
  sandbox().faults.add({ status: 401, count: 1 }); // MoEngage refuses the key: the pause is recorded with its answer
  await flush();
}

/** Every piece of text the API answers about that log (stream read separately). */
async function everyAnswer(): Promise<[string, string][]> {
  const paths = [
    '/debugger/api/events',
    '/debugger/api/events?limit=500&status=delivered,dead,paused,dropped,queued',
    `/debugger/api/events?userId=${encodeURIComponent(EMAIL)}`,
    '/debugger/api/events/pii-delivered',
    '/debugger/api/events/pii-delivered?reveal=pii',
    '/debugger/api/events/pii-dead',
    '/debugger/api/events/pii-dead?reveal=pii',
    '/debugger/api/events/pii-omitted',
    '/debugger/api/events/pii-omitted?reveal=pii',
    '/debugger/api/events/pii-dropped?reveal=pii',
    '/debugger/api/stats',
    '/debugger/api/connections',
    '/debugger/api/rejections',
    '/debugger/api/events/unknown',
    '/debugger/api/events?status=nope',
  ];
  const answers: [string, string][] = [];
  for (const path of paths) {
    const res = await exports.default.fetch(new Request(`http://collector.test${path}`, { headers: { authorization: 'Bearer test-debugger-token' } }));
    answers.push([`GET ${path} → ${res.status}`, `${[...res.headers].join('\n')}\n${await res.text()}`]);
  }
  for (const [path, body] of [
    ['/debugger/api/preview', track({ context: { traits: { email: EMAIL, phone: PHONE } } })],
    ['/debugger/api/replay', { messageIds: ['pii-dead'] }],
    ['/debugger/api/connections/default/resume', {}],
  ] as const) {
    const res = await exports.default.fetch(
      new Request(`http://collector.test${path}`, { method: 'POST', headers: { authorization: 'Bearer test-debugger-token', 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    );
    answers.push([`POST ${path} → ${res.status}`, `${[...res.headers].join('\n')}\n${await res.text()}`]);
  }
  return answers;
}

describe('secrets', () => {
  it('the secrets looked for include the Data API key, its Basic form and the debugger token', () => {
    expect(SECRETS).toEqual(expect.arrayContaining(['demo-data-api-key', BASIC, 'test-debugger-token']));
  });

  it('no debugger answer carries a secret: events, journeys (masked or revealed), stats, connections, rejections, preview, replay, resume, errors', async () => {
    await logWithPii();
    const answers = await everyAnswer();
    expect(answers.map(([name]) => name)).toContain('GET /debugger/api/events/pii-dead?reveal=pii → 200');
    for (const [name, text] of answers) {
      expect(secretsIn(text, true), name).toEqual([]);
      expect(text, name).not.toMatch(/Basic [A-Za-z0-9+/]{12,}={0,2}/);
    }
  });

  it('the live tail carries no secret either', async () => {
    const res = await api('/debugger/api/stream?maxSeconds=10');
    const stream = new SseReader(res);
    await stream.next(); // the opening comment
    await logWithPii();
    const seen: string[] = [];
    while (!seen.includes('pii-dropped')) {
      const { data } = await stream.nextEvent();
      seen.push(data.messageId);
      expect(secretsIn(JSON.stringify(data), true)).toEqual([]);
    }
    await stream.cancel();
  });

  it('a journey shows the request headers as sent, with the key replaced', async () => {
    await logWithPii();
    for (const reveal of ['', 'reveal=pii']) {
      const event = await journey('pii-dead', reveal);
      expect(event.exchanges.length).toBeGreaterThan(0);
      for (const x of event.exchanges) {
        expect(x.headers).toEqual({ authorization: 'Basic demo-workspace:*** (base64; Data API key redacted)', 'content-type': 'application/json' });
      }
    }
    // MoEngage (the sandbox checks Basic auth strictly) did get the key: it is replaced for display, not missing.
    expect(sandbox().requests[0]?.response.status).toBe(200);
  });
});

describe('personal data', () => {
  it('is masked by default in the listing: a userId that is an email, MoEngage’s error text', async () => {
    await logWithPii();
    const events = (await listEvents('limit=500')).events;
    const by = (id: string) => events.find((e: EventSummary) => e.messageId === id)!;
    expect(by('pii-omitted').userId).toBe(MASKED_EMAIL);
    expect(by('pii-dead').detail).toBe(`HTTP 400 InvalidAttributeError: u_em ${MASKED_EMAIL} is on the suppression list`);
    const text = JSON.stringify(events);
    expect(text).not.toContain(EMAIL);
    expect(text).not.toContain(PHONE);
    // The filter still finds the user by the real id.
    expect((await listEvents(`userId=${encodeURIComponent(EMAIL)}`)).events.map((e) => e.messageId)).toEqual(['pii-omitted']);
  });

  it('is masked by default in a journey: raw message, mapped payload, request body, MoEngage’s answer, omissions', async () => {
    await logWithPii();
    const dead = await journey('pii-dead');
    expect(dead.pii).toBe('masked');
    expect(dead.raw.context.traits).toEqual({ email: MASKED_EMAIL, phone: MASKED_PHONE, first_name: 'Jane' });
    expect(dead.mapped[0].user_identifiers).toEqual({ u_em: MASKED_EMAIL, u_mb: MASKED_PHONE });
    expect(dead.exchanges[0]?.request).toMatchObject({ user_identifiers: { u_em: MASKED_EMAIL, u_mb: MASKED_PHONE } });
    expect(dead.exchanges[0]?.response).toMatchObject({ error: { message: `u_em ${MASKED_EMAIL} is on the suppression list` } });
    expect(dead.detail).toContain(MASKED_EMAIL);

    const omitted = await journey('pii-omitted');
    expect(omitted.userId).toBe(MASKED_EMAIL);
    expect(omitted.omissions).toEqual(
      expect.arrayContaining([
        { reason: 'invalid_email', detail: expect.stringContaining('"n***"') },
        { reason: 'invalid_phone', detail: expect.stringContaining('"c***"') },
      ]),
    );
    // The id that addresses the event stays as it is, whatever it contains.
    for (const event of [dead, omitted, await journey('pii-delivered'), await journey('pii-dropped')]) {
      const text = JSON.stringify(event);
      expect(text).not.toContain(EMAIL);
      expect(text).not.toContain(PHONE);
      expect(text).not.toContain('not-an-email');
      expect(text).not.toContain('maybe');
    }
  });

  it('?reveal=pii shows one event as it was, with the token', async () => {
    await logWithPii();
    const dead: JourneyShown = await journey('pii-dead', 'reveal=pii');
    expect(dead.pii).toBe('revealed');
    expect(dead.raw.context.traits).toEqual({ email: EMAIL, phone: PHONE, first_name: 'Jane' });
    expect(dead.mapped[0].user_identifiers).toEqual({ u_em: EMAIL, u_mb: PHONE });
    expect(dead.exchanges[0]?.request).toEqual(sandbox().requests.find((r) => r.response.status === 400)?.body);
    expect(dead.exchanges[0]?.response).toMatchObject({ error: { message: `u_em ${EMAIL} is on the suppression list` } });
    const omitted = await journey('pii-omitted', 'reveal=pii');
    expect(omitted.userId).toBe(EMAIL);
    expect(omitted.omissions).toEqual(expect.arrayContaining([{ reason: 'invalid_phone', detail: expect.stringContaining('"call 0123 maybe"') }]));
  });

  it('?reveal=pii without the token reveals nothing (401), and only "pii" is a valid reveal', async () => {
    await logWithPii();
    const res = await exports.default.fetch(new Request('http://collector.test/debugger/api/events/pii-dead?reveal=pii', { headers: { 'cf-connecting-ip': '203.0.113.200' } }));
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('jane');
    const bad = await api('/debugger/api/events/pii-dead?reveal=all');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'invalid_query', detail: 'reveal must be "pii"' });
  });

  it('the listing cannot be revealed: ?reveal=pii on it changes nothing', async () => {
    await logWithPii();
    const text = JSON.stringify(await listEvents('reveal=pii'));
    expect(text).not.toContain(EMAIL);
  });

  it('the live tail masks as the listing does', async () => {
    const stream = new SseReader(await api('/debugger/api/stream?maxSeconds=10'));
    await stream.next();
    await ingest(track({ messageId: 'tail-pii', userId: EMAIL }));
    const { data } = await stream.nextEvent((e) => e.messageId === 'tail-pii');
    expect(data.userId).toBe(MASKED_EMAIL);
    await stream.cancel();
  });

  it('stats and connections hold no personal data', async () => {
    await logWithPii();
    const text = JSON.stringify([await stats(), await ok(api('/debugger/api/connections'))]);
    expect(text).not.toContain('jane');
    // The phone's digits, not any "7700": epoch milliseconds in the stats may contain that.
    expect(text).not.toContain('7700900123');
  });

  it('preview echoes what the caller sent (unmasked) and nothing secret', async () => {
    const answer = await ok<{ connections: { urls: string[]; result: { requests: { body: { user_identifiers: unknown } }[] } }[] }>(
      postJson('/debugger/api/preview', track({ context: { traits: { email: EMAIL, phone: PHONE } } })),
    );
    expect(answer.connections[0]?.result.requests[0]?.body.user_identifiers).toEqual({ u_em: EMAIL, u_mb: PHONE });
    expect(answer.connections[0]?.urls).toEqual(['http://moengage.sandbox/v1/event/demo-workspace']);
    expect(secretsIn(JSON.stringify(answer), true)).toEqual([]);
  });
});
