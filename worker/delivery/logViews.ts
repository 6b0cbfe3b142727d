/**
 * What a queue's log reads answer, as types only (no runtime imports, no Workers globals): the
 * Durable Object returns them, the debugger shows them, the debugger page types them.
 */
import type { EventStatus } from './record';

export type { EventStatus } from './record';

/** JSON parsed from storage (`any`, as JSON.parse gives, so Durable Object RPC types can carry it). */
export type Json = ReturnType<typeof JSON.parse>;

/** One event in a listing or the live tail: what it is and where it stands, without its payloads. */
export interface LoggedEvent {
  messageId: string;
  connection: string;
  /** The queue shard it is in, when not the connection's shard 0 (`<connection>#<i>`); orders listings (logOrder.ts). */
  queue?: string;
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
}

/** One event's whole journey: the message as received, what it mapped to, every MoEngage exchange. */
export interface LoggedJourney extends LoggedEvent {
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

/** A MoEngage Delete User request an erasure queued (store/deleteRequests.ts), and the attempts made for it. */
export type DeleteState = 'waiting' | 'done' | 'dead';

export interface DeleteAttemptShown {
  at: number;
  url: string;
  body: unknown;
  status: number;
  response: unknown;
  durationMs: number;
  error: string | null;
}

export interface DeleteRequestShown {
  id: number;
  customerId: string;
  state: DeleteState;
  queuedAt: number;
  nextAttemptAt: number | null;
  failures: number;
  reason: string | null;
  detail: string | null;
  updatedAt: number;
  attempts: DeleteAttemptShown[];
}
