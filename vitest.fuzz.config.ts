import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { TEST_BINDINGS } from './vitest.config';

/**
 * `npm run fuzz`: random inputs against the ingest routes in workerd (not part of `npm test`).
 * FUZZ_RUNS (default 100,000) and FUZZ_SEED choose the run.
 */
export default defineConfig({
  test: {
    name: 'fuzz',
    include: ['test/fuzz/**/*.fuzz.ts'],
    testTimeout: 60 * 60_000,
    provide: { fuzzRuns: Number(process.env.FUZZ_RUNS ?? 100_000), fuzzSeed: Number(process.env.FUZZ_SEED ?? 1) },
  },
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      // Per-write-key limiting off so the fuzz reaches every stage; per-address limits stay on.
      miniflare: { bindings: { ...TEST_BINDINGS, INGEST_RATE_PER_WRITE_KEY: '0', INGEST_RATE_PER_IP: '600' } },
    }),
  ],
});
