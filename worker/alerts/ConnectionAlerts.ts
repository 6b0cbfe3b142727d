import { DurableObject } from 'cloudflare:workers';
import { type AlertSettings, DEAD_LETTER_WINDOW_MS, readAlertSettings } from '../config/alerts';
import type { Settings } from '../config/settings';
import { amiss, type QueueSignal, type SignalSource } from '../delivery/alertSignal';
import { logLine } from '../logs/logLine';
import { AlertLog, type DeliveryStatus } from './alertLog';
import type { AlertsOverview } from './alertsView';
import { conditionsOf, nextChangeAt, observe } from './conditions';
import { alertBody } from './message';
import { calmEndsAt, type AlertState, step } from './transitions';
import { nextAttemptAt, postAlert, webhookFingerprint, webhookHost } from './webhook';

/** While something is amiss, the queues are asked for their state this often (conditions that age). */
export const WATCH_MS = 60_000;
/** Webhook deliveries one alarm sends at most (the rest go on the next, at once). */
const SENDS_PER_ALARM = 20;

/**
 * What the alerts object is given: the settings (it reads only the alert settings) and the queues,
 * typed by the one call it makes on them. It asks a queue by the name that queue reported.
 */
interface AlertsEnv extends Settings {
  DELIVERY_QUEUE: DurableObjectNamespace<SignalSource>;
}

const settingsCache = new WeakMap<object, AlertSettings>();

/** Only the alert settings: a malformed one is the Worker's 503 to report, not a reason to stop judging. */
function alertSettings(env: AlertsEnv): AlertSettings {
  let settings = settingsCache.get(env);
  if (!settings) {
    try {
      settings = readAlertSettings(env);
    } catch {
      settings = { ...readAlertSettings({}), webhooks: [] };
    }
    settingsCache.set(env, settings);
  }
  return settings;
}

/**
 * One per connection: judges the connection's queues together (alerts/conditions.ts,
 * transitions.ts) and delivers each alert to every webhook from its own alarm, with retries
 * (alerts/webhook.ts). Queues only report news here and never wait for a webhook, so a failing or
 * slow webhook cannot slow delivery. docs/operations.md "Alerts".
 */
export class ConnectionAlerts extends DurableObject<AlertsEnv> {
  private readonly log: AlertLog;

  constructor(ctx: DurableObjectState, env: AlertsEnv) {
    super(ctx, env);
    this.log = new AlertLog(ctx.storage.sql, ctx.storage);
  }

  /** A queue's news (delivery/alertSignal.ts): judged at once; webhooks go out from the alarm. */
  async report(signal: QueueSignal): Promise<void> {
    this.log.setMeta('connection', signal.connection);
    this.log.addDeadArrivals(signal.at, this.log.putSignal(signal));
    await this.evaluate(Date.now());
  }

  async overview(limit: number): Promise<AlertsOverview> {
    const connection = this.log.getMeta<string>('connection') ?? '';
    const state = this.log.state();
    return {
      connection,
      firing: Object.entries(state).map(([alert, s]) => ({ alert: alert as AlertsOverview['firing'][number]['alert'], since: s.since, facts: s.facts })),
      recent: this.log.recent(limit).map((a) => ({
        id: a.body.id,
        at: a.at,
        connection: a.body.connection,
        alert: a.body.alert,
        state: a.body.state,
        severity: a.body.severity,
        summary: a.body.summary,
        link: a.body.link,
        facts: a.body.facts,
        deliveries: a.deliveries.map(({ alertId: _a, webhook: _w, ...shown }) => shown),
      })),
      raised: this.log.counts(),
    };
  }

  override async alarm(): Promise<void> {
    const checkAt = this.log.getMeta<number | null>('checkAt') ?? null;
    if (checkAt !== null && checkAt <= Date.now()) await this.check();
    await this.sendDue();
    await this.schedule();
  }

  /** Asks each queue that ever reported for its state now, then judges. */
  private async check(): Promise<void> {
    await Promise.all(
      this.log.signals().map(async ({ queue }) => {
        try {
          const signal = await this.env.DELIVERY_QUEUE.getByName(queue).alertSignal();
          if (signal) this.log.addDeadArrivals(signal.at, this.log.putSignal(signal));
        } catch {
          // Unreachable now: judged on its last report, asked again on the next check.
        }
      }),
    );
    await this.evaluate(Date.now());
  }

  private async evaluate(now: number): Promise<void> {
    const settings = alertSettings(this.env);
    const webhooks = await Promise.all(settings.webhooks.map(async (url) => ({ fingerprint: await webhookFingerprint(url), host: webhookHost(url) })));
    // From here to `record` nothing is awaited: two reports judged at once would both see the old
    // state and raise the same alert twice (a Durable Object interleaves calls at every await).
    const connection = this.log.getMeta<string>('connection') ?? '';
    const arrivals = this.log.deadArrivals(now - DEAD_LETTER_WINDOW_MS);
    const signals = this.log.signals();
    const seen = observe(
      signals,
      arrivals.reduce((sum, a) => sum + a.n, 0),
      now,
    );
    const { next, changes } = step(this.log.state(), conditionsOf(seen, settings), now);
    this.log.record(
      next,
      changes.map((change) => ({ at: now, body: (id: number) => alertBody(change, { id: `${connection}-${id}`, connection, collectorUrl: settings.collectorUrl }) })),
      webhooks,
    );
    this.log.setMeta('checkAt', watchUntil(next, signals, arrivals.map((a) => a.at), seen, settings, now));
    await this.schedule();
  }

  private async sendDue(): Promise<void> {
    const settings = alertSettings(this.env);
    const urls = new Map(await Promise.all(settings.webhooks.map(async (url) => [await webhookFingerprint(url), url] as const)));
    await Promise.all(
      this.log.due(Date.now(), SENDS_PER_ALARM).map(async ({ delivery, body }) => {
        const url = urls.get(delivery.webhook);
        if (!url) {
          this.log.settle(delivery.alertId, delivery.webhook, { status: 'failed', nextAt: null, lastStatus: 0, lastError: 'this webhook is no longer in ALERT_WEBHOOK_URL', deliveredAt: null });
          return;
        }
        const result = await postAlert(url, body);
        const now = Date.now();
        const attempts = delivery.attempts + 1;
        const retryAt = result.error === null ? null : nextAttemptAt(result, attempts, now);
        const status: DeliveryStatus = result.error === null ? 'delivered' : retryAt === null ? 'failed' : 'pending';
        this.log.settle(delivery.alertId, delivery.webhook, { status, nextAt: retryAt, lastStatus: result.status, lastError: result.error, deliveredAt: status === 'delivered' ? now : null });
        logLine(status === 'delivered' ? 'info' : 'warn', 'alert_webhook', {
          connection: body.connection,
          alert: body.alert,
          state: body.state,
          id: body.id,
          webhook: delivery.host,
          status: result.status,
          outcome: status,
          attempt: attempts,
          durationMs: result.durationMs,
          ...(result.error ? { error: result.error } : {}),
          ...(retryAt ? { retryAt: new Date(retryAt).toISOString() } : {}),
        });
      }),
    );
  }

  /** One alarm for both jobs: the next webhook delivery due and the next check. */
  private async schedule(): Promise<void> {
    const times = [this.log.nextDeliveryAt(), this.log.getMeta<number | null>('checkAt') ?? null].filter((t): t is number => t !== null);
    if (!times.length) return;
    const at = Math.min(...times);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }
}

/**
 * When to look again without news: while anything is amiss or firing, at the next moment a
 * condition could change by the clock alone, and at least every WATCH_MS; otherwise never (an idle,
 * healthy connection costs nothing).
 */
function watchUntil(state: AlertState, signals: QueueSignal[], deadArrivals: number[], seen: ReturnType<typeof observe>, settings: AlertSettings, now: number): number | null {
  const watching = Object.keys(state).length > 0 || deadArrivals.length > 0 || signals.some(amiss);
  if (!watching) return null;
  const deadline = nextChangeAt(seen, settings, deadArrivals);
  const calm = calmEndsAt(state);
  return Math.min(now + WATCH_MS, deadline ?? Infinity, calm ?? Infinity);
}
