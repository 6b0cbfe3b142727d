/**
 * Personal data in what the debugger shows (raw messages, mapped payloads, MoEngage requests and
 * answers, reasons) and in the rejection log: masked by default, so a screen share or a support
 * ticket does not leak a customer's email or phone. The debugger API reveals one event at a time
 * (`?reveal=pii`). When in doubt, mask: a masked order number costs a click on "reveal", a leaked
 * phone number cannot be taken back.
 *
 * - Values under an email key (`email`, `u_em`, `work_email`, `correo`…) keep their first character
 *   and domain: `jane@example.com` → `j***@example.com`; anything else there: its first character.
 * - Values under a phone key (`phone`, `mobile`, `u_mb`, `tel`, `whatsapp`, `handy`…) keep a `+`,
 *   the first two and the last three digits: `+447700900123` → `+44*******123`.
 * - Anywhere else, text that contains an email address (any `local@domain`: IDN and Unicode names,
 *   quoted local parts, `@localhost`, `user:pass@host`) or a phone number (international `+…`, or
 *   national: 7–15 digits, grouped or not, not glued to a word or part of a date) has it masked:
 *   a userId that is an email, a phone under a key named `contact`, a value quoted in MoEngage's error.
 * - Why an email or phone was left out (`invalid_email`, `invalid_phone`) quotes the value: the
 *   quoted part is masked.
 * - Numbers under keys that are not email or phone keys stay (times, amounts, counts).
 * Pure; the input is not modified.
 */

export type PiiKind = 'email' | 'phone';

/** Field names that hold an email or a phone number, however a site spells them. */
export function piiKindOf(key: string): PiiKind | null {
  const k = key.toLowerCase();
  if (k === 'u_em' || /^(?:e?mail|correo|courriel)(?:$|[-_ ])|e[-_ ]?mail|_mail$/.test(k)) return 'email';
  if (k === 'u_mb' || k.startsWith('u_mb_') || PHONE_KEY.test(k)) return 'phone';
  return null;
}

/** Phone-ish key names in English and the languages sites often use; `tel`, `cell`, `fax` as words. */
const PHONE_KEY = /phone|mobile|msisdn|whats_?app|viber|telegram|handy|telefon|tel[eé]fono|celular|portable|(?:^|[-_ ])(?:tel|cell|fax|sms|mob)(?:$|[-_ ]|no|num)/;

/** `local@domain`, generously: quoted or Unicode local parts, IDN or bracketed domains, no dot needed (a `/` ends a local part: URL paths). */
const EMAIL_IN_TEXT = /(?:"(?:[^"\\\r\n]|\\.)+"|[^\s@"<>()[\\\],;:/]+)@(?:\[[^\]\s]+\]|[^\s@"<>()[\\\],;:]+)/gu;
const PII_OMISSIONS = new Set(['invalid_email', 'invalid_phone']);

export function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  if (at <= 0) return maskText(value);
  return `${firstChar(value)}***${value.slice(at)}`;
}

export function maskPhone(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 6) return maskText(value);
  const plus = value.trim().startsWith('+') ? '+' : '';
  return `${plus}${digits.slice(0, 2)}${'*'.repeat(digits.length - 5)}${digits.slice(-3)}`;
}

/** What is not shaped like an email or a phone: its first character. */
export function maskText(value: string): string {
  return [...value].length <= 1 ? '*' : `${firstChar(value)}***`;
}

/** The first code point (an emoji or a CJK character outside the BMP is not cut in half). */
function firstChar(value: string): string {
  return String.fromCodePoint(value.codePointAt(0) ?? 42);
}

function maskAs(kind: PiiKind, value: string): string {
  return kind === 'email' ? maskEmail(value) : maskPhone(value);
}

/**
 * 7–15 digits as people write phone numbers: an optional `+`, `00` or `(`, groups split by spaces,
 * dots, dashes, slashes or brackets. Not when glued to a word (`SKU-123456789`, a UUID's groups) or
 * running on into one; dates and plain decimals are let through after the match (isPhoneShaped).
 */
const PHONE_IN_TEXT = /(?<![\p{L}\p{N}_]|[\p{L}\p{N}_][-./])(?:\+|\(\+?)?\d(?:[ .\-/()]{0,2}\d){6,14}\)?(?![\p{L}\p{N}_]|[-./]\p{N})/gu;

const DATE = /^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})$/;
const DECIMAL = /^\d+\.\d{1,2}$/;

function isPhoneShaped(candidate: string): boolean {
  return !DATE.test(candidate) && !DECIMAL.test(candidate);
}

/** Masks email addresses and phone numbers (international or national) inside free text. */
export function maskPiiInText(text: string): string {
  return text
    .replace(EMAIL_IN_TEXT, (email) => maskEmail(email))
    .replace(PHONE_IN_TEXT, (phone) => (isPhoneShaped(phone) ? maskPhone(phone) : phone));
}

export function maskPii<T>(value: T): T {
  return walk(value, null) as T;
}

/** Values we generate or MoEngage's headers carry, never a person's: left readable. */
const NOT_PERSONAL = new Set(['rateLimit', 'requestId', 'cursor']);

function walk(value: unknown, kind: PiiKind | null): unknown {
  if (typeof value === 'string') return kind ? maskAs(kind, value) : maskPiiInText(value);
  if (typeof value === 'number' || typeof value === 'bigint') return kind ? maskAs(kind, String(value)) : value;
  if (Array.isArray(value)) return value.map((v) => walk(v, kind));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(object)) out[key] = !kind && NOT_PERSONAL.has(key) ? v : walk(v, kind ?? piiKindOf(key));
  // An omission saying why an email/phone was left out quotes the value it refused.
  if (!kind && typeof object.reason === 'string' && PII_OMISSIONS.has(object.reason) && typeof object.detail === 'string') {
    out.detail = object.detail.replace(/"([^"]*)"/g, (_, quoted: string) => `"${maskText(quoted)}"`);
  }
  return out;
}
