import type { Config } from '../config/config';
import { HttpError } from './HttpError';

/** Headers a browser may send to the ingest routes (the tag sends none of them: text/plain needs no preflight). */
const ALLOWED_REQUEST_HEADERS = 'content-type, authorization, content-encoding';

/**
 * Browser traffic to the ingest routes. The tag posts `text/plain` (a "simple" request, no preflight);
 * other browser clients may preflight. With ALLOWED_ORIGINS unset or `*` any page may send and gets
 * `Access-Control-Allow-Origin: *`; with a list, only listed origins get their origin echoed (and
 * `Vary: Origin`, since the answer then depends on it), and a request from any other origin is refused
 * outright (403) so a foreign page cannot spend the MoEngage budget. Requests without `Origin`
 * (servers, Segment's libraries) are not browser traffic and pass. `Access-Control-Allow-Credentials`
 * is never sent: the collector reads no cookies, so no page needs a credentialed answer.
 */
export function corsHeaders(request: Request, config: Config): Record<string, string> {
  const origin = request.headers.get('origin');
  if (config.allowedOrigins === '*') return origin ? { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'retry-after' } : {};
  if (!origin) return { vary: 'Origin' };
  if (!config.allowedOrigins.includes(origin)) {
    throw new HttpError(403, 'origin_not_allowed', `origin ${origin.slice(0, 200)} is not in ALLOWED_ORIGINS`, undefined, { vary: 'Origin' });
  }
  return { 'access-control-allow-origin': origin, 'access-control-expose-headers': 'retry-after', vary: 'Origin' };
}

/** `OPTIONS` on an ingest route: the answer to a CORS preflight. */
export function preflight(request: Request, config: Config): Response {
  const headers = corsHeaders(request, config);
  const vary = ['Access-Control-Request-Method', 'Access-Control-Request-Headers'];
  if (headers.vary) vary.unshift(headers.vary);
  return new Response(null, {
    status: 204,
    headers: {
      ...headers,
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': ALLOWED_REQUEST_HEADERS,
      'access-control-max-age': '86400',
      vary: vary.join(', '),
    },
  });
}
