/**
 * A client that declares a body, sends part of it and goes away: a 4xx of its own (`400
 * incomplete_body`), counted where refusals are counted, and never an "unhandled" 500. The same over
 * real HTTP against `wrangler dev` is in test/clients/abortedUpload.test.ts.
 */
import { reset } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { basic, DEBUGGER_TOKEN, get, WRITE_KEY } from './support/ingest';
import { fetchWith } from './support/configured';
import { SYNC_PASSWORD, SYNC_PATH, SYNC_USER } from './support/segments';

afterEach(async () => {
  vi.restoreAllMocks();
  await reset();
});

/** A body stream that delivers `head` and then breaks, as workerd's is when the client disconnects. */
function brokenBody(head: string, error: unknown = new Error('Network connection lost.')): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(head));
      controller.error(error);
    },
  });
}

function brokenUpload(path: string, headers: Record<string, string>, error?: unknown): Request {
  return new Request(`http://collector.test${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': '4096', ...headers },
    body: brokenBody('{"batch":[{"type":"track","event":"Order', error),
    duplex: 'half',
  } as RequestInit);
}

const auth = { authorization: `Bearer ${DEBUGGER_TOKEN}` };

describe('aborted uploads', () => {
  it.each([
    ['POST /v1/batch', '/v1/batch'],
    ['POST /v1/track', '/v1/track'],
    ['POST /i (the tag’s path)', '/i'],
  ])('%s: 400 incomplete_body, counted in the rejection log, no "unhandled" log line', async (_name, path) => {
    const errors = vi.spyOn(console, 'error');
    const res = await fetchWith({}, brokenUpload(path, { authorization: basic(WRITE_KEY) }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; detail: string };
    expect(body.error).toBe('incomplete_body');
    expect(body.detail).toContain('4096 bytes Content-Length promised');
    expect(errors.mock.calls.flat().join(' ')).not.toContain('unhandled');
    const log = (await (await get('/debugger/api/rejections', auth)).json()) as { counts: { error: string; status: number; count: number }[] };
    expect(log.counts).toContainEqual(expect.objectContaining({ error: 'incomplete_body', status: 400, count: 1 }));
  });

  it('whatever the broken stream throws (a TypeError, a string), the answer is the same', async () => {
    for (const error of [new TypeError('The stream was closed.'), 'reset', undefined]) {
      const res = await fetchWith({}, brokenUpload('/v1/batch', { authorization: basic(WRITE_KEY) }, error));
      expect(await res.json()).toMatchObject({ error: 'incomplete_body' });
    }
  });

  it('segment sync: 400 incomplete_body, in the sync journal’s errors, no "unhandled" log line', async () => {
    const errors = vi.spyOn(console, 'error');
    const res = await fetchWith({}, brokenUpload(SYNC_PATH, { authorization: basic(SYNC_USER, SYNC_PASSWORD) }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'incomplete_body' });
    expect(errors.mock.calls.flat().join(' ')).not.toContain('unhandled');
    const overview = (await (await get('/debugger/api/segments', auth)).json()) as { errors: { status: number; error: string }[] };
    expect(overview.errors).toContainEqual(expect.objectContaining({ status: 400, error: 'incomplete_body' }));
  });
});
