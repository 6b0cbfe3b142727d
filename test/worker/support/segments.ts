import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import worker from '../../../worker/index';
import { userHash } from '../../../worker/segments/userHash';
import { basic, DEBUGGER_TOKEN } from './ingest';

export const SYNC_USER = 'test-moengage';
export const SYNC_PASSWORD = 'test-segment-sync-password';
export const IDENTITY_SECRET = 'test-segments-identity-secret';
export const SYNC_PATH = '/v1/moengage/segment-sync';

export interface PageSpec {
  sync?: string;
  name?: string;
  execution?: string;
  page?: number;
  total?: number;
  add?: string[];
  remove?: string[];
  userKey?: string;
  addKey?: string;
  removeKey?: string;
  /** Extra key-value pairs added to every user object (MoEngage's optional per-user pairs). */
  userPairs?: Record<string, string>;
  /** Extra keys at the top level / in data. */
  extra?: Record<string, unknown>;
  dataExtra?: Record<string, unknown>;
}

let distinct = 0;

/** A `segment_sync` body exactly in the seed's shape (003), with the given users. */
export function syncBody(spec: PageSpec = {}): Record<string, unknown> {
  const userKey = spec.userKey ?? 'partner_user_id';
  const users = (ids: string[]) => ids.map((id) => ({ moengage_distinct_id: `moe-${++distinct}`, [userKey]: id, ...spec.userPairs }));
  return {
    type: 'segment_sync',
    pagination: { total_pages: spec.total ?? 1, page_count: spec.page ?? 1 },
    data: {
      moengage_sync_id: spec.sync ?? 'sync-vip',
      moengage_sync_name: spec.name ?? 'VIP customers',
      moengage_execution_id: spec.execution ?? 'exec-1',
      moengage_integration_id: 'integration-edgetag',
      [spec.addKey ?? 'add_users']: users(spec.add ?? []),
      [spec.removeKey ?? 'remove_users']: users(spec.remove ?? []),
      ...spec.dataExtra,
    },
    ...spec.extra,
  };
}

/** Settings that differ from the test bindings, for one request (a new env object → a new Config). */
export type Overrides = Record<string, string | undefined>;

/** Sends a request through the Worker, with the test bindings or with some of them changed. */
export async function send(request: Request, overrides?: Overrides): Promise<Response> {
  if (!overrides) return exports.default.fetch(request);
  const ctx = createExecutionContext();
  const response = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

export function postSync(
  body: unknown,
  options: { auth?: string | null; query?: string; headers?: Record<string, string>; overrides?: Overrides } = {},
): Promise<Response> {
  const auth = options.auth === undefined ? basic(SYNC_USER, SYNC_PASSWORD) : options.auth;
  return send(
    new Request(`https://collector.test${SYNC_PATH}${options.query ?? ''}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}), ...options.headers },
      body: typeof body === 'string' || body instanceof ReadableStream ? body : JSON.stringify(body),
    }),
    options.overrides,
  );
}

/** Posts a page and insists on a 200, returning the answer. */
export async function syncPage(spec: PageSpec, options: Parameters<typeof postSync>[1] = {}): Promise<Record<string, any>> {
  const res = await postSync(syncBody(spec), options);
  if (res.status !== 200) throw new Error(`segment sync answered ${res.status}: ${await res.text()}`);
  return res.json();
}

export const hashOf = (userId: string, secret = IDENTITY_SECRET) => userHash(secret, userId);

/** `GET /v1/segments` as the site's page would call it (caching off unless asked for). */
export async function readSegments(
  userId: string,
  options: { hash?: string; headers?: Record<string, string>; overrides?: Overrides } = {},
): Promise<Response> {
  const hash = options.hash ?? (await hashOf(userId));
  const url = `https://collector.test/v1/segments?user_id=${encodeURIComponent(userId)}&user_hash=${encodeURIComponent(hash)}`;
  return send(new Request(url, { headers: options.headers }), { SEGMENTS_CACHE_SECONDS: '0', ...options.overrides });
}

/** Segment names of a user straight from the store (the debugger's user lookup). */
export async function membership(userId: string): Promise<string[]> {
  const res = await debuggerGet(`/debugger/api/segments/users/${encodeURIComponent(userId)}`);
  const body = (await res.json()) as { segments: { name: string }[] };
  return body.segments.map((s) => s.name).sort();
}

export function debuggerGet(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(
    new Request(`https://collector.test${path}`, { ...init, headers: { authorization: `Bearer ${DEBUGGER_TOKEN}`, ...(init.headers as object) } }),
  );
}

export async function journal(): Promise<Record<string, any>> {
  const res = await debuggerGet('/debugger/api/segments');
  if (!res.ok) throw new Error(`debugger answered ${res.status}`);
  return res.json();
}
