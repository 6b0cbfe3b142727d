/**
 * Random ingest requests for the fuzz run: a seeded generator mixing random bytes, random JSON,
 * mutated valid batches, deep nesting, gzip (valid, corrupt, bombs) and random headers, paths and methods.
 */
export interface FuzzInput {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Uint8Array | string | null;
}

/** mulberry32: small, fast, seedable. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick };
}
type Rng = ReturnType<typeof prng>;

const WRITE_KEYS = ['test-write-key', 'second-write-key'];
const EVENTS = ['Order Completed', 'Product Viewed', 'Product Added', 'Signed Up', 'Wishlist Shared', '', 'moe_x', '__proto__', 'toString'];
const STRINGS = ['', ' ', 'x', 'u_1', 'unknown', '0', 'null', '__proto__', 'constructor', 'prototype', 'toString', 'moe_points', '\u0000', '\ud800', '😀', 'a'.repeat(300), '<script>', "'; DROP TABLE events; --", '../../etc/passwd', '%00', '\\', '"', 'jane@example.com', '+447700900123', '07700 900123', '2026-01-01T00:00:00Z', '2999-01-01T00:00:00Z', '1970-01-01T00:00:00Z', 'Europe/London', 'Not/AZone'];
const NUMBERS = [0, -0, 1, -1, 1.5, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e308, 5e-324, 123456789012345680000];
const CONTENT_TYPES = ['application/json', 'text/plain', 'text/plain;charset=UTF-8', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded', 'multipart/form-data', '', 'application/vnd.x+json', 'text/html', '*/*', ';;;', 'application/json; charset'];
const ENCODINGS = ['', '', '', 'gzip', 'deflate', 'x-gzip', 'br', 'identity', 'gzip, deflate', 'GZIP'];
const PATHS = ['/v1/batch', '/v1/batch', '/i', '/v1/track', '/v1/identify', '/v1/page', '/v1/screen', '/v1/group', '/v1/alias', '/v1/purchase', '/v1/', '/v1/batch/', '/v1/%00', '/v1/..%2fdebugger'];
const AGENTS = ['Mozilla/5.0 (X11; Linux x86_64) Firefox/127.0', 'Googlebot/2.1 (+http://www.google.com/bot.html)', 'HeadlessChrome/126', 'curl/8', '', '\u00ff\u00fe'];

function randomString(r: Rng): string {
  if (r.next() < 0.6) return r.pick(STRINGS);
  const n = r.int(40);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(r.next() < 0.9 ? 32 + r.int(95) : r.int(0x10000));
  return s;
}

function randomJson(r: Rng, depth = 0): unknown {
  const roll = r.next();
  if (depth > 5 || roll < 0.35) {
    const leaf = r.int(5);
    return leaf === 0 ? randomString(r) : leaf === 1 ? r.pick(NUMBERS) : leaf === 2 ? r.next() < 0.5 : leaf === 3 ? null : r.int(1000);
  }
  if (roll < 0.6) return Array.from({ length: r.int(5) }, () => randomJson(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = r.int(6); i > 0; i--) o[randomString(r)] = randomJson(r, depth + 1);
  return o;
}

function message(r: Rng): Record<string, unknown> {
  const type = r.pick(['track', 'track', 'identify', 'page', 'screen', 'group', 'alias', 'Track', '', 'x']);
  const m: Record<string, unknown> = {
    type,
    messageId: r.next() < 0.8 ? `fz-${r.int(1e9)}` : randomJson(r),
    userId: r.next() < 0.7 ? r.pick(['u_1', 'u_2', `u_${r.int(100)}`]) : randomJson(r),
    anonymousId: r.next() < 0.5 ? `a-${r.int(1e6)}` : undefined,
    event: r.pick(EVENTS),
    properties: r.next() < 0.8 ? { revenue: r.pick(NUMBERS), sku: randomString(r), nested: randomJson(r) } : randomJson(r),
    timestamp: r.next() < 0.7 ? new Date(Date.now() - r.int(1e10) + r.int(2e9)).toISOString() : randomJson(r),
    context: r.next() < 0.7 ? { traits: { email: randomString(r), phone: randomString(r) }, timezone: randomString(r), userAgent: r.pick(AGENTS), prerendering: r.next() < 0.05 } : randomJson(r),
  };
  if (type === 'group') m.groupId = randomString(r);
  if (type === 'alias') m.previousId = randomString(r);
  if (r.next() < 0.2) m[r.pick(['__proto__', 'constructor', 'prototype'])] = randomJson(r);
  return m;
}

function mutate(r: Rng, text: string): string {
  let s = text;
  for (let i = 1 + r.int(4); i > 0; i--) {
    const at = r.int(s.length + 1);
    switch (r.int(6)) {
      case 0: s = s.slice(0, at) + s.slice(at + 1 + r.int(10)); break;
      case 1: s = s.slice(0, at) + r.pick(['{', '}', '[', ']', '"', ',', ':', '\\', 'null', '1e999', 'NaN', '\u0000', '\ud800']) + s.slice(at); break;
      case 2: s = s.slice(0, at); break;
      case 3: s = s.slice(0, at) + s.slice(at, at + 20).repeat(1 + r.int(5)) + s.slice(at); break;
      case 4: s = s.slice(0, at) + String.fromCharCode(r.int(0x10000)) + s.slice(at + 1); break;
      default: s = s.slice(0, at) + '['.repeat(r.int(100)) + s.slice(at);
    }
  }
  return s;
}

function randomBytes(r: Rng, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = r.int(256);
  return b;
}

export async function gzip(data: Uint8Array | string, format: 'gzip' | 'deflate' = 'gzip'): Promise<Uint8Array> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new CompressionStream(format))).arrayBuffer());
}

export async function fuzzInput(r: Rng): Promise<FuzzInput> {
  const headers: Record<string, string> = {};
  // Mostly acceptable types, so most requests get past the content-type check into the pipeline.
  const ct = r.next() < 0.7 ? r.pick(['application/json', 'text/plain', '']) : r.pick(CONTENT_TYPES);
  if (ct) headers['content-type'] = ct;
  const auth = r.int(10);
  if (auth < 6) headers.authorization = `Basic ${btoa(`${r.pick(WRITE_KEYS)}:`)}`;
  else if (auth === 6) headers.authorization = `Basic ${randomString(r).replace(/[^\x20-\x7e]/g, '')}`;
  else if (auth === 7) headers.authorization = `Basic ${btoa('nope:')}`;
  if (r.next() < 0.3) headers['user-agent'] = r.pick(AGENTS).replace(/[^\x20-\x7e]/g, '?');
  if (r.next() < 0.2) headers.origin = r.pick(['https://shop.example', 'null', 'https://evil.example']);
  if (r.next() < 0.3) headers['cf-connecting-ip'] = r.next() < 0.5 ? `198.51.100.${r.int(256)}` : `2001:db8:${r.int(65536).toString(16)}::${r.int(65536).toString(16)}`;
  if (r.next() < 0.05) headers['sec-purpose'] = 'prefetch;prerender';

  const kinds = ['bytes', 'json', 'batch', 'mutated', 'deep', 'gzip', 'single', 'envelope'] as const;
  const kind = r.pick(kinds);
  let body: Uint8Array | string | null;
  switch (kind) {
    case 'bytes': body = randomBytes(r, r.int(2000)); break;
    case 'json': body = JSON.stringify(randomJson(r)) ?? ''; break;
    case 'batch': body = JSON.stringify({ batch: Array.from({ length: r.int(6) }, () => message(r)), sentAt: r.next() < 0.5 ? new Date().toISOString() : randomJson(r), writeKey: r.next() < 0.3 ? r.pick(WRITE_KEYS) : undefined }); break;
    case 'mutated': body = mutate(r, JSON.stringify({ batch: [message(r), message(r)] })); break;
    case 'deep': {
      const d = r.pick([10, 30, 33, 100, 5000, 100_000]);
      body = r.next() < 0.5 ? `{"batch":[${'['.repeat(d)}${']'.repeat(r.int(d + 1))}]}` : '{"a":'.repeat(Math.min(d, 80_000)) + '1' + '}'.repeat(r.int(d));
      break;
    }
    case 'gzip': {
      const inner = r.next() < 0.6 ? JSON.stringify({ batch: [message(r)] }) : r.next() < 0.5 ? new Uint8Array(r.int(3) === 0 ? 2_000_000 : 1000) : randomBytes(r, 500);
      const z = await gzip(inner, r.next() < 0.8 ? 'gzip' : 'deflate');
      if (r.next() < 0.3) {
        const at = r.int(z.length);
        z[at] = (z[at] ?? 0) ^ (1 << r.int(8));
      }
      body = r.next() < 0.1 ? z.slice(0, r.int(z.length)) : z;
      headers['content-encoding'] = r.pick(['gzip', 'deflate', 'gzip', 'x-gzip']);
      break;
    }
    case 'single': body = JSON.stringify(message(r)); break;
    default: body = JSON.stringify({ ...(randomJson(r) as object), batch: r.next() < 0.5 ? [] : randomJson(r) });
  }
  if (!headers['content-encoding'] && r.next() < 0.1) headers['content-encoding'] = r.pick(ENCODINGS);
  if (r.next() < 0.05) headers['content-length'] = r.pick(['0', '-1', 'abc', '99999999999', '10']);
  const method = r.next() < 0.95 ? 'POST' : r.pick(['GET', 'PUT', 'OPTIONS', 'DELETE', 'PATCH']);
  return { kind, method, path: kind === 'single' ? r.pick(PATHS.slice(3)) : r.pick(PATHS), headers, body: method === 'GET' ? null : body };
}
