/**
 * Structured logs (worker/logs/logLine.ts): one JSON line per MoEngage delivery attempt and per
 * refused request, as `wrangler tail` and Logpush receive them; nothing personal or secret in them,
 * even when the message, the refused body or MoEngage's error quote an email or a phone. With the
 * optional ANALYTICS dataset bound (it is in this test project), the same facts go there too.
 */
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ingest, track } from './support/debugger';
import { flush, post } from './support/ingest';
import { useSandbox } from './support/sandboxPerTest';
import { secretsIn } from './support/secrets';

const T0 = Date.UTC(2030, 7, 1, 9, 0, 0);
const { sandbox, at } = useSandbox({ clock: T0 });

const PERSONAL = ['jane.doe@example.com', '7700900123', 'u_secretive_user'];
let lines: string[] = [];
let points: AnalyticsEngineDataPoint[] = [];

beforeEach(() => {
  lines = [];
  points = [];
  for (const method of ['log', 'warn', 'error'] as const) {
    const original = console[method];
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].startsWith('{')) lines.push(args[0]);
      else original(...args);
    });
  }
  vi.spyOn(env.ANALYTICS!, 'writeDataPoint').mockImplementation((point) => void points.push(point!));
});
afterEach(() => vi.restoreAllMocks());

const parsed = (msg: string) => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === msg);

function expectClean() {
  const all = lines.join('\n');
  for (const value of PERSONAL) expect(all).not.toContain(value);
  expect(secretsIn(all, true)).toEqual([]);
  expect(all).not.toContain('authorization');
}

const personal = (messageId: string) =>
  track({ messageId, userId: 'u_secretive_user', context: { traits: { email: 'jane.doe@example.com', phone: '+44 7700 900123' } } });

describe('structured log lines', () => {
  it('one per delivery attempt: which request, how it ended, in numbers; nobody in it', async () => {
    await ingest(personal('p-1'), personal('p-2'));
    at(1_000);
    await flush();
    const [attempt, ...more] = parsed('moengage_attempt');
    expect(more).toEqual([]);
    expect(attempt).toMatchObject({
      level: 'info',
      at: new Date(T0 + 1_000).toISOString(),
      connection: 'default',
      endpoint: 'event',
      status: 200,
      class: '2xx',
      verdict: 'delivered',
      items: 2,
      units: { events: 2, customers: 0, merges: 0 },
      durationMs: expect.any(Number),
      bytes: expect.any(Number),
      requestId: expect.any(String),
    });
    expectClean();
    expect(points).toContainEqual({ indexes: ['default'], blobs: ['moengage_attempt', 'default', 'event', 'delivered'], doubles: [200, expect.any(Number), 2, attempt!.bytes] });
  });

  it("a refused attempt names MoEngage's error type, never its message (which may quote the customer)", async () => {
    sandbox().faults.add({ status: 400, count: 1, body: { status: 'fail', error: { type: 'InvalidValueError', message: 'bad u_em jane.doe@example.com for +447700900123', request_id: 'r-1' } } });
    await ingest(personal('p-3'));
    at(1_000);
    await flush();
    expect(parsed('moengage_attempt')).toEqual([
      expect.objectContaining({ level: 'warn', status: 400, class: '4xx', verdict: 'reject', reason: 'rejected_by_moengage', errorType: 'InvalidValueError' }),
    ]);
    expectClean();
  });

  it('one per refused request: status, error code and the request shape, never its body or address', async () => {
    const body = JSON.stringify({ batch: [personal('p-4')] }).slice(0, -2); // cut: invalid JSON, full of personal data
    const res = await post('/v1/batch', body, { 'cf-connecting-ip': '203.0.113.7', origin: 'https://shop.example' });
    expect(res.status).toBe(400);
    expect(parsed('request_refused')).toEqual([
      {
        level: 'warn',
        msg: 'request_refused',
        at: expect.any(String),
        status: 400,
        error: 'invalid_json',
        method: 'POST',
        path: '/v1/batch',
        contentType: 'application/json',
        contentLength: new TextEncoder().encode(body).length,
        origin: 'https://shop.example',
      },
    ]);
    expect(lines.join('\n')).not.toContain('203.0.113.7');
    expectClean();
    expect(points).toContainEqual({ indexes: ['collector'], blobs: ['request_refused', 'invalid_json', '/v1/batch'], doubles: [400] });
  });
});
