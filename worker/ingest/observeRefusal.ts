import type { Env } from '../env';
import { refusalPoint, writePoint } from '../logs/analytics';
import { logLine } from '../logs/logLine';
import { countCollector } from '../metrics/collectorCount';
import { maskPath } from './rejectionPrivacy';

/**
 * Every refused ingest request, quiet ones included (a rate-limited client's repeats): counted
 * (edgetag_requests_refused_total, never a call into a connection's queue), one log line, and a data
 * point when Analytics Engine is bound. The line holds what the collector answered and the
 * request's shape, never its body, address, user agent or write key.
 */
export function observeRefusal(env: Env, ctx: Pick<ExecutionContext, 'waitUntil'>, request: Request, status: number, error: string): void {
  const path = maskPath(new URL(request.url).pathname.slice(0, 200));
  const length = Number(request.headers.get('content-length'));
  countCollector(env, ctx, 'refused', String(status), error);
  logLine(status >= 500 ? 'error' : 'warn', 'request_refused', {
    status,
    error,
    method: request.method,
    path,
    contentType: request.headers.get('content-type')?.slice(0, 100) ?? null,
    contentLength: request.headers.has('content-length') && Number.isFinite(length) ? length : null,
    origin: request.headers.get('origin')?.slice(0, 200) ?? null,
  });
  writePoint(env.ANALYTICS, refusalPoint({ error, path, status }));
}
