/**
 * Aborted uploads over real TCP against `wrangler dev`: a client declares a Content-Length, sends
 * part of the body and closes (half-close or reset). The Worker counts each as `400 incomplete_body`
 * in its rejection log (or the segment-sync journal) and logs no "unhandled" error. Its own
 * collector, so its output can be read.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCollector, startCollector } from '../../scripts/collector';

const WRITE_KEY = 'aborted-write-key';
const TOKEN = 'aborted-debugger-token';
const SYNC = { user: 'aborted-moengage', password: 'aborted-sync-password' };
let collector: RunningCollector;
let state: string;

beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), 'edgetag-aborted-'));
  collector = await startCollector({
    stdio: 'pipe',
    persistTo: state,
    vars: { MOENGAGE_API_BASE: 'http://127.0.0.1:9', MOENGAGE_WORKSPACE_ID: 'aborted-ws', WRITE_KEYS: WRITE_KEY, INGEST_RATE_PER_IP: '0' },
    secrets: { MOENGAGE_DATA_API_KEY: 'aborted-key', DEBUGGER_TOKEN: TOKEN, SEGMENT_SYNC_USERNAME: SYNC.user, SEGMENT_SYNC_PASSWORD: SYNC.password },
  });
});
afterAll(async () => {
  await collector?.stop();
  await rm(state, { recursive: true, force: true });
});

/** Sends the head and part of a body, then closes: `end` half-closes (FIN), `destroy` resets. */
function partialUpload(path: string, authorization: string, how: 'end' | 'destroy'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(collector.port, '127.0.0.1', () => {
      socket.write(
        [`POST ${path} HTTP/1.1`, `Host: 127.0.0.1:${collector.port}`, 'Content-Type: application/json', 'Content-Length: 4096', `Authorization: ${authorization}`, '', ''].join('\r\n'),
      );
      socket.write('{"batch":[{"type":"track","event":"Order Comp');
      setTimeout(() => (how === 'end' ? socket.end() : socket.destroy()), 200);
    });
    let answer = '';
    socket.on('data', (d) => (answer += d));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

const basic = (user: string, password = '') => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const api = async <T>(path: string): Promise<T> => (await fetch(`${collector.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json() as Promise<T>;

async function eventually<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('aborted uploads over TCP', () => {
  it('ingest: half-closed and reset uploads are counted as incomplete_body; no 500, no "unhandled" line', async () => {
    // What the vanished client would read is up to the proxy in front of workerd (`wrangler dev`
    // answers its own 503 "worker restarted mid-request"; Cloudflare's edge has its own): what is
    // ours is what the Worker made of it, below.
    await partialUpload('/v1/batch', basic(WRITE_KEY), 'end');
    await partialUpload('/v1/batch', basic(WRITE_KEY), 'destroy');
    const counted = await eventually(async () => {
      const log = await api<{ counts: { error: string; status: number; count: number }[] }>('/debugger/api/rejections');
      const entry = log.counts.find((c) => c.error === 'incomplete_body');
      return entry && entry.count >= 2 ? entry : undefined;
    }, 'two incomplete_body rejections');
    expect(counted).toMatchObject({ status: 400, count: 2 });
    const log = await api<{ counts: { error: string }[] }>('/debugger/api/rejections');
    expect(log.counts.map((c) => c.error)).not.toContain('internal_error');
    expect(collector.output()).not.toMatch(/unhandled/i);
  });

  it('segment sync: the same, in the sync journal', async () => {
    await partialUpload('/v1/moengage/segment-sync', basic(SYNC.user, SYNC.password), 'end');
    await partialUpload('/v1/moengage/segment-sync', basic(SYNC.user, SYNC.password), 'destroy');
    const errors = await eventually(async () => {
      const overview = await api<{ errors: { status: number; error: string }[] }>('/debugger/api/segments');
      const incomplete = overview.errors.filter((e) => e.error === 'incomplete_body');
      return incomplete.length >= 2 ? overview.errors : undefined;
    }, 'two incomplete_body journal errors');
    expect(errors.filter((e) => e.status >= 500)).toEqual([]);
    expect(collector.output()).not.toMatch(/unhandled/i);
  });
});
