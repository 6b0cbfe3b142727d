/**
 * The events table: one page of 100 at a time, newest first, with Older/Newer (cursor pages: events
 * arriving meanwhile never shift or repeat a page). However many events are stored, the page holds
 * at most 100 rows, so it stays as quick with 10,000 events as with 10. The newest page follows the
 * live tail (new events come in at the top, the oldest leave at the bottom and are on the next page);
 * an older page stays put and only updates its rows' statuses, so what you are reading never moves.
 */
import { api } from './api';
import { byId, fill, h } from './dom';
import { answerText, clock, dateTime, number } from './format';
import type { EventSummary } from '../views';

export const PAGE = 100;
/** More live updates than this at once are applied without the row flash. */
const FLASH_AT_MOST = 10;
/** Live updates are applied together at most this often (a person reading a table sees no lag). */
const LIVE_EVERY_MS = 400;
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
  /** The cursor each page was listed from; [0] is the newest page (no cursor). */
  private pageCursors: (string | null)[] = [null];
  private query = '';
  private selected: string | null = null;
  private generation = 0;
  /** Live updates waiting to be applied, latest per event. */
  private pending = new Map<string, EventSummary>();
  private scheduled = false;
  /** While a page is on its way: the live updates received meanwhile, re-applied over its answer. */
  private arriving: Map<string, EventSummary> | null = null;

  constructor(
    private readonly onOpen: (event: EventSummary) => void,
    private readonly showConnection: () => boolean,
  ) {
    byId('older').addEventListener('click', () => void this.older());
    byId('newer').addEventListener('click', () => void this.newer());
  }

  private get pageIndex(): number {
    return this.pageCursors.length - 1;
  }

  /** The newest page for these filters. */
  load(query: string): Promise<void> {
    this.query = query;
    return this.show([null], false);
  }

  private older(): Promise<void> {
    return this.nextCursor ? this.show([...this.pageCursors, this.nextCursor], true) : Promise.resolve();
  }

  private newer(): Promise<void> {
    return this.pageIndex > 0 ? this.show(this.pageCursors.slice(0, -1), true) : Promise.resolve();
  }

  private async show(cursors: (string | null)[], turning: boolean): Promise<void> {
    const generation = ++this.generation;
    const cursor = cursors[cursors.length - 1];
    const arriving = new Map<string, EventSummary>();
    this.arriving = arriving;
    for (const id of ['older', 'newer']) byId<HTMLButtonElement>(id).disabled = true;
    try {
      const page = await api.events(`${this.query}&limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      if (generation !== this.generation) return; // a newer request won
      this.pageCursors = cursors;
      this.events = [];
      this.pending.clear();
      this.rows.clear();
      fill(byId('rows'));
      for (const e of page.events) if (!this.rows.has(keyOf(e))) this.insert(e, false);
      this.nextCursor = page.nextCursor;
      for (const e of arriving.values()) this.apply(e, false);
      this.trim();
      if (turning) byId('rows').parentElement?.scrollIntoView({ block: 'start' }); // a new page reads from its top
    } finally {
      if (generation === this.generation) {
        this.arriving = null;
        for (const id of ['older', 'newer']) byId<HTMLButtonElement>(id).disabled = false;
        this.footer();
      }
    }
  }

  /**
   * From the live tail. Updates are applied together (a burst of hundreds then costs one layout,
   * not hundreds), and only a handful flash: a screenful flashing helps nobody.
   */
  upsert(event: EventSummary): void {
    this.arriving?.set(keyOf(event), event);
    this.pending.set(keyOf(event), event);
    if (this.scheduled) return;
    this.scheduled = true;
    const flush = () => {
      this.scheduled = false;
      const batch = [...this.pending.values()];
      this.pending.clear();
      const flash = batch.length <= FLASH_AT_MOST;
      for (const e of batch) this.apply(e, flash);
      this.trim();
      this.footer();
    };
    // At most every LIVE_EVERY_MS, in an animation frame: each change relays out and repaints the
    // table, so a burst at frame rate would keep the page busy. Hidden tabs get no frames.
    setTimeout(() => (document.hidden ? flush() : requestAnimationFrame(flush)), LIVE_EVERY_MS);
  }

  /** Updates the row; on the newest page, also inserts a new event where it belongs. */
  private apply(event: EventSummary, flash: boolean): void {
    const key = keyOf(event);
    const row = this.rows.get(key);
    if (row) {
      const at = this.events.findIndex((e) => keyOf(e) === key);
      const shown = this.events[at];
      if (shown && shown.updatedAt > event.updatedAt) return; // stale: the row already shows later news
      // Same news again (a reconnecting tail resends from its last id): keep the row, so what the
      // reader is about to click is not swapped under the pointer.
      if (shown && JSON.stringify(shown) === JSON.stringify(event)) return;
      if (at >= 0) this.events[at] = event;
      const fresh = this.row(event);
      row.replaceWith(fresh);
      this.rows.set(key, fresh);
      if (flash) fresh.classList.add('changed');
      if (this.selected === key) this.onOpen(event);
      return;
    }
    if (this.pageIndex > 0) return; // an older page stays put
    const last = this.events[this.events.length - 1];
    // Older than this page's last row while more pages exist: it belongs to a later page.
    if (last && this.nextCursor && newerFirst(event, last) > 0) return;
    this.insert(event, flash);
  }

  /** Keeps the newest page at PAGE rows; the ones pushed out start the next page. */
  private trim(): void {
    if (this.events.length <= PAGE) return;
    for (const gone of this.events.splice(PAGE)) {
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
      h('td', { title: name }, h('span', { class: 'type' }, e.type), ' ', name),
      h('td', { class: 'user', title: e.userId ?? e.anonymousId ?? '' }, e.userId ?? (e.anonymousId ? h('span', { class: 'muted', title: 'anonymousId' }, `anon ${e.anonymousId.slice(0, 8)}…`) : '')),
      h('td', {}, statusBadge(e.status)),
      h('td', { class: 'reason', title: e.detail ?? '' }, e.reason ?? '', e.detail && e.status !== 'delivered' ? h('div', { class: 'detail' }, e.detail) : null),
      h('td', { class: 'num' }, e.attempts ? String(e.attempts) : ''),
      h('td', { class: 'num' }, e.lastAnswer ? h('span', { class: `http h${String(e.lastAnswer.status)[0]}` }, answerText(e.lastAnswer.status)) : ''),
      this.showConnection() ? h('td', {}, e.connection) : null,
    );
    return row;
  }

  private footer(): void {
    const first = this.pageIndex * PAGE;
    byId('older').hidden = !this.nextCursor;
    byId('newer').hidden = this.pageIndex === 0;
    const newest = this.pageIndex === 0;
    const last = !this.nextCursor;
    const which = newest && last ? 'all of them' : newest ? 'the newest' : last ? 'the oldest' : '';
    byId('shown').textContent = this.events.length ? `Events ${number(first + 1)}–${number(first + this.events.length)}${which ? ` (${which})` : ''}` : '';
    byId('empty').hidden = this.events.length > 0;
  }
}
