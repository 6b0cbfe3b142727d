/**
 * edgetag browser tag (foundation slice): reads the snippet's stub, replays queued calls, batches
 * messages and posts them first-party as text/plain (no CORS preflight) with keepalive.
 */
declare const __INGEST_PATH__: string;

type Props = Record<string, unknown>;
interface Stub {
  q?: [string, unknown[]][];
  k?: string;
}

const VERSION = '0.1.0';
const FLUSH_MS = 1000;
const FLUSH_AT = 20;

const script = document.currentScript as HTMLScriptElement | null;
const globalName = script?.getAttribute('data-global') || 'tag';
const endpoint = new URL(__INGEST_PATH__, script?.src || location.href).href;
const stub = ((window as unknown as Record<string, Stub | undefined>)[globalName] ?? {}) as Stub;
const writeKey = stub.k ?? '';

const ls = (key: string, value?: string): string | null => {
  try {
    if (value !== undefined) localStorage.setItem(key, value);
    return localStorage.getItem(key);
  } catch {
    return value ?? null;
  }
};
const uuid = (): string => crypto.randomUUID();
const anonymousId = ls('et_aid') || ls('et_aid', uuid()) || uuid();
let userId: string | null = ls('et_uid');
let traits: Props = JSON.parse(ls('et_traits') || '{}') as Props;

let buffer: Props[] = [];
let timer: ReturnType<typeof setTimeout> | undefined;

function send(beacon = false): void {
  clearTimeout(timer);
  timer = undefined;
  if (!buffer.length) return;
  const body = JSON.stringify({ writeKey, sentAt: new Date().toISOString(), batch: buffer });
  buffer = [];
  if (beacon && navigator.sendBeacon?.(endpoint, new Blob([body], { type: 'text/plain' }))) return;
  fetch(endpoint, { method: 'POST', body, keepalive: true, headers: { 'content-type': 'text/plain' } }).catch(() => {});
}

function enqueue(type: string, fields: Props): void {
  buffer.push({
    type,
    messageId: uuid(),
    anonymousId,
    userId,
    timestamp: new Date().toISOString(),
    context: {
      traits,
      page: { url: location.href, path: location.pathname, title: document.title, referrer: document.referrer, search: location.search },
      userAgent: navigator.userAgent,
      locale: navigator.language,
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      library: { name: 'edgetag', version: VERSION },
    },
    ...fields,
  });
  if (buffer.length >= FLUSH_AT) send();
  else timer ??= setTimeout(send, FLUSH_MS);
}

const api = {
  track(event: string, properties: Props = {}) {
    if (typeof event === 'string' && event) enqueue('track', { event, properties });
  },
  page(name?: string, properties: Props = {}) {
    enqueue('page', { name, properties: { url: location.href, path: location.pathname, title: document.title, referrer: document.referrer, search: location.search, ...properties } });
  },
  identify(id?: string, newTraits: Props = {}) {
    if (id) userId = ls('et_uid', String(id));
    traits = { ...traits, ...newTraits };
    ls('et_traits', JSON.stringify(traits));
    enqueue('identify', { traits: newTraits });
  },
  user: () => ({ anonymousId, userId }),
};

addEventListener('pagehide', () => send(true));
addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && send(true));

for (const [method, args] of stub.q ?? []) (api as unknown as Record<string, (...a: unknown[]) => void>)[method]?.(...args);
(window as unknown as Record<string, unknown>)[globalName] = api;
