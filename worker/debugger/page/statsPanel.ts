/** The header: outcomes per minute, queue state, the throughput chart, paused connections, dead letters. */
import { api, ApiError } from './api';
import { throughputChart } from './chart';
import { byId, fill, h } from './dom';
import { duration, number, STATUSES } from './format';
import type { DebuggerStats, MinuteStats } from '../views';

/** About the last 60 s: this minute so far plus the part of the previous one still inside. */
function lastMinute(series: MinuteStats[], pick: (m: MinuteStats) => number, now = Date.now()): number {
  const current = series[series.length - 1];
  const previous = series[series.length - 2];
  const share = 1 - (now % 60_000) / 60_000;
  return Math.round((current ? pick(current) : 0) + (previous ? pick(previous) * share : 0));
}

export class StatsPanel {
  constructor(
    private readonly filterBy: (status: string, reason?: string) => void,
    private readonly changed: () => void,
  ) {}

  async refresh(): Promise<void> {
    let stats: DebuggerStats;
    try {
      stats = await api.stats();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) byId('stats-error').textContent = `Stats unavailable: ${error instanceof Error ? error.message : String(error)}`;
      return;
    }
    byId('stats-error').textContent = '';
    const s = stats.perMinute;
    const limit = stats.connections.reduce((n, c) => n + c.limits.eventsPerMinute, 0);
    const rate = lastMinute(s, (m) => m.moengage.events);
    fill(
      byId('cards'),
      card('Delivered', `${number(lastMinute(s, (m) => m.delivered))}/min`, 'in the last 60 s', 'c-delivered'),
      card('Dropped', `${number(lastMinute(s, (m) => m.dropped))}/min`, 'not sent (reason in the table)', 'c-dropped'),
      card('Dead-lettered', `${number(lastMinute(s, (m) => m.dead))}/min`, 'refused or gave up', 'c-dead'),
      card('MoEngage rate', `${number(rate)} of ${number(limit)}/min`, `${limit ? ((rate / limit) * 100).toFixed(rate && rate / limit < 0.001 ? 3 : 1) : 0} % of the events limit`, 'c-rate'),
      card('Queue', `${number(stats.queue.depth)} waiting`, stats.queue.oldestAgeSeconds !== null ? `oldest ${duration(stats.queue.oldestAgeSeconds)}` : 'nothing waiting', 'c-queue'),
      card(
        'Dead letters',
        number(stats.queue.deadLettered),
        stats.queue.oldestDeadAgeHours !== null ? `replayable; oldest ${duration(Math.round(stats.queue.oldestDeadAgeHours * 3600))}` : 'stored, replayable',
        'c-dead-total',
      ),
    );
    fill(
      byId('totals'),
      h('span', { class: 'muted' }, 'Last hour, by status: '),
      STATUSES.map((status) =>
        h('button', { type: 'button', class: `chip s-${status}`, 'aria-label': `Show ${status} events`, onclick: () => this.filterBy(status) }, `${status} ${number(stats.byStatus[status])}`),
      ),
    );
    fill(
      byId('chart'),
      stats.connections.map((c) => throughputChart(c.perMinute, c.limits.eventsPerMinute, stats.connections.length > 1 ? `connection ${c.connection}` : `workspace of connection ${c.connection}`)),
    );
    this.alerts(stats);
  }

  private alerts(stats: DebuggerStats): void {
    const dead = stats.byReason.filter((r) => r.status === 'dead');
    // Malformed settings: the collector's own (routes needing them answer 503) and a queue's own (its events wait).
    const misconfigured = [
      ...(stats.misconfigured ?? []).map((m) => ({ where: 'Collector setting', ...m })),
      ...stats.connections.flatMap((c) => (c.health.misconfigured ? [{ where: `Connection ${c.connection}: setting`, ...c.health.misconfigured }] : [])),
    ];
    const rateLimited = stats.connections.flatMap((c) => (c.health.status === 'rate_limited' && c.health.rateLimited ? [{ connection: c.connection, wait: c.health.rateLimited }] : []));
    fill(
      byId('alerts'),
      misconfigured.map((m) =>
        h('div', { class: 'alert misconfigured', role: 'alert' }, h('strong', {}, `${m.where} ${m.setting} is malformed: `), m.problems.join('; ')),
      ),
      rateLimited.map(({ connection, wait }) =>
        h(
          'div',
          { class: 'alert rate-limited', role: 'status' },
          h('strong', {}, `Connection ${connection} is rate limited by MoEngage`),
          ` until ${new Date(wait.until).toLocaleTimeString()}: `,
          wait.header === 'backoff' ? 'a 429 without a usable retry time (backing off)' : h('code', {}, `${wait.header}: ${wait.value}`),
          wait.claimedUntil !== undefined ? ` asked for ${new Date(wait.claimedUntil).toISOString()}; edgetag waits at most 60 s on one answer, then one request probes. ` : ' ',
          h('button', { type: 'button', 'data-resume': connection, onclick: () => void this.act(() => api.resume(connection)) }, `Send now (${connection})`),
        ),
      ),
      stats.paused.map((p) =>
        h(
          'div',
          { class: 'alert paused', role: 'alert' },
          h('strong', {}, `Connection ${p.connection} is paused`),
          ` since ${new Date(p.since).toLocaleTimeString()}: `,
          h('code', {}, p.reason),
          ` ${p.detail} `,
          h('button', { type: 'button', class: 'primary', 'data-resume': p.connection, onclick: () => void this.act(() => api.resume(p.connection)) }, `Resume ${p.connection}`),
        ),
      ),
      stats.queue.deadLettered
        ? h(
            'div',
            { class: 'alert dead' },
            h('strong', {}, `${number(stats.queue.deadLettered)} dead-lettered event(s). `),
            dead.map((r) =>
              h('button', { type: 'button', 'data-replay-reason': r.reason, onclick: () => void this.act(() => api.replay({ reason: r.reason })) }, `Replay ${number(r.count)} × ${r.reason}`),
            ),
            h('button', { type: 'button', id: 'replay-all', onclick: () => void this.act(() => api.replay({ all: true })) }, 'Replay all dead'),
            h('button', { type: 'button', class: 'link', onclick: () => this.filterBy('dead') }, 'Show them'),
          )
        : null,
    );
  }

  private async act(action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
    } catch (error) {
      byId('stats-error').textContent = error instanceof ApiError ? error.detail : String(error);
    }
    this.changed();
  }
}

function card(title: string, value: string, note: string, id: string): HTMLElement {
  return h('div', { class: 'card', id }, h('div', { class: 'card-title' }, title), h('div', { class: 'card-value' }, value), h('div', { class: 'card-note' }, note));
}
