import { describe, expect, it } from 'vitest';
import { botUserAgent, prefetchRequest } from '../../worker/ingest/bots';
import { track, uid } from './corpus/cases';
import { fetchWith, ingestRequest } from './support/configured';
import { debuggerEvent, flush, post } from './support/ingest';
import { useSandbox } from './support/sandboxPerTest';

const { sandbox } = useSandbox();

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

describe('bot and prefetch classification (pure)', () => {
  it.each([
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
    'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)',
    'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36',
    'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
    'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
    'Twitterbot/1.0',
    'Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0 Mobile Safari/537.36 Chrome-Lighthouse',
    'WhatsApp/2.23.20.0',
    'Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)',
    'Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)',
    'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)',
    'python-scrapy/2.11',
  ])('flags %s', (ua) => {
    expect(botUserAgent(ua)?.reason).toBe('bot');
  });

  it.each([
    CHROME,
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
    'Mozilla/5.0 (Linux; Android 10; CUBOT_X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36',
    'Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36',
    'analytics-node-next/latest',
    'curl/8.5.0',
    'python-requests/2.32.3',
    'node',
    '',
  ])('does not flag %s', (ua) => {
    expect(botUserAgent(ua)).toBeNull();
  });

  it.each([
    [{ 'sec-purpose': 'prefetch' }, 'prefetch'],
    [{ 'sec-purpose': 'prefetch;prerender' }, 'prefetch'],
    [{ purpose: 'prefetch' }, 'prefetch'],
    [{ 'x-moz': 'prefetch' }, 'prefetch'],
    [{ 'x-purpose': 'preview' }, 'prefetch'],
    [{}, null],
    [{ 'sec-fetch-mode': 'cors' }, null],
  ])('request headers %j → %s', (headers, reason) => {
    expect(prefetchRequest(new Headers(headers))?.reason ?? null).toBe(reason);
  });
});

describe('BOT_POLICY', () => {
  const googlebot = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

  it('drop (default): a crawler’s event is stored as dropped with reason bot and never sent', async () => {
    const message = track({ context: { userAgent: googlebot } });
    expect((await post('/v1/batch', { batch: [message] })).status).toBe(200);
    expect(await debuggerEvent(message.messageId)).toMatchObject({ status: 'dropped', reason: 'bot', detail: expect.stringContaining('Googlebot') });
    await flush(); // only the log's retention alarm is set
    expect(sandbox().requests).toHaveLength(0);
  });

  it('drop: the request’s own User-Agent counts when the message carries none', async () => {
    const message = track();
    await post('/v1/batch', { batch: [message] }, { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/126.0.0.0' });
    expect(await debuggerEvent(message.messageId)).toMatchObject({ status: 'dropped', reason: 'bot' });
  });

  it('drop: a prerendering page’s request (Sec-Purpose) and context.prerendering are dropped as prefetch', async () => {
    const a = track();
    const b = track({ context: { prerendering: true } });
    await post('/v1/batch', { batch: [a] }, { 'sec-purpose': 'prefetch;prerender' });
    await post('/v1/batch', { batch: [b] });
    expect(await debuggerEvent(a.messageId)).toMatchObject({ status: 'dropped', reason: 'prefetch' });
    expect(await debuggerEvent(b.messageId)).toMatchObject({ status: 'dropped', reason: 'prefetch' });
  });

  it('a person’s browser is not affected', async () => {
    const message = track({ context: { userAgent: CHROME } });
    await post('/v1/batch', { batch: [message] }, { 'user-agent': CHROME });
    expect(await debuggerEvent(message.messageId)).toMatchObject({ status: 'queued' });
  });

  it('mark: delivered with is_bot on the action and the reason in the debugger', async () => {
    const message = track({ context: { userAgent: googlebot } });
    expect((await fetchWith({ BOT_POLICY: 'mark' }, ingestRequest('/v1/batch', { batch: [message] }))).status).toBe(200);
    await flush();
    const event = await debuggerEvent(message.messageId);
    expect(event).toMatchObject({ status: 'delivered' });
    expect(event?.omissions).toContainEqual(expect.objectContaining({ reason: 'marked_bot' }));
    const sent = sandbox().requests[0]?.body as { actions: { attributes: Record<string, unknown> }[] };
    expect(sent.actions[0]?.attributes.is_bot).toBe(true);
  });

  it('allow: delivered as any other event', async () => {
    const message = track({ context: { userAgent: googlebot } });
    await fetchWith({ BOT_POLICY: 'allow' }, ingestRequest('/v1/batch', { batch: [message] }));
    await flush();
    expect(await debuggerEvent(message.messageId)).toMatchObject({ status: 'delivered', omissions: null });
    const sent = sandbox().requests[0]?.body as { actions: { attributes: Record<string, unknown> }[] };
    expect(sent.actions[0]?.attributes).not.toHaveProperty('is_bot');
  });

  it('an unknown policy is a misconfiguration', async () => {
    const res = await fetchWith({ BOT_POLICY: 'block' }, ingestRequest('/v1/batch', { batch: [track()] }));
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'misconfigured', detail: expect.stringContaining('BOT_POLICY') });
  });
});

describe('event time policy (MoEngage refuses future-dated events)', () => {
  it('clamps a future timestamp to the time received, notes it, and MoEngage accepts it', async () => {
    const message = track({ timestamp: '2999-01-01T00:00:00.000Z' });
    const before = Date.now();
    await post('/v1/batch', { batch: [message] });
    await flush();
    const event = await debuggerEvent(message.messageId);
    expect(event).toMatchObject({ status: 'delivered', raw: { originalTimestamp: '2999-01-01T00:00:00.000Z' } });
    expect(Date.parse(event?.raw.timestamp)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(event?.raw.timestamp)).toBeLessThanOrEqual(Date.now());
    expect(event?.omissions).toContainEqual(expect.objectContaining({ reason: 'timestamp_clamped' }));
    expect(sandbox().requests[0]?.response.status).toBe(200);
  });

  it('drops an event dated before 2000 with reason timestamp_out_of_range', async () => {
    const message = track({ timestamp: '1999-12-31T23:59:59.000Z' });
    await post('/v1/batch', { batch: [message] });
    expect(await debuggerEvent(message.messageId)).toMatchObject({ status: 'dropped', reason: 'timestamp_out_of_range' });
  });

  it('corrects a client clock stuck in 1970 through sentAt (Segment’s skew rule)', async () => {
    const message = track({ timestamp: '1970-01-01T00:00:05.000Z' });
    await post('/v1/batch', { batch: [message], sentAt: '1970-01-01T00:00:06.000Z' });
    const event = await debuggerEvent(message.messageId);
    expect(event?.status).toBe('queued');
    expect(Math.abs(Date.parse(event?.raw.timestamp) - (Date.now() - 1000))).toBeLessThan(5000);
  });

  it('ignores a nonsense sentAt rather than dating the event decades back', async () => {
    const at = new Date(Date.now() - 60_000).toISOString();
    const message = track({ timestamp: at });
    await post('/v1/batch', { batch: [message], sentAt: '2999-01-01T00:00:00.000Z' });
    expect((await debuggerEvent(message.messageId))?.raw.timestamp).toBe(at);
  });
});

describe('prototype keys never reach mapping, storage or MoEngage', () => {
  it('removes __proto__/constructor/prototype keys, notes each, and delivers the rest', async () => {
    const id = uid('proto');
    const text = `{"batch":[{"type":"track","messageId":"${id}","userId":"u_1","event":"Order Completed","properties":{"order_id":"O-1","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"nested":{"prototype":1,"ok":2}}}]}`;
    expect((await post('/v1/batch', text)).status).toBe(200);
    await flush();
    const event = await debuggerEvent(id);
    expect(event?.status).toBe('delivered');
    expect(event?.omissions.filter((o: { reason: string }) => o.reason === 'reserved_key').map((o: { detail: string }) => o.detail.split(' ')[0])).toEqual([
      'batch.0.properties.__proto__',
      'batch.0.properties.constructor',
      'batch.0.properties.nested.prototype',
    ]);
    const sent = JSON.stringify(sandbox().requests[0]?.body);
    expect(sent).not.toMatch(/__proto__|constructor|prototype|polluted/);
    expect(sandbox().requests[0]?.body).toMatchObject({ actions: [{ attributes: { order_id: 'O-1', nested_ok: 2 } }] }); // nested objects are flattened (NESTED_ATTRIBUTES=flatten)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('duplicate messageIds', () => {
  it('across batches: the retry is answered as a duplicate and MoEngage gets the event once', async () => {
    const message = track();
    expect(await (await post('/v1/batch', { batch: [message] })).json()).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await (await post('/v1/batch', { batch: [message] })).json()).toMatchObject({ accepted: 0, duplicates: 1 });
    await flush();
    expect(sandbox().requests.flatMap((r) => (r.body as { actions: unknown[] }).actions)).toHaveLength(1);
  });

  it('within one batch: the first copy counts', async () => {
    const message = track();
    const other = track();
    expect(await (await post('/v1/batch', { batch: [message, { ...message, event: 'Product Added' }, other] })).json()).toMatchObject({ accepted: 2, duplicates: 1 });
    expect((await debuggerEvent(message.messageId))?.name).toBe('Product Viewed');
  });
});
