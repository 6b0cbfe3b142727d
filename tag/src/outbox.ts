/**
 * Batching: messages wait in memory until FLUSH_AT of them are ready, FLUSH_MS have passed, or the
 * page is hidden. One request at a time leaves each page: keepalive requests share a 64 KiB
 * quota per page (beyond it the browser fails them), so a fresh batch and a retried one, each at
 * most MAX_REQUEST bytes, always fit — and so does a beacon, most of the time.
 * A batch that fails goes to the retry queue (and so does everything after it until the collector
 * answers again); one that succeeds proves the collector is back, so the queue is retried at once.
 */
import { LIMITS } from '../../shared/limits';
import { allowed } from './consent';
import { log } from './debug';
import { fits } from './packing';
import { classify } from './policy';
import { drain, handOff, health, persist } from './queue';
import { beacon, post } from './transport';

const FLUSH_AT = 20;
const FLUSH_MS = 1000;
const MAX_REQUEST = LIMITS.maxBeaconBytes / 2;

let buffer: string[] = [];
let timer: ReturnType<typeof setTimeout> | undefined;
/** The batch this page has in flight, not answered yet. */
let current: string[] | undefined;

export function add(message: string): void {
  buffer.push(message);
  if (!allowed()) return; // pending consent: held here until granted or denied
  if (buffer.length >= FLUSH_AT) {
    clearTimeout(timer);
    timer = setTimeout(flush);
  } else timer ??= setTimeout(flush, FLUSH_MS);
}

/** Empties the buffer (what consent denial discards). */
export function take(): string[] {
  clearTimeout(timer);
  timer = undefined;
  return buffer.splice(0);
}

const next = () => buffer.splice(0, fits(buffer, MAX_REQUEST, FLUSH_AT));

export async function flush(): Promise<void> {
  clearTimeout(timer);
  timer = undefined;
  while (allowed() && !current && buffer.length) {
    const batch = next();
    if (!health.ok) {
      persist(batch, 1); // the collector is failing: wait with the others, with backoff
      continue;
    }
    current = batch;
    const outcome = classify(await post(batch));
    if (current != batch) return; // the page was left meanwhile and settled this batch's fate
    current = undefined;
    health.ok = outcome != 'retry';
    if (outcome == 'retry') persist(batch, 1);
    else {
      if (outcome == 'drop') log('refused, dropped', batch);
      void drain(true);
    }
  }
}

/**
 * Page hidden (maybe for good): hand the buffer to sendBeacon, which survives navigation. If the
 * collector's last answer was a failure, or the browser refuses the beacon (quota), the batch
 * goes to the retry queue for the next page instead. Leaving for good, a batch in flight to a
 * healthy collector is the browser's to finish (keepalive); to a failing one, it is kept.
 */
export function hide(final: boolean): void {
  if (!allowed()) return;
  while (buffer.length) {
    const batch = next();
    if (!health.ok || !beacon(batch)) persist(batch, 0);
  }
  if (final) {
    if (current && !health.ok) persist(current, 0);
    current = undefined;
    handOff();
  }
}
