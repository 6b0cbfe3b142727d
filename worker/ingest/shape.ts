import type { Issue } from '../../shared/message';

export interface ShapeLimits {
  maxDepth: number;
  maxObjectKeys: number;
  maxTotalKeys: number;
  maxKeyLength: number;
  maxStringLength: number;
}

export type ShapeError = 'too_deep' | 'too_many_keys' | 'key_too_long' | 'string_too_long' | 'invalid_number' | 'invalid_string';

export interface ShapeProblem {
  error: ShapeError;
  issue: Issue;
}

/** In `u` mode a surrogate pair is one code point, so this matches only unpaired halves. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Keys that reach `Object.prototype` when code assigns with them (`o[k] = v`, deep merges). JSON.parse
 * makes them harmless own properties, but any mapping written later could trip on them, so they are
 * removed at the door (and the removal is shown in the debugger).
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** A value on the walk's stack; its path is built from its parents only when a problem names it. */
interface Node {
  value: unknown;
  parent: Node | null;
  key: string;
  depth: number;
}

function pathOf(node: Node | null, prefix: string[]): string[] {
  const keys: string[] = [];
  for (let n = node; n && n.parent; n = n.parent) keys.push(n.key);
  return [...prefix, ...keys.reverse()];
}

/**
 * Checks a parsed JSON value against the limits, iteratively (an explicit stack: no recursion, so no
 * depth can overflow the call stack), and removes reserved keys in place. Returns the first problem,
 * and the paths of the keys it removed. One walk, allocating a path only for what it reports.
 */
export function checkShape(root: unknown, limits: ShapeLimits, prefix: string[] = []): { problem: ShapeProblem | null; removed: string[] } {
  const removed: string[] = [];
  let totalKeys = 0;
  const stack: Node[] = [{ value: root, parent: null, key: '', depth: 1 }];
  const at = (path: string[]) => path.join('.') || '(root)';
  const fail = (error: ShapeError, path: string[], message: string) => ({ problem: { error, issue: { path: at(path), message } }, removed });

  while (stack.length) {
    const node = stack.pop()!;
    const { value, depth } = node;
    if (typeof value === 'string') {
      if (value.length > limits.maxStringLength) return fail('string_too_long', pathOf(node, prefix), `${value.length} characters; a string may hold at most ${limits.maxStringLength}`);
      if (LONE_SURROGATE.test(value)) return fail('invalid_string', pathOf(node, prefix), 'contains an unpaired UTF-16 surrogate (an invalid \\uD800–\\uDFFF escape)');
      continue;
    }
    if (typeof value === 'number') {
      // JSON.parse turns 1e400 into Infinity, which JSON.stringify would silently send as null.
      if (!Number.isFinite(value)) return fail('invalid_number', pathOf(node, prefix), 'the number is out of range (it overflows to Infinity)');
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth > limits.maxDepth) return fail('too_deep', pathOf(node, prefix), `nested deeper than ${limits.maxDepth} levels`);
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], parent: node, key: String(i), depth: depth + 1 });
      continue;
    }
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object);
    if (keys.length > limits.maxObjectKeys) return fail('too_many_keys', pathOf(node, prefix), `${keys.length} keys; an object may hold at most ${limits.maxObjectKeys}`);
    totalKeys += keys.length;
    if (totalKeys > limits.maxTotalKeys) return fail('too_many_keys', pathOf(node, prefix), `more than ${limits.maxTotalKeys} keys in one message`);
    for (const key of keys) {
      if (key.length > limits.maxKeyLength) return fail('key_too_long', [...pathOf(node, prefix), `${key.slice(0, 32)}…`], `a key of ${key.length} characters; keys may hold at most ${limits.maxKeyLength}`);
      if (LONE_SURROGATE.test(key)) return fail('invalid_string', pathOf(node, prefix), 'a key contains an unpaired UTF-16 surrogate');
      if (RESERVED_KEYS.has(key)) {
        delete object[key];
        removed.push(at([...pathOf(node, prefix), key]));
        continue;
      }
      stack.push({ value: object[key], parent: node, key, depth: depth + 1 });
    }
  }
  return { problem: null, removed };
}
