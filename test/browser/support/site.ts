/**
 * A website for the tag tests, on a free loopback port: it serves test pages that embed the
 * README's snippet (and a single-page app under /app/, support/spa.ts), and passes the tag file,
 * the tag's ingest requests and its segment reads through to the real collector (`wrangler dev`)
 * — as a site's own domain routes `/s.js`, `/i` and `/v1/segments` to the Worker.
 *
 * Being the hop in front of the collector, it records every ingest request the browser made
 * (beacons and keepalive fetches included, even after the page is gone) with the answer it got,
 * and it can play an edge fault: answer 503 (or any status), or cut the connection, instead of
 * forwarding. Our own code — tag and collector — is never replaced.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { snippet } from '../../../tag/snippet';
import { TAG_AUTOPAGE_SOURCE, TAG_SOURCE } from '../../../worker/site/tagBundle.generated';
import { spaPage, spaSnippet } from './spa';

export const SITE_WRITE_KEY = 'browser-write-key';

export interface SentMessage {
  type: string;
  messageId: string;
  anonymousId?: string;
  userId?: string;
  event?: string;
  name?: string;
  previousId?: string;
  groupId?: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  context?: Record<string, unknown> & { traits?: Record<string, unknown>; page?: Record<string, unknown>; campaign?: Record<string, unknown> };
  timestamp: string;
  sentAt?: string;
}

export interface IngestRequest {
  at: number;
  /** What the browser got back: the collector's status, the fault's, or 0 for a cut connection. */
  status: number;
  forwarded: boolean;
  bytes: number;
  contentType: string;
  body: { writeKey?: string; sentAt?: string; batch?: SentMessage[] };
}

/** A fault at the site's edge: answer this status without forwarding, or cut the connection. */
export type Fault = number | 'cut' | undefined;

export interface Site {
  url: string;
  port: number;
  ingests: IngestRequest[];
  /** `METHOD /path` of every request the site got, in order (to show e.g. that no CORS preflight happened). */
  requests: string[];
  fault: { ingest: Fault; script: Fault; scriptDelayMs: number };
  /**
   * Which build `/s.js` is: the collector's answer (the segments build: the test collector reads
   * segments), or the core build as a collector without SEGMENTS_IDENTITY_SECRET serves it
   * (either with autoPage for `/s.js?autopage`).
   */
  tagBuild: 'collector' | 'core';
  /** Every message of every recorded request, in arrival order, with its request's status. */
  messages(): (SentMessage & { status: number })[];
  /** Forgets what was recorded and plays no fault: each test starts from a clean edge. */
  reset(): void;
  /** Resolves once no request is in flight and none arrived for `ms` since the call (at most `maxMs`). */
  quiet(ms: number, maxMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface PageOptions {
  global?: string;
  consent?: 'pending';
  /** JavaScript run right after the snippet, before the tag has loaded. */
  script?: string;
  title?: string;
}

/** The test page URL path for these options. */
export function pagePath(options: PageOptions = {}): string {
  const params = new URLSearchParams(Object.entries(options).filter((e): e is [string, string] => typeof e[1] === 'string'));
  return `/p?${params}`;
}

function page(url: URL): string {
  const global = url.searchParams.get('global') ?? 'tag';
  const consent = url.searchParams.get('consent') === 'pending' ? ('pending' as const) : undefined;
  const embed = snippet({ src: '/s.js', writeKey: SITE_WRITE_KEY, global, consent });
  return `<!doctype html><html><head><meta charset="utf-8"><title>${url.searchParams.get('title') ?? 'tag test page'}</title>
<script>
${embed}
${url.searchParams.get('script') ?? ''}
</script></head><body>
<a id="away" href="/blank">leave</a> <a id="next" href="${pagePath({ global: url.searchParams.get('global') ?? undefined })}">next page</a>
</body></html>`;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startSite(collectorUrl: string): Promise<Site> {
  const ingests: IngestRequest[] = [];
  const requests: string[] = [];
  const fault: Site['fault'] = { ingest: undefined, script: undefined, scriptDelayMs: 0 };

  const applyFault = (res: ServerResponse, f: Fault): boolean => {
    if (f === undefined) return false;
    if (f === 'cut') res.socket?.destroy();
    else res.writeHead(f, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'edge_fault', detail: `the test site answered ${f}` }));
    return true;
  };

  let inFlight = 0;
  let lastActivity = 0;
  const server = createServer(async (req, res) => {
    inFlight++;
    lastActivity = Date.now();
    res.on('close', () => {
      inFlight--;
      lastActivity = Date.now();
    });
    const url = new URL(req.url ?? '/', 'http://site.test');
    requests.push(`${req.method} ${url.pathname}`);
    try {
      if (req.method === 'GET' && url.pathname === '/p') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page(url));
      } else if (req.method === 'GET' && (url.pathname === '/app' || url.pathname.startsWith('/app/'))) {
        // A single-page app (support/spa.ts): every path is the same document, routed in the browser.
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(spaPage(spaSnippet(SITE_WRITE_KEY)));
      } else if (req.method === 'GET' && url.pathname === '/blank') {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>elsewhere</title><p>no tag here</p>');
      } else if (req.method === 'GET' && url.pathname === '/s.js') {
        if (fault.scriptDelayMs) await new Promise((r) => setTimeout(r, fault.scriptDelayMs));
        if (applyFault(res, fault.script)) return;
        if (site.tagBuild === 'core') {
          // What the collector's tagScript() serves without SEGMENTS_IDENTITY_SECRET (INGEST_PATH /i).
          const source = url.searchParams.has('autopage') ? TAG_AUTOPAGE_SOURCE : TAG_SOURCE;
          res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' }).end(source.split('__EDGETAG_INGEST_PATH__').join('/i'));
          return;
        }
        const upstream = await fetch(`${collectorUrl}/s.js${url.search}`);
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/javascript', 'cache-control': 'no-store' }).end(await upstream.text());
      } else if (req.method === 'POST' && url.pathname === '/i') {
        const body = await readAll(req);
        const record: IngestRequest = {
          at: Date.now(),
          status: 0,
          forwarded: false,
          bytes: body.byteLength,
          contentType: req.headers['content-type'] ?? '',
          body: JSON.parse(body.toString('utf8')),
        };
        ingests.push(record);
        if (applyFault(res, fault.ingest)) {
          record.status = fault.ingest === 'cut' ? 0 : (fault.ingest as number);
          return;
        }
        const upstream = await fetch(`${collectorUrl}/i`, { method: 'POST', body: body.toString('utf8'), headers: { 'content-type': record.contentType } });
        record.forwarded = true;
        record.status = upstream.status;
        res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
      } else if (req.method === 'GET' && url.pathname === '/v1/segments') {
        const upstream = await fetch(`${collectorUrl}/v1/segments${url.search}`);
        const headers: Record<string, string> = {};
        for (const name of ['content-type', 'cache-control', 'x-edgetag-cache']) {
          const value = upstream.headers.get(name);
          if (value !== null) headers[name] = value;
        }
        res.writeHead(upstream.status, headers).end(await upstream.text());
      } else {
        res.writeHead(404).end();
      }
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const site: Site = {
    url: `http://127.0.0.1:${port}`,
    port,
    ingests,
    requests,
    fault,
    tagBuild: 'collector',
    messages: () => ingests.flatMap((r) => (r.body.batch ?? []).map((m) => ({ ...m, status: r.status }))),
    reset() {
      ingests.length = 0;
      requests.length = 0;
      Object.assign(fault, { ingest: undefined, script: undefined, scriptDelayMs: 0 });
      site.tagBuild = 'collector';
    },
    async quiet(ms, maxMs = 3_000) {
      const since = Date.now(); // what arrives just after the call counts too
      const deadline = since + maxMs;
      while (Date.now() < deadline && (inFlight > 0 || Date.now() - Math.max(lastActivity, since) < ms)) await new Promise((r) => setTimeout(r, 25));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return site;
}
