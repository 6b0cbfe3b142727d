import type { Config } from '../config/config';
import { HttpError } from './HttpError';

/**
 * Browser traffic: the tag posts `text/plain` (a "simple" request, no preflight); other clients may
 * preflight. Only origins in ALLOWED_ORIGINS (or any, when it is `*` or unset) get CORS headers,
 * and a browser request from another origin is refused outright so it cannot spend our budget.
 */
export function corsHeaders(request: Request, config: Config): Record<string, string> {
  const origin = request.headers.get('origin');
  if (!origin) return {};
  if (config.allowedOrigins !== '*' && !config.allowedOrigins.includes(origin)) {
    throw new HttpError(403, 'origin_not_allowed', `origin ${origin} is not in ALLOWED_ORIGINS`);
  }
  return { 'access-control-allow-origin': origin, vary: 'Origin' };
}

export function preflight(request: Request, config: Config): Response {
  const headers = corsHeaders(request, config);
  return new Response(null, {
    status: 204,
    headers: {
      ...headers,
      'access-control-allow-methods': 'POST, GET, OPTIONS',
      'access-control-allow-headers': request.headers.get('access-control-request-headers') ?? 'content-type, authorization',
      'access-control-max-age': '86400',
    },
  });
}
