/** The journey panel: received → mapped → each request to MoEngage and its answer → outcome. */
import { api, ApiError } from './api';
import { byId, fill, h } from './dom';
import { answerText, dateTime, json } from './format';
import { statusBadge } from './table';
import type { EventSummary, ExchangeShown, JourneyShown } from '../views';

const OUTCOME: Record<string, string> = {
  delivered: 'MoEngage accepted it.',
  queued: 'Waiting for its turn (flush interval, rate limit).',
  retrying: 'MoEngage failed; it will be sent again.',
  held: 'An anonymous visitor’s event, held until the visitor is identified.',
  paused: 'The connection is paused: nothing is sent until it is resumed.',
  dropped: 'Not sent to MoEngage.',
  dead: 'Dead-lettered: it will not be sent again unless replayed.',
};

export class JourneyPanel {
  private current: { messageId: string; connection: string } | null = null;
  private reveal = false;
  private generation = 0;

  constructor(private readonly onChange: () => void) {}

  async open(event: Pick<EventSummary, 'messageId' | 'connection'>, keepReveal = false): Promise<void> {
    const same = this.current?.messageId === event.messageId && this.current.connection === event.connection;
    if (!same || !keepReveal) this.reveal = same ? this.reveal : false;
    this.current = { messageId: event.messageId, connection: event.connection };
    const generation = ++this.generation;
    const panel = byId('journey');
    panel.hidden = false;
    try {
      const journey = await api.event(event.messageId, event.connection, this.reveal);
      if (generation === this.generation) this.render(journey);
    } catch (error) {
      if (generation === this.generation) fill(byId('journey-body'), h('p', { role: 'alert' }, error instanceof ApiError ? error.detail : String(error)));
    }
  }

  close(): void {
    this.current = null;
    byId('journey').hidden = true;
  }

  private render(j: JourneyShown): void {
    byId('journey-title').textContent = j.name ?? `(${j.type})`;
    const actions = h(
      'p',
      { class: 'actions' },
      h('button', { type: 'button', id: 'reveal', 'aria-pressed': String(j.pii === 'revealed'), onclick: () => this.toggleReveal() }, j.pii === 'revealed' ? 'Mask personal data' : 'Reveal personal data'),
      j.status === 'dead' || j.status === 'paused' ? h('button', { type: 'button', id: 'replay-one', class: 'primary', onclick: () => void this.replay(j) }, j.status === 'dead' ? 'Replay this event' : 'Replay (resumes the connection)') : null,
      h('button', { type: 'button', onclick: () => void navigator.clipboard?.writeText(json(j)) }, 'Copy JSON'),
      h('span', { id: 'replay-note', role: 'status' }),
    );
    fill(
      byId('journey-body'),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Status'),
        h('dd', {}, statusBadge(j.status), ' ', OUTCOME[j.status] ?? ''),
        j.reason ? [h('dt', {}, 'Reason'), h('dd', { id: 'journey-reason' }, h('code', {}, j.reason))] : null,
        j.detail ? [h('dt', {}, 'Detail'), h('dd', { id: 'journey-detail' }, j.detail)] : null,
        h('dt', {}, 'messageId'),
        h('dd', {}, h('code', {}, j.messageId)),
        h('dt', {}, 'User'),
        h('dd', {}, j.userId ?? '–', j.anonymousId ? h('span', { class: 'muted' }, ` (anonymousId ${j.anonymousId})`) : ''),
        h('dt', {}, 'Connection'),
        h('dd', {}, j.connection),
        h('dt', {}, 'Personal data'),
        h('dd', {}, j.pii === 'revealed' ? 'revealed for this event' : 'masked (emails and phone numbers)'),
      ),
      actions,
      h(
        'ol',
        { class: 'steps' },
        step('Received', dateTime(j.receivedAt), h('pre', { class: 'json', id: 'raw' }, json(j.raw))),
        step(
          'Mapped by the blueprint',
          j.mapped ? `${(j.mapped as unknown[]).length} MoEngage item(s)` : 'nothing to send',
          j.mapped ? h('pre', { class: 'json', id: 'mapped' }, json(j.mapped)) : h('p', {}, j.status === 'dropped' ? `Dropped: ${j.reason ?? ''}` : 'No items.'),
          j.standardAttributes?.length
            ? h('p', { id: 'standard-attributes' }, 'MoEngage standard attributes set: ', j.standardAttributes.flatMap((a, i) => [i ? ', ' : '', h('code', {}, a.key), ` (${a.label})`]))
            : null,
          Array.isArray(j.omissions) && j.omissions.length
            ? h('div', { class: 'omissions' }, h('h4', {}, 'Left out'), h('ul', {}, (j.omissions as { reason: string; detail: string }[]).map((o) => h('li', {}, h('code', {}, o.reason), ' ', o.detail))))
            : null,
        ),
        j.exchanges.length
          ? j.exchanges.map((x) => exchangeStep(x))
          : step('Sent to MoEngage', j.status === 'dropped' ? 'never' : 'not yet', h('p', { class: 'muted' }, j.status === 'dropped' ? 'Dropped events are never sent.' : 'No request has carried it yet.')),
        step('Outcome', '', h('p', {}, statusBadge(j.status), ' ', OUTCOME[j.status] ?? '', j.nextAttemptAt && j.status !== 'delivered' ? ` Next attempt ${dateTime(j.nextAttemptAt)}.` : '')),
      ),
    );
  }

  private toggleReveal(): void {
    if (!this.current) return;
    this.reveal = !this.reveal;
    void this.open(this.current, true);
  }

  private async replay(j: JourneyShown): Promise<void> {
    const note = byId('replay-note');
    try {
      const result = await api.replay({ messageIds: [j.messageId], connection: j.connection });
      note.textContent = result.replayed ? ' Replayed: queued again.' : ' Not replayed (its connection was resumed, or it is no longer dead).';
    } catch (error) {
      note.textContent = ` ${error instanceof ApiError ? error.detail : String(error)}`;
    }
    this.onChange();
    void this.open(j, true);
  }
}

function step(title: string, when: string, ...body: (Node | null)[]): HTMLLIElement {
  return h('li', {}, h('h3', {}, title, when ? h('span', { class: 'when' }, ` · ${when}`) : null), ...body);
}

function exchangeStep(x: ExchangeShown): HTMLLIElement {
  const ok = x.status >= 200 && x.status < 300;
  const curl = `curl -X POST '${x.url}' -H "Authorization: Basic $(printf '%s:%s' '${workspaceOf(x)}' "$MOENGAGE_DATA_API_KEY" | base64 -w0)" -H 'Content-Type: application/json' --data '${JSON.stringify(x.request).replace(/'/g, "'\\''")}'`;
  return h(
    'li',
    { class: `exchange ${ok ? 'ok' : 'failed'}` },
    h(
      'h3',
      {},
      `Attempt ${x.number} → MoEngage `,
      h('span', { class: `http h${String(x.status)[0]} answer-status` }, answerText(x.status)),
      h('span', { class: 'when' }, ` · ${dateTime(x.at)} · ${x.durationMs} ms`),
    ),
    h('p', { class: 'request-line' }, h('code', {}, `${x.method} ${x.url}`), ` · ${x.bytes.toLocaleString('en-GB')} bytes · ${x.units.events} event(s), ${x.units.customers} profile update(s)${x.units.merges ? `, ${x.units.merges} merge(s)` : ''}`),
    x.error ? h('p', { class: 'note' }, x.error) : null,
    h('details', {}, h('summary', {}, 'Request headers'), h('pre', { class: 'json' }, Object.entries(x.headers).map(([k, v]) => `${k}: ${v}`).join('\n'))),
    h('details', { open: !ok || x.number === 1 }, h('summary', {}, 'Request body'), h('pre', { class: 'json request-body' }, json(x.request))),
    h('h4', {}, 'MoEngage answered', x.requestId ? h('span', { class: 'muted' }, ` · request_id ${x.requestId}`) : null),
    h('pre', { class: 'json response-body' }, json(x.response)),
    x.rateLimit ? h('p', { class: 'muted' }, `Rate limit headers: ${JSON.stringify(x.rateLimit)}`) : null,
    h('p', {}, h('button', { type: 'button', onclick: () => void navigator.clipboard?.writeText(curl) }, 'Copy as curl'), h('span', { class: 'muted' }, ' (the key comes from $MOENGAGE_DATA_API_KEY in your shell)')),
  );
}

function workspaceOf(x: ExchangeShown): string {
  return /^Basic ([^:]*):/.exec(x.headers.authorization ?? '')?.[1] ?? '<workspace_id>';
}
