/**
 * The events table: a page at a time (Load more), kept up to date by the live tail. The table never
 * holds more rows than the user asked for: when the tail pushes it past that, the oldest rows go and
 * "Load more" brings them back from where the table now ends (each row carries its own cursor).
 */
import { api } from './api';
import { byId, fill, h } from './dom';
import { answerText, clock, dateTime, number } from './format';
import type { EventSummary } from '../views';

const PAGE = 100;
const keyOf = (e: Pick<EventSummary, 'connection' | 'messageId'>) => `${e.connection}\u0000${e.messageId}`;

/** Newest first, as the API orders: receivedAt, then connection, then messageId, all descending. */
function newerFirst(a: EventSummary, b: EventSummary): number {
  if (a.receivedAt !== b.receivedAt) return b.receivedAt - a.receivedAt;
  if (a.connection !== b.connection) return a.connection < b.connection ? 1 : -1;
  return a.messageId === b.messageId ? 0 : a.messageId < b.messageId ? 1 : -1;
}

export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `badge s-${status}` }, status);
}

export class EventTable {
  private events: EventSummary[] = [];
  private rows = new Map<string, HTMLTableRowElement>();
  private nextCursor: string | null = null;
  private query = '';
  private selected: string | null = null;
  private generation = 0;
  /** Rows the user asked for: one page per load, one more per "Load more". */
  private wanted = PAGE;

  constructor(
    private readonly onOpen: (event: EventSummary) => void,
    private readonly showConnection: () => boolean,
  ) {
    byId('more').addEventListener('click', () => void this.more());
  }

  async load(query: string): Promise<void> {
    this.query = query;
    const generation = ++this.generation;
    const page = await api.events(`${query}&limit=${PAGE}`);
    if (generation !== this.generation) return; // a newer filter won
    this.events = [];
    this.wanted = PAGE;
    this.rows.clear();
    fill(byId('rows'));
    this.add(page.events);
    this.nextCursor = page.nextCursor;
    this.footer();
  }

  private async more(): Promise<void> {
    if (!this.nextCursor) return;
    const generation = this.generation;
    const button = byId<HTMLButtonElement>('more');
    button.disabled = true;
    try {
      const page = await api.events(`${this.query}&limit=${PAGE}&cursor=${encodeURIComponent(this.nextCursor)}`);
      if (generation !== this.generation) return;
      this.wanted = this.events.length + PAGE;
      this.add(page.events);
      this.nextCursor = page.nextCursor;
    } finally {
      button.disabled = false;
      this.footer();
    }
  }

  /** From the live tail: update the row, or insert it where it belongs if it is within what is loaded. */
  upsert(event: EventSummary): void {
    const key = keyOf(event);
    const row = this.rows.get(key);
    if (row) {
      const at = this.events.findIndex((e) => keyOf(e) === key);
      if (at >= 0) this.events[at] = event;
      const fresh = this.row(event);
      row.replaceWith(fresh);
      this.rows.set(key, fresh);
      fresh.classList.add('changed');
      if (this.selected === key) this.onOpen(event);
      return;
    }
    const last = this.events[this.events.length - 1];
    // Older than everything loaded while more pages exist: "Load more" will bring it in order.
    if (last && this.nextCursor && newerFirst(event, last) > 0) return;
    this.insert(event, true);
    this.trim();
    this.footer();
  }

  /** Drops the oldest rows beyond what was asked for; "Load more" continues from the last kept one. */
  private trim(): void {
    if (this.events.length <= this.wanted) return;
    for (const gone of this.events.splice(this.wanted)) {
      const key = keyOf(gone);
      this.rows.get(key)?.remove();
      this.rows.delete(key);
    }
    this.nextCursor = this.events[this.events.length - 1]?.cursor ?? this.nextCursor;
  }

  select(event: Pick<EventSummary, 'connection' | 'messageId'> | null): void {
    if (this.selected) this.rows.get(this.selected)?.setAttribute('aria-selected', 'false');
    this.selected = event ? keyOf(event) : null;
    if (this.selected) this.rows.get(this.selected)?.setAttribute('aria-selected', 'true');
  }

  private add(events: EventSummary[]): void {
    for (const e of events) if (!this.rows.has(keyOf(e))) this.insert(e, false);
  }

  private insert(event: EventSummary, live: boolean): void {
    let at = this.events.findIndex((e) => newerFirst(event, e) < 0);
    if (at < 0) at = this.events.length;
    this.events.splice(at, 0, event);
    const row = this.row(event);
    if (live) row.classList.add('changed');
    const before = this.events[at + 1];
    const tbody = byId('rows');
    tbody.insertBefore(row, before ? (this.rows.get(keyOf(before)) ?? null) : null);
    this.rows.set(keyOf(event), row);
  }

  private row(e: EventSummary): HTMLTableRowElement {
    const key = keyOf(e);
    const name = e.name ?? (e.type === 'page' ? '(page)' : `(${e.type})`);
    const open = () => this.onOpen(e);
    const row = h(
      'tr',
      { 'data-id': e.messageId, 'data-status': e.status, 'aria-selected': String(this.selected === key), onclick: open },
      h('td', {}, h('button', { type: 'button', class: 'open', title: dateTime(e.receivedAt), 'aria-label': `Open the journey of ${name}, received ${dateTime(e.receivedAt)}` }, clock(e.receivedAt))),
      h('td', {}, h('span', { class: 'type' }, e.type), ' ', name),
      h('td', { class: 'user' }, e.userId ?? (e.anonymousId ? h('span', { class: 'muted', title: 'anonymousId' }, `anon ${e.anonymousId.slice(0, 8)}…`) : '')),
      h('td', {}, statusBadge(e.status)),
      h('td', { class: 'reason', title: e.detail ?? '' }, e.reason ?? '', e.detail && e.status !== 'delivered' ? h('div', { class: 'detail' }, e.detail) : null),
      h('td', { class: 'num' }, e.attempts ? String(e.attempts) : ''),
      h('td', { class: 'num' }, e.lastAnswer ? h('span', { class: `http h${String(e.lastAnswer.status)[0]}` }, answerText(e.lastAnswer.status)) : ''),
      this.showConnection() ? h('td', {}, e.connection) : null,
    );
    return row;
  }

  private footer(): void {
    byId('more').hidden = !this.nextCursor;
    byId('shown').textContent = `${number(this.events.length)} event${this.events.length === 1 ? '' : 's'} shown${this.nextCursor ? ' (more below)' : ''}`;
    byId('empty').hidden = this.events.length > 0;
  }
}
