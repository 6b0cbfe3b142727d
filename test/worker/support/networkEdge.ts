import { vi } from 'vitest';
import type { MoEngageSandbox } from '../../../dev/moengage-sandbox/moengage';

/** MoEngage as the tests configure it (MOENGAGE_API_BASE). */
export const SANDBOX_BASE = 'http://moengage.sandbox';
/** Another host, played by the same sandbox (`/_sandbox/landing/…` answers 200): a redirect target. */
export const ELSEWHERE_BASE = 'http://elsewhere.sandbox';

const MAX_REDIRECTS = 20;

/**
 * Replaces the Worker's outbound fetch (the DeliveryQueue runs in the same isolate) with the
 * sandbox: the network edge is all the tests replace. It keeps fetch's own redirect rules (WHATWG
 * Fetch "HTTP-redirect fetch"): unless the request says `redirect: 'manual'`, a 3xx with a
 * Location is followed — 303, and 301/302 of a POST, as a GET without body; 307/308 with the body;
 * the Authorization header dropped when the origin changes — so a client that forgot to refuse
 * redirects is caught by the tests as it would be in production.
 */
export function routeFetchToSandbox(sandbox: MoEngageSandbox) {
  return vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    let request = new Request(input as RequestInfo, init);
    for (let hops = 0; ; hops++) {
      if (![SANDBOX_BASE, ELSEWHERE_BASE].some((base) => request.url.startsWith(`${base}/`))) throw new TypeError(`test tried to reach ${request.url}`);
      const copy = request.clone();
      const response = await sandbox.handle(request);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status > 399 || location === null || request.redirect === 'manual') return response;
      if (request.redirect === 'error') throw new TypeError(`redirect to ${location} refused (redirect: 'error')`);
      if (hops >= MAX_REDIRECTS) throw new TypeError('too many redirects');
      const next = new URL(location, request.url);
      const headers = new Headers(copy.headers);
      if (next.origin !== new URL(request.url).origin) headers.delete('authorization');
      const asGet = response.status === 303 || ((response.status === 301 || response.status === 302) && copy.method === 'POST');
      request = new Request(next, {
        method: asGet ? 'GET' : copy.method,
        headers,
        body: asGet ? null : await copy.arrayBuffer(),
        redirect: copy.redirect,
        signal: copy.signal,
      });
    }
  });
}
