/**
 * A strict local double of the MoEngage Data API, for tests (inside workerd, via `handle`) and for
 * `npm start` (over HTTP, via ./server.ts). Web-standard APIs only, so it runs in Node and workerd.
 *
 * An API request goes through, in MoEngage's order:
 *   faults → route → method → authenticate → limitSize → parseJson → validate → rateLimit → accept
 * Each stage either passes or throws a `MoEngageError`, which becomes the MoEngage failure envelope in
 * one place. Every API request is recorded with the answer it got.
 *
 * Fidelity: the endpoints, Basic auth, size limits, required fields, the moe_ prefix, the merge
 * body and its success shape follow MoEngage's documentation. The envelopes follow MoEngage's
 * `status`/`error{type,message,request_id}` shape, but the public docs do not list every error
 * `type` string, so the types other than MissingAttributeError are the sandbox's own names; client
 * code should classify by HTTP status, not by `type`. The sandbox is deliberately stricter than
 * MoEngage where MoEngage silently drops data (bulk elements, moe_ names, placeholder ids).
 */
import { endlessBody, paddedBody } from './answerBody';
import { authenticate, parseBasicAuth, type Credentials } from './auth';
import { FaultBook, faultSpecProblem, type Fault, type FaultSpec } from './faults';
import { renderInspector } from './inspector';
import { rateLimitHeaders, RateWindows, type Bucket, type Decision } from './rateWindow';
import { parseBodyText, Recorder, redactHeaders, type RecordedRequest, type RequestFilter, type Stats } from './recorder';
import { failureBody, MoEngageError, successBody } from './responses';
import { requireJsonObject, validateCustomer, validateEvent, validateMerge, validateTransition, type Cost } from './validate';

export { basicAuthHeader, parseBasicAuth } from './auth';
export type { Credentials } from './auth';
export type { Fault, FaultSpec } from './faults';
export type { RecordedRequest, RequestFilter, Stats } from './recorder';
export type { FailureBody, SuccessBody } from './responses';
export { ACCEPTED_MESSAGE } from './responses';

/** 128 KB for single requests (MoEngage Data API), 100 KB for the bulk /v1/transition endpoint. */
export const MAX_BODY_BYTES = 128 * 1024;
export const MAX_BULK_BODY_BYTES = 100 * 1024;

export const DEFAULT_CREDENTIALS: Credentials = { 'demo-workspace': 'demo-data-api-key' };

export interface SandboxOptions {
  /** workspace id → Data API key. */
  credentials?: Credentials;
  /** Default 30,000 — the documented Create Event limit. */
  eventsPerMinute?: number;
  /** Default 10,000 customer (Track User) updates, including customer elements in bulk. */
  customerUpdatesPerMinute?: number;
  /** Default 1,000 — the documented Merge User limit (user pairs per minute). */
  mergesPerMinute?: number;
  /** Sandbox clock (epoch ms). Drives rate windows, fault `seconds` and the future-date check. */
  now?: () => number;
  /** How far ahead of the clock `current_time` may be (clock skew). Default 300 s. */
  futureToleranceSeconds?: number;
  /** Most recent requests kept for inspection. Default 1,000. */
  maxRecorded?: number;
  /** Used for `latencyMs` faults; inject to observe or skip real waiting. */
  sleep?: (ms: number) => Promise<void>;
}

export interface FaultControls {
  add(spec: FaultSpec): Fault;
  list(): Fault[];
  clear(): void;
}

/** A request that followed a `redirectTo` fault to the sandbox's stand-in for another host. */
export interface Landing {
  at: number;
  method: string;
  /** The full URL it landed on (host included). */
  url: string;
  /** Whether the client carried its Authorization header across the redirect. */
  authorization: boolean;
}

export interface MoEngageSandbox {
  handle(request: Request): Promise<Response>;
  /** Recorded API requests, oldest first (a copy). */
  readonly requests: RecordedRequest[];
  /** Requests that arrived at `/_sandbox/landing/…` (on any host name): redirects followed. */
  readonly landings: Landing[];
  readonly faults: FaultControls;
  stats(): Stats;
  /** Forget requests, stats, faults and rate-limit windows. */
  reset(): void;
}

type RouteKind = 'event' | 'customer' | 'transition' | 'merge';

interface Route {
  kind: RouteKind;
  /** Workspace named in the path (absent for the merge API, which takes `?app_id=`). */
  pathWorkspace?: string;
}

interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  /** `bodyBytes`/`bodyNeverEnds` faults: the body goes out as such a stream (`body` is what it pads). */
  stream?: Pick<FaultSpec, 'bodyBytes' | 'bodyNeverEnds'>;
}

const ROUTES: Array<{ pattern: RegExp; kind: RouteKind }> = [
  // Before /v1/customer/{ws}, which would otherwise read "merge" as a workspace id.
  { pattern: /^\/v1\/customer\/merge\/?$/, kind: 'merge' },
  { pattern: /^\/v1\/event\/([^/]+)\/?$/, kind: 'event' },
  { pattern: /^\/v1\/customer\/([^/]+)\/?$/, kind: 'customer' },
  { pattern: /^\/v1\/transition\/([^/]+)\/?$/, kind: 'transition' },
];

const PRIMARY_BUCKET: Record<RouteKind, Bucket> = { event: 'events', customer: 'customers', transition: 'events', merge: 'merges' };

const FAULT_TYPES: Record<number, string> = {
  429: 'RateLimitExceededError',
  500: 'InternalServerError',
  502: 'BadGatewayError',
  503: 'ServiceUnavailableError',
  504: 'GatewayTimeoutError',
};

export function matchRoute(path: string): Route | null {
  for (const { pattern, kind } of ROUTES) {
    const m = pattern.exec(path);
    if (!m) continue;
    return m[1] === undefined ? { kind } : { kind, pathWorkspace: decodeSegment(m[1]) };
  }
  return null;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function bodyLimit(kind: RouteKind): number {
  return kind === 'transition' ? MAX_BULK_BODY_BYTES : MAX_BODY_BYTES;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') throw new MoEngageError(400, 'InvalidJSONError', 'Request body is empty; expected a JSON object.');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new MoEngageError(400, 'InvalidJSONError', `Request body is not valid JSON: ${(e as Error).message}`);
  }
}

function answer(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return { status, body, headers };
}

function toResponse(a: Answer): Response {
  const isText = typeof a.body === 'string';
  const text = isText ? (a.body as string) : JSON.stringify(a.body);
  const headers = new Headers({ 'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json' });
  // A fault's "" removes a header (a 429 without the sandbox's own retry-after).
  for (const [name, value] of Object.entries(a.headers)) value === '' ? headers.delete(name) : headers.set(name, value);
  const { bodyBytes, bodyNeverEnds } = a.stream ?? {};
  const body = bodyBytes !== undefined ? paddedBody(text, bodyBytes) : bodyNeverEnds ? endlessBody(text, bodyNeverEnds) : text;
  return new Response(body, { status: a.status, headers });
}

/** What the recorder keeps of an answer whose body was a stream (never the megabytes themselves). */
function recordedBody(a: Answer): unknown {
  if (a.stream?.bodyBytes !== undefined) return { sandbox: `body padded to ${a.stream.bodyBytes} bytes`, body: a.body };
  if (a.stream?.bodyNeverEnds) return { sandbox: `body never ends (${a.stream.bodyNeverEnds})`, body: a.body };
  return a.body;
}

/** Applies a fault's headers and body shape to an answer (injected or real). */
function shaped(a: Answer, fault: Fault | undefined): Answer {
  if (!fault) return a;
  const stream = fault.bodyBytes !== undefined || fault.bodyNeverEnds ? { bodyBytes: fault.bodyBytes, bodyNeverEnds: fault.bodyNeverEnds } : a.stream;
  return { ...a, headers: { ...a.headers, ...fault.headers }, ...(stream ? { stream } : {}) };
}

const json = (status: number, body: unknown) => toResponse(answer(status, body));

export function createMoEngageSandbox(options: SandboxOptions = {}): MoEngageSandbox {
  const credentials = options.credentials ?? DEFAULT_CREDENTIALS;
  const now = options.now ?? (() => Date.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const futureToleranceMs = (options.futureToleranceSeconds ?? 300) * 1000;
  const windows = new RateWindows({
    events: options.eventsPerMinute ?? 30_000,
    customers: options.customerUpdatesPerMinute ?? 10_000,
    merges: options.mergesPerMinute ?? 1_000,
  });
  const recorder = new Recorder(options.maxRecorded ?? 1_000);
  const faultBook = new FaultBook();
  let landings: Landing[] = [];

  /** The "other host" a redirect fault points at: it accepts anything, as a hostile host would. */
  async function handleLanding(request: Request): Promise<Response> {
    await request.arrayBuffer();
    landings.push({ at: now(), method: request.method, url: request.url, authorization: request.headers.has('authorization') });
    if (landings.length > 1_000) landings = landings.slice(-1_000);
    return json(200, { status: 'success', message: 'accepted by a host that is not MoEngage (a redirect target)' });
  }

  function faultAnswer(fault: Fault, workspace: string | null, bucket: Bucket, requestId: string): Answer {
    if (fault.redirectTo !== undefined) {
      const status = fault.status ?? 307;
      const body = fault.body !== undefined ? fault.body : { moved: fault.redirectTo };
      return shaped(answer(status, body, { location: fault.redirectTo }), fault);
    }
    const status = fault.status ?? 500;
    let headers: Record<string, string> = {};
    if (status === 429) {
      const state: Decision = { ...windows.peek(workspace ?? '', bucket, now()), allowed: false, remaining: 0 };
      headers = rateLimitHeaders(state);
    }
    headers = { ...headers, ...fault.headers };
    const body =
      fault.body !== undefined
        ? fault.body
        : failureBody(FAULT_TYPES[status] ?? 'InjectedFaultError', `Injected fault #${fault.id}: HTTP ${status}.`, requestId);
    return shaped(answer(status, body, headers), fault);
  }

  /** The MoEngage pipeline proper; returns the answer plus what it cost when accepted. */
  function runPipeline(request: Request, url: URL, route: Route | null, text: string, bytes: number, requestId: string): { answer: Answer; accepted?: Cost } {
    try {
      if (!route) throw new MoEngageError(404, 'NotFoundError', `No Data API endpoint at ${request.method} ${url.pathname}.`);
      if (request.method !== 'POST') {
        throw new MoEngageError(405, 'MethodNotAllowedError', `${request.method} is not allowed on ${url.pathname}; use POST.`, { allow: 'POST' });
      }
      const claimed = [route.pathWorkspace, url.searchParams.get('app_id'), request.headers.get('moe-appkey')].filter(
        (w): w is string => typeof w === 'string' && w !== '',
      );
      const workspace = authenticate(request.headers.get('authorization'), claimed, credentials);

      const limit = bodyLimit(route.kind);
      if (bytes > limit) {
        throw new MoEngageError(413, 'PayloadTooLargeError', `Request body is ${bytes} bytes; the limit for this endpoint is ${limit} bytes (${limit / 1024} KB).`);
      }

      const body = requireJsonObject(parseJson(text));
      const ctx = { nowMs: now(), futureToleranceMs };
      const cost =
        route.kind === 'event' ? validateEvent(body, ctx)
        : route.kind === 'customer' ? validateCustomer(body)
        : route.kind === 'transition' ? validateTransition(body, ctx)
        : validateMerge(body);

      const decision = windows.take(workspace, cost, PRIMARY_BUCKET[route.kind], now());
      const headers = rateLimitHeaders(decision);
      if (!decision.allowed) {
        throw new MoEngageError(
          429,
          'RateLimitExceededError',
          `Rate limit exceeded: ${decision.limit} ${decision.bucket} per minute for workspace '${workspace}'; ${decision.remaining} left in this window, which resets in ${decision.resetSeconds} s.`,
          headers,
        );
      }
      // The Merge User API documents its own success shape.
      const ok = route.kind === 'merge' ? { status: 'success', operation: 'created' } : successBody(requestId);
      return { answer: answer(200, ok, headers), accepted: cost };
    } catch (e) {
      if (!(e instanceof MoEngageError)) throw e;
      return { answer: answer(e.status, failureBody(e.type, e.message, requestId), e.headers) };
    }
  }

  async function handleApi(request: Request, url: URL): Promise<Response> {
    const requestId = crypto.randomUUID();
    const at = now();
    const raw = new Uint8Array(await request.arrayBuffer());
    const text = new TextDecoder().decode(raw);
    const route = matchRoute(url.pathname);
    const workspace =
      route?.pathWorkspace ?? url.searchParams.get('app_id') ?? parseBasicAuth(request.headers.get('authorization'))?.username ?? null;

    const injected = faultBook.apply(url.pathname, at);
    if (injected.latencyMs > 0) await sleep(injected.latencyMs);

    let result: { answer: Answer; accepted?: Cost };
    if (injected.status) {
      result = { answer: faultAnswer(injected.status, workspace, route ? PRIMARY_BUCKET[route.kind] : 'events', requestId) };
    } else {
      result = runPipeline(request, url, route, text, raw.byteLength, requestId);
      result = { ...result, answer: shaped(result.answer, injected.shape) };
    }

    recorder.add({
      at,
      method: request.method,
      path: url.pathname,
      query: url.search,
      workspace,
      headers: redactHeaders(request.headers),
      body: parseBodyText(text),
      bytes: raw.byteLength,
      response: { status: result.answer.status, body: recordedBody(result.answer) },
    });
    if (result.accepted) recorder.countAccepted(result.accepted.events, result.accepted.customers, result.accepted.merges);
    return toResponse(result.answer);
  }

  async function handleControl(request: Request, url: URL): Promise<Response> {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const key = `${request.method} ${path}`;
    switch (key) {
      case 'GET /_sandbox': {
        const refresh = Number(url.searchParams.get('refresh') ?? '') || undefined;
        return new Response(renderInspector(recorder.list(), recorder.stats(), refresh), {
          headers: { 'content-type': 'text/html; charset=utf-8' },
        });
      }
      case 'GET /_sandbox/requests': {
        const filter: RequestFilter = {};
        const prefix = url.searchParams.get('path');
        if (prefix) filter.pathPrefix = prefix;
        const since = url.searchParams.get('since');
        if (since !== null) {
          if (!/^\d+$/.test(since)) return json(400, { error: '"since" must be a request id (non-negative integer).' });
          filter.sinceId = Number(since);
        }
        return json(200, recorder.list(filter));
      }
      case 'DELETE /_sandbox/requests': {
        const cleared = recorder.list().length;
        recorder.clear();
        return json(200, { cleared });
      }
      case 'GET /_sandbox/faults':
        return json(200, faultBook.list(now()));
      case 'POST /_sandbox/faults': {
        let spec: unknown;
        try {
          spec = JSON.parse(await request.text());
        } catch {
          return json(400, { error: 'fault must be a JSON object' });
        }
        const specs = Array.isArray(spec) ? spec : [spec];
        const problem = specs.map(faultSpecProblem).find((p) => p !== null);
        if (problem) return json(400, { error: problem });
        const added = specs.map((s) => faultBook.add(s as FaultSpec, now()));
        return json(201, Array.isArray(spec) ? added : added[0]);
      }
      case 'DELETE /_sandbox/faults': {
        const cleared = faultBook.list(now()).length;
        faultBook.clear();
        return json(200, { cleared });
      }
      case 'GET /_sandbox/landings':
        return json(200, landings);
      case 'GET /_sandbox/stats':
        return json(200, recorder.stats());
      case 'POST /_sandbox/reset':
        sandbox.reset();
        return json(200, { reset: true });
      default:
        return json(404, { error: `No sandbox control endpoint ${key}.` });
    }
  }

  const sandbox: MoEngageSandbox = {
    async handle(request) {
      const url = new URL(request.url);
      if (url.pathname === '/_sandbox/landing' || url.pathname.startsWith('/_sandbox/landing/')) return handleLanding(request);
      if (url.pathname === '/_sandbox' || url.pathname.startsWith('/_sandbox/')) return handleControl(request, url);
      return handleApi(request, url);
    },
    get requests() {
      return recorder.list();
    },
    get landings() {
      return [...landings];
    },
    faults: {
      add(spec) {
        const problem = faultSpecProblem(spec);
        if (problem) throw new TypeError(problem);
        return faultBook.add(spec, now());
      },
      list: () => faultBook.list(now()),
      clear: () => faultBook.clear(),
    },
    stats: () => recorder.stats(),
    reset() {
      recorder.clear();
      faultBook.clear();
      landings = [];
      windows.clear();
    },
  };
  return sandbox;
}
