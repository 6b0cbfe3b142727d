/** The alerts panel: where alerts go, what is firing, and each recent alert with its webhook deliveries. */
import type { AlertsView, AlertView } from '../../alerts/alertsView';
import { get } from './api';
import { byId, fill, h } from './dom';
import { ago, dateTime } from './format';

function delivery(d: AlertView['deliveries'][number]): HTMLElement {
  const tries = `${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`;
  const text =
    d.status === 'delivered'
      ? `delivered ${d.deliveredAt ? ago(d.deliveredAt) : ''} (${tries})`
      : d.status === 'failed'
        ? `failed after ${tries}: ${d.lastError ?? ''}`
        : d.attempts
          ? `retrying${d.nextAt ? ` ${ago(d.nextAt)}` : ''} (${tries}; last: ${d.lastError ?? ''})`
          : 'sending…';
  return h('li', { class: `delivery d-${d.status}` }, h('code', {}, d.host), ` ${text}`);
}

function alertRow(a: AlertView, several: boolean): HTMLElement {
  return h(
    'li',
    { class: `alert a-${a.state} sev-${a.severity}`, 'data-alert': a.alert },
    h('span', { class: 'when' }, dateTime(a.at)),
    ' ',
    h('span', { class: `badge s-${a.state === 'resolved' ? 'delivered' : a.severity === 'critical' ? 'dead' : 'retrying'}` }, a.state),
    ' ',
    several ? h('code', {}, `${a.connection} `) : null,
    h('strong', {}, a.alert.replace('_', ' ')),
    `: ${a.summary} `,
    // Same page: the link's fragment sets the filters (main.ts follows hash changes).
    h('a', { href: a.link.slice(a.link.indexOf('/debugger#')) }, 'show events'),
    a.deliveries.length ? h('ul', { class: 'deliveries' }, a.deliveries.map(delivery)) : null,
  );
}

/** Loads /debugger/api/alerts into the panel; the summary line counts what is firing. */
export async function loadAlerts(several: boolean): Promise<void> {
  const out = byId('alert-log-body');
  try {
    const view = await get<AlertsView>('/debugger/api/alerts?limit=30');
    const firing = view.connections.flatMap((c) => c.firing.map((f) => ({ ...f, connection: c.connection })));
    const recent = view.connections.flatMap((c) => c.recent).sort((a, b) => b.at - a.at);
    byId('alert-count').textContent = firing.length ? ` (${firing.length} firing)` : '';
    const t = view.thresholds;
    fill(
      out,
      h(
        'p',
        { class: 'muted' },
        view.webhooks.length ? `Sent to ${view.webhooks.join(', ')} (ALERT_WEBHOOK_URL). ` : 'No ALERT_WEBHOOK_URL: alerts are kept here only. ',
        `Alerts: paused, ≥ ${t.deadLetters} dead letter${t.deadLetters === 1 ? '' : 's'} in ${t.deadLetterWindowMinutes} min, oldest queued > ${t.backlogMinutes} min, backlog > ${t.backlogPercent} %, MoEngage rate-limit waits; and each recovery.`,
      ),
      firing.length
        ? h('ul', { class: 'firing' }, firing.map((f) => h('li', {}, several ? h('code', {}, `${f.connection} `) : null, h('strong', {}, f.alert.replace('_', ' ')), ` firing since ${dateTime(f.since)}`)))
        : h('p', { class: 'muted' }, 'Nothing is firing.'),
      recent.length ? h('ul', { class: 'alerts' }, recent.map((a) => alertRow(a, several))) : h('p', { class: 'muted' }, 'No alert yet.'),
    );
  } catch (error) {
    fill(out, h('p', { role: 'alert' }, String(error)));
  }
}
