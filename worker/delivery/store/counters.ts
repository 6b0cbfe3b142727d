/**
 * The queue's monotonic counters (GET /debugger/api/metrics, docs/operations.md): events by the
 * status they entered and why, MoEngage requests by endpoint and status class, units sent, and the
 * delivery latency histogram. Retention forgets events, so these cannot be counted from the log;
 * they live in their own table, which nothing ever deletes from.
 *
 * Event counts are kept by SQLite triggers on the log: every status an event enters, wherever the
 * code sets it (ingest, the anonymous hold, delivery, pause, replay), is counted in the same
 * transaction, so the counters can never drift from what the debugger showed. The status a row
 * enters the log with is counted when the log's write-behind moves it in (logStaging.ts), in one
 * statement per (status, reason) rather than a trigger per row (schema 7 drops count_event_insert).
 * A row written already delivered is counted too.
 *
 * Rows: `metric` plus two label values `a` and `b` ('' when unused):
 * | metric       | a                          | b              | value                         |
 * |--------------|----------------------------|----------------|-------------------------------|
 * | events       | status entered             | reason or ''   | events                        |
 * | requests     | endpoint                   | status class   | requests                      |
 * | units        | events/customers/merges    | ''             | units sent                    |
 * | latency      | bucket upper bound (s)     | ''             | delivered events in the bucket |
 * | latency_sum  | ''                         | ''             | milliseconds, summed          |
 */

/** Upper bounds (seconds) of the delivery latency histogram, received → MoEngage 2xx. */
export const LATENCY_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 21600] as const;

/** The bucket label of a latency in milliseconds, as SQL (the trigger) and as TypeScript (tests). */
const bucketCase = (ms: string) =>
  `CASE ${LATENCY_BUCKETS.map((s) => `WHEN ${ms} <= ${s * 1000} THEN '${s}'`).join(' ')} ELSE '+Inf' END`;

export function latencyBucket(ms: number): string {
  const bound = LATENCY_BUCKETS.find((s) => ms <= s * 1000);
  return bound === undefined ? '+Inf' : String(bound);
}

const bump = (metric: string, a: string, b: string, n = '1') =>
  `INSERT INTO counters (metric, a, b, value) VALUES (${metric}, ${a}, ${b}, ${n}) ON CONFLICT (metric, a, b) DO UPDATE SET value = value + excluded.value;`;

const LATENCY_MS = 'max(0, NEW.updated_at - NEW.received_at)';
const countEntered = bump("'events'", 'NEW.status', "coalesce(NEW.reason, '')");
const countLatency = `${bump("'latency'", bucketCase(LATENCY_MS), "''")}\n  ${bump("'latency_sum'", "''", "''", LATENCY_MS)}`;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS counters (metric TEXT NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (metric, a, b)) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS count_event_insert AFTER INSERT ON events BEGIN
  ${countEntered}
END;
CREATE TRIGGER IF NOT EXISTS count_event_insert_delivered AFTER INSERT ON events WHEN NEW.status = 'delivered' BEGIN
  ${countLatency}
END;
CREATE TRIGGER IF NOT EXISTS count_event_status AFTER UPDATE OF status ON events WHEN NEW.status IS NOT OLD.status BEGIN
  ${countEntered}
END;
CREATE TRIGGER IF NOT EXISTS count_event_delivered AFTER UPDATE OF status ON events WHEN NEW.status = 'delivered' AND OLD.status IS NOT 'delivered' BEGIN
  ${countLatency}
END;
`;

/** The table and the log's triggers: a step of the queue's schema (schema.ts), after the log's own. */
export function countersSchema(sql: SqlStorage): void {
  sql.exec(SCHEMA);
}

export type CounterRow = {
  metric: string;
  a: string;
  b: string;
  value: number;
};

/** HTTP status → the class Prometheus users group by; 0 (no answer) is `none`. */
export function statusClass(status: number): '2xx' | '3xx' | '4xx' | '5xx' | 'none' {
  if (status >= 200 && status < 600) return `${Math.floor(status / 100)}xx` as '2xx' | '3xx' | '4xx' | '5xx';
  return 'none';
}

/** One request to MoEngage, counted when its answer (or its failure) is known. */
export function countRequest(sql: SqlStorage, endpoint: string, status: number, units: { events: number; customers: number; merges: number }): void {
  sql.exec(bump('?', '?', '?'), 'requests', endpoint, statusClass(status));
  for (const unit of ['events', 'customers', 'merges'] as const) {
    if (units[unit] > 0) sql.exec(bump('?', '?', "''", '?'), 'units', unit, units[unit]);
  }
}

export function readCounters(sql: SqlStorage): CounterRow[] {
  return sql.exec<CounterRow>('SELECT metric, a, b, value FROM counters').toArray();
}

/** Events that ever entered `dead` (a monotonic count: the alerts' dead-letter window reads its increase). */
export function deadLettered(sql: SqlStorage): number {
  return sql.exec<{ n: number | null }>("SELECT sum(value) AS n FROM counters WHERE metric = 'events' AND a = 'dead'").one().n ?? 0;
}
