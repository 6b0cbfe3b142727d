import { endpoint, writeKey } from './config';
import { log } from './debug';
import { quietly } from './storage';

/**
 * The wire: one batch → one `text/plain` POST (a CORS "simple" request: no preflight) to the
 * collector's first-party ingest path. `sentAt` is stamped now, on the envelope and on each message,
 * so the collector can correct the page's clock (timestamp = received − (sentAt − timestamp)).
 */
const body = (batch: string[]): string => {
  const sentAt = '"' + new Date().toISOString() + '"';
  return '{"writeKey":' + JSON.stringify(writeKey) + ',"sentAt":' + sentAt + ',"batch":[' + batch.map((m) => '{"sentAt":' + sentAt + ',' + m.slice(1)).join() + ']}';
};

/** The HTTP status, or 0 for a network error. keepalive lets the request outlive the page. */
export const post = (batch: string[]): Promise<number> =>
  fetch(endpoint, { method: 'POST', body: body(batch), keepalive: true }).then(
    (r) => {
      if (!r.ok) log('collector answered', r.status, batch);
      return r.status;
    },
    () => 0,
  );

/** Hands a batch to the browser for delivery after the page is gone; false if it refused. */
export const beacon = (batch: string[]): boolean | undefined => quietly(() => navigator.sendBeacon(endpoint, body(batch)));
