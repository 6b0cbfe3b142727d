/** What the sandbox keeps about each Data API request, accepted or not, for tests and the inspector page. */
export interface RecordedRequest {
  /** Increasing from 1; `?since=<id>` returns later requests. */
  id: number;
  /** Sandbox-clock epoch ms. */
  at: number;
  method: string;
  path: string;
  query: string;
  /** Workspace named by the URL (path segment or `app_id`), or the Basic-auth user for the merge API. */
  workspace: string | null;
  headers: Record<string, string>;
  /** Parsed JSON when the body is JSON, else the raw text ('' when empty). */
  body: unknown;
  bytes: number;
  response: { status: number; body: unknown };
}

export interface Stats {
  total: number;
  byStatus: Record<string, number>;
  byPath: Record<string, Record<string, number>>;
  eventsAccepted: number;
  customersAccepted: number;
  mergesAccepted: number;
  deletionsAccepted: number;
}

export interface RequestFilter {
  pathPrefix?: string;
  sinceId?: number;
}

/** Credentials never leave the sandbox: tests assert on what was sent, not on the key. */
export function redactHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = name === 'authorization' ? (/^basic\s/i.test(value) ? 'Basic ***' : '***') : value;
  });
  return out;
}

export function parseBodyText(text: string): unknown {
  if (text === '') return '';
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const emptyStats = (): Stats => ({ total: 0, byStatus: {}, byPath: {}, eventsAccepted: 0, customersAccepted: 0, mergesAccepted: 0, deletionsAccepted: 0 });

export class Recorder {
  private entries: RecordedRequest[] = [];
  private nextId = 1;
  private counters = emptyStats();

  /** Keeps the newest `capacity` requests so a long `npm start` session does not grow without bound. */
  constructor(private readonly capacity: number) {}

  add(entry: Omit<RecordedRequest, 'id'>): RecordedRequest {
    const recorded: RecordedRequest = { id: this.nextId++, ...entry };
    this.entries.push(recorded);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    const status = String(recorded.response.status);
    this.counters.total += 1;
    this.counters.byStatus[status] = (this.counters.byStatus[status] ?? 0) + 1;
    const perPath = (this.counters.byPath[recorded.path] ??= {});
    perPath[status] = (perPath[status] ?? 0) + 1;
    return recorded;
  }

  countAccepted(cost: { events: number; customers: number; merges: number; deletions: number }): void {
    this.counters.eventsAccepted += cost.events;
    this.counters.customersAccepted += cost.customers;
    this.counters.mergesAccepted += cost.merges;
    this.counters.deletionsAccepted += cost.deletions;
  }

  list(filter: RequestFilter = {}): RecordedRequest[] {
    return this.entries.filter(
      (r) => (filter.pathPrefix === undefined || r.path.startsWith(filter.pathPrefix)) && (filter.sinceId === undefined || r.id > filter.sinceId),
    );
  }

  stats(): Stats {
    return structuredClone(this.counters);
  }

  /** Clears recordings and counters; ids keep increasing so a stale `since` never re-matches. */
  clear(): void {
    this.entries = [];
    this.counters = emptyStats();
  }
}
