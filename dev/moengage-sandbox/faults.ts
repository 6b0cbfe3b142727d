/**
 * Injected failures, so the collector's retry/backoff can be exercised against the outages MoEngage
 * actually has: bursts of 5xx, a minute-long brown-out, 429s, slow answers.
 *
 * A fault is `{status?, latencyMs?, count?, seconds?, path?, body?, headers?}`:
 * - `status` answers that status instead of processing; `latencyMs` delays the answer (and the
 *   request is then processed normally unless `status` is also set).
 * - `count` limits it to the next N matching requests; `seconds` to T seconds of the sandbox clock
 *   from when it was added; with neither it lasts until cleared. Both may be given (first to run out).
 * - `path` scopes it to API paths starting with that prefix (default: every /v1/ request).
 * Several latency faults add up; of several status faults the oldest active one answers.
 * Control endpoints (/_sandbox/…) are never faulted.
 */

export interface FaultSpec {
  status?: number;
  latencyMs?: number;
  count?: number;
  seconds?: number;
  path?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Fault extends FaultSpec {
  id: number;
  createdAt: number;
  /** Requests left when `count` was given. */
  remaining?: number;
  /** Sandbox-clock ms at which the fault expires when `seconds` was given. */
  until?: number;
}

export interface AppliedFaults {
  latencyMs: number;
  status?: Fault;
}

const KEYS = new Set(['status', 'latencyMs', 'count', 'seconds', 'path', 'body', 'headers']);

/** Returns an error message, or null when the spec is usable. */
export function faultSpecProblem(input: unknown): string | null {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'fault must be a JSON object';
  const spec = input as Record<string, unknown>;
  const unknown = Object.keys(spec).filter((k) => !KEYS.has(k));
  if (unknown.length) return `unknown fault field(s): ${unknown.join(', ')} (allowed: ${[...KEYS].join(', ')})`;
  const { status, latencyMs, count, seconds, path, headers } = spec;
  if (status === undefined && latencyMs === undefined) return 'fault needs "status" and/or "latencyMs"';
  if (status !== undefined && !(Number.isInteger(status) && (status as number) >= 200 && (status as number) <= 599)) return '"status" must be an integer HTTP status 200-599';
  if (latencyMs !== undefined && !(typeof latencyMs === 'number' && latencyMs >= 0 && latencyMs <= 60_000)) return '"latencyMs" must be a number 0-60000';
  if (count !== undefined && !(Number.isInteger(count) && (count as number) > 0)) return '"count" must be a positive integer';
  if (seconds !== undefined && !(typeof seconds === 'number' && seconds > 0)) return '"seconds" must be a positive number';
  if (path !== undefined && !(typeof path === 'string' && path.startsWith('/'))) return '"path" must be a path prefix starting with "/"';
  if (headers !== undefined) {
    if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return '"headers" must be an object of strings';
    if (Object.values(headers).some((v) => typeof v !== 'string')) return '"headers" must be an object of strings';
  }
  return null;
}

export function isLive(fault: Fault, nowMs: number): boolean {
  if (fault.remaining !== undefined && fault.remaining <= 0) return false;
  if (fault.until !== undefined && nowMs >= fault.until) return false;
  return true;
}

export function matchesPath(fault: Fault, path: string): boolean {
  return path.startsWith(fault.path ?? '/v1/');
}

export class FaultBook {
  private faults: Fault[] = [];
  private nextId = 1;

  add(spec: FaultSpec, nowMs: number): Fault {
    const fault: Fault = { ...spec, id: this.nextId++, createdAt: nowMs };
    if (spec.count !== undefined) fault.remaining = spec.count;
    if (spec.seconds !== undefined) fault.until = nowMs + spec.seconds * 1000;
    this.faults.push(fault);
    return fault;
  }

  /** Live faults, oldest first; expired ones are forgotten. */
  list(nowMs: number): Fault[] {
    this.faults = this.faults.filter((f) => isLive(f, nowMs));
    return [...this.faults];
  }

  /** Decide what to inject for one request and use up one `count` of each fault that fired. */
  apply(path: string, nowMs: number): AppliedFaults {
    const applied: AppliedFaults = { latencyMs: 0 };
    for (const fault of this.list(nowMs)) {
      if (!matchesPath(fault, path)) continue;
      const fires = fault.latencyMs !== undefined || (fault.status !== undefined && !applied.status);
      if (!fires) continue;
      if (fault.latencyMs !== undefined) applied.latencyMs += fault.latencyMs;
      if (fault.status !== undefined && !applied.status) applied.status = fault;
      if (fault.remaining !== undefined) fault.remaining -= 1;
    }
    return applied;
  }

  clear(): void {
    this.faults = [];
  }
}
