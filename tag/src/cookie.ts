/**
 * First-party cookie on the site's registrable domain (example.co.uk for www.example.co.uk), so
 * shop.example.com and www.example.com share one visitor. Browsers refuse cookies on public
 * suffixes (co.uk, github.io), so the shortest suffix that accepts a probe cookie is the
 * registrable domain — no public suffix list needed. IP and single-label hosts get a host cookie.
 */
import { quietly } from './storage';

const YEAR_SECONDS = 31536000;
let domain: string | undefined;

function registrableDomain(): string {
  const labels = location.hostname.split('.');
  for (let i = labels.length - 2; i >= 0; i--) {
    const candidate = ';domain=' + labels.slice(i).join('.');
    document.cookie = 'et_p=1' + candidate;
    if (readCookie('et_p')) {
      document.cookie = 'et_p=;max-age=0' + candidate;
      return candidate;
    }
  }
  return '';
}

/** (Throws nowhere: a sandboxed iframe without allow-same-origin has no cookies.) */
export const readCookie = (name: string): string | undefined => quietly(() => document.cookie.match('(?:^|; )' + name + '=([^;]*)')?.[1]);

/** Writes (or with no value, deletes) a cookie for a year, SameSite=Lax, Secure on https. */
export const writeCookie = (name: string, value?: string): void =>
  void quietly(() => {
    domain ??= registrableDomain();
    document.cookie = name + '=' + (value ?? '') + ';path=/;samesite=lax;max-age=' + (value ? YEAR_SECONDS : 0) + domain + (location.protocol == 'https:' ? ';secure' : '');
  });
