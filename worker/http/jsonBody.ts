import { parseJson } from '../ingest/parseJson';
import { readBody } from '../ingest/readBody';

/**
 * A JSON request body read with a cap, before parsing (`413 body_too_large` past it, `400
 * invalid_json`, `incomplete_body`…), for the debugger's operator API: `request.json()` would read
 * any size, and a huge field then fails deep in storage as a 500.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  return parseJson(await readBody(request, { maxBytes, maxDecompressedBytes: maxBytes }));
}
