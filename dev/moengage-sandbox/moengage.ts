/**
 * A strict local double of the MoEngage Data API, for tests (inside workerd, via `handle`) and for
 * `npm start` (over HTTP, via ./server.ts). Web-standard APIs only, so it runs in Node and workerd.
 *
 * An API request goes through, in MoEngage's order:
 *   faults → route → method → authenticate → limitSize → parseJson → validate → rateLimit → accept
 * Each stage either passes or throws a `MoEngageError`, which becomes the MoEngage failure envelope in
 * one place. Every API request is recorded with the answer it got.
 *
 * Fidelity: the endpoints, Basic auth, size limits, required fields, the moe_ prefix, the standard
 * user attribute keys (./userAttributes.ts), the merge and Delete User bodies with their own answer
 * shapes, and Portfolio's `project_code` follow MoEngage's documentation. Accepted requests update
 * a profile per user (./profiles.ts, `GET /_sandbox/profiles/{customer_id}`). The envelopes follow MoEngage's
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
import { DELETE_ACCEPTED, DELETE_RATE_LIMITED, DELETE_SERVER_ERROR, DELETE_USERS_PER_MINUTE, userNotFound, validateDelete } from './deleteUser';
import { type Profile, ProfileBook } from './profiles';
import { failureBody, MoEngageError, successBody } from './responses';
import { requireJsonObject, validateCustomer, validateEvent, validateMerge, validateTransition, type Cost } from './validate';

export { basicAuthHeader, parseBasicAuth } from './auth';
export type { Credentials } from './auth';
export type { Fault, FaultSpec } from './faults';
export type { RecordedRequest, RequestFilter, Stats } from './recorder';
export type { FailureBody, SuccessBody } from './responses';
export type { Profile } from './profiles';
export { DELETE_ACCEPTED, DELETE_RATE_LIMITED, DELETE_SERVER_ERROR } from './deleteUser';
export { DELETE_BUFFER_MS } from './profiles';
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
  /** Default 5,000 — the documented Delete User limit (requests of one user each, per minute). */
  deletionsPerMinute?: number;
  /** Most users kept in profiles (oldest forgotten first). Default 100,000. */
  maxProfiles?: number;
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
  /** The profiles of one customer_id (one per workspace that has it), copies. */
  profiles(customerId: string, workspace?: string): Profile[];
  /** Forget requests, stats, faults, rate-limit windows and profiles. */
  reset(): void;
}

type RouteKind = 'event' | 'customer' | 'transition' | 'merge' | 'delete';

interface Route {
  kind: RouteKind;
  /** Workspace named in the path (absent for the merge and delete APIs, which take `?app_id=`). */
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
  // Before /v1/customer/{ws}, which would otherwise read "merge" or "delete" as a workspace id.
  { pattern: /^\/v1\/customer\/merge\/?$/, kind: 'merge' },
  { pattern: /^\/v1\/customer\/delete\/?$/, kind: 'delete' },
  { pattern: /^\/v1\/event\/([^/]+)\/?$/, kind: 'event' },
  { pattern: /^\/v1\/customer\/([^/]+)\/?$/, kind: 'customer' },
  { pattern: /^\/v1\/transition\/([^/]+)\/?$/, kind: 'transition' },
];

const PRIMARY_BUCKET: Record<RouteKind, Bucket> = { event: 'events', customer: 'customers', transition: 'events', merge: 'merges', delete: 'deletions' };

/**
 * Portfolio workspaces name the project in the query (`?project_code=`) of Track User, Create Event
 * (their references) and Bulk Import (the Portfolio guide). MoEngage documents it nowhere else; the
 * sandbox refuses it there rather than ignore it, so edgetag never relies on it where it does nothing.
 */
const PROJECT_CODE_ROUTES: ReadonlySet<RouteKind> = new Set(['event', 'customer', 'transition']);

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
    deletions: options.deletionsPerMinute ?? DELETE_USERS_PER_MINUTE,
  });
  const profiles = new ProfileBook(options.maxProfiles ?? 100_000);
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

  function faultAnswer(fault: Fault, workspace: string | null, kind: RouteKind | null, requestId: string): Answer {
    if (fault.redirectTo !== undefined) {
      const status = fault.status ?? 307;
      const body = fault.body !== undefined ? fault.body : { moved: fault.redirectTo };
      return shaped(answer(status, body, { location: fault.redirectTo }), fault);
    }
    const bucket = kind ? PRIMARY_BUCKET[kind] : 'events';
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
        : kind === 'delete' && (status === 429 || status >= 500)
          ? status === 429 ? DELETE_RATE_LIMITED : DELETE_SERVER_ERROR
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
      if (route.kind === 'delete' && !url.searchParams.get('app_id')) {
        throw new MoEngageError(400, 'ParamsRequired', 'app_id is required in path/query params.');
      }
      const claimed = [route.pathWorkspace, url.searchParams.get('app_id'), request.headers.get('moe-appkey')].filter(
        (w): w is string => typeof w === 'string' && w !== '',
      );
      const workspace = authenticate(request.headers.get('authorization'), claimed, credentials);

      const limit = bodyLimit(route.kind);
      if (bytes > limit) {
        throw new MoEngageError(413, 'PayloadTooLargeError', `Request body is ${bytes} bytes; the limit for this endpoint is ${limit} bytes (${limit / 1024} KB).`);
      }

      const project = projectCode(url, route.kind);
      const body = requireJsonObject(parseJson(text));
      const ctx = { nowMs: now(), futureToleranceMs };
      let deleting: Profile | undefined;
      let cost: Cost;
      if (route.kind === 'delete') {
        const deletion = validateDelete(body);
        deleting = profiles.find(workspace, deletion, now());
        if (!deleting) throw userNotFound(deletion);
        cost = { events: 0, customers: 0, merges: 0, deletions: 1 };
      } else {
        cost =
          route.kind === 'event' ? validateEvent(body, ctx)
          : route.kind === 'customer' ? validateCustomer(body)
          : route.kind === 'transition' ? validateTransition(body, ctx)
          : validateMerge(body);
      }

      const decision = windows.take(workspace, cost, PRIMARY_BUCKET[route.kind], now());
      const headers = rateLimitHeaders(decision);
      if (!decision.allowed && route.kind === 'delete') {
        throw new MoEngageError(429, 'RateLimitExceededError', 'Exceeded rate limit for this url', headers, DELETE_RATE_LIMITED);
      }
      if (!decision.allowed) {
        throw new MoEngageError(
          429,
          'RateLimitExceededError',
          `Rate limit exceeded: ${decision.limit} ${decision.bucket} per minute for workspace '${workspace}'; ${decision.remaining} left in this window, which resets in ${decision.resetSeconds} s.`,
          headers,
        );
      }
      record(route.kind, workspace, body, project, deleting);
      // The Merge User and Delete User APIs document their own success shapes.
      const ok =
        route.kind === 'merge' ? { status: 'success', operation: 'created' }
        : route.kind === 'delete' ? DELETE_ACCEPTED
        : successBody(requestId);
      return { answer: answer(200, ok, headers), accepted: cost };
    } catch (e) {
      if (!(e instanceof MoEngageError)) throw e;
      return { answer: answer(e.status, e.body ?? failureBody(e.type, e.message, requestId), e.headers) };
    }
  }

  /** `?project_code=` where MoEngage documents it (a Portfolio project), else refused; null when absent. */
  function projectCode(url: URL, kind: RouteKind): string | null {
    const code = url.searchParams.get('project_code');
    if (code === null) return null;
    if (!PROJECT_CODE_ROUTES.has(kind)) {
      throw new MoEngageError(400, 'InvalidAttributeError', `Invalid attribute 'project_code': MoEngage documents project_code for Track User, Create Event and Bulk Import only, not for ${url.pathname}.`);
    }
    if (code.trim() === '') throw new MoEngageError(400, 'InvalidAttributeError', "Invalid attribute 'project_code': must not be empty.");
    return code;
  }

  /** What an accepted request changes in the users' profiles. */
  function record(kind: RouteKind, workspace: string, body: Record<string, unknown>, project: string | null, deleting: Profile | undefined): void {
    const at = now();
    if (kind === 'delete' && deleting) profiles.markDeleted(deleting, at);
    else if (kind === 'customer') profiles.applyCustomer(workspace, body, at, project);
    else if (kind === 'event') profiles.applyEvent(workspace, body, at, project);
    else if (kind === 'merge') profiles.applyMerge(workspace, body.merge_data as { merged_user: string; retained_user: string }[], at);
    else if (kind === 'transition') {
      for (const element of body.elements as Record<string, unknown>[]) {
        if (element.type === 'customer') profiles.applyCustomer(workspace, element, at, project);
        else if (element.type === 'event') profiles.applyEvent(workspace, element, at, project);
      }
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
      result = { answer: faultAnswer(injected.status, workspace, route?.kind ?? null, requestId) };
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
    if (result.accepted) recorder.countAccepted(result.accepted);
    return toResponse(result.answer);
  }

  async function handleControl(request: Request, url: URL): Promise<Response> {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const key = `${request.method} ${path}`;
    if (request.method === 'GET' && path.startsWith('/_sandbox/profiles/')) {
      const customerId = decodeSegment(path.slice('/_sandbox/profiles/'.length));
      const found = profiles.get(customerId, now(), url.searchParams.get('workspace') ?? undefined);
      if (found.length === 1) return json(200, found[0]);
      if (found.length === 0) return json(404, { error: `No profile with customer_id ${JSON.stringify(customerId)}.` });
      return json(400, { error: `customer_id ${JSON.stringify(customerId)} exists in several workspaces; add ?workspace=`, workspaces: found.map((p) => p.workspace) });
    }
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
    profiles: (customerId, workspace) => profiles.get(customerId, now(), workspace),
    reset() {
      recorder.clear();
      profiles.clear();
      faultBook.clear();
      landings = [];
      windows.clear();
    },
  };
  return sandbox;
}
