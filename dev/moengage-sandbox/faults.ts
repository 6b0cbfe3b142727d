/**
 * Injected failures, so the collector's retry/backoff can be exercised against the outages MoEngage
 * actually has (bursts of 5xx, a minute-long brown-out, 429s, slow answers) and against hostile
 * answers from whatever sits at the configured URL (huge or endless bodies, redirects, absurd
 * rate-limit headers).
 *
 * A fault is `{status?, latencyMs?, redirectTo?, headers?, body?, bodyBytes?, bodyNeverEnds?, count?, seconds?, path?}`:
 * - `status` answers that status instead of processing; `latencyMs` delays the answer (and the
 *   request is then processed normally unless `status` is also set).
 * - `redirectTo` (an absolute URL) answers `status` (default 307) with that `Location`. The sandbox
 *   itself plays the other host: any `/_sandbox/landing/…` path on any host name answers 200
 *   (`sandbox.landings` records it), e.g. `http://localhost:8788/_sandbox/landing` when MoEngage is
 *   `http://127.0.0.1:8788`.
 * - `headers` are added to the answer (an injected one, or, without `status`, the real one: a 200
 *   with `x-ratelimit-remaining: 0`); a value of `""` removes that header (a 429 without the
 *   sandbox's own `retry-after`).
 * - `body` replaces an injected answer's body; `bodyBytes: n` makes the answer's body exactly n
 *   bytes (its JSON, padded; streamed, never held in memory); `bodyNeverEnds: "stall"` sends the
 *   first bytes of the body and then nothing, forever; `"flood"` sends bytes forever. Without
 *   `status` these shape the real answer (MoEngage accepted the request).
 * - `count` limits it to the next N matching requests; `seconds` to T seconds of the sandbox clock
 *   from when it was added; with neither it lasts until cleared. Both may be given (first to run out).
 * - `path` scopes it to API paths starting with that prefix (default: every /v1/ request).
 * Several latency faults add up; of several status faults the oldest active one answers, and of
 * several faults that shape the real answer the oldest one does.
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
  redirectTo?: string;
  bodyBytes?: number;
  bodyNeverEnds?: 'stall' | 'flood';
}

/** Largest `bodyBytes`: enough for any test of a body cap, small enough for a laptop. */
export const MAX_FAULT_BODY_BYTES = 100 * 1024 * 1024;

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
  /** Answers instead of the pipeline. */
  status?: Fault;
  /** Shapes the pipeline's own answer (headers, body size, endless body). */
  shape?: Fault;
}

const KEYS = new Set(['status', 'latencyMs', 'count', 'seconds', 'path', 'body', 'headers', 'redirectTo', 'bodyBytes', 'bodyNeverEnds']);

/** A fault that answers in place of MoEngage (an injected status or a redirect). */
export function answersInstead(fault: FaultSpec): boolean {
  return fault.status !== undefined || fault.redirectTo !== undefined;
}

/** A fault that changes the real answer without replacing it. */
function shapesAnswer(fault: FaultSpec): boolean {
  return !answersInstead(fault) && (fault.headers !== undefined || fault.bodyBytes !== undefined || fault.bodyNeverEnds !== undefined);
}

/** Returns an error message, or null when the spec is usable. */
export function faultSpecProblem(input: unknown): string | null {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'fault must be a JSON object';
  const spec = input as Record<string, unknown>;
  const unknown = Object.keys(spec).filter((k) => !KEYS.has(k));
  if (unknown.length) return `unknown fault field(s): ${unknown.join(', ')} (allowed: ${[...KEYS].join(', ')})`;
  const { status, latencyMs, count, seconds, path, headers, redirectTo, bodyBytes, bodyNeverEnds } = spec;
  if ([status, latencyMs, redirectTo, headers, bodyBytes, bodyNeverEnds].every((v) => v === undefined)) {
    return 'fault needs "status" and/or "latencyMs" (or "redirectTo", "headers", "bodyBytes", "bodyNeverEnds")';
  }
  if (status !== undefined && !(Number.isInteger(status) && (status as number) >= 200 && (status as number) <= 599)) return '"status" must be an integer HTTP status 200-599';
  if (redirectTo !== undefined) {
    if (typeof redirectTo !== 'string' || !/^https?:\/\/[^/]/.test(redirectTo)) return '"redirectTo" must be an absolute http(s) URL';
    if (status !== undefined && !((status as number) >= 300 && (status as number) <= 399)) return '"redirectTo" needs a 3xx "status" (default 307)';
  }
  if (bodyBytes !== undefined && !(Number.isInteger(bodyBytes) && (bodyBytes as number) >= 0 && (bodyBytes as number) <= MAX_FAULT_BODY_BYTES)) {
    return `"bodyBytes" must be an integer 0-${MAX_FAULT_BODY_BYTES}`;
  }
  if (bodyNeverEnds !== undefined && bodyNeverEnds !== 'stall' && bodyNeverEnds !== 'flood') return '"bodyNeverEnds" must be "stall" or "flood"';
  if (bodyBytes !== undefined && bodyNeverEnds !== undefined) return 'give "bodyBytes" or "bodyNeverEnds", not both';
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
      const answers = answersInstead(fault) && !applied.status;
      const shapes = shapesAnswer(fault) && !applied.shape;
      const fires = fault.latencyMs !== undefined || answers || shapes;
      if (!fires) continue;
      if (fault.latencyMs !== undefined) applied.latencyMs += fault.latencyMs;
      if (answers) applied.status = fault;
      if (shapes) applied.shape = fault;
      if (fault.remaining !== undefined) fault.remaining -= 1;
    }
    return applied;
  }

  clear(): void {
    this.faults = [];
  }
}
