/**
 * A connection's queue that cannot take a batch (Cloudflare: overloaded or unreachable, or the object
 * throws) is a clean refusal: `503` with `Retry-After`, never a 500, counted in the rejection log and
 * the collector's counters (objects of their own: the failing queue is not called again).
 *
 * An overloaded Durable Object cannot be produced locally, so Cloudflare's flags are covered by the
 * pure classification's table; the integration case breaks a real queue's storage (its outbox table
 * is gone), so the real RPC into it fails inside the object, and the answer and the counting are
 * what a client and an operator would see.
 */
import { reset, runInDurableObject } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { failureOf, queueRefusal } from '../../worker/ingest/queueFailure';
import { track } from './corpus/cases';
import { DEBUGGER_TOKEN, get, post, queue } from './support/ingest';
import { installSandbox } from './support/sandbox';

beforeEach(() => installSandbox());
afterEach(async () => {
  vi.restoreAllMocks();
  await reset();
});

describe('classifying a failed call into a queue (pure)', () => {
  const overloaded = Object.assign(new Error('Durable Object is overloaded. Too many requests queued.'), { overloaded: true, retryable: false });
  const transient = Object.assign(new Error('Network connection lost.'), { retryable: true });
  const thrownInside = Object.assign(new Error('SQLITE_ERROR: no such table: outbox'), { remote: true });
  it.each([
    ['overloaded (Cloudflare’s .overloaded)', overloaded, 'overloaded', '10'],
    ['a transient infrastructure error (.retryable)', transient, 'queue_unavailable', '5'],
    ['an exception inside the object (.remote)', thrownInside, 'queue_unavailable', '5'],
    ['a plain Error without flags', new Error('boom'), 'queue_unavailable', '5'],
    ['not an Error at all', 'a string', 'queue_unavailable', '5'],
    ['undefined', undefined, 'queue_unavailable', '5'],
  ])('%s → 503 %s, Retry-After %s', async (_what, error, code, retryAfter) => {
    const refusal = queueRefusal('default', failureOf(error));
    const response = refusal.toResponse();
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe(retryAfter);
    const body = (await response.json()) as { error: string; detail: string };
    expect(body.error).toBe(code);
    expect(body.detail).toContain('"default"');
    // The error's own message never reaches the client.
    expect(body.detail).not.toMatch(/SQLITE|Network connection|boom/);
  });

  it('reads only true flags (truthy strings are not Cloudflare’s booleans)', () => {
    expect(failureOf({ overloaded: 'yes', retryable: 1, remote: true })).toEqual({ overloaded: false, retryable: false, remote: true });
  });
});

describe('a queue that fails for real', () => {
  it('answers 503 queue_unavailable with Retry-After (never 500), counted once in the rejection log, no "unhandled" line', async () => {
    // Break the default connection's queue: its outbox table is gone, so storing a queued event throws inside the object.
    await post('/v1/batch', { batch: [track()] }); // the object exists, with its schema
    await runInDurableObject(queue(), (_instance, state) => {
      state.storage.sql.exec('DROP TABLE outbox');
    });
    const errors = vi.spyOn(console, 'error');
    const res = await post('/v1/batch', { batch: [track()] });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.headers.get('access-control-allow-origin')).toBeDefined();
    expect(await res.json()).toMatchObject({ error: 'queue_unavailable', detail: expect.stringContaining('retry after 5 s') });
    const logged = errors.mock.calls.flat().join('\n');
    expect(logged).not.toContain('unhandled');
    expect(logged).toContain('"msg":"queue_call_failed"');
    expect(logged).not.toContain('no such table'); // names and places, never messages

    const rejections = (await (await get('/debugger/api/rejections', { authorization: `Bearer ${DEBUGGER_TOKEN}` })).json()) as {
      counts: { error: string; status: number; count: number }[];
    };
    expect(rejections.counts).toContainEqual(expect.objectContaining({ error: 'queue_unavailable', status: 503, count: 1 }));
  });
});
