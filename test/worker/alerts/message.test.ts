/** What a webhook receives (worker/alerts/message.ts), the retry plan and the settings: tables. */
import { describe, expect, it } from 'vitest';
import { alertBody } from '../../../worker/alerts/message';
import type { Change } from '../../../worker/alerts/transitions';
import { nextAttemptAt, webhookHost } from '../../../worker/alerts/webhook';
import { readAlertSettings } from '../../../worker/config/alerts';
import { ConfigError } from '../../../worker/config/ConfigError';

const T = Date.UTC(2031, 0, 6, 9, 30, 0);
const ctx = { id: 'shop-7', connection: 'shop', collectorUrl: 'https://t.example.com' };

describe('alertBody: `text` for Slack and Teams, structured fields for everything else', () => {
  const cases: { change: Change; text: string }[] = [
    {
      change: { kind: 'paused', state: 'firing', at: T, since: T, facts: { reason: 'moengage_unauthorized', detail: 'HTTP 401 — check the key, then resume', waiting: 1234 } },
      text: '🔴 edgetag · shop: delivery paused: HTTP 401 — check the key, then resume; 1,234 events waiting https://t.example.com/debugger#connection=shop&status=paused',
    },
    {
      change: { kind: 'paused', state: 'resolved', at: T + 720_000, since: T, facts: {} },
      text: '✅ edgetag · shop: delivery resumed after 12 min paused https://t.example.com/debugger#connection=shop&status=paused',
    },
    {
      change: { kind: 'dead_letters', state: 'firing', at: T, since: T, facts: { count: 3, threshold: 1, windowMinutes: 10 } },
      text: '🔴 edgetag · shop: 3 events dead-lettered in the last 10 minutes https://t.example.com/debugger#connection=shop&status=dead&since=15m',
    },
    {
      change: { kind: 'backlog_age', state: 'firing', at: T, since: T, facts: { oldestAgeMinutes: 17, thresholdMinutes: 15, waiting: 40 } },
      text: '🟠 edgetag · shop: oldest queued event is 17 min old (alert at 15 min); 40 events waiting https://t.example.com/debugger#connection=shop&status=queued',
    },
    {
      change: { kind: 'backlog_size', state: 'firing', at: T, since: T, facts: { waiting: 415_000, maxBacklogEvents: 500_000, percent: 83 } },
      text: '🔴 edgetag · shop: backlog at 83 % of MAX_BACKLOG_EVENTS (415,000 of 500,000); at 100 % ingest answers 503 backlog_full https://t.example.com/debugger#connection=shop&status=queued',
    },
    {
      change: { kind: 'rate_limited', state: 'firing', at: T, since: T, facts: { until: '2031-01-06T09:31:00.000Z', waiting: 9 } },
      text: '🟠 edgetag · shop: MoEngage imposed a rate-limit wait until 09:31:00 UTC; 9 events waiting https://t.example.com/debugger#connection=shop&status=queued',
    },
    {
      change: { kind: 'rate_limited', state: 'resolved', at: T + 45_000, since: T, facts: {} },
      text: "✅ edgetag · shop: MoEngage's rate-limit wait is over (after 45 s) https://t.example.com/debugger#connection=shop&status=queued",
    },
  ];
  it.each(cases)('$change.kind $change.state', ({ change, text }) => {
    const body = alertBody(change, ctx);
    expect(body.text).toBe(text);
    expect(body).toMatchObject({ source: 'edgetag', id: 'shop-7', connection: 'shop', alert: change.kind, state: change.state, facts: change.facts, at: new Date(change.at).toISOString(), startedAt: new Date(change.since).toISOString() });
    expect(body.text.endsWith(` edgetag · shop: ${body.summary} ${body.link}`)).toBe(true);
  });

  it('without COLLECTOR_URL the link is the debugger path', () => {
    expect(alertBody(cases[0]!.change, { ...ctx, collectorUrl: undefined }).link).toBe('/debugger#connection=shop&status=paused');
  });
});

describe('webhook retries', () => {
  const failed = (status: number, retryAfterMs?: number) => ({ status, durationMs: 5, error: `HTTP ${status}`, ...(retryAfterMs ? { retryAfterMs } : {}) });
  it.each([
    { result: failed(500), attempts: 1, next: 10_000 },
    { result: failed(0), attempts: 2, next: 30_000 },
    { result: failed(503), attempts: 8, next: 1_800_000 },
    { result: failed(503), attempts: 9, next: null },
    { result: failed(429, 90_000), attempts: 1, next: 90_000 },
    { result: failed(408), attempts: 1, next: 10_000 },
    { result: failed(404), attempts: 1, next: null },
    { result: failed(410), attempts: 1, next: null },
    { result: failed(400), attempts: 1, next: null },
    { result: failed(302), attempts: 1, next: null },
  ])('HTTP $result.status after $attempts attempt(s) → $next', ({ result, attempts, next }) => {
    expect(nextAttemptAt(result, attempts, 0)).toBe(next);
  });

  it('only the host of a webhook is ever shown', () => {
    expect(webhookHost('https://hooks.slack.com/services/T000/B000/XXXXSECRET')).toBe('hooks.slack.com');
    expect(webhookHost('https://example.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456')).toBe('example.webhook.office.com');
  });
});

describe('alert settings', () => {
  it('defaults: no webhook, 1 dead letter, 15 minutes', () => {
    expect(readAlertSettings({})).toEqual({ webhooks: [], deadLetters: 1, backlogMinutes: 15, collectorUrl: undefined });
  });

  it('a comma list of webhooks, thresholds, the collector URL without its trailing slash', () => {
    expect(
      readAlertSettings({ ALERT_WEBHOOK_URL: ' https://hooks.slack.com/services/a , https://x.webhook.office.com/b ', ALERT_DEAD_LETTERS: '5', ALERT_BACKLOG_MINUTES: '2.5', COLLECTOR_URL: 'https://t.example.com/' }),
    ).toEqual({ webhooks: ['https://hooks.slack.com/services/a', 'https://x.webhook.office.com/b'], deadLetters: 5, backlogMinutes: 2.5, collectorUrl: 'https://t.example.com' });
  });

  it.each([
    ['ALERT_WEBHOOK_URL', { ALERT_WEBHOOK_URL: 'https://ok.example/a,http://hooks.example/very-secret-path' }, 'entry 2 of 2 must be an https:// URL without credentials'],
    ['ALERT_WEBHOOK_URL', { ALERT_WEBHOOK_URL: 'https://user:very-secret-path@hooks.example/x' }, 'entry 1 of 1 must be an https:// URL without credentials'],
    ['ALERT_DEAD_LETTERS', { ALERT_DEAD_LETTERS: '0' }, 'must be a whole number above 0'],
    ['ALERT_BACKLOG_MINUTES', { ALERT_BACKLOG_MINUTES: 'soon' }, 'must be a number above 0'],
    ['COLLECTOR_URL', { COLLECTOR_URL: 't.example.com' }, "must be the collector's URL, like https://t.example.com"],
  ])('%s malformed: named, never echoed', (setting, settings, problem) => {
    let error: unknown;
    try {
      readAlertSettings(settings);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(`${setting}: ${problem}`);
    expect((error as ConfigError).message).not.toContain('very-secret-path');
  });

  it('plain http only for hosts that stay on the machine or in a test', () => {
    expect(readAlertSettings({ ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/x,http://localhost/y,http://hooks.webhook.test/z' }).webhooks).toHaveLength(3);
  });
});
