/**
 * edgetag browser tag: replays the snippet's queued calls in order, then becomes the global.
 * Split by concern: api (call surface) → outbox (batching) → transport (the wire) → queue (retries
 * across pages and tabs); identity, consent, context, storage and cookie beside them.
 */
import { autoView, clock, tag } from './api';
import { settle, startAutoPage } from './autoPage';
import { globalName, stub } from './config';
import { hide } from './outbox';
import { plan } from './queue';

type Method = ((...a: unknown[]) => unknown) | undefined;
// Before the replay, so autoPage sees the snippet's page() as the landing page's view.
if (__AUTO_PAGE__) startAutoPage(autoView);
if (__SEGMENTS__) {
  // The stub's segments()/inSegment() returned a promise (its resolver is the call's 4th item): it follows the real call's.
  for (const [method, args, at, settle] of stub.q || []) {
    clock.at = at;
    const result = (tag[method] as Method)?.(...args);
    settle?.(result);
  }
} else {
  for (const [method, args, at] of stub.q || []) {
    clock.at = at;
    (tag[method] as Method)?.(...args);
  }
}
clock.at = undefined;
(window as unknown as Record<string, unknown>)[globalName] = tag;

setTimeout(plan, 1000); // batches earlier pages could not deliver (not while the page loads)

// A page view autoPage is still waiting to make goes out first.
addEventListener('pagehide', () => (__AUTO_PAGE__ && settle(), hide(true)));
addEventListener('visibilitychange', () => document.visibilityState == 'hidden' && (__AUTO_PAGE__ && settle(), hide(false)));
