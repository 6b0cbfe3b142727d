import { maskPiiInText } from '../debugger/maskPii';
import type { Rejection } from '../collector/rejectionLog';
import { userAgentFamily } from './userAgentFamily';

/**
 * The rejection log keeps no body text and no unmasked personal data: details are our own words
 * (parseJson no longer quotes the body), and whatever of the request they or the path still carry
 * (an email typed into a URL, a phone in a route name) is masked; the User-Agent is reduced to its
 * family (userAgentFamily.ts).
 */
export function withoutPersonalData(entry: Rejection): Rejection {
  const mask = (s: string | null) => (s == null ? s : maskPiiInText(s));
  const path = maskPath(entry.path);
  return {
    ...entry,
    detail: maskPiiInText(entry.detail.replaceAll(entry.path, () => path)),
    path,
    contentType: mask(entry.contentType),
    origin: mask(entry.origin),
    userAgent: userAgentFamily(entry.userAgent),
  };
}

/** A request path with emails and phones masked, each segment on its own (a number after a `/` is no id glued to a word here). */
export function maskPath(path: string): string {
  return path.split('/').map(maskPiiInText).join('/');
}
