import type { Config } from '../config/config';
import type { Env } from '../env';
import { tagServedPoint, writePoint } from '../logs/analytics';
import { countCollector } from '../metrics/collectorCount';
import * as builds from './tagBundle.generated';

/** Placeholder the build leaves in the tag for the ingest path, so the path is set per deployment. */
const INGEST_PLACEHOLDER = '__EDGETAG_INGEST_PATH__';

const cache = new WeakMap<Config, Map<string, string>>();

/**
 * The tag, served first-party from TAG_PATH, posting to this collector's INGEST_PATH: the segments
 * build (`tag.segments()`, docs/segments.md) when this collector answers GET /v1/segments
 * (SEGMENTS_IDENTITY_SECRET set), else the smaller core build; with autoPage (page views on
 * client-side navigation, docs/tag.md) when the page asks for `TAG_PATH?autopage`.
 */
export function tagScript(request: Request, config: Config): Response {
  const segments = config.segmentsEnabled;
  const autoPage = new URL(request.url).searchParams.has('autopage');
  const name = `TAG${segments ? '_SEGMENTS' : ''}${autoPage ? '_AUTOPAGE' : ''}` as 'TAG' | 'TAG_SEGMENTS' | 'TAG_AUTOPAGE' | 'TAG_SEGMENTS_AUTOPAGE';
  const sources = cache.get(config) ?? new Map<string, string>();
  cache.set(config, sources);
  let source = sources.get(name);
  if (source === undefined) {
    source = builds[`${name}_SOURCE`].split(INGEST_PLACEHOLDER).join(config.ingestPath);
    sources.set(name, source);
  }
  const etag = `"${builds.TAG_VERSION}-${builds[`${name}_HASH`]}-${config.ingestPath.length}"`;
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

/** The tag's served count (edgetag_tag_served_total), off the answer's path. */
export function countServed(response: Response, config: Config, env: Env, ctx: ExecutionContext): Response {
  const build = config.segmentsEnabled ? 'segments' : 'core';
  countCollector(env, ctx, 'tag_served', build, String(response.status));
  writePoint(env.ANALYTICS, tagServedPoint({ build, status: response.status }));
  return response;
}
