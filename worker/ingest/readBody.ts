import { HttpError } from '../http/HttpError';

export interface BodyLimits {
  /** Bytes on the wire (compressed or not). */
  maxBytes: number;
  /** Bytes after gzip/deflate decompression. */
  maxDecompressedBytes: number;
}

type DecompressionFormat = ConstructorParameters<typeof DecompressionStream>[0];

/** `Content-Encoding` values DecompressionStream understands (Segment's clients send gzip). */
const DECOMPRESSION_FORMATS: Record<string, DecompressionFormat> = { gzip: 'gzip', 'x-gzip': 'gzip', deflate: 'deflate' };

/**
 * Reads the body as UTF-8 text, refusing more than `maxBytes` before doing any work: first from
 * Content-Length, then while streaming, so a lying or missing length cannot get past it. A gzip or
 * deflate body is decompressed with its own cap, read chunk by chunk, so a zip bomb stops at the cap
 * instead of filling memory. An upload the client breaks off is `400 incomplete_body`.
 */
export async function readBody(request: Request, limits: BodyLimits): Promise<string> {
  const format = decompressionFormat(request.headers.get('content-encoding'));
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limits.maxBytes) {
    throw tooLarge(`the body exceeds ${limits.maxBytes} bytes (Content-Length ${declared.slice(0, 20)})`);
  }
  if (!request.body) return '';
  let bytes: Uint8Array;
  try {
    bytes = await readCapped(request.body, limits.maxBytes, (n) => `the body exceeds ${limits.maxBytes} bytes (more than ${n} bytes streamed)`);
  } catch (error) {
    if (error instanceof HttpError) throw error;
    // The client closed the connection mid-upload (or its stream broke): its fault, not ours, and
    // nothing of a partial body is parsed.
    const promised = declared !== null && /^\d{1,15}$/.test(declared.trim()) ? ` of the ${declared.trim()} bytes Content-Length promised` : '';
    throw new HttpError(400, 'incomplete_body', `the body ended before it was complete: the connection closed after part${promised}; send the whole body again`);
  }
  if (format && bytes.byteLength > 0) {
    const inflated = new Blob([bytes]).stream().pipeThrough(new DecompressionStream(format));
    try {
      bytes = await readCapped(inflated, limits.maxDecompressedBytes, () => `the ${format} body inflates past ${limits.maxDecompressedBytes} bytes`);
    } catch (error) {
      if (error instanceof HttpError) throw error;
      throw new HttpError(400, 'invalid_compression', `the body is not valid ${format} data (Content-Encoding says ${format})`);
    }
  }
  try {
    // fatal: invalid UTF-8 is refused rather than turned into U+FFFD; a leading UTF-8 BOM is skipped.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new HttpError(400, 'invalid_encoding', 'the body is not valid UTF-8');
  }
}

function decompressionFormat(header: string | null): DecompressionFormat | undefined {
  const encoding = (header ?? '').trim().toLowerCase();
  if (!encoding || encoding === 'identity') return undefined;
  const format = DECOMPRESSION_FORMATS[encoding];
  if (!format) {
    throw new HttpError(415, 'unsupported_encoding', `Content-Encoding "${encoding.slice(0, 40)}" is not supported; send gzip, deflate or an uncompressed body`);
  }
  return format;
}

async function readCapped(stream: ReadableStream<Uint8Array>, max: number, why: (seen: number) => string): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw tooLarge(why(total));
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function tooLarge(detail: string): HttpError {
  return new HttpError(413, 'body_too_large', detail);
}
