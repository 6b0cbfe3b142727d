import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * `possible` accepts any number of a plausible length for its country, `valid` also checks the
 * number ranges. The seed's own example +447700900123 sits in a UK range reserved for drama, so
 * it is possible but not valid: `possible` is the default so the seed's payload goes through.
 */
export const PHONE_VALIDATIONS = ['possible', 'valid'] as const;
export type PhoneValidation = (typeof PHONE_VALIDATIONS)[number];

export type PhoneResult = { ok: true; e164: string; country?: string } | { ok: false; reason: 'invalid_phone'; detail: string };

export interface PhoneOptions {
  /** Tried in order for numbers written without `+`/`00` (DEFAULT_PHONE_COUNTRY, then the visitor's country). */
  countries?: readonly (string | undefined)[];
  validation?: PhoneValidation;
}

/** An ISO 3166 alpha-2 code libphonenumber has metadata for (Cloudflare's `XX`/`T1` are not). */
export function isPhoneCountry(code: string | undefined): code is string {
  return typeof code === 'string' && /^[A-Za-z]{2}$/.test(code) && isSupportedCountry(code.toUpperCase());
}

/**
 * Parsing costs 40–120 µs; a visitor's phone rides on each of their events (context.traits), so
 * results are remembered per input and options.
 */
const results = new Map<string, PhoneResult>();
const MAX_REMEMBERED = 2_000;

/** E.164 (`+447700900123`) from what a visitor typed, or why it cannot be one. */
export function normalizePhone(raw: unknown, options: PhoneOptions = {}): PhoneResult {
  if (typeof raw !== 'string' && typeof raw !== 'number') return parsePhone(raw, options);
  const key = `${typeof raw}\u0000${String(raw)}\u0000${(options.countries ?? []).join(',')}\u0000${options.validation ?? ''}`;
  let result = results.get(key);
  if (!result) {
    result = parsePhone(raw, options);
    if (results.size >= MAX_REMEMBERED) results.clear();
    results.set(key, result);
  }
  return result;
}

function parsePhone(raw: unknown, options: PhoneOptions): PhoneResult {
  if (typeof raw !== 'string' && typeof raw !== 'number') {
    return { ok: false, reason: 'invalid_phone', detail: `phone must be a string, got ${Array.isArray(raw) ? 'array' : raw === null ? 'null' : typeof raw}` };
  }
  const text = String(raw).trim();
  if (!text) return { ok: false, reason: 'invalid_phone', detail: 'phone is empty' };
  if (text.length > 64) return { ok: false, reason: 'invalid_phone', detail: `phone is ${text.length} characters long, not a phone number` };
  if (/[A-Za-z]{4,}/.test(text.replace(/\b(ext|extension|x)\b/gi, ''))) {
    return { ok: false, reason: 'invalid_phone', detail: `"${text}" contains words, not a phone number` };
  }
  const validation = options.validation ?? 'possible';
  const countries = [...new Set((options.countries ?? []).filter(isPhoneCountry).map((c) => c.toUpperCase() as CountryCode))];
  // "00" is the international prefix almost everywhere: read it as "+" so no default country is needed.
  const international = /^(\+|00)/.test(text);
  const input = text.startsWith('00') ? `+${text.slice(2)}` : text;

  const candidates = (international ? [undefined] : countries)
    .map((country) => parsePhoneNumberFromString(input, country ? { defaultCountry: country } : undefined))
    .filter((parsed) => parsed !== undefined);
  // A number valid in one candidate country beats one merely possible in another: "(415) 555-2671"
  // is possible in GB but valid in the US, so a US visitor on a GB-default site gets +1.
  const chosen = candidates.find((p) => p.isValid()) ?? (validation === 'possible' ? candidates.find((p) => p.isPossible()) : undefined);
  if (chosen) return { ok: true, e164: chosen.number, country: chosen.country };

  const tried = international ? '' : countries.length ? ` (read as a number of ${countries.join(', then ')})` : ' (no + country code, and no DEFAULT_PHONE_COUNTRY or visitor country to read it with)';
  const what = candidates.length ? `not a ${validation} phone number` : 'not a phone number';
  return { ok: false, reason: 'invalid_phone', detail: `"${text}" is ${what}${tried}` };
}
