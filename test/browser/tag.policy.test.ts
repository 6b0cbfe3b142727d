/**
 * The tag's retry and packing rules as tables (pure functions, run in Node): which answers are
 * retried, how far apart, what the queue caps drop, how messages are packed into requests.
 */
import { describe, expect, it } from 'vitest';
import { fits } from '../../tag/src/packing';
import { backoff, type Entry, prune, RETRY, retryable } from '../../tag/src/policy';

describe('retryable: the collector’s answer → is the batch sent again?', () => {
  const table: [number, boolean, string][] = [
    [200, false, 'acknowledged'],
    [204, false, 'acknowledged'],
    [0, true, 'network error, cut connection, keepalive quota'],
    [408, true, 'request timeout'],
    [429, true, 'rate limited'],
    [500, true, 'server error'],
    [502, true, 'bad gateway'],
    [503, true, 'unavailable'],
    [400, false, 'invalid_json / invalid_batch: resending cannot help'],
    [401, false, 'unknown write key'],
    [403, false, 'origin not allowed'],
    [404, false, 'wrong ingest path'],
    [413, false, 'too large'],
  ];
  for (const [status, retry, why] of table) it(`${status} (${why}) → ${retry ? 'retried' : 'final'}`, () => expect(retryable(status)).toBe(retry));
});

describe('backoff: exponential from 1 s, capped at 60 s, with half of it random', () => {
  const table: [attempt: number, min: number, max: number][] = [
    [1, 500, 1000],
    [2, 1000, 2000],
    [3, 2000, 4000],
    [6, 16_000, 32_000],
    [7, 30_000, 60_000],
    [20, 30_000, 60_000],
  ];
  for (const [attempt, min, max] of table) {
    it(`attempt ${attempt}: ${min}–${max} ms`, () => {
      expect(backoff(attempt, 0)).toBe(min);
      expect(backoff(attempt, 1)).toBe(max);
      expect(backoff(attempt, 0.5)).toBe((min + max) / 2);
    });
  }
});

describe('prune: the queue caps, oldest dropped first', () => {
  const now = Date.parse('2026-06-01T12:00:00Z');
  const entry = (k: string, ageMs: number, messages: number, chars = 10): Entry => ({ k, a: now - ageMs, n: 1, t: 0, b: Array.from({ length: messages }, () => 'x'.repeat(chars - 1)) });
  const keys = (entries: Entry[][]) => entries.map((list) => list.map((e) => e.k));

  it('drops a corrupt entry (read back as empty and ancient) and nothing else', () => {
    const corrupt = { a: 0, b: [], k: 'corrupt' } as unknown as Entry;
    expect(keys(prune([entry('new', 1000, 5), corrupt, entry('old', 5000, 5)], now))).toEqual([['old', 'new'], ['corrupt']]);
  });
  it('keeps everything under the caps, oldest first', () => {
    expect(keys(prune([entry('new', 1000, 5), entry('old', 5000, 5)], now))).toEqual([['old', 'new'], []]);
  });
  it(`drops batches older than ${RETRY.maxAgeMs / 3600_000} h`, () => {
    expect(keys(prune([entry('fresh', 1000, 1), entry('stale', RETRY.maxAgeMs + 1, 1)], now))).toEqual([['fresh'], ['stale']]);
  });
  it(`keeps at most ${RETRY.maxMessages} messages, dropping the oldest batches`, () => {
    const list = [entry('a', 3000, 400), entry('b', 2000, 400), entry('c', 1000, 400)];
    expect(keys(prune(list, now))).toEqual([['b', 'c'], ['a']]);
  });
  it(`keeps at most ${RETRY.maxChars} characters, dropping the oldest batches`, () => {
    const list = [entry('a', 3000, 10, 40_000), entry('b', 2000, 10, 40_000), entry('c', 1000, 10, 40_000)];
    expect(keys(prune(list, now))).toEqual([['b', 'c'], ['a']]);
  });
});

describe('fits: how many leading messages make one request', () => {
  const msg = (bytes: number) => `{"type":"track","p":"${'a'.repeat(bytes - 24)}"}`;
  const table: [string, string[], number, number, number][] = [
    ['count cap', Array.from({ length: 30 }, () => msg(100)), 60_000, 20, 20],
    ['fewer than the cap', Array.from({ length: 5 }, () => msg(100)), 60_000, 20, 5],
    ['byte cap: 256 envelope + (1000 + 48) each', Array.from({ length: 30 }, () => msg(1000)), 10_000, 20, 9],
    ['a single message larger than the cap still goes alone', [msg(20_000), msg(100)], 10_000, 20, 1],
  ];
  for (const [name, messages, maxBytes, maxCount, expected] of table) it(name, () => expect(fits(messages, maxBytes, maxCount)).toBe(expected));

  it('counts UTF-8 bytes, not characters', () => {
    const euro = `{"p":"${'€'.repeat(1000)}"}`; // 1,008 characters, 3,008 bytes
    expect(fits([euro, euro, euro, euro], 256 + 3 * (3008 + 48), 20)).toBe(3);
  });
});
