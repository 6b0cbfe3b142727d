/**
 * GET /debugger/api/metrics: Prometheus' text format, read back with a real parser
 * (parse-prometheus-text-format, which throws on a malformed line), after real traffic through the
 * Worker: events delivered, dropped and dead-lettered, MoEngage's answers, the latency histogram,
 * the tag served and requests refused. Counters survive retention, which forgets the events.
 */
import { runDurableObjectAlarm } from 'cloudflare:test';
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { describe, expect, it, vi } from 'vitest';
import operations from '../../docs/operations.md?raw';
import readme from '../../README.md?raw';
import { api, ingest, track } from './support/debugger';
import { flush, get, post, queue } from './support/ingest';
import { useSandbox } from './support/sandboxPerTest';

const T0 = Date.UTC(2030, 6, 1, 9, 0, 0);
const { sandbox, at } = useSandbox({ clock: T0 });

let lastText = '';

async function scrape(): Promise<Map<string, ParsedFamily>> {
  const res = await api('/debugger/api/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  expect(res.headers.get('cache-control')).toBe('no-store');
  lastText = await res.text();
  return new Map(parsePrometheusTextFormat(lastText).map((f) => [f.name, f]));
}

/** The value of the sample whose labels include `labels` (0 when there is none). */
function value(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}): number {
  const family = families.get(name);
  expect(family, `${name} is exposed`).toBeDefined();
  const samples = family!.metrics.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return samples.reduce((sum, m) => sum + Number(m.value), 0);
}

describe('GET /debugger/api/metrics', () => {
  it('exposes exactly the families docs/operations.md lists, and every one the README names', async () => {
    const exposed = [...(await scrape()).keys()].sort();
    const documented = [...new Set([...operations.matchAll(/^\| `(edgetag_[a-z_]+)` \|/gm)].map((m) => m[1]))].sort();
    expect(exposed).toEqual(documented);
    const section = readme.slice(readme.indexOf('## Operations'), readme.indexOf('\n## ', readme.indexOf('## Operations') + 1));
    const named = [...section.matchAll(/`(edgetag_[a-z_]+)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(10);
    for (const name of named) expect(exposed).toContain(name);
  });

  it('needs the debugger token', async () => {
    expect((await get('/debugger/api/metrics')).status).toBe(401);
    expect((await api('/debugger/api/metrics', { headers: { authorization: 'Bearer wrong-token-0000' } })).status).toBe(401);
  });

  it('counts events by status and reason, MoEngage answers by class, units, latency and depth, and every family parses', async () => {
    sandbox().faults.add({ status: 400, count: 1 });
    await ingest(track({ messageId: 'poison', userId: 'u_9' }));
    at(1_000);
    await flush();
    await ingest(track({ messageId: 'ok-1' }), track({ messageId: 'ok-2' }), track({ messageId: 'skipped', event: 'Wishlist Shared' }));
    at(2_500); // delivered 1.5 s after they were received
    await flush();

    const m = await scrape();
    const c = { connection: 'default' };
    expect(m.get('edgetag_events_total')!.type).toBe('COUNTER');
    expect(value(m, 'edgetag_events_total', { ...c, status: 'queued', reason: '' })).toBe(3);
    expect(value(m, 'edgetag_events_total', { ...c, status: 'delivered', reason: '' })).toBe(2);
    expect(value(m, 'edgetag_events_total', { ...c, status: 'dropped', reason: 'not_in_blueprint' })).toBe(1);
    expect(value(m, 'edgetag_events_total', { ...c, status: 'dead', reason: 'rejected_by_moengage' })).toBe(1);
    expect(value(m, 'edgetag_moengage_requests_total', { ...c, class: '4xx' })).toBe(1);
    expect(value(m, 'edgetag_moengage_requests_total', { ...c, class: '2xx' })).toBe(1);
    expect(value(m, 'edgetag_moengage_units_total', { ...c, unit: 'events' })).toBe(3);
    expect(value(m, 'edgetag_moengage_units_used', { ...c, unit: 'events' })).toBe(3);
    expect(value(m, 'edgetag_moengage_units_limit', { ...c, unit: 'events' })).toBe(30_000);
    expect(value(m, 'edgetag_queue_depth', c)).toBe(0);
    expect(value(m, 'edgetag_queue_oldest_age_seconds', c)).toBe(0);
    expect(value(m, 'edgetag_queue_dead_letters', c)).toBe(1);
    expect(value(m, 'edgetag_connection_paused', c)).toBe(0);

    const latency = m.get('edgetag_delivery_latency_seconds')!;
    expect(latency.type).toBe('HISTOGRAM');
    expect(latency.metrics[0]!.buckets).toMatchObject({ '0.5': '0', '1': '0', '2': '2', '21600': '2', '+Inf': '2' });
    // The parser keeps a histogram's buckets but drops its labels, _sum and _count: those lines are read as text.
    expect(lastText).toContain('edgetag_delivery_latency_seconds_bucket{connection="default",le="2"} 2\n');
    expect(lastText).toContain('edgetag_delivery_latency_seconds_sum{connection="default"} 3\n');
    expect(lastText).toContain('edgetag_delivery_latency_seconds_count{connection="default"} 2\n');
  });

  it('shows waiting events as depth and age, and a paused connection', async () => {
    sandbox().faults.add({ status: 401 });
    await ingest(track({ messageId: 'w-1' }), track({ messageId: 'w-2', userId: 'u_2' }));
    at(1_000);
    await flush();
    at(91_000);
    const m = await scrape();
    expect(value(m, 'edgetag_queue_depth', { connection: 'default' })).toBe(2);
    expect(value(m, 'edgetag_queue_oldest_age_seconds', { connection: 'default' })).toBe(91);
    expect(value(m, 'edgetag_connection_paused', { connection: 'default' })).toBe(1);
    expect(value(m, 'edgetag_events_total', { status: 'paused', reason: 'moengage_unauthorized' })).toBe(2);
  });

  it('counts the tag served (200, and 304 when the browser has it) and refused requests, by status and error', async () => {
    const before = await scrape();
    const first = await get('/s.js');
    expect(first.status).toBe(200);
    expect((await get('/s.js', { 'if-none-match': first.headers.get('etag')! })).status).toBe(304);
    expect((await post('/v1/batch', '{not json')).status).toBe(400);
    expect((await post('/v1/batch', { batch: [track()] }, { authorization: `Basic ${btoa('nobody:')}` })).status).toBe(401);
    // Written off the answers' path (metrics/collectorCount.ts): they land within milliseconds.
    await vi.waitFor(async () => {
      const after = await scrape();
      const delta = (name: string, labels: Record<string, string>) => value(after, name, labels) - value(before, name, labels);
      expect(delta('edgetag_tag_served_total', { build: 'segments', status: '200' })).toBe(1);
      expect(delta('edgetag_tag_served_total', { build: 'segments', status: '304' })).toBe(1);
      expect(delta('edgetag_requests_refused_total', { status: '400', error: 'invalid_json' })).toBe(1);
      expect(delta('edgetag_requests_refused_total', { status: '401', error: 'unknown_write_key' })).toBe(1);
    });
  });

  it('counters are monotonic across retention, which forgets the events themselves', async () => {
    await ingest(track({ messageId: 'r-1' }), track({ messageId: 'r-2', event: 'Wishlist Shared' }));
    await flush();
    const before = await scrape();
    expect(value(before, 'edgetag_event_log_rows', { connection: 'default' })).toBe(2);

    at(169 * 3_600_000);
    expect(await runDurableObjectAlarm(queue())).toBe(true);
    const after = await scrape();
    expect(value(after, 'edgetag_event_log_rows', { connection: 'default' })).toBe(0);
    for (const name of ['edgetag_events_total', 'edgetag_moengage_requests_total', 'edgetag_moengage_units_total']) {
      expect(after.get(name)!.metrics, name).toEqual(before.get(name)!.metrics);
    }
    expect(after.get('edgetag_delivery_latency_seconds')!.metrics).toEqual(before.get('edgetag_delivery_latency_seconds')!.metrics);
    expect(lastText).toContain('edgetag_delivery_latency_seconds_count{connection="default"} 1\n');
    expect(value(after, 'edgetag_events_total', { status: 'delivered' })).toBe(1);
  });
});
