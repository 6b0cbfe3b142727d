import { reset } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { corpus } from './corpus/cases';
import { basic, DEBUGGER_TOKEN, get, WRITE_KEY } from './support/ingest';
import { installSandbox } from './support/sandbox';
import { assertNoSecrets } from './support/secrets';

const cases = corpus();
const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

afterAll(async () => {
  vi.restoreAllMocks();
  await reset();
});

it('holds at least 200 cases', () => {
  expect(cases.length).toBeGreaterThanOrEqual(200);
});

describe('malformed input corpus: exact status and error code, never a 5xx', () => {
  installSandbox();
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const body = await c.body();
    const res = await exports.default.fetch(
      new Request(`http://collector.test${c.path ?? '/v1/batch'}`, {
        method: c.method ?? 'POST',
        headers: { 'content-type': 'application/json', authorization: basic(WRITE_KEY), ...c.headers },
        body,
        ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
      } as RequestInit),
    );
    await assertNoSecrets(res, c.name);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const answer = (await res.json()) as { error?: string; detail?: string; accepted?: number; duplicates?: number; rejected?: { error: string }[] };
    expect({ status: res.status, error: res.status === 200 ? (answer.rejected?.[0]?.error ?? null) : answer.error }).toEqual({ status: c.status, error: c.error });
    if (res.status !== 200) {
      expect(answer.detail).toEqual(expect.any(String));
    }
    if (res.status !== 200 && !c.unlogged) {
      // Whole-request refusals are counted in the debugger's rejection log, with their reason.
      const log = (await (await get('/debugger/api/rejections?limit=1', { authorization: `Bearer ${DEBUGGER_TOKEN}` })).json()) as { recent: { error: string; status: number; detail: string }[] };
      expect(log.recent[0]).toMatchObject({ error: c.error, status: c.status });
      // The log keeps our verdict, never the refused body's text (SECURITY.md).
      if (typeof body === 'string') expect(bodyTextIn(log.recent[0]?.detail ?? '', body), c.name).toBeNull();
    }
    if (c.accepted !== undefined) expect(answer.accepted).toBe(c.accepted);
    if (c.duplicates !== undefined) expect(answer.duplicates).toBe(c.duplicates);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

/**
 * A 10-character run of the body (as long as V8's quote of a bad JSON body was) found in `text`, or
 * null. A quoted key name alone ("writeKey") is our vocabulary too, not body text.
 */
function bodyTextIn(text: string, body: string): string | null {
  for (let i = 0; i + 10 <= body.length; i++) {
    const window = body.slice(i, i + 10);
    if (/[A-Za-z0-9]{3}/.test(window) && !/^"\w+"$/.test(window) && text.includes(window)) return window;
  }
  return null;
}

