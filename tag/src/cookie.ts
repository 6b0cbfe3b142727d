/**
 * First-party cookie on the site's registrable domain (example.co.uk for www.example.co.uk), so
 * shop.example.com and www.example.com share one visitor. Browsers refuse cookies on public
 * suffixes (co.uk, github.io), so the shortest suffix that accepts a probe cookie is the
 * registrable domain — no public suffix list needed. IP and single-label hosts get a host cookie.
 */
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

export function readCookie(name: string): string | undefined {
  try {
    return document.cookie.match('(?:^|; )' + name + '=([^;]*)')?.[1];
  } catch {
    return undefined; // sandboxed iframe without allow-same-origin
  }
}

/** Writes (or with no value, deletes) a cookie for a year, SameSite=Lax, Secure on https. */
export function writeCookie(name: string, value?: string): void {
  try {
    domain ??= registrableDomain();
    document.cookie =
      name + '=' + (value ?? '') + ';path=/;samesite=lax;max-age=' + (value ? YEAR_SECONDS : 0) + domain + (location.protocol == 'https:' ? ';secure' : '');
  } catch {
    /* cookies unavailable: localStorage carries the id */
  }
}
