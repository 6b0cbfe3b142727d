/**
 * Pure: when a newly queued event becomes due, by delivery mode (docs/delivery.md "Modes").
 * - realtime: due at once; the alarm fires `flushIntervalMs` later so one request carries
 *   everything that arrived in that interval.
 * - batch: due at the next cadence tick, aligned to the clock (every 15 min = :00, :15, :30, :45),
 *   like a drainer; retries and rate limiting then pace the drain as in realtime mode.
 */
export interface Cadence {
  mode: 'realtime' | 'batch';
  flushIntervalMs: number;
  batchCadenceMinutes: number;
}

export function nextTick(now: number, cadenceMinutes: number): number {
  const every = cadenceMinutes * 60_000;
  return (Math.floor(now / every) + 1) * every;
}

/** `dueAt`: earliest send time of the event; `wakeAt`: when the queue should flush for it. */
export function firstDelivery(cadence: Cadence, now: number): { dueAt: number; wakeAt: number } {
  if (cadence.mode === 'batch') {
    const tick = nextTick(now, cadence.batchCadenceMinutes);
    return { dueAt: tick, wakeAt: tick };
  }
  return { dueAt: now, wakeAt: now + cadence.flushIntervalMs };
}
