/**
 * The rejection log keeps the verdict, not the request: no body text, the User-Agent reduced to its
 * family, and personal data in what is kept (a path, a detail) masked.
 */
import { reset } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { userAgentFamily } from '../../worker/ingest/userAgentFamily';
import { basic, DEBUGGER_TOKEN, get, WRITE_KEY } from './support/ingest';

afterEach(() => reset());

const CHROME_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.91 Safari/537.36';

async function refused(path: string, body: string, headers: Record<string, string> = {}) {
  const res = await exports.default.fetch(
    new Request(`http://collector.test${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: basic(WRITE_KEY), ...headers }, body }),
  );
  const answer = (await res.json()) as { error: string; detail: string };
  const log = (await (await get('/debugger/api/rejections?limit=1', { authorization: `Bearer ${DEBUGGER_TOKEN}` })).json()) as { recent: Record<string, unknown>[] };
  return { status: res.status, answer, entry: log.recent[0] as Record<string, unknown> };
}

describe('the rejection log keeps no body text and no unmasked personal data', () => {
  it('a body that is not JSON: neither the answer nor the log quotes it', async () => {
    const { status, answer, entry } = await refused('/v1/batch', 'hello world, I am jane@example.com, call +447700900123', { 'user-agent': `${CHROME_UA} jane@example.com` });
    expect(status).toBe(400);
    expect(answer.error).toBe('invalid_json');
    const kept = JSON.stringify(entry);
    for (const text of ['hello', 'worl', 'jane', '7700900123', 'KHTML', '6367']) {
      expect(answer.detail).not.toContain(text);
      expect(kept).not.toContain(text);
    }
    expect(entry).toMatchObject({ error: 'invalid_json', status: 400, userAgent: 'Chrome 124 on Windows' });
    expect(entry.detail).toMatch(/^the body is not valid JSON/);
  });

  it('a path holding an email or a phone is masked in the log (and its detail)', async () => {
    const { status, entry } = await refused('/v1/jane.doe@example.com', '{}');
    expect(status).toBe(404);
    expect(JSON.stringify(entry)).not.toContain('jane.doe@');
    expect(entry.path).toBe('/v1/j***@example.com');
    const phone = await refused('/v1/07700900123', '{}');
    expect(JSON.stringify(phone.entry)).not.toContain('7700900');
  });

  it('a User-Agent without a recognisable client is kept as "other", never as sent', async () => {
    const { entry } = await refused('/v1/batch', 'nope', { 'user-agent': 'jane@example.com +447700900123 my secret note' });
    expect(entry.userAgent).toBe('other');
  });
});

describe('User-Agent families', () => {
  it.each([
    [CHROME_UA, 'Chrome 124 on Windows'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1', 'Safari 17 on iOS'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15', 'Safari 17 on macOS'],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0', 'Firefox 125 on Linux'],
    ['Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36', 'Samsung Internet 24 on Android'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51', 'Edge 124 on Windows'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1', 'Chrome 124 on iOS'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36', 'HeadlessChrome 124 on Linux'],
    ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'Googlebot 2'],
    ['Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.0; +https://openai.com/gptbot)', 'GPTBot 1'],
    ['curl/8.4.0', 'curl 8'],
    ['analytics-node/3.1.0', 'analytics-node 3'],
    ['okhttp/4.12.0', 'okhttp 4'],
    ['python-requests/2.31.0', 'python-requests 2'],
    ['Mozilla/5.0 (Windows NT 10.0)', 'other on Windows'],
    ['', null],
    [null, null],
  ])('%j → %j', (ua, family) => {
    expect(userAgentFamily(ua)).toBe(family);
  });
});
