/**
 * The event debugger page (GET /debugger): asks for the token once (sessionStorage), then shows the
 * stats header, the live events table with filters, each event's journey, and the tools. Bundled by
 * scripts/buildDebuggerPage.ts into worker/debugger/pageBundle.generated.ts.
 */
import { loadAlerts } from './alertsPanel';
import { loadErasures } from './erasuresPanel';
import { api, ApiError, token, whenUnauthorized } from './api';
import { byId, h } from './dom';
import { JourneyPanel } from './journey';
import { follow, type LiveState } from './live';
import { loadRejections, loadSegments, setUpPreview } from './panels';
import { StatsPanel } from './statsPanel';
import { EventTable } from './table';

const FILTERS = ['status', 'event', 'userId', 'reason', 'since', 'connection'] as const;
/** How long the page waits for the live tail to connect before it reads the table anyway. */
const TAIL_WAIT_MS = 3_000;

let table: EventTable;
let journey: JourneyPanel;
let stats: StatsPanel;
let stopLive: (() => void) | null = null;
let statsTimer: number | undefined;
let several = false;

function showLogin(message: string): void {
  stopLive?.();
  stopLive = null;
  window.clearInterval(statsTimer);
  byId('app').hidden = true;
  byId('login').hidden = false;
  byId('login-error').textContent = message;
  byId<HTMLInputElement>('token').focus();
}

function form(): HTMLFormElement {
  return byId<HTMLFormElement>('filters');
}

function queryOf(): string {
  const data = new FormData(form());
  const query = new URLSearchParams();
  for (const name of FILTERS) {
    const value = String(data.get(name) ?? '').trim();
    if (value) query.set(name, value);
  }
  return query.toString();
}

function setFilters(query: URLSearchParams): void {
  for (const name of FILTERS) {
    const field = form().elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
    if (field) field.value = query.get(name) ?? '';
  }
}

function apply(): void {
  const query = queryOf();
  history.replaceState(null, '', query ? `#${query}` : location.pathname);
  stopLive?.();
  stopLive = null;
  const load = () => void table.load(query).catch(report);
  if (!byId<HTMLInputElement>('live').checked) {
    liveState('off');
    load();
    return;
  }
  // The page is read once the tail is live: the server's tail starts from the moment it answered,
  // so every change after the page's read comes through it, and none falls between the two (a
  // page read before the tail started could miss a row that arrived meanwhile until the next
  // reload). A tail that cannot connect does not hold the page back.
  let loaded = false;
  const loadOnce = () => {
    if (loaded) return;
    loaded = true;
    window.clearTimeout(fallback);
    load();
  };
  const fallback = window.setTimeout(loadOnce, TAIL_WAIT_MS);
  stopLive = follow(query, (event) => table.upsert(event), (state, note) => {
    liveState(state, note);
    if (state !== 'connecting') loadOnce();
  });
}

function liveState(state: LiveState, note?: string): void {
  const el = byId('live-state');
  el.textContent = { connecting: 'connecting…', live: 'live', off: 'paused', error: 'reconnecting…' }[state];
  el.className = `live-${state}`;
  el.title = note ?? '';
}

function report(error: unknown): void {
  if (error instanceof ApiError && error.status === 401) return;
  byId('list-error').textContent = error instanceof ApiError ? `${error.error}: ${error.detail}` : String(error);
}

function refreshAll(): void {
  void stats.refresh();
  void table.load(queryOf()).catch(report);
}

async function start(): Promise<void> {
  const { connections } = await api.connections();
  byId('login').hidden = true;
  byId('app').hidden = false;
  several = connections.length > 1;
  byId('col-connection').hidden = !several;
  byId('connection-filter').hidden = !several;
  const select = byId<HTMLSelectElement>('connection');
  select.replaceChildren(h('option', { value: '' }, 'all'), ...connections.map((c) => h('option', { value: c.id }, c.id)));
  byId('setup').textContent = connections.map((c) => `${c.id}: workspace ${c.workspaceId} · blueprint ${c.blueprint} · ${c.mode}/${c.packing} · kept ${c.retentionHours} h`).join(' — ');

  table = new EventTable((event) => {
    table.select(event);
    void journey.open(event);
  }, () => several);
  journey = new JourneyPanel(refreshAll);
  stats = new StatsPanel((status) => {
    setFilters(new URLSearchParams({ status }));
    apply();
  }, refreshAll);

  setFilters(new URLSearchParams(location.hash.slice(1)));
  apply();
  void stats.refresh();
  void loadAlerts(several);
  statsTimer = window.setInterval(() => {
    void stats.refresh();
    void loadAlerts(several);
  }, 5_000);
}

function boot(): void {
  whenUnauthorized(() => showLogin('The token was refused (or changed). Enter it again.'));
  byId('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    token.set(byId<HTMLInputElement>('token').value.trim());
    byId('login-error').textContent = '';
    start().catch((error: unknown) => {
      if (!(error instanceof ApiError && error.status === 401)) showLogin(error instanceof ApiError ? error.detail : String(error));
    });
  });
  byId('sign-out').addEventListener('click', () => {
    token.clear();
    showLogin('Signed out.');
  });
  form().addEventListener('submit', (event) => {
    event.preventDefault();
    apply();
  });
  form().addEventListener('reset', () => setTimeout(apply));
  byId('live').addEventListener('change', apply);
  byId('journey-close').addEventListener('click', () => {
    journey.close();
    table.select(null);
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !byId('journey').hidden) {
      journey.close();
      table.select(null);
    }
    // Up/down move between the rows' buttons.
    const target = event.target as HTMLElement;
    if ((event.key === 'ArrowDown' || event.key === 'ArrowUp') && target.classList.contains('open')) {
      const row = target.closest('tr');
      const next = (event.key === 'ArrowDown' ? row?.nextElementSibling : row?.previousElementSibling)?.querySelector<HTMLButtonElement>('button.open');
      if (next) {
        event.preventDefault();
        next.focus();
      }
    }
  });
  // An alert's "show events" link (and a pasted one) sets the filters through the fragment.
  window.addEventListener('hashchange', () => {
    if (byId('app').hidden) return;
    setFilters(new URLSearchParams(location.hash.slice(1)));
    apply();
  });
  byId('rejections').addEventListener('toggle', () => void ((byId<HTMLDetailsElement>('rejections').open && loadRejections()) || undefined));
  byId('segments').addEventListener('toggle', () => void ((byId<HTMLDetailsElement>('segments').open && loadSegments()) || undefined));
  byId('erasures').addEventListener('toggle', () => void ((byId<HTMLDetailsElement>('erasures').open && loadErasures(several)) || undefined));
  setUpPreview();

  if (token.get()) {
    start().catch((error: unknown) => {
      if (!(error instanceof ApiError && error.status === 401)) showLogin(error instanceof ApiError ? error.detail : String(error));
    });
  } else showLogin('');
}

boot();
