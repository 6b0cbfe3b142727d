/**
 * Batching: messages wait in memory until FLUSH_AT of them (or a beacon's worth of bytes) are
 * ready, FLUSH_MS have passed, or the page is hidden. A batch that fails goes to the retry queue;
 * one that succeeds proves the collector is back, so the queue is retried at once.
 */
import { LIMITS } from '../../shared/limits';
import { allowed } from './consent';
import { log } from './debug';
import { pack } from './packing';
import { classify } from './policy';
import { drain, handOff, health, persist } from './queue';
import { beacon, post } from './transport';

const FLUSH_AT = 20;
const FLUSH_MS = 1000;

let buffer: string[] = [];
let size = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
/** Batches posted by this page and not answered yet. */
const inflight = new Set<string[]>();

export function add(message: string): void {
  buffer.push(message);
  size += message.length;
  if (!allowed()) return; // pending consent: held here until granted or denied
  if (buffer.length >= FLUSH_AT || size > LIMITS.maxBeaconBytes) {
    clearTimeout(timer);
    timer = setTimeout(flush);
  } else timer ??= setTimeout(flush, FLUSH_MS);
}

/** Empties the buffer: what consent denial discards, and what a flush sends. */
export function take(): string[] {
  const all = buffer;
  buffer = [];
  size = 0;
  clearTimeout(timer);
  timer = undefined;
  return all;
}

export function flush(): void {
  if (allowed()) for (const batch of pack(take())) void send(batch);
}

async function send(batch: string[]): Promise<void> {
  inflight.add(batch);
  const outcome = classify(await post(batch));
  if (!inflight.delete(batch)) return; // the page hid meanwhile and settled this batch's fate
  health.ok = outcome != 'retry';
  if (outcome == 'retry') persist(batch, 1);
  else {
    if (outcome == 'drop') log('refused, dropped', batch);
    void drain(true);
  }
}

/**
 * Page hidden (maybe for good): hand the buffer to sendBeacon, which survives navigation. If the
 * collector's last answer was a failure, or the browser refuses the beacon (64 KiB in flight),
 * the batch goes to the retry queue for the next page instead.
 */
export function hide(final: boolean): void {
  if (!allowed()) return;
  for (const batch of pack(take())) if (!health.ok || !beacon(batch)) persist(batch, 0);
  if (final) {
    if (!health.ok) for (const batch of inflight) persist(batch, 0);
    inflight.clear();
    handOff();
  }
}
