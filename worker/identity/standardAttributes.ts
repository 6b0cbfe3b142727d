import type { Omission } from '../moengage/omission';
import { normalizePhone, type PhoneValidation } from './phone';

export interface IdentityOptions {
  /** Country for numbers written without `+` (DEFAULT_PHONE_COUNTRY). */
  defaultPhoneCountry?: string;
  /** The visitor's country (Cloudflare's `request.cf.country`), tried after the default. */
  visitorCountry?: string;
  phoneValidation?: PhoneValidation;
}

export type { Omission } from '../moengage/omission';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * MoEngage's standard user attributes have fixed formats: u_em an email, u_mb E.164, u_bd an
 * ISO 8601 date-time, names strings. A value that cannot take its format is left out with a
 * reason (undefined), never sent malformed. Other attributes pass unchanged.
 */
export function standardValue(attribute: string, value: unknown, source: string, options: IdentityOptions, omissions: Omission[]): unknown {
  switch (attribute) {
    case 'u_em': {
      const email = typeof value === 'string' ? value.trim() : '';
      if (EMAIL.test(email)) return email;
      omissions.push({ reason: 'invalid_email', detail: `${source} ${describe(value)} is not an email address` });
      return undefined;
    }
    case 'u_mb': {
      const phone = normalizePhone(value, {
        countries: [options.defaultPhoneCountry, options.visitorCountry],
        validation: options.phoneValidation,
      });
      if (phone.ok) return phone.e164;
      omissions.push({ reason: phone.reason, detail: `${source}: ${phone.detail}` });
      return undefined;
    }
    case 'u_bd': {
      const text = typeof value === 'string' ? value.trim() : '';
      const at = ISO_DATE.test(text) ? Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text) : NaN;
      if (Number.isFinite(at)) return new Date(at).toISOString();
      omissions.push({ reason: 'invalid_date', detail: `${source} ${describe(value)} is not an ISO 8601 date (e.g. 1990-04-12)` });
      return undefined;
    }
    case 'u_fn':
    case 'u_ln':
    case 'u_n':
    case 'u_gd': {
      if (typeof value === 'string' && value.trim()) return value.trim();
      if (typeof value === 'number') return String(value);
      omissions.push({ reason: 'invalid_value', detail: `${source} ${describe(value)} is not text` });
      return undefined;
    }
    default:
      return value;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : String(value);
}
