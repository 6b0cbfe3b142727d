import { HttpError } from '../http/HttpError';

/**
 * JSON is accepted as `application/json` (Segment's clients) or `text/plain` (the tag: a CORS-safelisted
 * type, so browsers send it without a preflight), in UTF-8. Anything else — form posts included — is
 * refused before the body is read, so a curl default or an HTML form gets a clear 415.
 */
const ACCEPTED = new Set(['application/json', 'text/plain']);

export function checkContentType(header: string | null): void {
  if (header === null || header.trim() === '') return; // some server clients send none; the body must still be JSON
  const [type = '', ...params] = header.split(';');
  const mediaType = type.trim().toLowerCase();
  if (!ACCEPTED.has(mediaType) && !/^application\/[\w.+-]+\+json$/.test(mediaType)) {
    throw new HttpError(415, 'unsupported_media_type', `Content-Type "${clip(mediaType)}" is not accepted; send application/json or text/plain`);
  }
  for (const param of params) {
    const [name = '', value = ''] = param.split('=');
    if (name.trim().toLowerCase() !== 'charset') continue;
    const charset = value.trim().replace(/^"|"$/g, '').toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') {
      throw new HttpError(415, 'unsupported_charset', `charset "${clip(charset)}" is not accepted; send UTF-8`);
    }
  }
}

const clip = (s: string) => (s.length > 60 ? `${s.slice(0, 60)}…` : s);
