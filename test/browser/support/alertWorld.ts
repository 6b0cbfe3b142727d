/**
 * A collector of its own for alert tests and the alert benchmark: `wrangler dev` with the MoEngage
 * sandbox and a webhook double (dev/webhook-sink/) on loopback ports, ALERT_WEBHOOK_URL pointing
 * at the double. Its own, because these tests pause the connection on purpose.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWebhookSink, type SinkServer } from '../../../dev/webhook-sink/server';
import { startSandboxServer, type SandboxServer } from '../../../dev/moengage-sandbox/server';
import { type RunningCollector, startCollector } from '../../../scripts/collector';
import { freePort } from '../../../scripts/freePort';

export const ALERT_WRITE_KEY = 'alerts-write-key';
export const ALERT_DEBUGGER_TOKEN = 'alerts-debugger-token';
/** What makes the URL secret (a Slack URL's path): must never show in the debugger. */
export const WEBHOOK_SECRET_PATH = '/services/T0LOCAL/B0ALERTS/alert-webhook-secret-path';

export interface AlertWorld {
  collector: RunningCollector;
  sandbox: SandboxServer;
  sink: SinkServer;
  /** POSTs one track event through the collector's ingest API. */
  send(messageId: string, userId?: string): Promise<Response>;
  stop(): Promise<void>;
}

export async function startAlertWorld(): Promise<AlertWorld> {
  const sandbox = await startSandboxServer({ port: 0, credentials: { 'alerts-workspace': 'alerts-data-api-key' } });
  const sink = await startWebhookSink();
  const port = await freePort();
  const state = await mkdtemp(join(tmpdir(), 'edgetag-alerts-'));
  const collector = await startCollector({
    port,
    persistTo: state,
    vars: {
      MOENGAGE_API_BASE: sandbox.url,
      MOENGAGE_WORKSPACE_ID: 'alerts-workspace',
      WRITE_KEYS: ALERT_WRITE_KEY,
      FLUSH_INTERVAL_MS: '200',
      BOT_POLICY: 'allow',
      COLLECTOR_URL: `http://127.0.0.1:${port}`,
    },
    secrets: {
      MOENGAGE_DATA_API_KEY: 'alerts-data-api-key',
      DEBUGGER_TOKEN: ALERT_DEBUGGER_TOKEN,
      ALERT_WEBHOOK_URL: `${sink.url}${WEBHOOK_SECRET_PATH}`,
    },
  });
  return {
    collector,
    sandbox,
    sink,
    send: (messageId, userId = 'u_alerts') =>
      fetch(`${collector.url}/v1/track`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${ALERT_WRITE_KEY}:`).toString('base64')}` },
        body: JSON.stringify({ type: 'track', messageId, userId, event: 'Order Completed', properties: { order_id: messageId, revenue: 10 } }),
      }),
    async stop() {
      await collector.stop();
      await Promise.all([sandbox.close(), sink.close()]);
      await rm(state, { recursive: true, force: true });
    },
  };
}

/** Sets a sandbox fault (MoEngage's answer) through its control API. */
export async function moengageAnswers(world: AlertWorld, fault: { status: number; count?: number } | null): Promise<void> {
  const res = fault
    ? await fetch(`${world.sandbox.url}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault) })
    : await fetch(`${world.sandbox.url}/_sandbox/faults`, { method: 'DELETE' });
  if (!res.ok) throw new Error(`sandbox fault: ${res.status} ${await res.text()}`);
}

export function operator(world: AlertWorld, path: string, body: unknown = {}): Promise<Response> {
  return fetch(`${world.collector.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ALERT_DEBUGGER_TOKEN}` },
    body: JSON.stringify(body),
  });
}
