/**
 * `tag.segments()` / `tag.inSegment(name)`: the MoEngage segments (Outbound Segment Sync) the
 * signed-in visitor is in, read from the collector's `GET /v1/segments`. Self-contained, no deps.
 *
 * The collector answers only for a userId the site's backend vouches for with `userHash`
 * (hex HMAC-SHA256 of the userId with SEGMENTS_IDENTITY_SECRET); anonymous or unverified visitors
 * are in no segment. Failures resolve to [] (show the default content) and are not cached.
 */
export interface SegmentIds {
  userId: string | null | undefined;
  anonymousId?: string | null;
  userHash?: string | null;
}

export interface Segment {
  /** MoEngage's moengage_sync_id. */
  id: string;
  /** MoEngage's moengage_sync_name (the segment's name when the sync was created). */
  name: string;
}

/** Answers are reused this long within a page (the collector's edge cache is ~30 s too). */
const REUSE_MS = 30_000;

export function createSegments(endpoint: string, ids: () => SegmentIds) {
  let last: { key: string; at: number; list: Promise<Segment[]> } | undefined;

  const segments = (): Promise<Segment[]> => {
    const { userId, userHash } = ids();
    if (!userId || !userHash) return Promise.resolve([]);
    const key = `${userId}\n${userHash}`;
    if (last && last.key === key && Date.now() - last.at < REUSE_MS) return last.list;
    const url = `${endpoint}${endpoint.includes('?') ? '&' : '?'}user_id=${encodeURIComponent(userId)}&user_hash=${encodeURIComponent(userHash)}`;
    const entry = { key, at: Date.now(), list: Promise.resolve<Segment[]>([]) };
    entry.list = fetch(url)
      .then((r) => (r.ok ? (r.json() as Promise<{ segments?: Segment[] }>) : Promise.reject(r.status)))
      .then((body) => body.segments ?? [])
      .catch(() => {
        if (last === entry) last = undefined;
        return [];
      });
    last = entry;
    return entry.list;
  };

  return {
    segments,
    /** True when the visitor is in the segment with this name or sync id. */
    inSegment: (nameOrId: string): Promise<boolean> => segments().then((list) => list.some((s) => s.name === nameOrId || s.id === nameOrId)),
  };
}
