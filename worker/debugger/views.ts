/**
 * What the debugger API answers, as types only (no runtime imports, no Workers globals), so the
 * Worker routes and the page (worker/debugger/page/, DOM-typed) share one definition. What a
 * queue's reads return is delivery/logViews.ts. docs/debugger.md shows examples.
 */
import type { QueueHealth } from '../delivery/queueHealth';
import type { DeleteRequestShown, EventStatus, ExchangeView, LoggedEvent, LoggedJourney, LogStats, MinuteStats } from '../delivery/logViews';

export type { EventStatus, ExchangeView, Json, LogStats, MinuteStats } from '../delivery/logViews';
export type { QueueHealth } from '../delivery/queueHealth';

/** One event in a listing or the live tail: where it stands, and its cursor. */
export interface EventSummary extends LoggedEvent {
  /** Opaque cursor: list with `cursor=` this to continue after this event. */
  cursor: string;
}

/** One event's whole journey: the message as received, what it mapped to, every MoEngage exchange. */
export interface EventView extends LoggedJourney {
  cursor: string;
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
  queue: { depth: number; oldestAgeSeconds: number | null; deadLettered: number; oldestDeadAgeHours: number | null; inFlight: number };
  paused: { connection: string; reason: string; detail: string; since: number }[];
  connections: ConnectionStats[];
  /** Malformed settings (named, never their values); absent when all are well. The routes that need them answer 503. */
  misconfigured?: { setting: string; problems: string[] }[];
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

/** GET /debugger/api/users/erasures: MoEngage Delete User requests of erasures, as sent (key redacted) and answered. */
export interface ErasuresView {
  connections: {
    connection: string;
    /** As the queue keeps them (delivery/logViews.ts), each attempt shown as the request sent. */
    requests: (Omit<DeleteRequestShown, 'attempts'> & {
      attempts: { at: number; status: number; response: unknown; durationMs: number; error: string | null; request: { method: string; url: string; headers: Record<string, string>; body: unknown } }[];
    })[];
  }[];
}
