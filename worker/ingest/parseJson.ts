import { LIMITS } from '../../shared/limits';
import { HttpError } from '../http/HttpError';
import { type KeptAsText, parseExact } from './exactNumbers';
import { nestingExceeds } from './nesting';

/** The body as JSON (caps and the depth pre-scan first); numbers a double would round are kept as their digits. */
export function parseJson(text: string): unknown {
  return parseJsonExact(text).value;
}

/** As parseJson, and which numbers were kept as text (exactNumbers.ts), by path. */
export function parseJsonExact(text: string): { value: unknown; keptAsText: KeptAsText[] } {
  if (!text.trim()) throw new HttpError(400, 'empty_body', 'the body is empty; send a JSON object');
  const deep = nestingExceeds(text, LIMITS.maxBodyDepth);
  if (deep) {
    throw new HttpError(400, 'too_deep', `the body nests deeper than ${LIMITS.maxBodyDepth} levels (at character ${deep.at})`);
  }
  try {
    return parseExact(text);
  } catch (error) {
    throw new HttpError(400, 'invalid_json', `the body is not valid JSON${whereOf(error, text)}`);
  }
}

/**
 * Where the JSON broke, in our words: V8's message quotes the body ("Unexpected token 'h', "hello
 * worl"... is not valid JSON"), and a refused body is not repeated in answers or the rejection log.
 */
function whereOf(error: unknown, text: string): string {
  const message = error instanceof SyntaxError ? error.message : '';
  const position = /position (\d+)/.exec(message)?.[1];
  if (position !== undefined) return ` (at character ${position})`;
  if (/end of JSON input|Unterminated/i.test(message)) return ` (it ends early, at character ${text.length})`;
  return ' (at its first character that does not fit)';
}
