/**
 * Workers Analytics Engine (optional; docs/operations.md "Analytics Engine"): with an `ANALYTICS`
 * dataset bound, each delivery attempt, refused request and served tag is also written as a data
 * point, for SQL over months without a Prometheus. Off by default: nothing is written unless bound.
 * Same rule as the logs: codes and numbers only.
 *
 * | kind (blob1)      | blob2      | blob3     | blob4         | double1 | double2     | double3 | double4 |
 * |-------------------|------------|-----------|---------------|---------|-------------|---------|---------|
 * | moengage_attempt  | connection | endpoint  | verdict       | status  | duration ms | items   | bytes   |
 * | request_refused   | error      | path      |               | status  |             |         |         |
 * | tag_served        | build      |           |               | status  |             |         |         |
 *
 * index1 is the connection (attempts) or `collector`: Analytics Engine samples per index.
 */
export type DataPoint = Required<Pick<AnalyticsEngineDataPoint, 'indexes' | 'blobs' | 'doubles'>>;

export function attemptPoint(a: { connection: string; endpoint: string; verdict: string; status: number; durationMs: number; items: number; bytes: number }): DataPoint {
  return { indexes: [a.connection], blobs: ['moengage_attempt', a.connection, a.endpoint, a.verdict], doubles: [a.status, a.durationMs, a.items, a.bytes] };
}

export function refusalPoint(r: { error: string; path: string; status: number }): DataPoint {
  return { indexes: ['collector'], blobs: ['request_refused', r.error, r.path.slice(0, 200)], doubles: [r.status] };
}

export function tagServedPoint(t: { build: string; status: number }): DataPoint {
  return { indexes: ['collector'], blobs: ['tag_served', t.build], doubles: [t.status] };
}

/** Writes when bound; never throws (analytics must not cost a delivery or an answer). */
export function writePoint(dataset: AnalyticsEngineDataset | undefined, point: DataPoint): void {
  if (!dataset) return;
  try {
    dataset.writeDataPoint(point);
  } catch {
    // Best effort by design (Analytics Engine itself samples and may drop).
  }
}
