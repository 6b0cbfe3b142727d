/**
 * Structured logs (docs/operations.md "Logs"): one JSON object per line, which `wrangler tail`,
 * Workers Logs and Logpush keep as fields. What goes in is decided by the callers' builders below
 * and is the same everywhere: codes, counts, sizes, durations and hosts. Never a body, a user's id,
 * email or phone, a client address, a key, a token or a webhook URL (SECURITY.md), so there is
 * nothing to mask: personal data is left out, not redacted.
 */

export type Level = 'info' | 'warn' | 'error';

export type LogFields = Record<string, string | number | boolean | null | undefined | Record<string, number>>;

/** The line as written: `{"level", "msg", "at", …fields}` (undefined fields left out). */
export function formatLine(level: Level, msg: string, fields: LogFields, at = Date.now()): string {
  return JSON.stringify({ level, msg, at: new Date(at).toISOString(), ...fields });
}

export function logLine(level: Level, msg: string, fields: LogFields): void {
  const line = formatLine(level, msg, fields);
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}
