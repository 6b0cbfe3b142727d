import { LIMITS } from '../../shared/limits';
import { HttpError } from '../http/HttpError';
import { nestingExceeds } from './nesting';

export function parseJson(text: string): unknown {
  if (!text.trim()) throw new HttpError(400, 'empty_body', 'the body is empty; send a JSON object');
  const deep = nestingExceeds(text, LIMITS.maxBodyDepth);
  if (deep) {
    throw new HttpError(400, 'too_deep', `the body nests deeper than ${LIMITS.maxBodyDepth} levels (at character ${deep.at})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const why = error instanceof SyntaxError ? error.message.slice(0, 200) : 'unparseable';
    throw new HttpError(400, 'invalid_json', `the body is not valid JSON: ${why}`);
  }
}
