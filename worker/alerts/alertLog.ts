import type { QueueSignal } from '../delivery/alertSignal';
import type { AlertBody } from './message';
import type { AlertState } from './transitions';

/**
 * The alerts object's SQLite: the latest signal of each of the connection's queues, the dead
 * letters of the last window, the state machine, the alerts sent and their webhook deliveries
 * (an outbox: each delivery is retried until it succeeds or gives up). All SQL of alerts lives here.
 */

const SCHEMA = `
CREATE TABLE IF NOT EXISTS alert_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS queue_signals (queue TEXT PRIMARY KEY, signal TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dead_arrivals (at INTEGER NOT NULL, n INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS alerts (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS alert_deliveries (
  alert_id INTEGER NOT NULL,
  webhook TEXT NOT NULL,
  host TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER,
  last_status INTEGER,
  last_error TEXT,
  delivered_at INTEGER,
  PRIMARY KEY (alert_id, webhook)
);
CREATE INDEX IF NOT EXISTS alert_deliveries_due ON alert_deliveries (status, next_at);
`;

/** Alerts kept for the debugger (their deliveries go with them). */
export const KEEP_ALERTS = 200;

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface StoredDelivery {
  alertId: number;
  /** Fingerprint of the webhook URL (webhook.ts), never the URL. */
  webhook: string;
  host: string;
  status: DeliveryStatus;
  attempts: number;
  nextAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: number | null;
}

export interface StoredAlert {
  id: number;
  at: number;
  body: AlertBody;
  deliveries: StoredDelivery[];
}

type DeliveryRow = {
  alert_id: number;
  webhook: string;
  host: string;
  status: DeliveryStatus;
  attempts: number;
  next_at: number | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: number | null;
};

const toDelivery = (r: DeliveryRow): StoredDelivery => ({
  alertId: r.alert_id,
  webhook: r.webhook,
  host: r.host,
  status: r.status,
  attempts: r.attempts,
  nextAt: r.next_at,
  lastStatus: r.last_status,
  lastError: r.last_error,
  deliveredAt: r.delivered_at,
});

export class AlertLog {
  constructor(
    private readonly sql: SqlStorage,
    private readonly storage: DurableObjectStorage,
  ) {
    sql.exec(SCHEMA);
  }

  getMeta<T>(key: string): T | undefined {
    const row = this.sql.exec<{ value: string }>('SELECT value FROM alert_meta WHERE key = ?', key).toArray()[0];
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  setMeta(key: string, value: unknown): void {
    this.sql.exec('INSERT INTO alert_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', key, JSON.stringify(value));
  }

  state(): AlertState {
    return this.getMeta<AlertState>('state') ?? {};
  }

  signals(): QueueSignal[] {
    return this.sql
      .exec<{ signal: string }>('SELECT signal FROM queue_signals ORDER BY queue')
      .toArray()
      .map((r) => JSON.parse(r.signal) as QueueSignal);
  }

  /** Stores a queue's signal; returns the dead letters it reports since its previous one. */
  putSignal(signal: QueueSignal): number {
    const previous = this.sql.exec<{ signal: string }>('SELECT signal FROM queue_signals WHERE queue = ?', signal.queue).toArray()[0];
    const before = previous ? (JSON.parse(previous.signal) as QueueSignal).deadLettered : 0;
    this.sql.exec(
      'INSERT INTO queue_signals (queue, signal) VALUES (?, ?) ON CONFLICT (queue) DO UPDATE SET signal = excluded.signal',
      signal.queue,
      JSON.stringify(signal),
    );
    // A queue whose storage was reset counts from 0 again: nothing new.
    return Math.max(0, signal.deadLettered - before);
  }

  addDeadArrivals(at: number, n: number): void {
    if (n > 0) this.sql.exec('INSERT INTO dead_arrivals (at, n) VALUES (?, ?)', at, n);
  }

  /** Dead letters that arrived after `since` (older ones are forgotten). */
  deadArrivals(since: number): { at: number; n: number }[] {
    this.sql.exec('DELETE FROM dead_arrivals WHERE at <= ?', since);
    return this.sql.exec<{ at: number; n: number }>('SELECT at, n FROM dead_arrivals ORDER BY at').toArray();
  }

  /** Saves the state machine and the alerts its changes raise, with a delivery per webhook, in one transaction. */
  record(state: AlertState, alerts: { at: number; body: (id: number) => AlertBody }[], webhooks: { fingerprint: string; host: string }[]): number[] {
    const ids: number[] = [];
    const raised: AlertBody[] = [];
    this.storage.transactionSync(() => {
      this.setMeta('state', state);
      for (const alert of alerts) {
        const id = this.sql.exec<{ id: number }>(`INSERT INTO alerts (at, kind, state, body) VALUES (?, '', '', '{}') RETURNING id`, alert.at).one().id;
        const body = alert.body(id);
        this.sql.exec('UPDATE alerts SET kind = ?, state = ?, body = ? WHERE id = ?', body.alert, body.state, JSON.stringify(body), id);
        for (const w of webhooks) {
          this.sql.exec(`INSERT INTO alert_deliveries (alert_id, webhook, host, status, next_at) VALUES (?, ?, ?, 'pending', ?)`, id, w.fingerprint, w.host, alert.at);
        }
        ids.push(id);
        raised.push(body);
      }
      this.countRaised(raised.map((b) => ({ kind: b.alert, state: b.state })));
      const oldest = this.sql.exec<{ id: number }>('SELECT id FROM alerts ORDER BY id DESC LIMIT 1 OFFSET ?', KEEP_ALERTS).toArray()[0];
      if (oldest) {
        this.sql.exec('DELETE FROM alert_deliveries WHERE alert_id <= ?', oldest.id);
        this.sql.exec('DELETE FROM alerts WHERE id <= ?', oldest.id);
      }
    });
    return ids;
  }

  due(now: number, limit: number): { delivery: StoredDelivery; body: AlertBody }[] {
    return this.sql
      .exec<DeliveryRow & { body: string }>(
        `SELECT d.*, a.body FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id
         WHERE d.status = 'pending' AND d.next_at <= ? ORDER BY d.next_at, d.alert_id LIMIT ?`,
        now,
        limit,
      )
      .toArray()
      .map((r) => ({ delivery: toDelivery(r), body: JSON.parse(r.body) as AlertBody }));
  }

  nextDeliveryAt(): number | null {
    return this.sql.exec<{ at: number | null }>(`SELECT min(next_at) AS at FROM alert_deliveries WHERE status = 'pending'`).one().at;
  }

  settle(alertId: number, webhook: string, outcome: { status: DeliveryStatus; nextAt: number | null; lastStatus: number; lastError: string | null; deliveredAt: number | null }): void {
    this.sql.exec(
      `UPDATE alert_deliveries SET status = ?, attempts = attempts + 1, next_at = ?, last_status = ?, last_error = ?, delivered_at = ? WHERE alert_id = ? AND webhook = ?`,
      outcome.status,
      outcome.nextAt,
      outcome.lastStatus,
      outcome.lastError,
      outcome.deliveredAt,
      alertId,
      webhook,
    );
  }

  /** Newest first. */
  recent(limit: number): StoredAlert[] {
    const alerts = this.sql.exec<{ id: number; at: number; body: string }>('SELECT id, at, body FROM alerts ORDER BY id DESC LIMIT ?', limit).toArray();
    if (!alerts.length) return [];
    const deliveries = this.sql
      .exec<DeliveryRow>('SELECT * FROM alert_deliveries WHERE alert_id >= ? ORDER BY host', alerts[alerts.length - 1]!.id)
      .toArray()
      .map(toDelivery);
    return alerts.map((a) => ({ id: a.id, at: a.at, body: JSON.parse(a.body) as AlertBody, deliveries: deliveries.filter((d) => d.alertId === a.id) }));
  }

  /** Alerts raised so far, by kind and state (monotonic: trimming old alerts keeps the count). */
  counts(): { kind: string; state: string; n: number }[] {
    return this.getMeta<{ kind: string; state: string; n: number }[]>('counts') ?? [];
  }

  private countRaised(changes: { kind: string; state: string }[]): void {
    if (!changes.length) return;
    const counts = this.counts();
    for (const c of changes) {
      const row = counts.find((r) => r.kind === c.kind && r.state === c.state);
      if (row) row.n++;
      else counts.push({ kind: c.kind, state: c.state, n: 1 });
    }
    this.setMeta('counts', counts);
  }
}
