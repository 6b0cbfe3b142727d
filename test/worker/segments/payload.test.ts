import { describe, expect, it } from 'vitest';
import { SEGMENT_DEFAULTS, readSegmentsConfig } from '../../../worker/config/segments';
import type { Env } from '../../../worker/env';
import { HttpError } from '../../../worker/http/HttpError';
import { parseSegmentSync } from '../../../worker/segments/payload';
import { hasResyncMarker } from '../../../worker/segments/resyncMarker';
import { partition, SHARD_COUNT, shardOf } from '../../../worker/segments/shard';
import { userHash, verifyUserHash } from '../../../worker/segments/userHash';
import { type PageSpec, syncBody } from '../support/segments';

const keys = { userKey: 'partner_user_id', addKey: 'add_users', removeKey: 'remove_users' };

function refusal(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected an HttpError');
}

describe('parseSegmentSync', () => {
  it('reads the seed’s request into one page', () => {
    const page = parseSegmentSync(syncBody({ sync: 's1', name: 'VIP', execution: 'e9', page: 12, total: 14, add: ['uid99', 'uid00'], remove: ['uid98'] }), keys);
    expect(page).toEqual({
      syncId: 's1',
      syncName: 'VIP',
      executionId: 'e9',
      integrationId: 'integration-edgetag',
      page: 12,
      totalPages: 14,
      add: ['uid99', 'uid00'],
      remove: ['uid98'],
      skipped: [],
    });
  });

  it.each<[string, PageSpec, { add: string[]; remove: string[] }]>([
    ['duplicates in a list collapse', { add: ['a', 'a', 'b'] }, { add: ['a', 'b'], remove: [] }],
    ['identifiers are trimmed', { add: [' a '] }, { add: ['a'], remove: [] }],
    ['renamed keys are read', { add: ['a'], remove: ['b'], addKey: 'in', removeKey: 'out', userKey: 'uid' }, { add: ['a'], remove: ['b'] }],
  ])('%s', (_case, spec, expected) => {
    const page = parseSegmentSync(syncBody(spec), {
      userKey: spec.userKey ?? keys.userKey,
      addKey: spec.addKey ?? keys.addKey,
      removeKey: spec.removeKey ?? keys.removeKey,
    });
    expect({ add: page.add, remove: page.remove }).toEqual(expected);
  });

  it('uses the sync id as name when the name is empty', () => {
    const body = syncBody({ sync: 's1' }) as { data: Record<string, unknown> };
    body.data.moengage_sync_name = '';
    expect(parseSegmentSync(body, keys).syncName).toBe('s1');
  });

  it.each([
    ['not an object', 'segment_sync', 'invalid_segment_sync', 400],
    ['null', null, 'invalid_segment_sync', 400],
    ['a fractional page', { ...syncBody(), pagination: { total_pages: 1, page_count: 1.5 } }, 'invalid_segment_sync', 400],
    ['a missing sync id', { ...syncBody(), data: { moengage_execution_id: 'e', moengage_sync_name: 'n' } }, 'invalid_segment_sync', 400],
  ])('refuses %s', (_case, body, error, status) => {
    const refused = refusal(() => parseSegmentSync(body, keys));
    expect([refused.status, refused.error]).toEqual([status, error]);
    expect(refused.issues?.length).toBeGreaterThan(0);
  });
});

describe('shards', () => {
  it('is FNV-1a 32-bit (published test vectors), so placement never changes between releases', () => {
    const full = 2 ** 32;
    expect(shardOf('', full)).toBe(0x811c9dc5);
    expect(shardOf('a', full)).toBe(0xe40c292c);
    expect(shardOf('foobar', full)).toBe(0xbf9cf968);
  });

  it('spreads 160,000 ids within ±5% of even over the shards', () => {
    const ids = Array.from({ length: 160_000 }, (_, i) => `u_${i}`);
    const sizes = partition(ids).map((p) => p.length);
    expect(sizes).toHaveLength(SHARD_COUNT);
    for (const size of sizes) expect(Math.abs(size - 10_000)).toBeLessThan(500);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(ids.length);
  });
});

describe('hasResyncMarker', () => {
  const marker = { key: 'edgetag_resync', value: 'true' };
  const request = (query = '', headers: Record<string, string> = {}) => new Request(`https://c.test/v1/moengage/segment-sync${query}`, { method: 'POST', headers });
  it.each([
    ['query', request('?edgetag_resync=true'), {}, true],
    ['query, other value', request('?edgetag_resync=false'), {}, false],
    ['header', request('', { edgetag_resync: 'true' }), {}, true],
    ['top-level boolean', request(), { edgetag_resync: true }, true],
    ['data string', request(), { data: { edgetag_resync: 'true' } }, true],
    ['object value', request(), { edgetag_resync: { value: 'true' } }, false],
    ['absent', request(), { data: {} }, false],
  ])('%s → %s', (_case, req, body, expected) => {
    expect(hasResyncMarker(req, body, marker)).toBe(expected);
  });

  it('is never set when the marker is off', () => {
    expect(hasResyncMarker(request('?edgetag_resync=true'), {}, undefined)).toBe(false);
  });
});

describe('readSegmentsConfig', () => {
  const read = (env: Record<string, string>) => readSegmentsConfig(env as unknown as Env);
  it('has working defaults and no receiver without credentials', () => {
    expect(read({})).toEqual({
      sync: undefined,
      userKey: SEGMENT_DEFAULTS.userKey,
      addKey: 'add_users',
      removeKey: 'remove_users',
      resyncMarker: { key: 'edgetag_resync', value: 'true' },
      identitySecret: undefined,
      cacheSeconds: 30,
      visible: undefined,
    });
  });

  it.each([
    [{ SEGMENT_SYNC_USERNAME: 'u' }, 'SEGMENT_SYNC_USERNAME/SEGMENT_SYNC_PASSWORD'],
    [{ SEGMENT_SYNC_ADD_KEY: 'users', SEGMENT_SYNC_REMOVE_KEY: 'users' }, 'SEGMENT_SYNC_ADD_KEY'],
    [{ SEGMENT_SYNC_RESYNC_MARKER: 'resync' }, 'SEGMENT_SYNC_RESYNC_MARKER'],
    [{ SEGMENTS_CACHE_SECONDS: '-1' }, 'SEGMENTS_CACHE_SECONDS'],
  ])('refuses %o naming %s', (env, setting) => {
    expect(() => read(env)).toThrow(setting);
  });
});

describe('userHash', () => {
  it('is hex HMAC-SHA256 (a published test vector)', async () => {
    expect(await userHash('key', 'The quick brown fox jumps over the lazy dog')).toBe('f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8');
  });

  it('verifies only the right user under the right secret', async () => {
    const hash = await userHash('s', 'u_1');
    expect(await verifyUserHash('s', 'u_1', hash)).toBe(true);
    expect(await verifyUserHash('s', 'u_2', hash)).toBe(false);
    expect(await verifyUserHash('t', 'u_1', hash)).toBe(false);
    expect(await verifyUserHash('s', 'u_1', hash.slice(1))).toBe(false);
  });
});
