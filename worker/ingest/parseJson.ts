import { HttpError } from '../http/HttpError';

export function parseJson(text: string): unknown {
  if (!text.trim()) throw new HttpError(400, 'empty_body', 'the body is empty; send a JSON object');
  try {
    return JSON.parse(text);
  } catch (error) {
    const why = error instanceof SyntaxError ? error.message : 'unparseable';
    throw new HttpError(400, 'invalid_json', `the body is not valid JSON: ${why}`);
  }
}
