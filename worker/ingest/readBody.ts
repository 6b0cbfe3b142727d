import { HttpError } from '../http/HttpError';

/**
 * Reads the body as text, refusing more than `maxBytes` before doing any work: first from
 * Content-Length, then while streaming, so a lying or missing length cannot get past it.
 */
export async function readBody(request: Request, maxBytes: number): Promise<string> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) {
    throw tooLarge(maxBytes, `Content-Length ${declared}`);
  }
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes, `more than ${maxBytes} bytes streamed`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new HttpError(400, 'invalid_encoding', 'the body is not valid UTF-8');
  }
}

function tooLarge(maxBytes: number, seen: string): HttpError {
  return new HttpError(413, 'body_too_large', `the body exceeds ${maxBytes} bytes (${seen})`);
}
