import type { AlertsOverview } from '../alerts/ConnectionAlerts';
import { webhookHost } from '../alerts/webhook';
import { BACKLOG_ALERT_RATIO } from '../delivery/alertSignal';
import { DEAD_LETTER_WINDOW_MS } from '../config/alerts';
import type { Config } from '../config/config';
import type { Env } from '../env';

export interface AlertsView {
  /** Where alerts go: hosts only (a webhook URL is a secret). Empty: alerts are kept here only. */
  webhooks: string[];
  thresholds: { deadLetters: number; deadLetterWindowMinutes: number; backlogMinutes: number; backlogPercent: number };
  connections: AlertsOverview[];
}

/** GET /debugger/api/alerts: what is firing, recent alerts newest first, and each one's webhook deliveries. */
export async function alertsView(env: Env, config: Config, query: Record<string, unknown>): Promise<AlertsView> {
  const limit = Math.min(200, Math.max(1, Number(query.limit ?? 50) || 50));
  const connections = await Promise.all(
    config.connections.map(async (c) => ({ ...(await env.CONNECTION_ALERTS.getByName(c.id).overview(limit)), connection: c.id })),
  );
  return {
    webhooks: config.alerts.webhooks.map(webhookHost),
    thresholds: { deadLetters: config.alerts.deadLetters, deadLetterWindowMinutes: DEAD_LETTER_WINDOW_MS / 60_000, backlogMinutes: config.alerts.backlogMinutes, backlogPercent: BACKLOG_ALERT_RATIO * 100 },
    connections,
  };
}
