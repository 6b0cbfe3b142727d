import type { SegmentsConfig } from '../config/segments';

/**
 * True when the request carries the configured resync key-value pair. MoEngage adds an
 * integration's static key-value pairs to the query string, the headers or the body, so all three
 * are looked at (top level and `data`). docs/segments.md "Resync" explains why a static pair can
 * only mark a resync when it is added just for that run.
 */
export function hasResyncMarker(request: Request, body: unknown, marker: SegmentsConfig['resyncMarker']): boolean {
  if (!marker) return false;
  const matches = (value: unknown) => value != null && typeof value !== 'object' && String(value) === marker.value;
  if (new URL(request.url).searchParams.getAll(marker.key).some(matches)) return true;
  try {
    if (matches(request.headers.get(marker.key))) return true;
  } catch {
    /* not a valid header name: it cannot be a header */
  }
  if (!body || typeof body !== 'object') return false;
  const top = body as Record<string, unknown>;
  const data = top.data && typeof top.data === 'object' ? (top.data as Record<string, unknown>) : {};
  return matches(top[marker.key]) || matches(data[marker.key]);
}
