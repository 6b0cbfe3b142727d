/* Plain shapes (no runtime imports), so the debugger page can type what /debugger/api/alerts answers. */

export type AlertKindName = 'paused' | 'dead_letters' | 'backlog_age' | 'backlog_size' | 'rate_limited';
export type AlertFacts = Record<string, string | number | null>;

/** One alert as the debugger shows it: what was sent, and how each webhook took it (hosts only). */
export interface AlertView {
  id: string;
  at: number;
  connection: string;
  alert: AlertKindName;
  state: 'firing' | 'resolved';
  severity: 'critical' | 'warning' | 'resolved';
  summary: string;
  link: string;
  facts: AlertFacts;
  deliveries: {
    host: string;
    status: 'pending' | 'delivered' | 'failed';
    attempts: number;
    lastStatus: number | null;
    lastError: string | null;
    nextAt: number | null;
    deliveredAt: number | null;
  }[];
}

export interface AlertsOverview {
  connection: string;
  /** Conditions firing now, with when they began. */
  firing: { alert: AlertKindName; since: number; facts: AlertFacts }[];
  /** Newest first. */
  recent: AlertView[];
  /** Alerts raised since the start, per kind and state. */
  raised: { kind: string; state: string; n: number }[];
}

export interface AlertsView {
  /** Where alerts go: hosts only (a webhook URL is a secret). Empty: alerts are kept in the debugger only. */
  webhooks: string[];
  thresholds: { deadLetters: number; deadLetterWindowMinutes: number; backlogMinutes: number; backlogPercent: number };
  connections: AlertsOverview[];
}
