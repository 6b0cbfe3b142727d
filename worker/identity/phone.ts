import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * `possible` accepts any number of a plausible length for its country, `valid` also checks the
 * number ranges. The seed's own example +447700900123 sits in a UK range reserved for drama, so
 * it is possible but not valid: `possible` is the default so the seed's payload goes through.
 */
export type PhoneValidation = 'possible' | 'valid';

export type PhoneResult = { ok: true; e164: string } | { ok: false; reason: 'invalid_phone'; detail: string };

/** E.164 (`+447700900123`) from what a visitor typed, or why it cannot be one. */
export function normalizePhone(
  raw: unknown,
  options: { defaultCountry?: string; validation?: PhoneValidation } = {},
): PhoneResult {
  if (typeof raw !== 'string' && typeof raw !== 'number') {
    return { ok: false, reason: 'invalid_phone', detail: `phone must be a string, got ${typeof raw}` };
  }
  const text = String(raw).trim();
  if (!text) return { ok: false, reason: 'invalid_phone', detail: 'phone is empty' };
  const country = options.defaultCountry?.toUpperCase() as CountryCode | undefined;
  const parsed = parsePhoneNumberFromString(text, country);
  if (!parsed) {
    const hint = text.startsWith('+') || country ? '' : ' (no country code and no default country)';
    return { ok: false, reason: 'invalid_phone', detail: `"${text}" is not a phone number${hint}` };
  }
  const acceptable = options.validation === 'valid' ? parsed.isValid() : parsed.isPossible();
  if (!acceptable) {
    return { ok: false, reason: 'invalid_phone', detail: `"${text}" is not a ${options.validation ?? 'possible'} number` };
  }
  return { ok: true, e164: parsed.number };
}
