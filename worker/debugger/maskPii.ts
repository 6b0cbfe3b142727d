/**
 * Personal data in what the debugger shows (raw messages, mapped payloads, MoEngage requests and
 * answers, reasons): masked by default, so a screen share or a support ticket does not leak a
 * customer's email or phone. The debugger API reveals one event at a time (`?reveal=pii`).
 *
 * - Values under an email key (`email`, `u_em`, `work_email`…) keep their first character and
 *   domain: `jane@example.com` → `j***@example.com`.
 * - Values under a phone key (`phone`, `mobile`, `u_mb`, `tel`…) keep a `+`, the first two and the
 *   last three digits: `+447700900123` → `+44*******123`.
 * - Anything else that contains an email address or an international phone number (`+` and 8–15
 *   digits) has it masked: a userId that is an email or a phone, a value quoted in MoEngage's error.
 * - Why an email or phone was left out (`invalid_email`, `invalid_phone`) quotes the value: the
 *   quoted part is masked.
 * Pure; the input is not modified.
 */

export type PiiKind = 'email' | 'phone';

/** Field names that hold an email or a phone number, however a site spells them. */
export function piiKindOf(key: string): PiiKind | null {
  const k = key.toLowerCase();
  if (k === 'u_em' || k === 'mail' || /e[-_]?mail/.test(k)) return 'email';
  if (k === 'u_mb' || k.startsWith('u_mb_') || /phone|mobile|msisdn|^tel$|^telephone$|^cell$/.test(k)) return 'phone';
  return null;
}

const EMAIL_IN_TEXT = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const PII_OMISSIONS = new Set(['invalid_email', 'invalid_phone']);

export function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  if (at <= 0) return maskText(value);
  return `${value[0]}***${value.slice(at)}`;
}

export function maskPhone(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 6) return maskText(value);
  const plus = value.trim().startsWith('+') ? '+' : '';
  return `${plus}${digits.slice(0, 2)}${'*'.repeat(digits.length - 5)}${digits.slice(-3)}`;
}

/** What is not shaped like an email or a phone: its first character. */
export function maskText(value: string): string {
  return value.length <= 1 ? '*' : `${value[0]}***`;
}

function maskAs(kind: PiiKind, value: string): string {
  return kind === 'email' ? maskEmail(value) : maskPhone(value);
}

/** `+`, then 8–15 digits, optionally grouped by spaces, dots, dashes or brackets (E.164 as people write it). */
const PHONE_IN_TEXT = /\+[1-9](?:[ .()-]{0,2}\d){7,14}(?!\d)/g;

/** Masks email addresses and international phone numbers inside free text. */
export function maskPiiInText(text: string): string {
  return text.replace(EMAIL_IN_TEXT, (email) => maskEmail(email)).replace(PHONE_IN_TEXT, (phone) => maskPhone(phone));
}

export function maskPii<T>(value: T): T {
  return walk(value, null) as T;
}

function walk(value: unknown, kind: PiiKind | null): unknown {
  if (typeof value === 'string') return kind ? maskAs(kind, value) : maskPiiInText(value);
  if (typeof value === 'number' || typeof value === 'bigint') return kind ? maskAs(kind, String(value)) : value;
  if (Array.isArray(value)) return value.map((v) => walk(v, kind));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(object)) out[key] = walk(v, kind ?? piiKindOf(key));
  // An omission saying why an email/phone was left out quotes the value it refused.
  if (!kind && typeof object.reason === 'string' && PII_OMISSIONS.has(object.reason) && typeof object.detail === 'string') {
    out.detail = object.detail.replace(/"([^"]*)"/g, (_, quoted: string) => `"${maskText(quoted)}"`);
  }
  return out;
}
