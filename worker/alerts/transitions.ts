import { ALERT_KINDS, type AlertKind, type Conditions, type Facts } from './conditions';

/**
 * Pure: the alert state machine of one connection. Each kind is `ok` or `firing`; an alert goes out
 * only when a kind changes between the two, so a condition that stays true sends one alert, however
 * often it is observed. Recovery waits for a calm period where a condition can flicker (a backlog
 * hovering at its bound, MoEngage's rate-limit waits coming one a minute under overload): it must
 * stay clear that long, else the firing alert simply continues.
 */

export interface KindState {
  since: number;
  /** When the condition was first seen clear again (recovery pending), else null. */
  clearSince: number | null;
  facts: Facts;
}

/** Firing kinds; a kind that is not here is ok. */
export type AlertState = Partial<Record<AlertKind, KindState>>;

export interface Change {
  kind: AlertKind;
  state: 'firing' | 'resolved';
  at: number;
  /** When the condition began. */
  since: number;
  /** The cause's facts (for a recovery: the last ones seen while firing). */
  facts: Facts;
}

/** How long a condition must stay clear before its recovery is announced. */
export const CALM_MS: Record<AlertKind, number> = {
  // A resume is an operator's act (or a new key): announce it at once.
  paused: 0,
  // The 10-minute window already smooths dead letters.
  dead_letters: 0,
  backlog_age: 60_000,
  backlog_size: 60_000,
  rate_limited: 60_000,
};

export function step(prev: AlertState, now: Conditions, at: number): { next: AlertState; changes: Change[] } {
  const next: AlertState = {};
  const changes: Change[] = [];
  for (const kind of ALERT_KINDS) {
    const was = prev[kind];
    const facts = now[kind];
    if (facts) {
      if (!was) changes.push({ kind, state: 'firing', at, since: at, facts });
      next[kind] = { since: was?.since ?? at, clearSince: null, facts };
    } else if (was) {
      const clearSince = was.clearSince ?? at;
      if (at - clearSince >= CALM_MS[kind]) changes.push({ kind, state: 'resolved', at, since: was.since, facts: was.facts });
      else next[kind] = { ...was, clearSince };
    }
  }
  return { next, changes };
}

/** When a pending recovery's calm period ends (the state machine must look again then), or null. */
export function calmEndsAt(state: AlertState): number | null {
  const ends = ALERT_KINDS.flatMap((kind) => {
    const s = state[kind];
    return s && s.clearSince !== null ? [s.clearSince + CALM_MS[kind]] : [];
  });
  return ends.length ? Math.min(...ends) : null;
}
