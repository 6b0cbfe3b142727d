/**
 * edgetag browser tag: replays the snippet's queued calls in order, then becomes the global.
 * Split by concern: api (call surface) → outbox (batching) → transport (the wire) → queue (retries
 * across pages and tabs); identity, consent, context, storage and cookie beside them.
 */
import { clock, tag } from './api';
import { globalName, stub } from './config';
import { hide } from './outbox';
import { plan } from './queue';

for (const [method, args, at] of stub.q || []) {
  clock.at = at;
  (tag[method] as ((...a: unknown[]) => void) | undefined)?.(...args);
}
clock.at = undefined;
(window as unknown as Record<string, unknown>)[globalName] = tag;

setTimeout(plan, 1000); // batches earlier pages could not deliver (not while the page loads)

addEventListener('pagehide', () => hide(true));
addEventListener('visibilitychange', () => document.visibilityState == 'hidden' && hide(false));
