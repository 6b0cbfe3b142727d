import type { Config } from '../config/config';
import type { ChangePosition } from '../delivery/logOrder';
import type { LoggedEvent } from '../delivery/logViews';
import * as queues from '../delivery/queues';
import type { Env } from '../env';
import { HttpError } from '../http/HttpError';
import { fromBase64Url, toBase64Url } from './cursor';
import { readFilter } from './filter';
import { showSummary } from './journey';
import { connectionsNamed } from './operator';

/**
 * GET /debugger/api/stream: the live tail, as Server-Sent Events. The Worker polls each
 * queue's change feed (delivery/queues.ts) about once a second for events changed since it last looked (a new event, a
 * status change, another attempt) and sends each as `event: event` with the event's summary
 * (personal data masked). Polling keeps the queues free of subscriber state and works the same in
 * `wrangler dev` and in production; a second of delay is what a person watching a table notices.
 *
 * - Every message has an `id:`; a client that reconnects with `Last-Event-ID` resumes where it was
 *   (EventSource does this by itself; the page does it with fetch, since it sends a bearer token).
 * - `: heartbeat` comments every 15 s keep proxies from closing a quiet stream.
 * - A stream lasts at most `maxSeconds` (default 300), then ends with `event: end`; clients reconnect.
 * - Filters as in the listing (status, event, userId, reason, since, connection).
 * An event may be sent more than once (at-least-once; e.g. after a reconnect): clients update by messageId.
 */

const POLL_MS = 1_000;
const HEARTBEAT_MS = 15_000;
const MAX_SECONDS = 300;
/** Changes read per connection and poll; more than that and the next poll follows at once. */
const READ_LIMIT = 1_000;
/**
 * Re-read this much before the last read: a queue stamps a change with the time its operation
 * started, which may be a little before a read that ran while that operation awaited something.
 * Re-read changes are recognised and not sent twice.
 */
const OVERLAP_MS = 1_000;

type Query = Record<string, string | string[] | undefined>;
type Positions = Record<string, ChangePosition>;

export async function eventStream(request: Request, env: Env, config: Config, query: Query, ctx?: ExecutionContext): Promise<Response> {
  const filter = readFilter(query);
  const feeds = await queues.feedsOf(env, connectionsNamed(config, filter.connection));
  const names = feeds.map((f) => f.name);
  const maxSeconds = query.maxSeconds === undefined ? MAX_SECONDS : Number(query.maxSeconds);
  if (!Number.isInteger(maxSeconds) || maxSeconds < 1 || maxSeconds > MAX_SECONDS) {
    throw new HttpError(400, 'invalid_query', `maxSeconds must be a whole number from 1 to ${MAX_SECONDS}`);
  }
  const resumeFrom = request.headers.get('last-event-id');
  const start = Date.now();
  const positions: Positions = resumeFrom ? decodeStreamId(resumeFrom, names) : {};
  for (const name of names) positions[name] ??= { updatedAt: start - 1, messageId: '\u{10FFFF}' };

  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  const send = (text: string) => writer.write(encoder.encode(text));
  // A client that goes away cancels the body, which errors the writer: stop polling the queues then,
  // not at the next write (a quiet tail writes only a heartbeat every 15 s).
  let gone = false;
  writer.closed.catch(() => (gone = true));

  const run = async () => {
    const deadline = start + maxSeconds * 1000;
    /** What was sent last per event (`feed\0messageId` → version), so re-reads are not re-sent. */
    const sent = new Map<string, string>();
    let lastWrite = Date.now();
    await send(`retry: 2000\n: edgetag live tail; filters ${JSON.stringify(filter)}\n\n`);
    while (!gone && Date.now() < deadline) {
      let more = false;
      for (const feed of feeds) {
        const id = feed.name;
        const position = positions[id] as ChangePosition;
        const { asOf, events } = await queues.readFeed(env, feed, filter, position, READ_LIMIT);
        for (const event of events) {
          const key = `${id}\u0000${event.messageId}`;
          const version = versionOf(event);
          if (sent.get(key) === version) continue;
          sent.set(key, version);
          positions[id] = { updatedAt: event.updatedAt, messageId: event.messageId };
          await send(`id: ${encodeStreamId(positions)}\nevent: event\ndata: ${JSON.stringify(showSummary(event))}\n\n`);
          lastWrite = Date.now();
        }
        const last = events[events.length - 1];
        if (events.length === READ_LIMIT && last) {
          positions[id] = { updatedAt: last.updatedAt, messageId: last.messageId };
          more = true;
        } else {
          // Caught up: next time read from a little before this read (see OVERLAP_MS).
          positions[id] = { updatedAt: asOf - OVERLAP_MS, messageId: '' };
        }
        forgetOlder(sent, positions[id]!.updatedAt - OVERLAP_MS);
      }
      if (Date.now() - lastWrite >= HEARTBEAT_MS) {
        await send(': heartbeat\n\n');
        lastWrite = Date.now();
      }
      if (!more) await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
    }
    if (gone) return;
    await send(`event: end\ndata: ${JSON.stringify({ reason: 'lifetime', maxSeconds, reconnect: true })}\n\n`);
  };
  const done = run()
    .catch(() => undefined) // the client went away (writes fail) or a queue failed: end the stream
    .finally(() => writer.close().catch(() => undefined));
  ctx?.waitUntil(done);

  return new Response(readable, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    },
  });
}

function versionOf(e: LoggedEvent): string {
  return `${e.updatedAt}|${e.status}|${e.attempts}|${e.reason ?? ''}`;
}

function forgetOlder(sent: Map<string, string>, before: number): void {
  if (sent.size < 10_000) return;
  for (const [key, version] of sent) if (Number(version.slice(0, version.indexOf('|'))) < before) sent.delete(key);
}

/** The SSE `id`: each feed's position, opaque to the client. */
export function encodeStreamId(positions: Positions): string {
  return toBase64Url(JSON.stringify(Object.fromEntries(Object.entries(positions).map(([c, p]) => [c, [p.updatedAt, p.messageId]]))));
}

export function decodeStreamId(id: string, feeds: string[]): Positions {
  const bad = () => new HttpError(400, 'invalid_last_event_id', 'Last-Event-ID must be the id of an event this stream sent');
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromBase64Url(id.trim()));
  } catch {
    throw bad();
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw bad();
  const positions: Positions = {};
  for (const [feed, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!feeds.includes(feed)) continue; // a connection since removed, or filtered out
    if (!Array.isArray(value) || !Number.isSafeInteger(value[0]) || typeof value[1] !== 'string') throw bad();
    positions[feed] = { updatedAt: value[0] as number, messageId: value[1] as string };
  }
  return positions;
}
