import { env, exports } from 'cloudflare:workers';
import { runDurableObjectAlarm } from 'cloudflare:test';
import { assertNoSecrets } from './secrets';

export const WRITE_KEY = 'test-write-key';

export function basic(user: string, password = ''): string {
  return `Basic ${btoa(`${user}:${password}`)}`;
}

/** POSTs to the collector exactly as a client would (through the Worker's fetch handler). */
export async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const response = await exports.default.fetch(
    new Request(`http://collector.test${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic(WRITE_KEY), ...headers },
      body: typeof body === 'string' || body instanceof ReadableStream ? body : JSON.stringify(body),
    }),
  );
  await assertNoSecrets(response, `POST ${path}`);
  return response;
}

/** Every response is checked for secret values (support/secrets.ts). */
export async function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  const response = await exports.default.fetch(new Request(`http://collector.test${path}`, { headers }));
  await assertNoSecrets(response, `GET ${path}`);
  return response;
}

export function queue(connection = 'default') {
  return env.DELIVERY_QUEUE.getByName(connection);
}

/** Runs the connection's pending alarm (a flush) now. */
export function flush(connection = 'default'): Promise<boolean> {
  return runDurableObjectAlarm(queue(connection));
}

export const DEBUGGER_TOKEN = 'test-debugger-token';

/** One event's record as the debugger API shows it (null when unknown); `reveal` unmasks its emails and phones. */
export async function debuggerEvent(messageId: string, options: { reveal?: boolean } = {}): Promise<Record<string, any> | null> {
  const res = await get(`/debugger/api/journey?messageId=${encodeURIComponent(messageId)}${options.reveal ? '&reveal=pii' : ''}`, { authorization: `Bearer ${DEBUGGER_TOKEN}` });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`debugger answered ${res.status}: ${await res.text()}`);
  return res.json();
}
