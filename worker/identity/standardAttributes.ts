import type { Omission } from '../moengage/omission';
import { type AttributeFormat, standardUserAttribute } from '../moengage/userAttributes';
import { normalizePhone, type PhoneValidation } from './phone';

export interface IdentityOptions {
  /** Country for numbers written without `+` (DEFAULT_PHONE_COUNTRY). */
  defaultPhoneCountry?: string;
  /** The visitor's country (Cloudflare's `request.cf.country`), tried after the default. */
  visitorCountry?: string;
  phoneValidation?: PhoneValidation;
}

export type { Omission } from '../moengage/omission';

/**
 * MoEngage's internal names of standard attributes, which earlier versions of edgetag sent. Track
 * User stores them as custom attributes; a blueprint that still maps a trait to one of them gets
 * the value in the same shape as before, and events still take u_em/u_mb as identifiers.
 */
const LEGACY_KEYS: Readonly<Record<string, { format: AttributeFormat; identifier?: 'u_em' | 'u_mb' }>> = {
  u_em: { format: 'email', identifier: 'u_em' },
  u_mb: { format: 'phone', identifier: 'u_mb' },
  u_fn: { format: 'text' },
  u_ln: { format: 'text' },
  u_n: { format: 'text' },
  u_gd: { format: 'text' },
  u_bd: { format: 'date' },
};

/** The format a user attribute key asks for (undefined: a custom attribute, sent as it is). */
export function formatOf(key: string): { format: AttributeFormat; identifier?: 'u_em' | 'u_mb' } | undefined {
  return standardUserAttribute(key) ?? (Object.hasOwn(LEGACY_KEYS, key) ? LEGACY_KEYS[key] : undefined);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ISO_DATE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/;
/** Epoch values: MoEngage's own samples send First/Last Seen in milliseconds; 10-digit ones are seconds. */
const EPOCH_MS_FROM = 1e11;

/**
 * MoEngage keeps date attributes only in `YYYY-MM-DD` or `YYYY-MM-DDTHH:mm:ssZ` ("any datetime
 * values incompatible with the formats mentioned above are converted to strings"), so milliseconds
 * and offsets are normalised away. A date stays a date: a birthday is not a moment.
 */
function toMoEngageDate(value: unknown, format: 'date' | 'datetime'): string | undefined {
  let at: number;
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (format === 'date') return undefined;
    at = value >= EPOCH_MS_FROM ? value : value * 1000;
  } else {
    const text = typeof value === 'string' ? value.trim() : '';
    const m = ISO_DATE.exec(text);
    if (!m) return undefined;
    if (!m[2]) {
      const day = Date.parse(`${m[1]}T00:00:00Z`);
      if (!Number.isFinite(day) || new Date(day).toISOString().slice(0, 10) !== m[1]) return undefined;
      if (format === 'date') return m[1];
      at = day;
    } else {
      const time = m[2].length === 5 ? `${m[2]}:00` : m[2];
      const zone = !m[3] ? 'Z' : m[3].length === 5 ? `${m[3].slice(0, 3)}:${m[3].slice(3)}` : m[3];
      at = Date.parse(`${m[1]}T${time}${zone}`);
    }
  }
  if (!Number.isFinite(at)) return undefined;
  return `${new Date(at).toISOString().slice(0, 19)}Z`;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  return undefined;
}

/**
 * A trait value in the format its user attribute key asks for: an email, E.164 for a mobile, an
 * ISO 8601 date for a birthday, a number, a boolean. A value that cannot take its format is left
 * out with a reason (undefined), never sent malformed. Keys without a format pass values unchanged.
 */
export function standardValue(attribute: string, value: unknown, source: string, options: IdentityOptions, omissions: Omission[]): unknown {
  const format = formatOf(attribute)?.format;
  switch (format) {
    case undefined:
      return value;
    case 'email': {
      const email = typeof value === 'string' ? value.trim() : '';
      if (EMAIL.test(email)) return email;
      omissions.push({ reason: 'invalid_email', detail: `${source} ${describe(value)} is not an email address` });
      return undefined;
    }
    case 'phone': {
      const phone = normalizePhone(value, {
        countries: [options.defaultPhoneCountry, options.visitorCountry],
        validation: options.phoneValidation,
      });
      if (phone.ok) return phone.e164;
      omissions.push({ reason: phone.reason, detail: `${source}: ${phone.detail}` });
      return undefined;
    }
    case 'date':
    case 'datetime': {
      const date = toMoEngageDate(value, format);
      if (date !== undefined) return date;
      const example = format === 'date' ? '1990-04-12' : '2026-01-31T09:30:00Z or epoch milliseconds';
      omissions.push({ reason: 'invalid_date', detail: `${source} ${describe(value)} is not an ISO 8601 ${format === 'date' ? 'date' : 'date-time'} (e.g. ${example})` });
      return undefined;
    }
    case 'number': {
      const number = toNumber(value);
      if (number !== undefined) return number;
      omissions.push({ reason: 'invalid_value', detail: `${source} ${describe(value)} is not a number` });
      return undefined;
    }
    case 'boolean': {
      const flag = toBoolean(value);
      if (flag !== undefined) return flag;
      omissions.push({ reason: 'invalid_value', detail: `${source} ${describe(value)} is not true or false` });
      return undefined;
    }
    case 'text': {
      if (typeof value === 'string' && value.trim()) return value.trim();
      if (typeof value === 'number') return String(value);
      omissions.push({ reason: 'invalid_value', detail: `${source} ${describe(value)} is not text` });
      return undefined;
    }
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : String(value);
}
