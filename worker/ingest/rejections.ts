import { recordRejection } from '../collector/log';
import type { Env } from '../env';
import { errorFacts } from '../http/errorFacts';
import { logLine } from '../logs/logLine';
import { withoutPersonalData } from './rejectionPrivacy';

/**
 * Puts a refused ingest request in the collector's rejection log. Awaited, so the count is there
 * when the client reads the answer; a failure to log never changes the answer.
 */
export async function logRejection(env: Env, request: Request, response: Response): Promise<void> {
  let error = 'unknown';
  let detail = '';
  try {
    const body = (await response.clone().json()) as { error?: unknown; detail?: unknown };
    error = typeof body.error === 'string' ? body.error : error;
    detail = typeof body.detail === 'string' ? body.detail : detail;
  } catch {
    /* not JSON: keep the status only */
  }
  const length = Number(request.headers.get('content-length'));
  try {
    await recordRejection(env, withoutPersonalData({
      at: Date.now(),
      status: response.status,
      error,
      detail,
      method: request.method,
      path: new URL(request.url).pathname,
      contentType: request.headers.get('content-type'),
      contentLength: Number.isFinite(length) && request.headers.has('content-length') ? length : null,
      origin: request.headers.get('origin'),
      userAgent: request.headers.get('user-agent'),
    }));
  } catch (e) {
    logLine('error', 'rejection_log_unavailable', errorFacts(e));
  }
}
