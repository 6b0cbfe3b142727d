/**
 * The body cap over real HTTP (wrangler dev): a chunked body with no Content-Length cannot get more
 * than 500 KB into the collector. (Lying Content-Length values are covered in workerd by the corpus.)
 */
import { describe, expect, inject, it } from 'vitest';
import { BROWSER_WRITE_KEY } from '../browser/globalSetup';

const collectorUrl = new URL(inject('collectorUrl'));
const auth = `Basic ${Buffer.from(`${BROWSER_WRITE_KEY}:`).toString('base64')}`;

describe('body cap over HTTP', () => {
  it('a chunked body without Content-Length is cut at 500 KB: 413 body_too_large', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 20) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const res = await fetch(`${collectorUrl.origin}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: 'body_too_large' });
  });
});
