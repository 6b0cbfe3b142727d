/**
 * Every body the debugger API takes is read with a cap before it is parsed: a 5 MB `reason` is the
 * client's 4xx, never a 500 from storage (SQLITE_TOOBIG), and routes that take no body ignore one.
 */
import { reset } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ok, postJson, refusal } from '../support/debugger';

afterEach(async () => {
  vi.restoreAllMocks();
  await reset();
});

const FIVE_MB = 5 * 1024 * 1024;

describe('bounded debugger API bodies', () => {
  it('POST /debugger/api/replay with a 5 MB reason: 413 body_too_large, no "unhandled" log line', async () => {
    const errors = vi.spyOn(console, 'error');
    const answer = await refusal(postJson('/debugger/api/replay', { reason: 'x'.repeat(FIVE_MB) }));
    expect(answer.status).toBe(413);
    expect(answer.body.error).toBe('body_too_large');
    expect(errors.mock.calls.flat().join(' ')).not.toContain('unhandled');
  });

  it('a reason under the body cap but no reason code: 400 invalid_replay', async () => {
    const answer = await refusal(postJson('/debugger/api/replay', { reason: 'x'.repeat(100_000) }));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'invalid_replay', issues: [expect.objectContaining({ path: 'reason' })] });
  });

  it('the largest valid replay (1,000 ids of 512 characters) still fits', async () => {
    const messageIds = Array.from({ length: 1_000 }, (_, i) => `${String(i).padStart(4, '0')}-${'x'.repeat(507)}`);
    const answer = await ok<{ replayed: number; notReplayable: string[] }>(postJson('/debugger/api/replay', { messageIds }));
    expect(answer).toMatchObject({ replayed: 0 });
    expect(answer.notReplayable).toHaveLength(1_000);
  });

  it('POST /debugger/api/preview with 5 MB: 413 body_too_large', async () => {
    const answer = await refusal(postJson('/debugger/api/preview', { message: { type: 'track', event: 'x'.repeat(FIVE_MB) } }));
    expect(answer).toMatchObject({ status: 413, body: { error: 'body_too_large' } });
  });

  it.each([
    ['resume', '/debugger/api/connections/default/resume', 200],
    ['segment resync', '/debugger/api/segments/unknown-sync/resync', 404],
  ])('%s takes no body: a 5 MB one is not read', async (_what, path, status) => {
    const res = await api(path, { method: 'POST', body: JSON.stringify({ reason: 'x'.repeat(FIVE_MB) }) });
    expect(res.status).toBe(status);
  });
});
