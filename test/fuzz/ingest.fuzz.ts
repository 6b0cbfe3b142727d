/**
 * 100,000 random requests against the ingest routes in workerd: zero 5xx, zero thrown fetches, zero
 * unhandled rejections, zero console errors. Prints a summary (statuses, error codes, duration).
 */
import { abortAllDurableObjects, createExecutionContext, reset, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import worker from '../../worker/index';
import { expect, inject, it, vi } from 'vitest';
import { installSandbox } from '../worker/support/sandbox';
import { fuzzInput, prng } from './inputs';

declare module 'vitest' {
  export interface ProvidedContext {
    fuzzRuns: number;
    fuzzSeed: number;
  }
}

it('survives random ingest traffic without a 5xx or an exception', async () => {
  const { fetchSpy } = installSandbox();
  const runs = inject('fuzzRuns');
  const seed = inject('fuzzSeed');
  const r = prng(seed);
  const statuses = new Map<number, number>();
  const errors = new Map<string, number>();
  const kinds = new Map<string, number>();
  const kindMs = new Map<string, number>();
  const failures: string[] = [];
  let thrown = 0;
  let unhandled = 0;
  let consoleErrors = 0;
  const onUnhandled = () => unhandled++;
  globalThis.addEventListener('unhandledrejection', onUnhandled);
  const errorSpy = vi.spyOn(console, 'error').mockImplementation(() => {
    consoleErrors++;
  });
  const started = Date.now();
  const CONCURRENCY = 16;
  let next = 0;
  const bump = <K>(m: Map<K, number>, k: K) => m.set(k, (m.get(k) ?? 0) + 1);

  async function lane() {
    while (next < runs) {
      const i = next++;
      if (i % 10_000 === 0) {
        fetchSpy.mockClear(); // the spy remembers every delivery request; the fuzz needs none of them
        console.log(`fuzz: ${i} / ${runs}`);
      }
      const t0 = Date.now();
      const input = await fuzzInput(r);
      bump(kinds, input.kind);
      try {
        const answered = (async () => {
          // The Worker's own fetch handler with the real bindings (Durable Objects, SQLite): the same code
          // path as a request through the runtime, without the test harness's extra service hop per call.
          const ctx = createExecutionContext();
          const request = new Request(`http://collector.test${input.path}`, { method: input.method, headers: input.headers, body: input.body });
          const res = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, env, ctx);
          const text = await res.text();
          await waitOnExecutionContext(ctx);
          return { res, text };
        })();
        // The timer must not outlive the request: a pending closure would keep its body alive.
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within 30 s (${input.kind} ${input.method} ${input.path})`)), 30_000);
        });
        const { res, text } = await Promise.race([answered, timeout]).finally(() => clearTimeout(timer));
        bump(statuses, res.status);
        kindMs.set(input.kind, (kindMs.get(input.kind) ?? 0) + Date.now() - t0);
        let code = '(none)';
        try {
          code = (JSON.parse(text) as { error?: string }).error ?? (res.status === 200 ? 'ok' : '(none)');
        } catch {
          code = res.status === 204 ? 'preflight' : '(not json)';
        }
        bump(errors, `${res.status} ${code}`);
        if (res.status >= 500 && failures.length < 20) failures.push(`#${i} ${input.kind} ${input.method} ${input.path} → ${res.status} ${text.slice(0, 200)}`);
      } catch (error) {
        thrown++;
        if (failures.length < 20) failures.push(`#${i} ${input.kind} threw ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const seconds = (Date.now() - started) / 1000;
  // Stored events and their alarms go before the network double does: a queue's alarm firing after
  // the test would try the sandbox's made-up host for real.
  await reset();
  await abortAllDurableObjects();
  errorSpy.mockRestore();
  globalThis.removeEventListener('unhandledrejection', onUnhandled);

  const fiveXX = [...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
  const sorted = (m: Map<string | number, number>) => Object.fromEntries([...m].sort((a, b) => b[1] - a[1]));
  console.log(
    JSON.stringify(
      { runs, seed, seconds, requestsPerSecond: Math.round(runs / seconds), fiveXX, thrown, unhandledRejections: unhandled, consoleErrors, statuses: sorted(statuses), answers: sorted(errors), inputs: sorted(kinds), msPerKind: sorted(kindMs), failures },
      null,
      2,
    ),
  );
  expect({ fiveXX, thrown, unhandled, consoleErrors, failures }).toEqual({ fiveXX: 0, thrown: 0, unhandled: 0, consoleErrors: 0, failures: [] });
});
