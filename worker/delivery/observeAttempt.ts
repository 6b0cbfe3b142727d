import { attemptPoint, writePoint } from '../logs/analytics';
import { logLine } from '../logs/logLine';
import type { Exchange } from '../moengage/client';
import type { Verdict } from '../moengage/classify';
import { countRequest, statusClass } from './store/counters';

export interface AttemptFacts {
  connection: string;
  attemptId: number;
  endpoint: string;
  exchange: Exchange;
  verdict: Verdict;
  items: number;
  units: { events: number; customers: number; merges: number };
}

/** MoEngage's error type (`MissingAttributeError`), when its answer names one: a word, never its message. */
function errorType(body: unknown): string | undefined {
  const error = body && typeof body === 'object' ? (body as { error?: unknown }).error : undefined;
  const type = error && typeof error === 'object' ? (error as { type?: unknown }).type : undefined;
  return typeof type === 'string' && /^[A-Za-z_]{1,64}$/.test(type) ? type : undefined;
}

/**
 * Everything one MoEngage request leaves behind besides the event log: its counters, its log line
 * and (when bound) its Analytics Engine data point. The line says which request, how it ended and
 * what it carried in numbers; the debugger's journey has the bodies.
 */
export function observeAttempt(sql: SqlStorage, analytics: AnalyticsEngineDataset | undefined, a: AttemptFacts): void {
  const { exchange, verdict } = a;
  countRequest(sql, a.endpoint, exchange.status, a.units);
  logLine(verdict.kind === 'delivered' ? 'info' : 'warn', 'moengage_attempt', {
    connection: a.connection,
    attempt: a.attemptId,
    endpoint: a.endpoint,
    status: exchange.status,
    class: statusClass(exchange.status),
    verdict: verdict.kind,
    reason: verdict.kind === 'delivered' || verdict.kind === 'rate_limited' ? undefined : verdict.reason,
    errorType: errorType(exchange.responseBody),
    durationMs: exchange.durationMs,
    bytes: exchange.bytes,
    items: a.items,
    units: a.units,
    requestId: exchange.requestId,
    retryAfterMs: exchange.retryAfterMs,
    // Our own words about a failure with no answer (timeout, network); MoEngage's text stays in the debugger.
    error: exchange.status === 0 ? exchange.error?.split(':')[0] : undefined,
  });
  writePoint(analytics, attemptPoint({ connection: a.connection, endpoint: a.endpoint, verdict: verdict.kind, status: exchange.status, durationMs: exchange.durationMs, items: a.items, bytes: exchange.bytes }));
}
