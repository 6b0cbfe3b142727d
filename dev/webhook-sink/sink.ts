/**
 * A strict local double of Slack's and Microsoft Teams' incoming webhooks, for tests, benchmarks and
 * `npm start`: it answers as they do (Slack `200 ok`, Teams `200 1`; a body without a non-empty
 * `text` string is refused as each of them refuses it) and records every alert it receives with the
 * time it arrived. Faults make it fail or hang, as a real webhook can. A fetch-style handler, so
 * workerd tests route the Worker's outbound fetch to it, and server.ts puts it on a loopback port.
 */

export type Flavour = 'slack' | 'teams';

export interface ReceivedAlert {
  /** Epoch ms when the request arrived. */
  at: number;
  flavour: Flavour;
  path: string;
  body: Record<string, unknown>;
  status: number;
}

export interface SinkFault {
  /** Answer with this status (and Slack's/Teams' word for it) instead of accepting. */
  status?: number;
  /** Wait this long before answering (Infinity: until `release()`). */
  delayMs?: number;
  /** How many requests the fault applies to (default: all until cleared). */
  count?: number;
}

export interface WebhookSink {
  received: ReceivedAlert[];
  /** Accepted alerts only. */
  accepted(): ReceivedAlert[];
  fault(fault: SinkFault | null): void;
  /** Lets requests held by an endless delay go (answered as the fault says). */
  release(): void;
  handle(request: Request): Promise<Response>;
  /** Resolves when an accepted alert matches (or after `timeoutMs`, rejecting). */
  waitFor(match: (alert: ReceivedAlert) => boolean, timeoutMs?: number): Promise<ReceivedAlert>;
}

const REFUSAL: Record<Flavour, Record<number, string>> = {
  slack: { 400: 'invalid_payload', 403: 'action_prohibited', 404: 'no_service', 410: 'channel_is_archived', 429: 'rate_limited', 500: 'internal_error', 503: 'service_unavailable' },
  teams: { 400: 'Bad payload received by generic incoming webhook.', 404: 'Not Found', 429: 'Microsoft Teams endpoint has been throttled', 500: 'Webhook message delivery failed', 503: 'Service Unavailable' },
};

/** Paths: `/teams/…` answers as Teams, anything else as Slack (`/services/T…/B…/…`). */
export function createWebhookSink(): WebhookSink {
  const received: ReceivedAlert[] = [];
  const waiters: { match: (a: ReceivedAlert) => boolean; resolve: (a: ReceivedAlert) => void }[] = [];
  let fault: (SinkFault & { left: number }) | null = null;
  let releases: (() => void)[] = [];

  const text = (status: number, body: string, headers: Record<string, string> = {}) => new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } });

  return {
    received,
    accepted: () => received.filter((r) => r.status === 200),
    fault(next) {
      fault = next ? { ...next, left: next.count ?? Infinity } : null;
    },
    release() {
      for (const go of releases.splice(0)) go();
    },
    async handle(request) {
      const at = Date.now();
      const path = new URL(request.url).pathname;
      const flavour: Flavour = path.startsWith('/teams/') ? 'teams' : 'slack';
      if (request.method !== 'POST') return text(405, flavour === 'slack' ? 'invalid_method' : 'Method Not Allowed');
      const active = fault && fault.left > 0 ? fault : null;
      if (active) active.left--;
      if (active?.delayMs) {
        await new Promise<void>((resolve) => {
          if (Number.isFinite(active.delayMs)) setTimeout(resolve, active.delayMs);
          releases.push(resolve);
        });
      }
      let body: unknown;
      try {
        body = JSON.parse(await request.text());
      } catch {
        body = undefined;
      }
      const valid = body !== null && typeof body === 'object' && !Array.isArray(body);
      const hasText = valid && typeof (body as { text?: unknown }).text === 'string' && ((body as { text: string }).text.trim() !== '');
      let status = 200;
      let answer = flavour === 'slack' ? 'ok' : '1';
      if (active?.status) {
        status = active.status;
        answer = REFUSAL[flavour][status] ?? `HTTP ${status}`;
      } else if (!valid) {
        status = 400;
        answer = flavour === 'slack' ? 'invalid_payload' : 'Bad payload received by generic incoming webhook.';
      } else if (!hasText) {
        status = 400;
        answer = flavour === 'slack' ? 'no_text' : 'Summary or Text is required.';
      }
      const alert: ReceivedAlert = { at, flavour, path, body: valid ? (body as Record<string, unknown>) : {}, status };
      received.push(alert);
      if (status === 200) {
        for (const w of waiters.splice(0)) {
          if (w.match(alert)) w.resolve(alert);
          else waiters.push(w);
        }
      }
      return text(status, answer, status === 429 ? { 'retry-after': '30' } : {});
    },
    waitFor(match, timeoutMs = 10_000) {
      const found = received.find((r) => r.status === 200 && match(r));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve: (a: ReceivedAlert) => (clearTimeout(timer), resolve(a)) };
        const timer = setTimeout(() => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) waiters.splice(i, 1);
          reject(new Error(`no matching alert within ${timeoutMs} ms (received ${received.length})`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
  };
}
