/**
 * What reached the collector, judged from both ends: the site's record of every ingest request the
 * browser made (and the answer it got), and the collector's own event log (debugger API).
 */
import { expect, inject } from 'vitest';
import './provided';
import type { SentMessage, Site } from './site';

export interface Delivery {
  message: SentMessage;
  /** Requests that carried this message. */
  sends: number;
  /** Of those, answered 2xx. */
  acks: number;
  /** Requests that carried it again after it had been acknowledged. */
  afterAck: number;
}

export function deliveries(site: Site, match: (m: SentMessage) => boolean): Map<string, Delivery> {
  const byId = new Map<string, Delivery>();
  for (const request of site.ingests) {
    const ok = request.status >= 200 && request.status < 300;
    for (const message of request.body.batch ?? []) {
      if (!match(message)) continue;
      const d = byId.get(message.messageId) ?? { message, sends: 0, acks: 0, afterAck: 0 };
      if (d.acks > 0) d.afterAck++;
      d.sends++;
      if (ok) d.acks++;
      byId.set(message.messageId, d);
    }
  }
  return byId;
}

/** Number of matching messages acknowledged so far (for `eventually`). */
export const ackedCount = (site: Site, match: (m: SentMessage) => boolean): number =>
  [...deliveries(site, match).values()].filter((d) => d.acks > 0).length;

/** Every matching message acknowledged exactly once and never sent again; returns them. */
export function expectExactlyOnce(site: Site, match: (m: SentMessage) => boolean, count: number): Delivery[] {
  const all = [...deliveries(site, match).values()];
  expect(all.map((d) => ({ id: d.message.messageId, acks: d.acks, afterAck: d.afterAck }))).toEqual(
    all.map((d) => ({ id: d.message.messageId, acks: 1, afterAck: 0 })),
  );
  expect(all).toHaveLength(count);
  return all;
}

/** The collector's debugger view of one message, or undefined if it never arrived there. */
export async function collectorEvent(collectorUrl: string, messageId: string): Promise<{ messageId: string; status: string; raw: SentMessage } | undefined> {
  const res = await fetch(`${collectorUrl}/debugger/api/events/${encodeURIComponent(messageId)}`, {
    headers: { authorization: `Bearer ${inject('debuggerToken')}` },
  });
  if (res.status === 404) return undefined;
  expect(res.status).toBe(200);
  return (await res.json()) as { messageId: string; status: string; raw: SentMessage };
}

/** Asserts the collector stored every one of these messages. */
export async function expectStoredAtCollector(collectorUrl: string, ids: string[]): Promise<void> {
  const missing: string[] = [];
  for (const id of ids) if (!(await collectorEvent(collectorUrl, id))) missing.push(id);
  expect(missing).toEqual([]);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
