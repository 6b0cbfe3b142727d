import type { Message } from '../../shared/message';
import type { UserIdentifiers } from '../moengage/payloads';
import { normalizePhone, type PhoneValidation } from './phone';

export interface IdentityOptions {
  defaultPhoneCountry?: string;
  phoneValidation?: PhoneValidation;
  /** Visitor's country (e.g. from Cloudflare's `request.cf.country`), the fallback for local numbers. */
  visitorCountry?: string;
}

/** A field left out of the payload, and why: shown in the debugger, never a silent loss. */
export interface Omission {
  reason: string;
  detail: string;
}

/** Traits of a message: its own `traits` (identify/group) over `context.traits` (what the tag remembers). */
export function traitsOf(message: Message): Record<string, unknown> {
  const own = 'traits' in message && message.traits ? message.traits : {};
  return { ...(message.context?.traits ?? {}), ...own };
}

/** Seed 004 identity table: email → u_em, phone → u_mb (E.164). */
export function userIdentifiers(
  traits: Record<string, unknown>,
  options: IdentityOptions,
  omissions: Omission[],
): UserIdentifiers {
  const ids: UserIdentifiers = {};
  const email = traits.email;
  if (typeof email === 'string' && email.trim()) {
    if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) ids.u_em = email.trim();
    else omissions.push({ reason: 'invalid_email', detail: `"${email}" is not an email address` });
  }
  const phone = traits.phone ?? traits.mobile;
  if (phone != null && phone !== '') {
    const result = normalizePhone(phone, {
      defaultCountry: options.defaultPhoneCountry ?? options.visitorCountry,
      validation: options.phoneValidation,
    });
    if (result.ok) ids.u_mb = result.e164;
    else omissions.push({ reason: result.reason, detail: result.detail });
  }
  return ids;
}
