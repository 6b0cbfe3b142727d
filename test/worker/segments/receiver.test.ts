import { reset, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SegmentStore } from '../../../worker/segments/SegmentStore';
import { shardName } from '../../../worker/segments/shard';
import { basic } from '../support/ingest';
import { debuggerGet, journal, membership, postSync, SYNC_PASSWORD, SYNC_USER, syncBody, syncPage } from '../support/segments';

// Each test starts Durable Objects afresh (after reset()); on a shared 2-core machine that takes seconds.
vi.setConfig({ testTimeout: 30_000 });

afterEach(() => reset());

/** Seed 003 "API Request Format", with the placeholders filled in. */
const SEED_REQUEST = {
  type: 'segment_sync',
  pagination: { total_pages: 14, page_count: 12 },
  data: {
    moengage_sync_id: 'sync_id',
    moengage_sync_name: 'sync_name',
    moengage_execution_id: 'execution_id',
    moengage_integration_id: 'integration_id',
    add_users: [
      { moengage_distinct_id: 'moe_1', partner_user_id: 'uid99' },
      { moengage_distinct_id: 'moe_2', partner_user_id: 'uid00' },
    ],
    remove_users: [
      { moengage_distinct_id: 'moe_3', partner_user_id: 'uid98' },
      { moengage_distinct_id: 'moe_4', partner_user_id: 'uid01' },
    ],
  },
};

describe('receiving the seed’s segment_sync request', () => {
  it('answers 200 application/json with what it applied', async () => {
    const res = await postSync(SEED_REQUEST);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      ok: true,
      sync_id: 'sync_id',
      execution_id: 'execution_id',
      page: 12,
      total_pages: 14,
      resync: 'first_execution',
      duplicate: false,
      added: 2,
      removed: 0,
      dropped: 0,
      skipped: 0,
      skipped_users: [],
    });
    expect(await membership('uid99')).toEqual(['sync_name']);
    expect(await membership('uid00')).toEqual(['sync_name']);
    expect(await membership('uid98')).toEqual([]);
  });

  it('adds add_users and removes remove_users across executions (periodic differences)', async () => {
    await syncPage({ execution: 'e1', add: ['u1', 'u2', 'u3'] });
    const diff = await syncPage({ execution: 'e2', add: ['u4'], remove: ['u1', 'u-never-member'] });
    expect(diff).toMatchObject({ resync: null, added: 1, removed: 1 });
    expect(await membership('u1')).toEqual([]);
    expect(await membership('u2')).toEqual(['VIP customers']);
    expect(await membership('u4')).toEqual(['VIP customers']);
  });

  it('keeps one user in several segments independently', async () => {
    await syncPage({ sync: 's-a', name: 'Loyal', add: ['u1', 'u2'] });
    await syncPage({ sync: 's-b', name: 'Cart abandoners', add: ['u1'] });
    await syncPage({ sync: 's-a', name: 'Loyal', execution: 'e2', remove: ['u1'] });
    expect(await membership('u1')).toEqual(['Cart abandoners']);
    expect(await membership('u2')).toEqual(['Loyal']);
  });

  it('accepts either list missing, null or empty (the seed: neither is mandatory)', async () => {
    const body = syncBody({ add: ['u1'] }) as { data: Record<string, unknown> };
    delete body.data.remove_users;
    expect((await postSync(body)).status).toBe(200);
    const onlyRemove = syncBody({ execution: 'e2', remove: ['u1'] }) as { data: Record<string, unknown> };
    onlyRemove.data.add_users = null;
    expect(await (await postSync(onlyRemove)).json()).toMatchObject({ removed: 1 });
    const empty = await syncPage({ execution: 'e3' });
    expect(empty).toMatchObject({ added: 0, removed: 0 });
  });

  it('ignores extra key-value pairs at the top level, in data and in every user (seed cURL example)', async () => {
    const res = await postSync(
      syncBody({
        add: ['uid99'],
        userPairs: { key_format_1: 'value_format_1', key_format_2: 'value_format_2' },
        extra: { source: 'moengage' },
        dataExtra: { campaign: 'spring' },
      }),
    );
    expect(res.status).toBe(200);
    expect(await membership('uid99')).toEqual(['VIP customers']);
  });

  it('accepts numeric ids and identifiers (coerced to strings)', async () => {
    const body = syncBody() as { data: Record<string, unknown> };
    body.data.moengage_sync_id = 42;
    body.data.moengage_execution_id = 7;
    body.data.add_users = [{ moengage_distinct_id: 'x', partner_user_id: 8842 }];
    expect(await (await postSync(body)).json()).toMatchObject({ sync_id: '42', execution_id: '7', added: 1 });
    expect(await membership('8842')).toEqual(['VIP customers']);
  });

  it('skips users without a usable identifier, answers which and why, applies the rest', async () => {
    const body = syncBody({ add: ['good-1'] }) as { data: Record<string, unknown[]> };
    body.data.add_users!.push({ moengage_distinct_id: 'm', partner_user_id: '' }, { moengage_distinct_id: 'n' }, { moengage_distinct_id: 'o', partner_user_id: 'x'.repeat(513) });
    body.data.remove_users = [{ moengage_distinct_id: 'p', partner_user_id: { nested: true } }];
    const answer = (await (await postSync(body)).json()) as Record<string, unknown>;
    expect(answer).toMatchObject({ added: 1, skipped: 4 });
    expect(answer.skipped_users).toEqual([
      { list: 'add', index: 1, reason: 'empty_identifier' },
      { list: 'add', index: 2, reason: 'missing_identifier' },
      { list: 'add', index: 3, reason: 'identifier_too_long' },
      { list: 'remove', index: 0, reason: 'invalid_identifier' },
    ]);
    const { executions } = await journal();
    expect(executions[0]).toMatchObject({ skipped: 4, added: 1 });
  });

  it('does not guess when one page both adds and removes a user: reported, state unchanged', async () => {
    await syncPage({ execution: 'e1', add: ['both'] });
    const answer = await syncPage({ execution: 'e2', add: ['both', 'other'], remove: ['both'] });
    expect(answer.skipped_users).toEqual([
      { list: 'add', index: 0, reason: 'in_add_and_remove' },
      { list: 'remove', index: 0, reason: 'in_add_and_remove' },
    ]);
    expect(await membership('both')).toEqual(['VIP customers']);
  });
});

describe('renamed keys (configured on MoEngage’s side)', () => {
  const overrides = { SEGMENT_SYNC_ADD_KEY: 'joiners', SEGMENT_SYNC_REMOVE_KEY: 'leavers', SEGMENT_SYNC_USER_KEY: 'customer_id' };

  it('reads the renamed lists and identifier', async () => {
    await syncPage({ execution: 'e1', add: ['c1', 'c2'], addKey: 'joiners', removeKey: 'leavers', userKey: 'customer_id' }, { overrides });
    const diff = await syncPage({ execution: 'e2', remove: ['c1'], addKey: 'joiners', removeKey: 'leavers', userKey: 'customer_id' }, { overrides });
    expect(diff).toMatchObject({ removed: 1 });
    expect(await membership('c1')).toEqual([]);
    expect(await membership('c2')).toEqual(['VIP customers']);
  });

  it('answers 400 unknown_user_key naming the keys it saw when the identifier was renamed only in MoEngage', async () => {
    const res = await postSync(syncBody({ add: ['c1'], userKey: 'customer_id' }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; detail: string };
    expect(body.error).toBe('unknown_user_key');
    expect(body.detail).toContain('SEGMENT_SYNC_USER_KEY');
    expect(body.detail).toContain('customer_id');
  });

  it('answers 400 when a renamed list is not an array', async () => {
    const body = syncBody({ addKey: 'joiners', removeKey: 'leavers' }) as { data: Record<string, unknown> };
    body.data.joiners = 'c1';
    const res = await postSync(body, { overrides });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_segment_sync', issues: [{ path: 'data.joiners' }] });
  });
});

describe('MoEngage retries (up to 3, one per 3 s): idempotent per execution and page', () => {
  it('applies a retried page once and says it was a duplicate', async () => {
    const page = { execution: 'e1', page: 1, total: 2, add: ['r1', 'r2'] };
    const first = await syncPage(page);
    const retries = [await syncPage(page), await syncPage(page), await syncPage(page)];
    expect(first).toMatchObject({ duplicate: false, added: 2 });
    for (const retry of retries) expect(retry).toMatchObject({ duplicate: true, added: 0, removed: 0 });

    const { segments, executions } = await journal();
    expect(segments[0]).toMatchObject({ syncId: 'sync-vip', members: 2 });
    expect(executions[0]).toMatchObject({ executionId: 'e1', requests: 4, retries: 3, pagesApplied: 1, totalPages: 2, status: 'receiving', added: 2 });
  });

  it('does not re-add users removed by a later execution when an old page is retried', async () => {
    await syncPage({ execution: 'e1', add: ['r1'] });
    await syncPage({ execution: 'e2', remove: ['r1'] });
    expect(await syncPage({ execution: 'e1', add: ['r1'] })).toMatchObject({ duplicate: true });
    expect(await membership('r1')).toEqual([]);
  });

  it('applies a page that reuses a page number within the execution with other users (keyed on content too)', async () => {
    const first = await syncPage({ execution: 'e1', page: 3, total: 4, add: ['a1', 'a2'], remove: ['gone-1'] });
    const other = await syncPage({ execution: 'e1', page: 3, total: 4, add: ['b1'], remove: ['a2'] });
    expect(first).toMatchObject({ duplicate: false, added: 2 });
    expect(other).toMatchObject({ duplicate: false, added: 1, removed: 1 });
    expect(await membership('a1')).toEqual(['VIP customers']);
    expect(await membership('a2')).toEqual([]);
    expect(await membership('b1')).toEqual(['VIP customers']);

    // Either page repeated (MoEngage's retry, users in any order) is still a no-op.
    expect(await syncPage({ execution: 'e1', page: 3, total: 4, add: ['a2', 'a1'], remove: ['gone-1'] })).toMatchObject({ duplicate: true, added: 0, removed: 0 });
    expect(await syncPage({ execution: 'e1', page: 3, total: 4, add: ['b1'], remove: ['a2'] })).toMatchObject({ duplicate: true, added: 0, removed: 0 });
    expect(await membership('a2')).toEqual([]);

    const res = await debuggerGet('/debugger/api/segments/sync-vip/executions/e1');
    const execution = (await res.json()) as Record<string, any>;
    expect(execution).toMatchObject({ requests: 4, retries: 2, added: 3, removed: 1 });
    expect(execution.pages).toEqual([expect.objectContaining({ page: 3, status: 'applied', requests: 4, contents: 2 })]);
  });

  it('repeats an identical page as a no-op even when several shards hold its users', async () => {
    const users = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    const page = { execution: 'e1', page: 1, add: users };
    expect(await syncPage(page)).toMatchObject({ duplicate: false, added: 40 });
    expect(await syncPage(page)).toMatchObject({ duplicate: true, added: 0 });
    const { segments } = await journal();
    expect(segments[0]).toMatchObject({ members: 40 });
  });

  it('moves pages applied before content keys over: a retry of such a page stays a no-op', async () => {
    const shard = env.SEGMENT_STORE.getByName(shardName(0));
    await runInDurableObject(shard, async (_instance, state) => {
      state.storage.sql.exec('DROP TABLE applied_page_contents');
      state.storage.sql.exec('CREATE TABLE applied_pages (sync_id TEXT NOT NULL, execution_id TEXT NOT NULL, page INTEGER NOT NULL, applied_at INTEGER NOT NULL, PRIMARY KEY (sync_id, execution_id, page)) WITHOUT ROWID');
      state.storage.sql.exec("INSERT INTO applied_pages VALUES ('sync-vip', 'e-old', 1, ?)", Date.now());
      const migrated = new SegmentStore(state, env);
      const tables = state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'applied%' ORDER BY name").toArray();
      expect(tables.map((t) => t.name)).toEqual(['applied_page_contents']);
      expect(migrated.apply({ syncId: 'sync-vip', syncName: 'VIP', executionId: 'e-old', page: 1, contentHash: 'anything', resync: false, add: ['x'], remove: [] })).toEqual({ duplicate: true, added: 0, removed: 0, dropped: 0 });
      expect(migrated.apply({ syncId: 'sync-vip', syncName: 'VIP', executionId: 'e-old', page: 2, contentHash: 'h2', resync: false, add: ['x'], remove: [] })).toMatchObject({ duplicate: false, added: 1 });
    });
  });

  it('applies the same page number of different executions', async () => {
    await syncPage({ execution: 'e1', add: ['r1'] });
    expect(await syncPage({ execution: 'e2', add: ['r2'] })).toMatchObject({ duplicate: false, added: 1 });
  });

  it('marks an execution complete when all its pages arrived, in any order', async () => {
    await syncPage({ execution: 'e1', page: 2, total: 2, add: ['p2'] });
    await syncPage({ execution: 'e1', page: 1, total: 2, add: ['p1'] });
    const res = await debuggerGet('/debugger/api/segments/sync-vip/executions/e1');
    const execution = (await res.json()) as Record<string, any>;
    expect(execution).toMatchObject({ status: 'complete', pagesApplied: 2, totalPages: 2, added: 2 });
    expect(execution.pages.map((p: { page: number; status: string }) => [p.page, p.status])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
    ]);
  });
});

describe('Resync All Users', () => {
  const seed = async () => {
    await syncPage({ execution: 'e1', add: ['keep', 'stale-1', 'stale-2'] });
    await syncPage({ sync: 'other', name: 'Other', execution: 'o1', add: ['stale-1'] });
  };

  it('drops the segment’s members when an execution marked by the configured pair starts, then refills', async () => {
    await seed();
    const page1 = await syncPage({ execution: 'resync-1', page: 1, total: 2, add: ['keep'] }, { query: '?edgetag_resync=true' });
    expect(page1).toMatchObject({ resync: 'marker', added: 1, dropped: 3 });
    // Later pages of the same execution refill without dropping again, even without the pair.
    const page2 = await syncPage({ execution: 'resync-1', page: 2, total: 2, add: ['new'] });
    expect(page2).toMatchObject({ resync: 'marker', added: 1, dropped: 0 });
    expect(await membership('keep')).toEqual(['VIP customers']);
    expect(await membership('new')).toEqual(['VIP customers']);
    expect(await membership('stale-2')).toEqual([]);
    expect(await membership('stale-1')).toEqual(['Other']); // other segments are untouched
    const { segments } = await journal();
    expect(segments.find((s: { syncId: string }) => s.syncId === 'sync-vip')).toMatchObject({ members: 2 });
  });

  it.each([
    ['a header', { headers: { edgetag_resync: 'true' } }, {}],
    ['a data key', {}, { dataExtra: { edgetag_resync: 'true' } }],
    ['a top-level key', {}, { extra: { edgetag_resync: true } }],
  ])('recognises the pair in %s', async (_where, options, spec) => {
    await seed();
    expect(await syncPage({ execution: 'resync-1', add: ['keep'], ...spec }, options)).toMatchObject({ resync: 'marker', dropped: 3 });
  });

  it('uses a custom pair from SEGMENT_SYNC_RESYNC_MARKER, and none when it is off', async () => {
    await seed();
    const custom = { SEGMENT_SYNC_RESYNC_MARKER: 'full=1' };
    expect(await syncPage({ execution: 'x1', add: ['keep'] }, { query: '?edgetag_resync=true', overrides: custom })).toMatchObject({ resync: null, dropped: 0 });
    expect(await syncPage({ execution: 'x2', add: ['keep'] }, { query: '?full=1', overrides: custom })).toMatchObject({ resync: 'marker', dropped: 3 });
    const off = { SEGMENT_SYNC_RESYNC_MARKER: 'off' };
    expect(await syncPage({ execution: 'x3', add: ['keep'] }, { query: '?edgetag_resync=true', overrides: off })).toMatchObject({ resync: null });
  });

  it('treats the next new execution as a resync once armed in the debugger API', async () => {
    await seed();
    const armed = await debuggerGet('/debugger/api/segments/sync-vip/resync', { method: 'POST' });
    expect(armed.status).toBe(200);
    expect((await journal()).segments.find((s: { syncId: string }) => s.syncId === 'sync-vip')).toMatchObject({ resyncArmed: true });
    expect(await syncPage({ execution: 'resync-2', add: ['keep'] })).toMatchObject({ resync: 'armed', dropped: 3 });
    // Armed once: the next execution is a difference again.
    expect(await syncPage({ execution: 'diff-3', add: ['x'] })).toMatchObject({ resync: null, dropped: 0 });
    expect(await membership('keep')).toEqual(['VIP customers']);
    expect(await membership('stale-2')).toEqual([]);
  });

  it('lets an armed resync expire after an hour, so a forgotten arm cannot wipe a later difference', async () => {
    await seed();
    const armed = (await (await debuggerGet('/debugger/api/segments/sync-vip/resync', { method: 'POST' })).json()) as { resyncArmedUntil: string };
    expect(Date.parse(armed.resyncArmedUntil) - Date.now()).toBeGreaterThan(59 * 60 * 1000);
    await runInDurableObject(env.SEGMENT_SYNC_JOURNAL.getByName('journal'), (_instance, state) => {
      state.storage.sql.exec('UPDATE syncs SET resync_armed_at = resync_armed_at - ?', 61 * 60 * 1000);
    });
    expect((await journal()).segments.find((s: { syncId: string }) => s.syncId === 'sync-vip')).toMatchObject({ resyncArmed: false, resyncArmedUntil: null });
    expect(await syncPage({ execution: 'diff-2', add: ['x'] })).toMatchObject({ resync: null, dropped: 0 });
    expect(await membership('stale-2')).toEqual(['VIP customers']);
  });

  it('answers 404 when arming a sync never received', async () => {
    const res = await debuggerGet('/debugger/api/segments/nope/resync', { method: 'POST' });
    expect(res.status).toBe(404);
  });

  it('drops in every shard exactly once even when the pages of a resync arrive concurrently', async () => {
    const users = Array.from({ length: 400 }, (_, i) => `old-${i}`);
    await syncPage({ execution: 'e1', add: users });
    const pages = Array.from({ length: 4 }, (_, p) =>
      syncPage({ execution: 'resync-c', page: p + 1, total: 4, add: Array.from({ length: 50 }, (_, i) => `new-${p}-${i}`) }, { query: '?edgetag_resync=true' }),
    );
    const answers = await Promise.all(pages);
    expect(answers.reduce((n, a) => n + a.dropped, 0)).toBe(400);
    expect(answers.reduce((n, a) => n + a.added, 0)).toBe(200);
    expect(await membership('old-7')).toEqual([]);
    expect(await membership('new-3-49')).toEqual(['VIP customers']);
    const { segments } = await journal();
    expect(segments[0]).toMatchObject({ members: 200 });
  });
});

describe('authentication', () => {
  it.each([
    ['no Authorization header', null, 'missing_credentials'],
    ['a wrong password', basic(SYNC_USER, 'wrong'), 'invalid_credentials'],
    ['a wrong username', basic('someone', SYNC_PASSWORD), 'invalid_credentials'],
    ['a write key instead', basic('test-write-key'), 'invalid_credentials'],
    ['the debugger token as Bearer', 'Bearer test-debugger-token', 'missing_credentials'],
    ['garbage Basic', 'Basic %%%', 'invalid_authorization'],
  ])('answers 401 JSON for %s and stores nothing', async (_case, auth, error) => {
    const res = await postSync(syncBody({ add: ['intruder'] }), { auth });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(await res.json()).toMatchObject({ error });
    expect(await membership('intruder')).toEqual([]);
    const { errors } = await journal();
    expect(errors[0]).toMatchObject({ status: 401, error });
    expect(JSON.stringify(errors)).not.toContain(SYNC_PASSWORD);
  });

  it('answers 503 segment_sync_disabled when the credentials are not set', async () => {
    const res = await postSync(syncBody({ add: ['u1'] }), { overrides: { SEGMENT_SYNC_USERNAME: undefined, SEGMENT_SYNC_PASSWORD: undefined } });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'segment_sync_disabled' });
  });

  it('refuses to start with only one of username and password (misconfigured)', async () => {
    const res = await postSync(syncBody(), { overrides: { SEGMENT_SYNC_PASSWORD: undefined } });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'misconfigured', detail: expect.stringContaining('SEGMENT_SYNC_USERNAME') });
  });

  it('accepts a non-ASCII password encoded as UTF-8', async () => {
    const password = 'pässwörd-✓';
    const bytes = new TextEncoder().encode(`${SYNC_USER}:${password}`);
    const auth = `Basic ${btoa(String.fromCharCode(...bytes))}`;
    const res = await postSync(syncBody({ add: ['u1'] }), { auth, overrides: { SEGMENT_SYNC_PASSWORD: password } });
    expect(res.status).toBe(200);
  });
});

describe('malformed requests: a specific 400 with issues', () => {
  it.each([
    ['a wrong type', { ...SEED_REQUEST, type: 'event' }, ['type']],
    ['no pagination', { type: 'segment_sync', data: SEED_REQUEST.data }, ['pagination']],
    ['a negative page', { ...SEED_REQUEST, pagination: { total_pages: 1, page_count: -1 } }, ['pagination.page_count']],
    ['no execution id', { ...SEED_REQUEST, data: { ...SEED_REQUEST.data, moengage_execution_id: '' } }, ['data.moengage_execution_id']],
    ['no data', { type: 'segment_sync', pagination: { total_pages: 1, page_count: 1 } }, ['data']],
    ['add_users as an object', { ...SEED_REQUEST, data: { ...SEED_REQUEST.data, add_users: { partner_user_id: 'u' } } }, ['data.add_users']],
    ['a user that is a string', { ...SEED_REQUEST, data: { ...SEED_REQUEST.data, remove_users: ['uid98'] } }, ['data.remove_users.0']],
  ])('%s', async (_case, body, paths) => {
    const res = await postSync(body);
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { error: string; detail: string; issues: { path: string }[] };
    expect(answer.error).toBe('invalid_segment_sync');
    expect(answer.issues.map((i) => i.path)).toEqual(paths);
    const { errors } = await journal();
    expect(errors[0]).toMatchObject({ status: 400, error: 'invalid_segment_sync' });
  });

  it('answers 400 invalid_json and empty_body', async () => {
    expect(await (await postSync('{"type":')).json()).toMatchObject({ error: 'invalid_json' });
    expect(await (await postSync('')).json()).toMatchObject({ error: 'empty_body' });
  });

  it('answers 413 from Content-Length before reading, and while streaming', async () => {
    const declared = await postSync('{}', { headers: { 'content-length': String(6 * 1024 * 1024) } });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: 'body_too_large' });
    const streamed = await postSync(new Blob([JSON.stringify({ pad: 'x'.repeat(5 * 1024 * 1024 + 10) })]).stream());
    expect(streamed.status).toBe(413);
  });

  it('answers 413 too_many_users above 20,000 users in one page', async () => {
    const add = Array.from({ length: 20_001 }, (_, i) => `u${i}`);
    const res = await postSync(syncBody({ add }));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: 'too_many_users' });
  });

  it('accepts MoEngage’s largest page (10,000 users)', async () => {
    const add = Array.from({ length: 10_000 }, (_, i) => `big-${i}`);
    expect(await syncPage({ add })).toMatchObject({ added: 10_000 });
    expect(await membership('big-9999')).toEqual(['VIP customers']);
  });
});

describe('debugger API', () => {
  it('shows segments, executions with pages and counts, and errors, behind the bearer token', async () => {
    await syncPage({ execution: 'e1', page: 1, total: 2, add: ['a', 'b', 'c'] });
    await syncPage({ execution: 'e1', page: 1, total: 2, add: ['a', 'b', 'c'] });
    await syncPage({ execution: 'e1', page: 2, total: 2, add: ['d'] });
    await syncPage({ execution: 'e2', remove: ['a'] });
    await postSync({ type: 'nope' });

    const unauthorized = await debuggerGet('/debugger/api/segments', { headers: { authorization: 'Bearer wrong' } });
    expect(unauthorized.status).toBe(401);

    const view = await journal();
    expect(view.segments).toEqual([
      expect.objectContaining({ syncId: 'sync-vip', name: 'VIP customers', integrationId: 'integration-edgetag', members: 3, lastExecutionId: 'e2', resyncArmed: false }),
    ]);
    expect(view.executions.map((e: Record<string, unknown>) => [e.executionId, e.status, e.pagesApplied, e.retries, e.added, e.removed, e.resync])).toEqual([
      ['e2', 'complete', 1, 0, 0, 1, null],
      ['e1', 'complete', 2, 1, 4, 0, 'first_execution'],
    ]);
    expect(view.errors).toEqual([expect.objectContaining({ status: 400, error: 'invalid_segment_sync' })]);
  });

  it('forgets an archived segment everywhere', async () => {
    await syncPage({ add: ['a', 'b'] });
    const res = await debuggerGet('/debugger/api/segments/sync-vip', { method: 'DELETE' });
    expect(await res.json()).toEqual({ ok: true, syncId: 'sync-vip', dropped: 2 });
    expect(await membership('a')).toEqual([]);
    expect((await journal()).segments).toEqual([]);
    expect((await debuggerGet('/debugger/api/segments/sync-vip', { method: 'DELETE' })).status).toBe(404);
  });
});
