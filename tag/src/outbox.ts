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
import { deviceFacts } from './context';
import { type Dict, type Identity, save } from './identity';
import { uuid } from './ids';
import { fits } from './packing';
import { retryable } from './policy';
import { drain, handOff, health, persist } from './queue';
import { beacon, post } from './transport';

const FLUSH_AT = 20;
const FLUSH_MS = 1000;
const MAX_REQUEST = LIMITS.maxBeaconBytes / 2;

/** Messages as the calls left them. */
let buffer: Dict[] = [];
/** Serialised, waiting for a request. */
const ready: string[] = [];
let timer: ReturnType<typeof setTimeout> | undefined;
let saved = false;
/** The batch this page has in flight, not answered yet. */
let current: string[] | undefined;

export function add(message: Dict): void {
  buffer.push(message);
  if (!allowed()) return; // pending consent: held here until granted or denied
  if (buffer.length == FLUSH_AT) {
    // Once: a burst of calls must not pay for a timer each. Whatever comes on top leaves with it.
    clearTimeout(timer);
    timer = setTimeout(flush);
  } else timer ??= setTimeout(flush, FLUSH_MS);
}

/** Empties the buffer (what consent denial discards). */
export function take(): void {
  clearTimeout(timer);
  timer = undefined;
  buffer = [];
  ready.length = 0;
}

/**
 * The message as it goes on the wire: its id, ISO timestamp and device context are made now. A
 * message that cannot be serialised (a circular property) or is over the collector's 32 KB
 * limit is dropped here, reported in debug mode. (Characters ≤ UTF-8 bytes: what passes but is
 * still too large in bytes, rare, is refused by the collector and shown in its debugger.)
 */
function serialize({ ids, timestamp, context, ...fields }: Dict): void {
  try {
    const { anonymousId, userId, traits } = ids as Identity; // who() has filled it
    const page = (context as Dict).page as { search: string };
    const json = JSON.stringify({
      ...fields,
      messageId: uuid(),
      anonymousId,
      userId: userId || undefined,
      timestamp: new Date(timestamp as number).toISOString(),
      context: { page, traits, ...deviceFacts(page) },
    });
    if (json.length > LIMITS.maxMessageBytes) throw 'too large';
    ready.push(json);
  } catch (error) {
    log(fields.type + ' dropped:', error, fields);
  }
}

/** The next request's worth of messages; the first one also writes the identity down (a year from now). */
function next(): string[] {
  if (buffer.length && !saved) {
    saved = true;
    save();
  }
  for (const m of buffer.splice(0)) serialize(m);
  return ready.splice(0, fits(ready, MAX_REQUEST, FLUSH_AT));
}

export async function flush(): Promise<void> {
  clearTimeout(timer);
  timer = undefined;
  for (let batch; allowed() && !current && (batch = next()).length; ) {
    if (!health.ok) {
      persist(batch, 1); // the collector is failing: wait with the others, with backoff
      continue;
    }
    current = batch;
    const status = await post(batch);
    if (current != batch) return; // the page was left meanwhile and settled this batch's fate
    current = undefined;
    health.ok = !retryable(status);
    if (!health.ok) persist(batch, 1);
    else void drain(true);
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
  for (let batch; (batch = next()).length; ) {
    if (!health.ok || !beacon(batch)) persist(batch, 0);
  }
  if (final) {
    if (current && !health.ok) persist(current, 0);
    current = undefined;
    handOff();
  }
}
