/**
 * Node-only HTTP front for the webhook double (sink.ts), on a loopback port: what `wrangler dev`
 * posts alerts to in the browser tests and the alert benchmark. `GET /_alerts` lists what arrived.
 */
import { createServer } from 'node:http';
import { createWebhookSink, type WebhookSink } from './sink';

export interface SinkServer {
  url: string;
  sink: WebhookSink;
  close(): Promise<void>;
}

const MAX_BODY = 256 * 1024;

export function startWebhookSink(options: { port?: number } = {}): Promise<SinkServer> {
  const sink = createWebhookSink();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      void (async () => {
        if (req.method === 'GET' && req.url === '/_alerts') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(sink.received));
          return;
        }
        const request = new Request(`http://127.0.0.1${req.url ?? '/'}`, {
          method: req.method,
          headers: { 'content-type': String(req.headers['content-type'] ?? '') },
          body: req.method === 'GET' || req.method === 'HEAD' ? null : Buffer.concat(chunks),
        });
        const response = await sink.handle(request);
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(await response.text());
      })();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}`,
        sink,
        close: () =>
          new Promise<void>((done) => {
            sink.release();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
