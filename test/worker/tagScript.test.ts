/**
 * The tag served first-party by the collector: at TAG_PATH, posting to INGEST_PATH, both
 * configurable, with defaults that ad-blocker lists do not match.
 */
import { reset } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_INGEST_PATH, DEFAULT_TAG_PATH, readConfig } from '../../worker/config/config';
import type { Env } from '../../worker/env';
import pkg from '../../package.json';
import { TAG_AUTOPAGE_SOURCE, TAG_SEGMENTS_AUTOPAGE_SOURCE, TAG_SEGMENTS_SOURCE, TAG_SOURCE, TAG_VERSION } from '../../worker/site/tagBundle.generated';
import { tagScript } from '../../worker/site/tagScript';
import { get } from './support/ingest';
import { installSandbox } from './support/sandbox';

beforeEach(() => installSandbox());
afterEach(async () => {
  vi.restoreAllMocks();
  await reset();
});

/** Words EasyList/EasyPrivacy-style rules match in URLs. */
const BLOCKLIST_WORDS = ['track', 'collect', 'analytics', 'event', 'pixel', 'beacon', 'tag.js'];

describe('first-party paths', () => {
  for (const [name, path] of [
    ['TAG_PATH', DEFAULT_TAG_PATH],
    ['INGEST_PATH', DEFAULT_INGEST_PATH],
  ] as const) {
    it(`the default ${name} (${path}) contains none of ${BLOCKLIST_WORDS.join(', ')}`, () => {
      expect(BLOCKLIST_WORDS.filter((w) => path.toLowerCase().includes(w))).toEqual([]);
    });
  }

  it('GET /s.js serves the built tag with the ingest path filled in', async () => {
    const res = await get(DEFAULT_TAG_PATH);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    const source = await res.text();
    expect(source).not.toContain('__EDGETAG_INGEST_PATH__');
    expect(source).toContain(`"${DEFAULT_INGEST_PATH}"`);
    const etag = res.headers.get('etag') as string;
    expect((await get(DEFAULT_TAG_PATH, { 'if-none-match': etag })).status).toBe(304);
  });

  it('TAG_PATH and INGEST_PATH move the tag and its endpoint', async () => {
    const config = readConfig({ ...(env as unknown as Env), TAG_PATH: 'assets/app.js', INGEST_PATH: '/api/v2/x' } as Env);
    expect([config.tagPath, config.ingestPath]).toEqual(['/assets/app.js', '/api/v2/x']);
    const source = await tagScript(new Request(`http://collector.test${config.tagPath}`), config).text();
    expect(source).toContain('"/api/v2/x"');
    expect(source).not.toContain(`"${DEFAULT_INGEST_PATH}"`);
  });

  it('the ingest path accepts the tag’s text/plain batches with the write key in the body', async () => {
    const res = await exports.default.fetch(
      new Request(`http://collector.test${DEFAULT_INGEST_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://shop.example' },
        body: JSON.stringify({ writeKey: 'test-write-key', sentAt: new Date().toISOString(), batch: [{ type: 'track', event: 'Tag Path', anonymousId: 'a-1', messageId: `tag-path-${Date.now()}`, timestamp: new Date().toISOString() }] }),
      }),
    );
    expect(res.status).toBe(200);
    // ALLOWED_ORIGINS unset: any page may send, and the tag (no credentials) can read the answer.
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.json()).toMatchObject({ ok: true, accepted: 1 });
  });
});

describe('two builds: core, and core + segments', () => {
  const SEGMENTS_CODE = ['/v1/segments', 'user_hash', 'userHash', 'inSegment'];
  const serve = async (config: ReturnType<typeof readConfig>, headers: Record<string, string> = {}) => tagScript(new Request(`http://collector.test${config.tagPath}`, { headers }), config);

  it('the core build carries no segments code; the segments build does, and is otherwise the same tag', () => {
    expect(SEGMENTS_CODE.filter((word) => TAG_SOURCE.includes(word))).toEqual([]);
    expect(SEGMENTS_CODE.filter((word) => !TAG_SEGMENTS_SOURCE.includes(word))).toEqual([]);
    expect(TAG_SEGMENTS_SOURCE.length).toBeGreaterThan(TAG_SOURCE.length);
    for (const method of ['track', 'identify', 'consent', 'sendBeacon']) expect(TAG_SEGMENTS_SOURCE).toContain(method);
  });

  it('serves the segments build only when segment reading is enabled (SEGMENTS_IDENTITY_SECRET), else the core; the ETags differ', async () => {
    const withSegments = readConfig({ ...(env as unknown as Env), SEGMENTS_IDENTITY_SECRET: 'a-secret' } as Env);
    const core = readConfig({ ...(env as unknown as Env), SEGMENTS_IDENTITY_SECRET: '' } as Env);
    expect([withSegments.segments.identitySecret, core.segments.identitySecret]).toEqual(['a-secret', undefined]);

    const segmentsRes = await serve(withSegments);
    const coreRes = await serve(core);
    const [segmentsSource, coreSource] = [await segmentsRes.text(), await coreRes.text()];
    expect(segmentsSource).toBe(TAG_SEGMENTS_SOURCE.split('__EDGETAG_INGEST_PATH__').join(DEFAULT_INGEST_PATH));
    expect(coreSource).toBe(TAG_SOURCE.split('__EDGETAG_INGEST_PATH__').join(DEFAULT_INGEST_PATH));

    const [segmentsEtag, coreEtag] = [segmentsRes.headers.get('etag') as string, coreRes.headers.get('etag') as string];
    expect(segmentsEtag).toMatch(/^"[^"]+"$/);
    expect(segmentsEtag).not.toBe(coreEtag);
    // A browser holding one build is never told (304) that it has the other.
    expect((await serve(core, { 'if-none-match': segmentsEtag })).status).toBe(200);
    expect((await serve(withSegments, { 'if-none-match': coreEtag })).status).toBe(200);
    expect((await serve(core, { 'if-none-match': coreEtag })).status).toBe(304);
    expect((await serve(withSegments, { 'if-none-match': segmentsEtag })).status).toBe(304);
  });

  it('GET /s.js on this collector (SEGMENTS_IDENTITY_SECRET set in the test bindings) is the segments build', async () => {
    const source = await (await get(DEFAULT_TAG_PATH)).text();
    expect(source).toContain('/v1/segments');
  });
});

describe('autoPage builds: TAG_PATH?autopage', () => {
  const AUTO_PAGE_CODE = ['pushState', 'replaceState', 'popstate'];
  const serve = async (config: ReturnType<typeof readConfig>, query = '', headers: Record<string, string> = {}) =>
    tagScript(new Request(`http://collector.test${config.tagPath}${query}`, { headers }), config);

  it('only the autoPage builds carry the History API hooks', () => {
    for (const source of [TAG_SOURCE, TAG_SEGMENTS_SOURCE]) expect(AUTO_PAGE_CODE.filter((word) => source.includes(word))).toEqual([]);
    for (const source of [TAG_AUTOPAGE_SOURCE, TAG_SEGMENTS_AUTOPAGE_SOURCE]) expect(AUTO_PAGE_CODE.filter((word) => !source.includes(word))).toEqual([]);
    expect(TAG_SEGMENTS_AUTOPAGE_SOURCE).toContain('/v1/segments');
    expect(TAG_AUTOPAGE_SOURCE).not.toContain('/v1/segments');
  });

  it('serves the autoPage variant of whichever build the collector serves, with its own ETag', async () => {
    const core = readConfig({ ...(env as unknown as Env), SEGMENTS_IDENTITY_SECRET: '' } as Env);
    const withSegments = readConfig({ ...(env as unknown as Env), SEGMENTS_IDENTITY_SECRET: 'a-secret' } as Env);
    const fill = (source: string) => source.split('__EDGETAG_INGEST_PATH__').join(DEFAULT_INGEST_PATH);

    const [plain, auto, segmentsAuto] = [await serve(core), await serve(core, '?autopage'), await serve(withSegments, '?autopage')];
    expect(await plain.text()).toBe(fill(TAG_SOURCE));
    expect(await auto.text()).toBe(fill(TAG_AUTOPAGE_SOURCE));
    expect(await segmentsAuto.text()).toBe(fill(TAG_SEGMENTS_AUTOPAGE_SOURCE));
    // Asked twice (the second from the cache), still the variant the URL names.
    expect(await (await serve(core, '?autopage')).text()).toBe(fill(TAG_AUTOPAGE_SOURCE));
    expect(await (await serve(core)).text()).toBe(fill(TAG_SOURCE));

    const [plainEtag, autoEtag] = [plain.headers.get('etag') as string, auto.headers.get('etag') as string];
    expect(autoEtag).not.toBe(plainEtag);
    expect((await serve(core, '?autopage', { 'if-none-match': plainEtag })).status).toBe(200);
    expect((await serve(core, '?autopage', { 'if-none-match': autoEtag })).status).toBe(304);
  });

  it('GET /s.js?autopage through the Worker', async () => {
    const res = await get(`${DEFAULT_TAG_PATH}?autopage`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('pushState');
  });
});

describe('the tag’s version', () => {
  it('is package.json’s, set at build time (messages carry it in context.library; the ETag starts with it)', async () => {
    for (const source of [TAG_SOURCE, TAG_SEGMENTS_SOURCE, TAG_AUTOPAGE_SOURCE, TAG_SEGMENTS_AUTOPAGE_SOURCE]) expect(source).toContain(JSON.stringify(pkg.version));
    expect(TAG_VERSION).toBe(pkg.version);
    expect((await get('/s.js')).headers.get('etag')).toMatch(new RegExp(`^"${pkg.version.replace(/\./g, '\\.')}-`));
  });
});
