import type { Config } from '../config/config';
import { TAG_HASH, TAG_SEGMENTS_HASH, TAG_SEGMENTS_SOURCE, TAG_SOURCE, TAG_VERSION } from './tagBundle.generated';

/** Placeholder the build leaves in the tag for the ingest path, so the path is set per deployment. */
const INGEST_PLACEHOLDER = '__EDGETAG_INGEST_PATH__';

const cache = new WeakMap<Config, string>();

/**
 * The tag, served first-party from TAG_PATH, posting to this collector's INGEST_PATH: the segments
 * build (`tag.segments()`, docs/segments.md) when this collector answers GET /v1/segments
 * (SEGMENTS_IDENTITY_SECRET set), else the smaller core build.
 */
export function tagScript(request: Request, config: Config): Response {
  const segments = config.segmentsEnabled;
  let source = cache.get(config);
  if (source === undefined) {
    source = (segments ? TAG_SEGMENTS_SOURCE : TAG_SOURCE).split(INGEST_PLACEHOLDER).join(config.ingestPath);
    cache.set(config, source);
  }
  const etag = `"${TAG_VERSION}-${segments ? TAG_SEGMENTS_HASH : TAG_HASH}-${config.ingestPath.length}"`;
  if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers: { etag } });
  return new Response(source, {
    headers: {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=300, stale-while-revalidate=86400',
      'access-control-allow-origin': '*',
      etag,
    },
  });
}
