/**
 * Pure: what a MoEngage answer means for the events it carried. Decided by HTTP status only:
 * MoEngage documents its statuses (seed 004 troubleshooting table) but not every `error.type`
 * string, so the type is only quoted in the detail shown in the debugger.
 *
 * | answer                          | verdict     | what happens (docs/delivery.md)                          |
 * |---------------------------------|-------------|----------------------------------------------------------|
 * | 2xx                             | delivered   | done                                                     |
 * | 429                             | rate_limited| wait for the reset; not a failed attempt                 |
 * | 5xx, 408, 425, timeout, network | retry       | backoff with jitter, counted; dead-letter at MAX_ATTEMPTS |
 * | 401, 403, 404, 405, 415         | pause       | connection paused: credentials, account or URL are wrong  |
 * | 3xx (never followed)            | pause       | connection paused; the detail shows the Location          |
 * | 400, 413, 422, other 4xx        | reject      | split in halves to isolate the bad event; dead-letter it  |
 */

export type Verdict =
  | { kind: 'delivered' }
  | { kind: 'rate_limited'; detail: string }
  | { kind: 'retry'; reason: RetryReason; detail: string }
  | { kind: 'pause'; reason: PauseReason; detail: string }
  | { kind: 'reject'; reason: RejectReason; detail: string };

export type RetryReason = 'moengage_unavailable' | 'timeout' | 'network_error';
export type PauseReason = 'moengage_unauthorized' | 'moengage_forbidden' | 'moengage_endpoint_not_found' | 'moengage_request_refused' | 'moengage_redirected';
export type RejectReason = 'rejected_by_moengage' | 'payload_too_large';

/** The parts of an exchange the verdict depends on (see client.ts `Exchange`). */
export interface Answer {
  /** 0 when no HTTP answer arrived. */
  status: number;
  responseBody: unknown;
  error?: string;
  /** A 3xx's Location. */
  location?: string;
  /** The body was cut (client.ts); its prefix is quoted as it is. */
  truncated?: { reason: 'too_large' | 'timeout'; keptBytes: number };
}

/** Where the request went, so a pause can name it: the URL and the connection's data center. */
export interface Target {
  url: string;
  /** Unset when only MOENGAGE_API_BASE says where MoEngage is. */
  dataCenter?: string;
  /** Set when MOENGAGE_API_BASE (or the entry's apiBase) overrides the data center's URL. */
  apiBase?: string;
}

const PAUSE: Record<number, PauseReason> = {
  401: 'moengage_unauthorized',
  403: 'moengage_forbidden',
  404: 'moengage_endpoint_not_found',
  405: 'moengage_request_refused',
  415: 'moengage_request_refused',
};

const WRONG_DC = 'a wrong data center (MOENGAGE_DATA_CENTER, or dataCenter in MOENGAGE_CONNECTIONS) gives this answer too: a workspace is known only to its own data center (the number in your dashboard URL, dashboard-0N)';

const PAUSE_HINT: Record<PauseReason, string> = {
  moengage_unauthorized: `check the workspace ID and Data API key (the Data tile key); ${WRONG_DC}; then resume`,
  moengage_forbidden: 'the account may be suspended or blocked; fix it in MoEngage, then resume',
  moengage_endpoint_not_found: `no such endpoint or workspace at this URL; ${WRONG_DC}; or MOENGAGE_API_BASE points elsewhere; then resume`,
  moengage_request_refused: 'MoEngage refused the request format; check MOENGAGE_API_BASE, then resume',
  moengage_redirected:
    'MoEngage\'s Data API does not redirect, and edgetag does not follow redirects (that would send your events and key to another host); check MOENGAGE_API_BASE and the data center, then resume',
};

/** `POST https://api-01.moengage.com/v1/event/ws (data center 01)`: where the refused request went. */
function describeTarget(target: Target): string {
  if (target.dataCenter === undefined) return `POST ${target.url} (MOENGAGE_API_BASE ${target.apiBase ?? '?'}; no data center set)`;
  const override = target.apiBase ? `; MOENGAGE_API_BASE ${target.apiBase} replaces its URL` : '';
  return `POST ${target.url} (data center ${target.dataCenter}${override})`;
}

/** `HTTP 400 MissingAttributeError: Missing required attribute 'customer_id'.` — MoEngage's words when it gave some. */
export function describeAnswer(answer: Answer): string {
  if (answer.status === 0) return answer.error ?? 'no answer';
  const body = answer.responseBody;
  let said = '';
  if (body && typeof body === 'object') {
    const error = (body as { error?: unknown }).error;
    if (error && typeof error === 'object') {
      const { type, message } = error as { type?: unknown; message?: unknown };
      said = [typeof type === 'string' ? type : '', typeof message === 'string' ? message : ''].filter(Boolean).join(': ');
    } else if (typeof error === 'string') said = error;
    else if (typeof (body as { message?: unknown }).message === 'string') said = (body as { message: string }).message;
  } else if (typeof body === 'string') said = body.slice(0, 300);
  if (answer.truncated) said = `${said}${said ? ' ' : ''}(answer cut after ${answer.truncated.keptBytes} bytes: ${answer.truncated.reason === 'too_large' ? 'too large' : 'it did not end in time'})`;
  if (answer.status >= 300 && answer.status < 400) said = answer.location ? `redirect to Location: ${answer.location}` : 'redirect without a Location';
  return said ? `HTTP ${answer.status} ${said}` : `HTTP ${answer.status}`;
}

export function classify(answer: Answer, target?: Target): Verdict {
  const { status } = answer;
  const detail = describeAnswer(answer);
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 0) {
    const timedOut = /timeout|timed out/i.test(answer.error ?? '');
    return { kind: 'retry', reason: timedOut ? 'timeout' : 'network_error', detail };
  }
  if (status === 429) return { kind: 'rate_limited', detail };
  if (status >= 500 || status === 408 || status === 425) return { kind: 'retry', reason: 'moengage_unavailable', detail };
  const pause = PAUSE[status] ?? (status >= 300 && status < 400 ? 'moengage_redirected' : undefined);
  if (pause) return { kind: 'pause', reason: pause, detail: `${detail} — ${target ? `${describeTarget(target)}: ` : ''}${PAUSE_HINT[pause]}` };
  if (status === 413) return { kind: 'reject', reason: 'payload_too_large', detail };
  return { kind: 'reject', reason: 'rejected_by_moengage', detail };
}
