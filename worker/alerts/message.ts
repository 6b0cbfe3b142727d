import type { AlertKind, Facts } from './conditions';
import type { Change } from './transitions';

/**
 * Pure: the JSON an alert webhook receives. `text` is all Slack and Microsoft Teams incoming
 * webhooks need: a one-line summary and a plain link to the debugger filtered to the cause (both
 * turn a bare URL into a link; their link markups differ). The other fields are for anything else
 * that reads it (PagerDuty/Opsgenie bridges, a Worker, a log): the same alert, structured. `id` is
 * the same on every retry of one alert, so a receiver can drop repeats.
 */
export interface AlertBody {
  text: string;
  source: 'edgetag';
  id: string;
  connection: string;
  alert: AlertKind;
  state: 'firing' | 'resolved';
  severity: 'critical' | 'warning' | 'resolved';
  summary: string;
  startedAt: string;
  at: string;
  link: string;
  facts: Facts;
}

const SEVERITY: Record<AlertKind, 'critical' | 'warning'> = {
  paused: 'critical',
  dead_letters: 'critical',
  backlog_size: 'critical',
  backlog_age: 'warning',
  rate_limited: 'warning',
};

/** The debugger's filters live in the URL fragment (worker/debugger/page/main.ts). */
const FILTER: Record<AlertKind, Record<string, string>> = {
  paused: { status: 'paused' },
  dead_letters: { status: 'dead', since: '15m' },
  backlog_age: { status: 'queued' },
  backlog_size: { status: 'queued' },
  rate_limited: { status: 'queued' },
};

export function debuggerLink(collectorUrl: string | undefined, connection: string, kind: AlertKind): string {
  const query = new URLSearchParams({ connection, ...FILTER[kind] });
  return `${collectorUrl ?? ''}/debugger#${query.toString()}`;
}

const n = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US') : String(v));
const minutes = (ms: number) => (ms < 90_000 ? `${Math.max(1, Math.round(ms / 1000))} s` : `${Math.round(ms / 60_000)} min`);
const events = (v: unknown) => `${n(v)} event${v === 1 ? '' : 's'}`;
const time = (iso: unknown) => (typeof iso === 'string' ? `${iso.slice(11, 19)} UTC` : String(iso));

function summaryOf(change: Change): string {
  const f = change.facts;
  const lasted = minutes(change.at - change.since);
  if (change.state === 'resolved') {
    switch (change.kind) {
      case 'paused':
        return `delivery resumed after ${lasted} paused`;
      case 'dead_letters':
        return `dead letters back under ${n(f.threshold)} in ${n(f.windowMinutes)} minutes`;
      case 'backlog_age':
        return `backlog caught up: no queued event older than ${n(f.thresholdMinutes)} min (after ${lasted})`;
      case 'backlog_size':
        return `backlog back under 80 % of MAX_BACKLOG_EVENTS (after ${lasted})`;
      case 'rate_limited':
        return `MoEngage's rate-limit wait is over (after ${lasted})`;
    }
  }
  switch (change.kind) {
    case 'paused':
      return `delivery paused: ${String(f.detail ?? f.reason)}; ${events(f.waiting)} waiting`;
    case 'dead_letters':
      return `${events(f.count)} dead-lettered in the last ${n(f.windowMinutes)} minutes`;
    case 'backlog_age':
      return `oldest queued event is ${n(f.oldestAgeMinutes)} min old (alert at ${n(f.thresholdMinutes)} min); ${events(f.waiting)} waiting`;
    case 'backlog_size':
      return `backlog at ${n(f.percent)} % of MAX_BACKLOG_EVENTS (${n(f.waiting)} of ${n(f.maxBacklogEvents)}); at 100 % ingest answers 503 backlog_full`;
    case 'rate_limited':
      return `MoEngage imposed a rate-limit wait until ${time(f.until)}; ${events(f.waiting)} waiting`;
  }
}

export function alertBody(change: Change, context: { id: string; connection: string; collectorUrl: string | undefined }): AlertBody {
  const summary = summaryOf(change);
  const link = debuggerLink(context.collectorUrl, context.connection, change.kind);
  const mark = change.state === 'resolved' ? '✅' : SEVERITY[change.kind] === 'critical' ? '🔴' : '🟠';
  return {
    text: `${mark} edgetag · ${context.connection}: ${summary} ${link}`,
    source: 'edgetag',
    id: context.id,
    connection: context.connection,
    alert: change.kind,
    state: change.state,
    severity: change.state === 'resolved' ? 'resolved' : SEVERITY[change.kind],
    summary,
    startedAt: new Date(change.since).toISOString(),
    at: new Date(change.at).toISOString(),
    link,
    facts: change.facts,
  };
}
