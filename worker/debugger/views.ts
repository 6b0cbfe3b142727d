/**
 * What the debugger API answers, as types only (no runtime imports, no Workers globals), so the
 * Durable Object, the Worker routes and the page (worker/debugger/page/, DOM-typed) share one
 * definition. docs/debugger.md shows examples.
 */
import type { QueueHealth } from '../delivery/queueHealth';
import type { EventStatus } from '../delivery/record';

export type { EventStatus } from '../delivery/record';
export type { QueueHealth } from '../delivery/queueHealth';

/** JSON parsed from storage (`any`, as JSON.parse gives, so Durable Object RPC types can carry it). */
export type Json = ReturnType<typeof JSON.parse>;

/** One event in a listing or the live tail: what it is and where it stands, without its payloads. */
export interface EventSummary {
  messageId: string;
  connection: string;
  receivedAt: number;
  /** Last change of status, reason or attempts. */
  updatedAt: number;
  type: string;
  name: string | null;
  userId: string | null;
  anonymousId: string | null;
  status: EventStatus;
  /** Why it is dropped, dead, paused or retrying (a reason code); null otherwise. */
  reason: string | null;
  /** In words: MoEngage's error text, the blueprint's explanation, a note (bulk, replayed). */
  detail: string | null;
  /** Requests to MoEngage that carried it. */
  attempts: number;
  nextAttemptAt: number | null;
  /** MoEngage's HTTP status on the latest attempt (0: no answer, e.g. a timeout or still in flight). */
  lastAnswer: { status: number; at: number } | null;
  /** Opaque cursor: list with `cursor=` this to continue after this event. */
  cursor: string;
}

/** One event's whole journey: the message as received, what it mapped to, every MoEngage exchange. */
export interface EventView extends EventSummary {
  /** The message as received (after enrichment), or the invalid input as sent. */
  raw: Json;
  /** The MoEngage items it mapped to (DeliveryItem[]), null when dropped at mapping. */
  mapped: Json;
  /** Fields left out and why ({reason, detail}[]), or null. */
  omissions: Json;
  exchanges: ExchangeView[];
}

/** One request that carried the event, and MoEngage's answer. */
export interface ExchangeView {
  /** 1 for the first request that carried this event. */
  number: number;
  at: number;
  method: 'POST';
  url: string;
  /** The exact JSON body sent (all the events that shared the request). */
  request: Json;
  bytes: number;
  /** What the request spent of MoEngage's per-minute limits. */
  units: { events: number; customers: number; merges: number };
  /** 0 when no HTTP answer arrived. */
  status: number;
  response: Json;
  requestId: string | null;
  durationMs: number;
  /** Why it ended as it did, when not a plain answer: network error, timeout, split, pause, interrupted. */
  error: string | null;
  /** MoEngage's x-ratelimit-* headers and Retry-After, when it sent them. */
  rateLimit: Json;
}

/** Whether personal data in an answer is masked (default) or was revealed for this one event. */
export type PiiState = 'masked' | 'revealed';

/** An attempt as the debugger shows it: with the headers it was sent with, the key replaced by `***`. */
export interface ExchangeShown extends ExchangeView {
  headers: Record<string, string>;
}

/** GET /debugger/api/events/:messageId */
export interface JourneyShown extends Omit<EventView, 'exchanges'> {
  exchanges: ExchangeShown[];
  pii: PiiState;
  /** MoEngage standard user attributes its Track User request sets (`email` → Email (Standard), …); [] for events. */
  standardAttributes: { key: string; label: string }[];
}

/** GET /debugger/api/events */
export interface EventPage {
  events: EventSummary[];
  /** Give it back as `cursor=` for the next (older) page; null when this was the last. */
  nextCursor: string | null;
}

export interface MinuteStats {
  /** Epoch ms of the minute's start. */
  minute: number;
  /** Messages that arrived. */
  received: number;
  /** Events that reached these statuses in that minute (delivered = MoEngage said 2xx). */
  delivered: number;
  dropped: number;
  dead: number;
  /**
   * What MoEngage accepted in that minute in its own units (its limits are per minute of these),
   * requests it accepted, and requests that got no 2xx (429, 4xx, 5xx, no answer).
   */
  moengage: { events: number; customers: number; merges: number; requests: number; failedRequests: number };
}

export interface LogStats {
  /** Events received in the window, per status they are in now. */
  byStatus: Record<EventStatus, number>;
  /** Of those, the reasons of the ones dropped, dead, paused or retrying. */
  byReason: { status: EventStatus; reason: string; count: number }[];
  /** One entry per minute of the series, oldest first. */
  perMinute: MinuteStats[];
}

export interface ConnectionStats extends LogStats {
  connection: string;
  /** MoEngage's per-minute limits this connection is held to. */
  limits: { eventsPerMinute: number; customerUpdatesPerMinute: number; mergesPerMinute: number; requestsPerMinute: number | null };
  /** MoEngage units accepted in about the last 60 s, and the share of the events limit that is. */
  rate: { eventsLastMinute: number; customersLastMinute: number; percentOfEventsLimit: number };
  /** The queue's own state (as /healthz): depth, oldest age, pause, retrying, rate limited. */
  health: QueueHealth;
}

/** GET /debugger/api/stats */
export interface DebuggerStats {
  window: { minutes: number; since: number; until: number };
  /** Summed over connections. */
  byStatus: Record<EventStatus, number>;
  byReason: { status: EventStatus; reason: string; count: number }[];
  perMinute: MinuteStats[];
  queue: { depth: number; oldestAgeSeconds: number | null; deadLettered: number; inFlight: number };
  paused: { connection: string; reason: string; detail: string; since: number }[];
  connections: ConnectionStats[];
}

/** GET /debugger/api/connections */
export interface ConnectionInfo {
  id: string;
  workspaceId: string;
  /** Absent when the connection sends to an API base URL (MOENGAGE_API_BASE) instead of a data center. */
  dataCenter?: string;
  blueprint: string;
  eventsPerMinute: number;
  retentionHours: number;
  mode: string;
  packing: string;
}
