/**
 * The retry queue: batches the collector did not acknowledge wait in localStorage (one key per
 * batch, so pages only ever add or remove whole keys, never rewrite a shared list) and are retried
 * with backoff by whichever page of the site is open — across reloads and tabs.
 *
 * Only one page sends from the queue at a time: it takes a lease (`et_lock` = "owner until"),
 * waits for a competing write from another tab to land, and proceeds only if it is still the
 * owner, renewing the lease before each request. A batch is removed the moment it is
 * acknowledged, before the lease is released, so it is never sent again.
 */
import { uuid } from './ids';
import { allowed } from './consent';
import { backoff, type Entry, prune, RETRY, retryable } from './policy';
import { del, get, keys, quietly, set } from './storage';
import { post } from './transport';

const PREFIX = 'et_q.';
const LOCK = 'et_lock';
/** Long enough for another tab's localStorage write to reach this one. */
const SETTLE_MS = 100;

const me = uuid();
let draining = false;
let timer: ReturnType<typeof setTimeout> | undefined;
/** Key of the batch this page has in flight from the queue, if any. */
let sending = '';
/** What the last answer said: decides at page hide whether the browser can be trusted to deliver. */
export const health = { ok: true };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function entries(): Entry[] {
  // A corrupt entry reads as empty and ancient: the age cap removes it.
  const all = keys(PREFIX).map((k) => ({ a: 0, b: [], ...quietly(() => JSON.parse(get(k) as string)), k }) as Entry);
  const [keep, drop] = prune(all, Date.now()) as [Entry[], Entry[]];
  for (const e of drop) del(e.k);
  return keep;
}

/** Stores a batch for retry (or again, after another failure). `attempts` = how many sends failed. */
export function persist(batch: string[], attempts: number, key = PREFIX + uuid(), since = Date.now()): void {
  set(key, JSON.stringify({ a: since, n: attempts, t: Date.now() + (attempts && backoff(attempts)), b: batch }));
  plan();
}

const owner = () => (get(LOCK) || '').split(' ');
const lease = () => set(LOCK, me + ' ' + (Date.now() + RETRY.leaseMs));

async function claim(): Promise<boolean> {
  const [who, until] = owner();
  if (who != me && +(until as string) > Date.now()) return false;
  lease();
  await sleep(SETTLE_MS);
  return owner()[0] == me;
}

/** Lets the next page (or tab) take the queue at once instead of waiting for the lease to expire. */
export function release(): void {
  if (owner()[0] == me) del(LOCK);
}

/**
 * At page hide: a batch in flight to a healthy collector is the browser's to finish (keepalive).
 * To a failing one it stays queued, and so does the lease, so no page sends it again while that
 * request may still be under way.
 */
export function handOff(): void {
  if (sending) {
    if (!health.ok) return;
    del(sending);
  }
  release();
}

/**
 * Sends due batches, oldest first, while the collector acknowledges; one success (or `recovered`:
 * a fresh batch just got through) makes every waiting batch due.
 */
export async function drain(recovered?: boolean): Promise<void> {
  if (draining || !allowed() || !keys(PREFIX).length) return;
  draining = true;
  let delay: number | undefined;
  try {
    if (!(await claim())) {
      delay = backoff(2); // another page is at it: look again in 1–2 s
      return;
    }
    for (;;) {
      const now = Date.now();
      const e = entries().find((x) => recovered || x.t <= now);
      if (!e || owner()[0] != me) break;
      lease();
      sending = e.k;
      health.ok = !retryable(await post(e.b));
      sending = '';
      if (!health.ok) {
        persist(e.b, e.n + 1, e.k, e.a);
        break;
      }
      del(e.k);
      recovered = true;
    }
  } finally {
    release();
    draining = false;
    plan(delay);
  }
}

/** Wakes up when the earliest batch is due (or after `delay`). */
export function plan(delay?: number): void {
  const list = entries();
  if (!list.length) return;
  clearTimeout(timer);
  timer = setTimeout(drain, delay ?? Math.min(...list.map((e) => e.t)) - Date.now()); // past due: at once
}
