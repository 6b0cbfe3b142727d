/**
 * Node-only HTTP front for the MoEngage sandbox, for `npm start` and for end-to-end tests that need a
 * real socket. Run directly with `npx tsx dev/moengage-sandbox/server.ts` (port from SANDBOX_PORT, default 8788).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMoEngageSandbox, type MoEngageSandbox, type SandboxOptions } from './moengage';
import { failureBody } from './responses';

/**
 * The sandbox itself refuses anything over 128 KB, but it needs the whole body to say so after
 * checking auth first (as MoEngage does). Beyond this cap the adapter stops reading and answers 413
 * itself, so a runaway client cannot make the process buffer without limit. Such requests are not
 * recorded by the sandbox.
 */
export const MAX_UPLOAD_BYTES = 4 * 1024 * 1024;

export interface SandboxServerOptions extends SandboxOptions {
  port?: number;
  host?: string;
  maxUploadBytes?: number;
}

export interface SandboxServer {
  url: string;
  port: number;
  sandbox: MoEngageSandbox;
  close(): Promise<void>;
}

/** Resolves with the body, or null once it exceeds `cap` (the rest is left unread). */
function readBody(req: IncomingMessage, cap: number): Promise<Uint8Array | null> {
  if (Number(req.headers['content-length'] ?? 0) > cap) return Promise.resolve(null);
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      total += chunk.length;
      if (total > cap) {
        settled = true;
        req.pause();
        resolveBody(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!settled) {
        settled = true;
        resolveBody(new Uint8Array(Buffer.concat(chunks)));
      }
    });
    req.on('error', (err) => {
      if (!settled) {
        settled = true;
        reject(err);
      }
    });
  });
}

function toRequest(req: IncomingMessage, body: Uint8Array, fallbackHost: string): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? fallbackHost}`);
  return new Request(url, { method, headers, body: method === 'GET' || method === 'HEAD' ? null : (body as BodyInit) });
}

/**
 * Streams the answer with backpressure; when the client hangs up (it gave up on a huge or endless
 * body), the body is cancelled, so an endless fault body stops with its reader.
 */
async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(response.status, headers);
  if (response.body) {
    const reader = response.body.getReader();
    let gone = false;
    const hangUp = new Promise<void>((done) =>
      res.once('close', () => {
        gone = true;
        done();
      }),
    );
    for (;;) {
      const next = await Promise.race([reader.read(), hangUp.then(() => null)]);
      if (gone || next === null) {
        await reader.cancel().catch(() => undefined);
        return;
      }
      if (next.done) break;
      if (!res.write(next.value)) await Promise.race([new Promise((drained) => res.once('drain', drained)), hangUp]);
    }
  }
  res.end();
}

function sendTooLarge(res: ServerResponse, cap: number): void {
  const body = failureBody('PayloadTooLargeError', `Request body exceeds ${cap} bytes.`, crypto.randomUUID());
  res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify(body));
}

export function startSandboxServer(options: SandboxServerOptions = {}): Promise<SandboxServer> {
  const { port = 0, host = '127.0.0.1', maxUploadBytes = MAX_UPLOAD_BYTES, ...sandboxOptions } = options;
  const sandbox = createMoEngageSandbox(sandboxOptions);

  const server = createServer((req, res) => {
    void (async () => {
      try {
        const body = await readBody(req, maxUploadBytes);
        if (body === null) {
          res.on('finish', () => req.destroy());
          sendTooLarge(res, maxUploadBytes);
          return;
        }
        await writeResponse(await sandbox.handle(toRequest(req, body, host)), res);
      } catch (err) {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `sandbox adapter failed: ${(err as Error).message}` }));
      }
    })();
  });

  return new Promise((resolveServer, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      resolveServer({
        url: `http://${urlHost}:${actualPort}`,
        port: actualPort,
        sandbox,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}

const runDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;

if (runDirectly) {
  const port = Number(process.env.SANDBOX_PORT ?? 8788);
  const host = process.env.SANDBOX_HOST ?? '127.0.0.1';
  const { url, close } = await startSandboxServer({ port, host });
  console.log(`MoEngage sandbox listening on ${url}`);
  console.log(`  API:       POST ${url}/v1/event/demo-workspace  (Basic demo-workspace:demo-data-api-key)`);
  console.log(`  Inspector: ${url}/_sandbox/`);
  const stop = () => {
    void close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
