import type { AlertsOverview } from '../alerts/alertsView';
import type { Config } from '../config/config';
import type { QueueMetrics } from '../delivery/queueMetrics';
import * as queues from '../delivery/queues';
import { LATENCY_BUCKETS } from '../delivery/store/counters';
import type { Env } from '../env';
import type { CollectorCount } from './CollectorCounters';
import { type Family, PROMETHEUS_CONTENT_TYPE, type Sample, renderPrometheus } from './prometheus';

export type { QueueMetrics } from '../delivery/queueMetrics';

/** A connection's queues, summed: counters add up, depths add up, the oldest age is the oldest. */
export interface ConnectionMetrics {
  connection: string;
  queues: QueueMetrics[];
  alerts: Pick<AlertsOverview, 'firing' | 'raised'> | null;
}

export async function gatherMetrics(env: Env, config: Config): Promise<{ connections: ConnectionMetrics[]; collector: CollectorCount[] }> {
  const [connections, collector] = await Promise.all([
    Promise.all(
      config.connections.map(async (c) => ({
        connection: c.id,
        queues: await queues.metricsOf(env, c),
        alerts: await env.CONNECTION_ALERTS.getByName(c.id)
          .overview(0)
          .catch(() => null),
      })),
    ),
    env.COLLECTOR_COUNTERS.getByName('collector').read(),
  ]);
  return { connections, collector };
}

/** GET /debugger/api/metrics: every family, rendered. */
export async function metricsResponse(env: Env, config: Config): Promise<Response> {
  return new Response(renderPrometheus(metricFamilies(await gatherMetrics(env, config))), {
    headers: { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' },
  });
}

const UNITS = ['events', 'customers', 'merges', 'requests'] as const;

/** Pure: the metric families from what the queues, alerts and collector counters reported. */
export function metricFamilies(input: { connections: ConnectionMetrics[]; collector: CollectorCount[] }): Family[] {
  const counter = (name: string, help: string, samples: Sample[]): Family => ({ name, help, type: 'counter', samples });
  const gauge = (name: string, help: string, samples: Sample[]): Family => ({ name, help, type: 'gauge', samples });
  const perConnection = (value: (c: ConnectionMetrics) => number | null) =>
    input.connections.flatMap((c) => {
      const v = value(c);
      return v === null ? [] : [{ labels: { connection: c.connection }, value: v }];
    });
  const summed = (c: ConnectionMetrics, metric: string) => {
    const sums = new Map<string, { a: string; b: string; value: number }>();
    for (const q of c.queues) {
      for (const row of q.counters) {
        if (row.metric !== metric) continue;
        const key = `${row.a}\u0000${row.b}`;
        const s = sums.get(key) ?? { a: row.a, b: row.b, value: 0 };
        s.value += row.value;
        sums.set(key, s);
      }
    }
    return [...sums.values()].sort((x, y) => (x.a + x.b < y.a + y.b ? -1 : 1));
  };
  const healthOf = (c: ConnectionMetrics) => c.queues.map((q) => q.health);

  return [
    counter(
      'edgetag_events_total',
      'Events that entered a status (queued, held, dropped, retrying, paused, delivered, dead), with its reason; an event is counted once per status it enters.',
      input.connections.flatMap((c) => summed(c, 'events').map((r) => ({ labels: { connection: c.connection, status: r.a, reason: r.b }, value: r.value }))),
    ),
    {
      name: 'edgetag_delivery_latency_seconds',
      help: 'Time from the collector receiving an event to MoEngage answering 2xx for it (held events included).',
      type: 'histogram',
      buckets: LATENCY_BUCKETS,
      series: input.connections.map((c) => {
        const rows = summed(c, 'latency');
        const counts = [...LATENCY_BUCKETS.map(String), '+Inf'].map((le) => rows.find((r) => r.a === le)?.value ?? 0);
        const sumMs = summed(c, 'latency_sum')[0]?.value ?? 0;
        return { labels: { connection: c.connection }, counts, sum: sumMs / 1000 };
      }),
    },
    counter(
      'edgetag_moengage_requests_total',
      'Requests sent to MoEngage, by endpoint and answer class (none: no answer, timeout or network error).',
      input.connections.flatMap((c) => summed(c, 'requests').map((r) => ({ labels: { connection: c.connection, endpoint: r.a, class: r.b }, value: r.value }))),
    ),
    counter(
      'edgetag_moengage_units_total',
      "Units sent to MoEngage against its per-minute limits (events, customer updates, merges).",
      input.connections.flatMap((c) => summed(c, 'units').map((r) => ({ labels: { connection: c.connection, unit: r.a }, value: r.value }))),
    ),
    gauge(
      'edgetag_moengage_units_used',
      "Units sent in the last 60.5 s, the window the limiter holds each limit over.",
      input.connections.flatMap((c) =>
        UNITS.filter((u) => u !== 'requests' || c.queues.some((q) => q.limits?.requests !== undefined)).map((unit) => ({
          labels: { connection: c.connection, unit },
          value: c.queues.reduce((sum, q) => sum + q.unitsInWindow[unit], 0),
        })),
      ),
    ),
    gauge(
      'edgetag_moengage_units_limit',
      "MoEngage's per-minute limit of each unit for the connection (MOENGAGE_EVENTS_PER_MINUTE and the others).",
      input.connections.flatMap((c) => {
        const limits = c.queues.find((q) => q.limits)?.limits;
        return limits ? UNITS.flatMap((unit) => (limits[unit] === undefined ? [] : [{ labels: { connection: c.connection, unit }, value: limits[unit] as number }])) : [];
      }),
    ),
    gauge('edgetag_queue_depth', 'Events waiting for delivery (queued, retrying, paused, in flight).', perConnection((c) => healthOf(c).reduce((s, h) => s + h.queueDepth, 0))),
    gauge('edgetag_queue_in_flight', 'Events in a request to MoEngage right now.', perConnection((c) => healthOf(c).reduce((s, h) => s + h.inFlight, 0))),
    gauge(
      'edgetag_queue_oldest_age_seconds',
      'Age of the oldest event waiting for delivery (0 when none waits).',
      perConnection((c) => Math.max(0, ...healthOf(c).map((h) => h.oldestAgeSeconds ?? 0))),
    ),
    gauge('edgetag_queue_max_backlog_events', 'MAX_BACKLOG_EVENTS: beyond it ingest answers 503 backlog_full.', perConnection((c) => healthOf(c)[0]?.bounds.maxBacklogEvents ?? null)),
    gauge('edgetag_queue_dead_letters', 'Dead-lettered events stored now (replayable from the debugger).', perConnection((c) => healthOf(c).reduce((s, h) => s + h.deadLettered, 0))),
    gauge('edgetag_connection_paused', '1 while delivery is paused (MoEngage answered 401/403/404/3xx), else 0.', perConnection((c) => (healthOf(c).some((h) => h.paused) ? 1 : 0))),
    gauge(
      'edgetag_connection_rate_limited',
      '1 while a rate-limit wait is in force, else 0.',
      perConnection((c) => (healthOf(c).some((h) => h.rateLimitedUntil !== null) ? 1 : 0)),
    ),
    counter(
      'edgetag_batches_refused_total',
      'Batches answered 503 backlog_full (the client kept them and sent them again).',
      perConnection((c) => healthOf(c).reduce((s, h) => s + h.bounds.refusedBatches.total, 0)),
    ),
    gauge('edgetag_event_log_rows', "Events the debugger's log holds now (retention forgets the oldest).", perConnection((c) => healthOf(c).reduce((s, h) => s + h.log.events, 0))),
    gauge(
      'edgetag_alert_firing',
      '1 for each alert condition firing now (paused, dead_letters, backlog_age, backlog_size, rate_limited).',
      input.connections.flatMap((c) => (c.alerts?.firing ?? []).map((f) => ({ labels: { connection: c.connection, alert: f.alert }, value: 1 }))),
    ),
    counter(
      'edgetag_alerts_total',
      'Alerts raised, by condition and state (firing, resolved).',
      input.connections.flatMap((c) => (c.alerts?.raised ?? []).map((r) => ({ labels: { connection: c.connection, alert: r.kind, state: r.state }, value: r.n }))),
    ),
    counter(
      'edgetag_requests_refused_total',
      'Whole requests the collector refused (bad input, auth, origin, rate limit, backlog), by HTTP status and error code.',
      input.collector.filter((r) => r.metric === 'refused').map((r) => ({ labels: { status: r.a, error: r.b }, value: r.value })),
    ),
    counter(
      'edgetag_tag_served_total',
      'Tag script answers, by build (core, segments) and status (200, or 304 when the browser had it).',
      input.collector.filter((r) => r.metric === 'tag_served').map((r) => ({ labels: { build: r.a, status: r.b }, value: r.value })),
    ),
  ];
}
