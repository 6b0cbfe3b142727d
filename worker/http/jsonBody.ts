import type { z } from 'zod';
import { parseJson } from '../ingest/parseJson';
import { HttpError } from './HttpError';
import { readBody } from '../ingest/readBody';

/**
 * A JSON request body read with a cap, before parsing (`413 body_too_large` past it, `400
 * invalid_json`, `incomplete_body`…), for the debugger's operator API: `request.json()` would read
 * any size, and a huge field then fails deep in storage as a 500.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  return parseJson(await readBody(request, { maxBytes, maxDecompressedBytes: maxBytes }));
}

/**
 * A capped JSON body checked against `schema`: the data, or `400 <error>` with `detail` (what to
 * send) and each issue's path (`(body)` for the body itself) and message.
 */
export async function readJsonBodyAs<S extends z.ZodTypeAny>(request: Request, maxBytes: number, schema: S, refusal: { error: string; detail: string }): Promise<z.infer<S>> {
  const parsed = schema.safeParse(await readJsonBody(request, maxBytes));
  if (!parsed.success) {
    throw new HttpError(400, refusal.error, refusal.detail, parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message })));
  }
  return parsed.data;
}
