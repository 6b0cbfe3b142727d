import { abortAllDurableObjects, reset } from 'cloudflare:test';
import { afterEach, beforeEach, vi } from 'vitest';
import { installSandbox } from './sandbox';

type Sandbox = ReturnType<typeof installSandbox>['sandbox'];

/**
 * A fresh MoEngage sandbox for each test of the file, and clean storage after it. With `clock`, each
 * test also starts at that time (only `Date` is faked: the tests run the queue's alarms themselves)
 * and ends with restarted Durable Objects, so no in-memory limiter or outage state carries over;
 * `at(ms)` moves the clock to `clock + ms`.
 */
export function useSandbox(options: { clock?: number } = {}): { sandbox: () => Sandbox; at: (ms: number) => void } {
  const { clock } = options;
  let current: Sandbox | undefined;
  beforeEach(() => {
    if (clock !== undefined) vi.useFakeTimers({ toFake: ['Date'], now: clock });
    current = installSandbox().sandbox;
  });
  afterEach(async () => {
    if (clock !== undefined) vi.useRealTimers();
    vi.restoreAllMocks();
    await reset();
    if (clock !== undefined) await abortAllDurableObjects();
  });
  return {
    sandbox: () => {
      if (!current) throw new Error('the sandbox exists only inside a test');
      return current;
    },
    at: (ms) => {
      if (clock === undefined) throw new Error('at() needs useSandbox({ clock })');
      vi.setSystemTime(clock + ms);
    },
  };
}
