/**
 * Any messageId can be opened in the debugger: `.`, `..`, `/`, `%`, `?`, `#`, Unicode, spaces.
 * `GET /debugger/api/journey?messageId=` takes it in the query, where URL parsing leaves it alone;
 * the path form `/events/:messageId` cannot carry `.` or `..` (they are folded away as dot segments,
 * even when percent-encoded).
 */
import { reset } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ingest, journey, ok, refusal, track } from '../support/debugger';
import { installSandbox } from '../support/sandbox';

beforeEach(() => installSandbox());
afterEach(async () => {
  vi.restoreAllMocks();
  await reset();
});

const IDS = [
  '.', '..', '...', '/', '//', '%', '%%', '?', '#', '&', '=', '+', ';', '\\', ' ', ' leading space', 'trailing space ',
  'a/b', '../etc/passwd', './x', 'x/..', '%2F', '%2e%2e', '%E0%A4%A', 'a?b=c#d', 'a+b c', 'ü', 'Zoë’s order', '日本語', '🙂', 'e\u0301', 'tab\there',
  'line\nbreak', '"quoted"', "<script>alert('x')</script>", '*', 'x'.repeat(200),
];

describe('messageIds of any characters', () => {
  it(`opens each of ${IDS.length} awkward ids through GET /debugger/api/journey?messageId=`, async () => {
    await ingest(...IDS.map((messageId) => track({ messageId })));
    for (const id of IDS) {
      const shown = await journey(id);
      expect(shown.messageId, JSON.stringify(id)).toBe(id);
      expect((shown.raw as { messageId: string }).messageId).toBe(id);
    }
  });

  it('also with ?connection= and ?reveal=pii', async () => {
    await ingest(track({ messageId: '..', context: { traits: { email: 'jane@example.com' } } }));
    const shown = await journey('..', 'connection=default&reveal=pii');
    expect(shown).toMatchObject({ messageId: '..', pii: 'revealed' });
    expect(JSON.stringify(shown.raw)).toContain('jane@example.com');
  });

  it('an unknown id is 404 event_not_found; no id is 400 invalid_query', async () => {
    expect(await refusal(api('/debugger/api/journey?messageId=%2e%2e%2fnope'))).toMatchObject({ status: 404, body: { error: 'event_not_found' } });
    expect(await refusal(api('/debugger/api/journey'))).toMatchObject({ status: 400, body: { error: 'invalid_query' } });
    expect(await refusal(api('/debugger/api/journey?messageId='))).toMatchObject({ status: 400, body: { error: 'invalid_query' } });
  });

  it('the path form still opens ids without dot segments', async () => {
    await ingest(track({ messageId: 'a/b?c#d %' }));
    expect((await ok(api(`/debugger/api/events/${encodeURIComponent('a/b?c#d %')}`))).messageId).toBe('a/b?c#d %');
  });
});
