/**
 * edgetag browser tag: replays the snippet's queued calls in order, then becomes the global.
 * Split by concern: api (call surface) → outbox (batching) → transport (the wire) → queue (retries
 * across pages and tabs); identity, consent, context, storage and cookie beside them.
 */
import { clock, tag } from './api';
import { globalName, stub } from './config';
import { allowed } from './consent';
import { save } from './identity';
import { hide } from './outbox';
import { plan } from './queue';

for (const [method, args, at] of stub.q || []) {
  clock.at = at;
  (tag[method] as ((...a: unknown[]) => void) | undefined)?.(...args);
}
clock.at = undefined;
(window as unknown as Record<string, unknown>)[globalName] = tag;

if (allowed()) save(); // a year from the last visit, like analytics.js
plan(); // batches earlier pages could not deliver

addEventListener('pagehide', () => hide(true));
addEventListener('visibilitychange', () => document.visibilityState == 'hidden' && hide(false));
