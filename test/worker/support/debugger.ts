import { exports } from 'cloudflare:workers';
import { expect } from 'vitest';
import type { DebuggerStats, EventPage, EventSummary, JourneyShown } from '../../../worker/debugger/views';
import { DEBUGGER_TOKEN, post } from './ingest';
import { assertNoSecrets } from './secrets';

/** The debugger API as its page calls it: bearer token, JSON; every answer checked for secrets. */
export async function api(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has('authorization')) headers.set('authorization', `Bearer ${DEBUGGER_TOKEN}`);
  if (init.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
  const response = await exports.default.fetch(new Request(`http://collector.test${path}`, { ...init, headers }));
  await assertNoSecrets(response, `${init.method ?? 'GET'} ${path}`);
  return response;
}

/** An answer that must be 200 JSON, parsed. */
export async function ok<T = Record<string, any>>(response: Response | Promise<Response>): Promise<T> {
  const res = await response;
  const text = await res.text();
  expect(res.status, text).toBe(200);
  expect(res.headers.get('content-type')).toContain('application/json');
  return JSON.parse(text) as T;
}

/** A refusal: its status and its JSON `{error, detail, issues?}`. */
export async function refusal(response: Response | Promise<Response>): Promise<{ status: number; body: { error: string; detail: string; issues?: { path: string; message: string }[] } }> {
  const res = await response;
  return { status: res.status, body: await res.json() };
}

export const listEvents = (query = '') => ok<EventPage>(api(`/debugger/api/events${query ? `?${query}` : ''}`));
export const journey = (messageId: string, query = '') => ok<JourneyShown>(api(`/debugger/api/journey?messageId=${encodeURIComponent(messageId)}${query ? `&${query}` : ''}`));
export const stats = (query = '') => ok<DebuggerStats>(api(`/debugger/api/stats${query ? `?${query}` : ''}`));
export const postJson = (path: string, body: unknown) => api(path, { method: 'POST', body: JSON.stringify(body) });

/** Every event of a listing, following nextCursor (at most `pages` pages). */
export async function walk(query: string, pages = 100): Promise<{ events: EventSummary[]; pages: number }> {
  const events: EventSummary[] = [];
  let cursor: string | null = null;
  let n = 0;
  do {
    const page: EventPage = await listEvents(`${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    events.push(...page.events);
    cursor = page.nextCursor;
    if (++n > pages) throw new Error(`more than ${pages} pages`);
  } while (cursor);
  return { events, pages: n };
}

/** Ingests messages through the Worker (POST /v1/batch) and insists every one was accepted. */
export async function ingest(...messages: Record<string, unknown>[]): Promise<void> {
  const res = await post('/v1/batch', { batch: messages });
  const body = (await res.json()) as { accepted: number; rejected: unknown[] };
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(body.rejected).toEqual([]);
}

let counter = 0;

/** A Retail `track` message (the default blueprint), with a fresh messageId unless given one. */
export function track(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'track',
    messageId: `dbg-${++counter}`,
    userId: 'u_1',
    event: 'Product Viewed',
    properties: { sku: 'SKU-1' },
    timestamp: new Date().toISOString(),
    ...overrides,
  };
}

/** The frames of a Server-Sent Events body, read as they arrive. */
export class SseReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffer = '';

  constructor(response: Response) {
    if (!response.body) throw new Error('no body');
    this.reader = response.body.getReader();
  }

  /** Next frame (`id`, `event`, `data`; comments kept as `comment`), or null when the stream ended. */
  async next(timeoutMs = 10_000): Promise<SseFrame | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end >= 0) {
        const text = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        return parseFrame(text);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no SSE frame in time');
      const chunk = await Promise.race([
        this.reader.read(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no SSE frame in time')), left)),
      ]);
      if (chunk.done) return null;
      this.buffer += this.decoder.decode(chunk.value, { stream: true });
    }
  }

  /** Frames until one of type `event` whose data matches, skipping others (heartbeats, other events). */
  async nextEvent(match: (data: EventSummary) => boolean = () => true, timeoutMs = 10_000): Promise<{ id: string; data: EventSummary; skipped: EventSummary[] }> {
    const skipped: EventSummary[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = await this.next(Math.max(1, deadline - Date.now()));
      if (!frame) throw new Error('stream ended');
      if (frame.event !== 'event' || frame.data === undefined) continue;
      const data = JSON.parse(frame.data) as EventSummary;
      if (match(data)) return { id: frame.id ?? '', data, skipped };
      skipped.push(data);
    }
  }

  cancel(): Promise<void> {
    return this.reader.cancel();
  }
}

export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
  comments: string[];
}

function parseFrame(text: string): SseFrame {
  const frame: SseFrame = { comments: [] };
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) frame.comments.push(line.slice(1).trim());
    else {
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`;
      else if (field === 'id' || field === 'event' || field === 'retry') frame[field] = value;
    }
  }
  return frame;
}
