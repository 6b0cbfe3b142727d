import { ConfigError } from './ConfigError';
import type { SettingName, Settings } from './settings';

/**
 * Delivery alerts (docs/operations.md "Alerts"): where to send them and when a condition counts as
 * one. Read on their own from the settings (the alerts Durable Object needs nothing else), and as
 * part of the whole config so a malformed value is reported like any other (503 misconfigured,
 * naming the setting, never its value: webhook URLs are secrets).
 */
export interface AlertSettings {
  /** Incoming webhooks (Slack, Microsoft Teams, anything that takes JSON with a `text`). */
  webhooks: string[];
  /** Dead letters within DEAD_LETTER_WINDOW_MS that raise the alert. */
  deadLetters: number;
  /** Age of the oldest queued event that raises the alert. */
  backlogMinutes: number;
  /** The collector's public URL, for the debugger links in alerts; unset → links are paths. */
  collectorUrl: string | undefined;
}

export const ALERT_DEFAULTS = { deadLetters: 1, backlogMinutes: 15 } as const;
export const DEAD_LETTER_WINDOW_MS = 10 * 60_000;

const text = (settings: Settings, name: SettingName): string | undefined => {
  const v = settings[name];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
};

/** https only, except hosts that never leave the machine or a test (loopback, `.localhost`, `.test`). */
function isAllowedUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol === 'https:') return true;
  const host = url.hostname;
  return url.protocol === 'http:' && (host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host.endsWith('.localhost') || host.endsWith('.test'));
}

function positive(settings: Settings, name: SettingName, fallback: number, whole: boolean): number {
  const raw = text(settings, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (whole && !Number.isInteger(n))) throw new ConfigError(name, [`must be a ${whole ? 'whole ' : ''}number above 0`]);
  return n;
}

export function readAlertSettings(settings: Settings): AlertSettings {
  const webhooks = (text(settings, 'ALERT_WEBHOOK_URL') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = webhooks.map((url, i) => (isAllowedUrl(url) ? null : i + 1)).filter((i) => i !== null);
  if (bad.length) {
    // Which entries, never what they say.
    throw new ConfigError('ALERT_WEBHOOK_URL', [`entr${bad.length > 1 ? 'ies' : 'y'} ${bad.join(', ')} of ${webhooks.length} must be an https:// URL without credentials`]);
  }
  const collectorUrl = text(settings, 'COLLECTOR_URL');
  if (collectorUrl !== undefined && !/^https?:\/\/[^/]+/.test(collectorUrl)) throw new ConfigError('COLLECTOR_URL', ['must be the collector\'s URL, like https://t.example.com']);
  return {
    webhooks,
    deadLetters: positive(settings, 'ALERT_DEAD_LETTERS', ALERT_DEFAULTS.deadLetters, true),
    backlogMinutes: positive(settings, 'ALERT_BACKLOG_MINUTES', ALERT_DEFAULTS.backlogMinutes, false),
    collectorUrl: collectorUrl?.replace(/\/+$/, ''),
  };
}
