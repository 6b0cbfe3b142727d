import { HttpError } from '../http/HttpError';
import { timingSafeEqualString } from '../http/timingSafeEqual';

const challenge = { 'www-authenticate': 'Basic realm="edgetag segment sync", charset="UTF-8"' };

/**
 * HTTP Basic as MoEngage's integration sends it ("Authentication: Basic auth"). Username and
 * password are both compared in constant time, always both, so neither leaks through timing.
 * These credentials are only for the segment-sync receiver (never a write key or debugger token).
 */
export async function authenticateSegmentSync(request: Request, expected: { username: string; password: string }): Promise<void> {
  const header = request.headers.get('authorization') ?? '';
  if (!/^basic\s/i.test(header)) {
    throw new HttpError(401, 'missing_credentials', 'send HTTP Basic credentials (SEGMENT_SYNC_USERNAME / SEGMENT_SYNC_PASSWORD)', undefined, challenge);
  }
  let decoded: string;
  try {
    const bytes = Uint8Array.from(atob(header.slice(6).trim()), (c) => c.charCodeAt(0));
    decoded = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new HttpError(401, 'invalid_authorization', 'the Authorization header is not valid Basic credentials', undefined, challenge);
  }
  const colon = decoded.indexOf(':');
  const username = colon === -1 ? decoded : decoded.slice(0, colon);
  const password = colon === -1 ? '' : decoded.slice(colon + 1);
  const [userOk, passwordOk] = await Promise.all([
    timingSafeEqualString(username, expected.username),
    timingSafeEqualString(password, expected.password),
  ]);
  if (!userOk || !passwordOk) {
    throw new HttpError(401, 'invalid_credentials', 'the username or password is not the one configured for segment sync', undefined, challenge);
  }
}
