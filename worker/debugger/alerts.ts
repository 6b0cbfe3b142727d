export type { AlertsView } from '../alerts/alertsView';
import type { AlertsView } from '../alerts/alertsView';
import { webhookHost } from '../alerts/webhook';
import { BACKLOG_ALERT_RATIO } from '../delivery/alertSignal';
import { DEAD_LETTER_WINDOW_MS } from '../config/alerts';
import type { Config } from '../config/config';
import type { Env } from '../env';

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
