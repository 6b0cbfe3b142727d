/**
 * `tag.segments()` / `tag.inSegment()` in real Chromium against the real collector: MoEngage's
 * Outbound Segment Sync (played from Node, Basic auth) → the collector's SegmentStore → the
 * collector's GET /v1/segments → the tag, for the visitor the site's backend vouches for with
 * `identify(userId, traits, {userHash})`. The collector runs with SEGMENTS_CACHE_SECONDS=0, so it
 * serves the segments build and every read sees the latest sync.
 */
import { createHmac } from 'node:crypto';
import type { Page } from 'playwright-core';
import { expect, inject, it } from 'vitest';
import './support/provided';
import { useTagSite } from './support/tagSuite';
import type { Segment } from '../../tag/tag';
import { eventually } from './chromium';
import { ackedCount, sleep } from './support/delivery';
import { pagePath } from './support/site';
import { openTagPage, tagLoaded, type Win } from './support/tagPage';

const collectorUrl = inject('collectorUrl');
const { username, password } = inject('segmentSync');
const secret = inject('segmentsSecret');

const suite = useTagSite();

/** What the site's backend computes for the signed-in user. */
const hashOf = (userId: string) => createHmac('sha256', secret).update(userId).digest('hex');

let executions = 0;
/** One `segment_sync` page as MoEngage sends it (seed 003), straight to the collector. */
async function sync(syncId: string, name: string, users: { add?: string[]; remove?: string[] }): Promise<void> {
  const body = {
    type: 'segment_sync',
    pagination: { total_pages: 1, page_count: 1 },
    data: {
      moengage_sync_id: syncId,
      moengage_sync_name: name,
      moengage_execution_id: `browser-exec-${++executions}`,
      moengage_integration_id: 'integration-browser',
      add_users: (users.add ?? []).map((id, i) => ({ moengage_distinct_id: `moe-${executions}-a${i}`, partner_user_id: id })),
      remove_users: (users.remove ?? []).map((id, i) => ({ moengage_distinct_id: `moe-${executions}-r${i}`, partner_user_id: id })),
    },
  };
  const res = await fetch(`${collectorUrl}/v1/moengage/segment-sync`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  expect(await res.json()).toMatchObject({ ok: true, added: users.add?.length ?? 0, removed: users.remove?.length ?? 0 });
}

interface Reading {
  list: Segment[];
  vip: boolean;
  byId: boolean;
  other: boolean;
}
/** segments() and inSegment() as the page sees them. */
const read = (page: Page, syncId: string): Promise<Reading> =>
  page.evaluate(async (id) => {
    const tag = (window as unknown as Win).tag;
    return {
      list: await tag.segments!(),
      vip: await tag.inSegment!('VIP customers'),
      byId: await tag.inSegment!(id),
      other: await tag.inSegment!('Other'),
    };
  }, syncId);

const segmentReads = () => suite.site.requests.filter((r) => r === 'GET /v1/segments').length;
const VIP = (id: string): Reading => ({ list: [{ id, name: 'VIP customers' }], vip: true, byId: true, other: false });
const NONE: Reading = { list: [], vip: false, byId: false, other: false };

it('tag.segments() reflects MoEngage segment syncs for the visitor the site vouches for: add, remove, reset()', async () => {
  const syncId = 'sync-vip-browser';
  await sync(syncId, 'VIP customers', { add: ['u_8842', 'u_someone_else'] });

  const page = await openTagPage(suite.context, suite.site);
  await page.evaluate((userHash) => (window as unknown as Win).tag.identify('u_8842', {}, { userHash }), hashOf('u_8842'));
  expect(await read(page, syncId)).toEqual(VIP(syncId));
  expect(await page.evaluate(() => JSON.parse(localStorage.getItem('et_id') ?? '{}').userHash)).toBe(hashOf('u_8842'));

  // A later execution removes the visitor: the next read shows it (SEGMENTS_CACHE_SECONDS=0, the tag keeps no copy).
  await sync(syncId, 'VIP customers', { remove: ['u_8842'] });
  expect(await read(page, syncId)).toEqual(NONE);
  await sync(syncId, 'VIP customers', { add: ['u_8842'] });
  expect(await read(page, syncId)).toEqual(VIP(syncId));

  // Log-out: the proof goes with the user; no request is made for an anonymous visitor.
  await page.evaluate(() => (window as unknown as Win).tag.reset());
  const before = segmentReads();
  expect(await read(page, syncId)).toEqual(NONE);
  expect(segmentReads()).toBe(before);
  expect(await page.evaluate(() => JSON.parse(localStorage.getItem('et_id') ?? '{}').userHash)).toBeUndefined();
});

it('a wrong hash, a hash for someone else, or no identify at all: no segments', async () => {
  const syncId = 'sync-vip-browser-2';
  await sync(syncId, 'VIP customers', { add: ['u_wrong_1'] });
  const page = await openTagPage(suite.context, suite.site);

  expect(await read(page, syncId)).toEqual(NONE); // anonymous
  await page.evaluate(() => (window as unknown as Win).tag.identify('u_wrong_1', {}));
  expect(await read(page, syncId)).toEqual(NONE); // identified, but no proof
  expect(segmentReads()).toBe(0); // neither case asks the collector

  for (const userHash of [hashOf('u_someone_else'), 'f'.repeat(64), 'not-hex']) {
    await page.evaluate((h) => (window as unknown as Win).tag.identify('u_wrong_1', {}, { userHash: h }), userHash);
    expect(await read(page, syncId)).toEqual(NONE);
  }
  expect(segmentReads()).toBeGreaterThanOrEqual(3); // the collector was asked and said 403

  // The right proof for the same user: in.
  await page.evaluate((h) => (window as unknown as Win).tag.identify('u_wrong_1', {}, { userHash: h }), hashOf('u_wrong_1'));
  expect(await read(page, syncId)).toEqual(VIP(syncId));
});

it('the userHash stays with its user across reloads, is never sent with events, and is dropped when the user changes', async () => {
  const syncId = 'sync-vip-browser-3';
  await sync(syncId, 'VIP customers', { add: ['u_kept', 'u_next'] });
  const userHash = hashOf('u_kept');
  const page = await openTagPage(suite.context, suite.site);
  await page.evaluate((h) => {
    const tag = (window as unknown as Win).tag;
    tag.identify('u_kept', { plan: 'pro' }, { userHash: h });
    tag.track('With Proof');
  }, userHash);
  await eventually(async () => (ackedCount(suite.site, (m) => m.event === 'With Proof') === 1 ? true : undefined), 10_000, 'the event');
  expect(suite.site.ingests.length).toBeGreaterThan(0);
  for (const request of suite.site.ingests) expect(JSON.stringify(request.body)).not.toContain(userHash);
  expect(suite.site.messages().find((m) => m.type === 'identify')?.traits).toEqual({ plan: 'pro' });

  await page.reload();
  await tagLoaded(page);
  expect(await read(page, syncId)).toEqual(VIP(syncId)); // read back from localStorage et_id
  await page.evaluate(() => (window as unknown as Win).tag.identify('u_kept', { plan: 'max' })); // same user, no new proof: kept
  expect(await read(page, syncId)).toEqual(VIP(syncId));

  const before = segmentReads();
  await page.evaluate(() => (window as unknown as Win).tag.identify('u_next')); // another user: u_kept's proof must not follow
  expect(await read(page, syncId)).toEqual(NONE);
  await page.evaluate(() => (window as unknown as Win).tag.alias('u_other'));
  expect(await read(page, syncId)).toEqual(NONE);
  expect(segmentReads()).toBe(before);
});

it('calls made at once share one request; each later call asks again', async () => {
  const syncId = 'sync-vip-browser-4';
  await sync(syncId, 'VIP customers', { add: ['u_shared'] });
  const page = await openTagPage(suite.context, suite.site);
  const answers = await page.evaluate(async (h) => {
    const tag = (window as unknown as Win).tag;
    tag.identify('u_shared', {}, { userHash: h });
    return Promise.all([tag.segments!(), tag.inSegment!('VIP customers'), tag.inSegment!('Other'), tag.segments!()]);
  }, hashOf('u_shared'));
  expect(answers).toEqual([[{ id: syncId, name: 'VIP customers' }], true, false, [{ id: syncId, name: 'VIP customers' }]]);
  expect(segmentReads()).toBe(1);
  await read(page, syncId);
  expect(segmentReads()).toBe(5);
});

it('await tag.segments() right after the snippet, before the tag has loaded, resolves with the real answer', async () => {
  const syncId = 'sync-vip-browser-5';
  await sync(syncId, 'VIP customers', { add: ['u_early'] });
  suite.site.fault.scriptDelayMs = 800; // the tag file arrives late
  const script = `
    tag.identify('u_early', {}, {userHash: ${JSON.stringify(hashOf('u_early'))}});
    window.stubAnswered = Array.isArray(tag);
    window.early = Promise.all([tag.segments(), tag.inSegment('VIP customers'), tag.inSegment('Other'), tag.inSegment(${JSON.stringify(syncId)})]);
    tag.track('After Segments');`;
  const page = await suite.context.newPage();
  await page.goto(suite.site.url + pagePath({ script }));
  expect(await page.evaluate(() => (window as unknown as Win).stubAnswered)).toBe(true);
  expect(await page.evaluate(() => (window as unknown as Win).early)).toEqual([[{ id: syncId, name: 'VIP customers' }], true, false, true]);
  expect(await page.evaluate(() => typeof (window as unknown as Win).tag.v)).toBe('string');
  // The other queued calls were replayed around them as usual.
  await eventually(async () => (ackedCount(suite.site, (m) => m.event === 'After Segments') === 1 ? true : undefined), 10_000, 'the queued event');
});

for (const [n, what, arrange] of [
  [6, 'the core build (a collector without SEGMENTS_IDENTITY_SECRET)', () => (suite.site.tagBuild = 'core')],
  [7, 'a tag file that fails to load (404)', () => (suite.site.fault.script = 404)],
] as const) {
  it(`with ${what}, the stub's segments()/inSegment() promises still settle: [] / false`, async () => {
    const syncId = `sync-vip-browser-${n}`;
    await sync(syncId, 'VIP customers', { add: [`u_core_${n}`] });
    arrange();
    const script = `
      tag.identify('u_core_${n}', {}, {userHash: ${JSON.stringify(hashOf(`u_core_${n}`))}});
      window.early = Promise.all([tag.segments(), tag.inSegment('VIP customers')]);`;
    const errors: string[] = [];
    const page = await suite.context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(suite.site.url + pagePath({ script }));
    expect(await page.evaluate(() => (window as unknown as Win).early)).toEqual([[], false]);
    if (suite.site.tagBuild === 'core') {
      await tagLoaded(page);
      // The core tag has no segments methods (and ignores identify's third argument).
      expect(await page.evaluate(() => [typeof (window as unknown as Win).tag.segments, typeof (window as unknown as Win).tag.inSegment])).toEqual(['undefined', 'undefined']);
      await eventually(async () => (ackedCount(suite.site, (m) => m.type === 'identify' && m.userId === `u_core_${n}`) === 1 ? true : undefined), 10_000, 'the identify');
    }
    await sleep(200);
    expect(errors).toEqual([]);
    expect(segmentReads()).toBe(0);
  });
}
