/** The debugger API with the bearer token from sessionStorage; a 401 signs the page out. */
import type { ConnectionInfo, DebuggerStats, EventPage, JourneyShown } from '../views';

const KEY = 'edgetag_debugger_token';

export const token = {
  get: (): string | null => sessionStorage.getItem(KEY),
  set: (value: string) => sessionStorage.setItem(KEY, value),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly detail: string,
  ) {
    super(`${status} ${error}: ${detail}`);
  }
}

let onUnauthorized: () => void = () => undefined;
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token.get() ?? ''}`);
  const res = await fetch(path, { ...init, headers, cache: 'no-store' });
  if (res.ok) return res;
  let body: { error?: string; detail?: string } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    /* not JSON */
  }
  if (res.status === 401) {
    token.clear();
    onUnauthorized();
  }
  throw new ApiError(res.status, body.error ?? 'http_error', body.detail ?? res.statusText);
}

export async function get<T>(path: string): Promise<T> {
  return (await call(path)).json() as Promise<T>;
}

export async function post<T>(path: string, body: unknown): Promise<T> {
  return (await call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<T>;
}

/** The live tail's response (Server-Sent Events over fetch: EventSource cannot send a bearer token). */
export function openStream(query: string, lastEventId: string | null, signal: AbortSignal): Promise<Response> {
  return call(`/debugger/api/stream?${query}`, { signal, headers: lastEventId ? { 'last-event-id': lastEventId } : {} });
}

export const api = {
  connections: () => get<{ connections: ConnectionInfo[] }>('/debugger/api/connections'),
  events: (query: string) => get<EventPage>(`/debugger/api/events?${query}`),
  event: (messageId: string, connection: string, reveal: boolean) =>
    // In the query, not the path: an id like `.` or `..` would be folded away as a path segment.
    get<JourneyShown>(`/debugger/api/journey?messageId=${encodeURIComponent(messageId)}&connection=${encodeURIComponent(connection)}${reveal ? '&reveal=pii' : ''}`),
  stats: () => get<DebuggerStats>('/debugger/api/stats?minutes=60&series=30'),
  replay: (selector: { messageIds: string[]; connection: string } | { reason: string } | { all: true }) =>
    post<{ replayed: number; notReplayable?: string[] }>('/debugger/api/replay', selector),
  resume: (connection: string) => post<{ resumed: boolean }>(`/debugger/api/connections/${encodeURIComponent(connection)}/resume`, {}),
};
