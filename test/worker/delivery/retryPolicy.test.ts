/** The retry schedule: 10 s, 30 s, then the seed's 1 → 2 → 4 → 8 → 10 min ladder, ±20 % jitter. */
import { describe, expect, it } from 'vitest';
import { afterFailure, backoffMs } from '../../../worker/delivery/retryPolicy';

describe('backoffMs', () => {
  it.each([
    [1, 10_000],
    [2, 30_000],
    [3, 60_000],
    [4, 120_000],
    [5, 240_000],
    [6, 480_000],
    [7, 600_000],
    [8, 600_000],
    [50, 600_000],
  ])('after %i failed attempt(s) waits %i ms (no jitter at random = 0.5)', (failures, ms) => {
    expect(backoffMs(failures, 0.5)).toBe(ms);
  });

  it.each([
    [0, 0.8],
    [0.999999, 1.2],
  ])('jitter keeps every wait within ±20 %% (random %f → ×%f)', (random, factor) => {
    for (let f = 1; f <= 8; f++) expect(backoffMs(f, random)).toBeCloseTo(backoffMs(f, 0.5) * factor, -1);
  });
});

describe('afterFailure', () => {
  const NOW = 1_000_000;
  it.each([
    { failures: 1, max: 8, expected: { retry: true, at: NOW + 10_000 } },
    { failures: 7, max: 8, expected: { retry: true, at: NOW + 600_000 } },
    { failures: 8, max: 8, expected: { retry: false } },
    { failures: 4, max: 4, expected: { retry: false } }, // the seed's 4 attempts
    { failures: 1, max: 1, expected: { retry: false } },
  ])('failure $failures of $max → $expected', ({ failures, max, expected }) => {
    expect(afterFailure(failures, max, NOW, 0.5)).toEqual(expected);
  });

  it('gives up after about 26 minutes of failures with the defaults', () => {
    const total = [1, 2, 3, 4, 5, 6, 7].reduce((ms, f) => ms + backoffMs(f, 0.5), 0);
    expect(total).toBe(1_540_000);
  });
});
