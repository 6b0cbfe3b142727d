/**
 * Drives the delivery queues in workerd with a clock the test moves: `Date` is faked (the Worker,
 * the Durable Objects and the sandbox share the isolate, so they all read it) and alarms are run
 * in time order by `runUntil`, the way the runtime would fire them, without waiting for real time.
 * The clock starts in 2031 so that no alarm set by a test ever fires on its own.
 */
import { abortAllDurableObjects, reset, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { vi } from 'vitest';
import type { LoggedJourney } from '../../../worker/delivery/logViews';
import type { IngestRecord } from '../../../worker/delivery/record';
import type { DeliveryItem, EventItem } from '../../../worker/moengage/payloads';
import { createMoEngageSandbox, type MoEngageSandbox, type RecordedRequest, type SandboxOptions } from '../../../dev/moengage-sandbox/moengage';
import { routeFetchToSandbox } from '../../worker/support/networkEdge';

export { ELSEWHERE_BASE, SANDBOX_BASE } from '../../worker/support/networkEdge';
export const DEBUGGER_TOKEN = 'test-debugger-token';
export const WORKSPACE: Record<string, string> = { main: 'ws-main', other: 'ws-other', slow: 'ws-slow', batch: 'ws-batch', tiny: 'ws-tiny' };
export const CREDENTIALS = { 'ws-main': 'main-key', 'ws-other': 'other-key', 'ws-slow': 'slow-key', 'ws-batch': 'batch-key', 'ws-tiny': 'tiny-key' };

/** Monday 2031-01-06 00:00:00 UTC: a whole minute, so sandbox rate windows start with the test. */
export const T0 = Date.UTC(2031, 0, 6, 0, 0, 0);

export function startClock(at = T0): void {
  vi.useFakeTimers({ toFake: ['Date'], now: at });
}

export function setClock(at: number): void {
  vi.setSystemTime(at);
}

export async function cleanup(): Promise<void> {
  vi.useRealTimers();
  vi.restoreAllMocks();
  // reset() does not clear objects that were aborted and not started since, so each queue is
  // emptied explicitly (alarms too); then the objects restart so no in-memory state leaks.
  for (const connection of Object.keys(WORKSPACE)) {
    for (const stub of [queue(connection), alertsOf(connection), env.DELIVERY_BUDGET.getByName(connection)]) {
      await runInDurableObject(stub, async (_i, state) => {
        await state.storage.deleteAlarm();
        await state.storage.deleteAll();
      });
    }
  }
  await reset();
  await abortAllDurableObjects();
}

/** The sandbox answers the Worker's outbound fetch, with fetch's redirect rules (the network edge is all we replace). */
export function installSandbox(options: SandboxOptions = {}) {
  const sandbox = createMoEngageSandbox({ credentials: CREDENTIALS, ...options });
  const fetchSpy = routeFetchToSandbox(sandbox);
  return { sandbox, fetchSpy };
}

export function queue(connection: string) {
  return env.DELIVERY_QUEUE.getByName(connection);
}

/** The connection's alerts object (worker/alerts/ConnectionAlerts.ts). */
export function alertsOf(connection: string) {
  return env.CONNECTION_ALERTS.getByName(connection);
}

export function alarmOf(connection: string): Promise<number | null> {
  return runInDurableObject(queue(connection), (_instance, state) => state.storage.getAlarm());
}

/**
 * Fires the connections' alarms in time order up to `until` (moving the clock to each), then leaves
 * the clock at `until`. Returns how many alarms ran.
 */
export async function runUntil(connections: string | string[], until: number, maxAlarms = 20_000): Promise<number> {
  const list = Array.isArray(connections) ? connections : [connections];
  let ran = 0;
  for (;;) {
    const alarms = await Promise.all(list.map(async (c) => ({ c, at: await alarmOf(c) })));
    const next = alarms.filter((a): a is { c: string; at: number } => a.at !== null && a.at <= until).sort((a, b) => a.at - b.at)[0];
    if (!next) break;
    if (next.at > Date.now()) setClock(next.at);
    await runDurableObjectAlarm(queue(next.c));
    if (++ran >= maxAlarms) throw new Error(`more than ${maxAlarms} alarms before ${new Date(until).toISOString()}`);
  }
  if (until > Date.now()) setClock(until);
  return ran;
}

/** Polls (real time) for something another request context does; promises do not cross contexts. */
export async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000; // generous: a loaded machine is slow, never wrong
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  if (!condition()) throw new Error('condition not reached');
}

/** Runs alarms until nothing is scheduled within `horizonMs` (the queue is idle or waiting long). */
export function drain(connections: string | string[], horizonMs = 3_600_000): Promise<number> {
  return runUntil(connections, Date.now() + horizonMs);
}

let counter = 0;

/** A track event as the Retail blueprint maps it (the mapping is tested elsewhere). */
export function trackRecord(customer: string, options: { id?: string; action?: string; attributes?: Record<string, unknown> } = {}): IngestRecord {
  const messageId = options.id ?? `m-${++counter}`;
  const at = new Date(Date.now()).toISOString();
  const item: EventItem = {
    kind: 'event',
    customer_id: customer,
    user_identifiers: { u_em: `${customer}@example.com` },
    action: { action: options.action ?? 'Product Viewed', platform: 'web', attributes: { sku: messageId, ...options.attributes }, user_time: at, current_time: at },
  };
  return record(messageId, 'track', item, customer);
}

export function identifyRecord(customer: string, id = `m-${++counter}`): IngestRecord {
  return record(id, 'identify', { kind: 'customer', customer_id: customer, attributes: { first_name: 'Jane', plan: 'pro' } }, customer);
}

function record(messageId: string, type: string, item: DeliveryItem, userId: string): IngestRecord {
  return {
    messageId,
    type,
    name: item.kind === 'event' ? item.action.action : null,
    userId,
    anonymousId: null,
    receivedAt: Date.now(),
    raw: { type, messageId, userId },
    outcome: { status: 'queued', items: [item], omissions: [] },
  };
}

export function enqueue(connection: string, records: IngestRecord[]) {
  return queue(connection).enqueue(connection, records);
}

/** Accepted (2xx) API requests to one workspace. */
export function accepted(sandbox: MoEngageSandbox, connection: string): RecordedRequest[] {
  return sandbox.requests.filter((r) => r.workspace === WORKSPACE[connection] && r.response.status < 300);
}

/** messageIds MoEngage accepted for a workspace, with repeats (our test events carry their id as `sku`). */
export function deliveredIds(sandbox: MoEngageSandbox, connection: string): string[] {
  const ids: string[] = [];
  for (const r of accepted(sandbox, connection)) {
    const body = r.body as { type: string; actions?: { attributes: { sku?: string } }[]; elements?: { type: string; customer_id: string; actions?: { attributes: { sku?: string } }[] }[] };
    const events = body.type === 'transition' ? (body.elements ?? []) : [body];
    for (const e of events) for (const a of e.actions ?? []) if (a.attributes.sku) ids.push(a.attributes.sku);
  }
  return ids;
}

export async function eventRow(connection: string, messageId: string): Promise<LoggedJourney | null> {
  return (await queue(connection).getEvent(connection, messageId)) as LoggedJourney | null;
}

export async function statuses(connection: string): Promise<Record<string, number>> {
  const rows = await runInDurableObject(queue(connection), (_i, state) =>
    // The log is written behind: rows still staged (log_staging) are part of it.
    state.storage.sql
      .exec<{ status: string; n: number }>('SELECT status, count(*) AS n FROM (SELECT status FROM events UNION ALL SELECT status FROM log_staging) GROUP BY status')
      .toArray(),
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

export function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(new Request(`http://collector.test${path}`, { headers }));
}

export function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(
    new Request(`http://collector.test${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${btoa('test-write-key:')}`, ...headers },
      body: JSON.stringify(body),
    }),
  );
}

export function operator(path: string, body: unknown): Promise<Response> {
  return post(path, body, { authorization: `Bearer ${DEBUGGER_TOKEN}` });
}
