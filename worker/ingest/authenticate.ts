import { HttpError } from '../http/HttpError';
import { matchesOneOf } from '../http/timingSafeEqual';

/** The write key from HTTP Basic (username, as Segment's clients send it) or the body's `writeKey`. */
export function writeKeyOf(request: Request, body: unknown): string | undefined {
  const header = request.headers.get('authorization');
  if (header?.toLowerCase().startsWith('basic ')) {
    try {
      const decoded = atob(header.slice(6).trim());
      const colon = decoded.indexOf(':');
      return colon === -1 ? decoded : decoded.slice(0, colon);
    } catch {
      throw new HttpError(401, 'invalid_authorization', 'the Authorization header is not valid Basic credentials');
    }
  }
  if (body && typeof body === 'object' && typeof (body as { writeKey?: unknown }).writeKey === 'string') {
    return (body as { writeKey: string }).writeKey;
  }
  return undefined;
}

export async function authenticate(request: Request, body: unknown, writeKeys: readonly string[]): Promise<string> {
  const key = writeKeyOf(request, body);
  if (!key) throw new HttpError(401, 'missing_write_key', 'send the write key as HTTP Basic username or as "writeKey" in the body');
  if (!writeKeys.length || !(await matchesOneOf(key, writeKeys))) {
    throw new HttpError(401, 'unknown_write_key', 'the write key is not one this collector accepts');
  }
  return key;
}
