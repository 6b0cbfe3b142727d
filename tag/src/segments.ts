/**
 * `tag.segments()` / `tag.inSegment(name)` (segments build): the MoEngage segments (Outbound
 * Segment Sync) the signed-in visitor is in, read from the collector's `GET /v1/segments`.
 *
 * The collector answers only for a userId the site's backend vouches for with `userHash`
 * (hex HMAC-SHA256 of the userId with SEGMENTS_IDENTITY_SECRET); anonymous or unverified visitors
 * are in no segment. Failures resolve to [] (show the default content; the status is logged in debug mode).
 *
 * Freshness is the collector's: its answer carries `Cache-Control: private, max-age=
 * SEGMENTS_CACHE_SECONDS`, which the browser's HTTP cache honours, so the tag keeps no copy of its
 * own — it only shares a request in flight between calls made meanwhile (a page asking about five
 * segments at once makes one request).
 */
import type { Segment } from '../tag';
import { log } from './debug';

export interface SegmentIds {
  userId: string | null | undefined;
  userHash?: string | null;
}

export function createSegments(endpoint: string, ids: () => SegmentIds) {
  let pending: { key: string; list: Promise<Segment[]> } | undefined;

  const segments = (): Promise<Segment[]> => {
    const { userId, userHash } = ids();
    if (!userId || !userHash) return Promise.resolve([]);
    const key = `${userId}\n${userHash}`;
    if (pending?.key == key) return pending.list;
    const url = `${endpoint}?user_id=${encodeURIComponent(userId)}&user_hash=${encodeURIComponent(userHash)}`;
    const entry = {
      key,
      list: fetch(url)
        .then((r) => (r.ok ? (r.json() as Promise<{ segments?: Segment[] }>) : Promise.reject(r.status)))
        .then((body) => body.segments || [])
        .catch((error) => (log('segments() failed:', error), []))
        .finally(() => pending == entry && (pending = undefined)),
    };
    return (pending = entry).list;
  };

  return {
    segments,
    /** True when the visitor is in the segment with this name or sync id. */
    inSegment: (nameOrId: string): Promise<boolean> => segments().then((list) => list.some((s) => s.name == nameOrId || s.id == nameOrId)),
  };
}
