import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

/** Settings the worker tests run with; the MoEngage base URL is answered by the in-process sandbox. */
export const TEST_BINDINGS = {
  MOENGAGE_API_BASE: 'http://moengage.sandbox',
  MOENGAGE_WORKSPACE_ID: 'demo-workspace',
  MOENGAGE_DATA_API_KEY: 'demo-data-api-key',
  WRITE_KEYS: 'test-write-key,second-write-key',
  DEBUGGER_TOKEN: 'test-debugger-token',
  DEMO_PAGE: 'on',
  SEGMENT_SYNC_USERNAME: 'test-moengage',
  SEGMENT_SYNC_PASSWORD: 'test-segment-sync-password',
  SEGMENTS_IDENTITY_SECRET: 'test-segments-identity-secret',
};

/**
 * The delivery fault tests (test/delivery/) run against several connections at once, each set up
 * for one behaviour; their DeliveryQueues are driven directly and through the Worker.
 */
export const DELIVERY_TEST_BINDINGS = {
  MOENGAGE_API_BASE: 'http://moengage.sandbox',
  // Alerts (test/delivery/alerts.test.ts): a Slack-style and a Teams-style webhook, answered by the
  // webhook double; the clock is the tests', so no alert is sent unless a test runs the alarm.
  ALERT_WEBHOOK_URL: 'https://hooks.webhook.test/services/T0EDGETAG/B0ALERTS/webhook-secret-path-1,https://hooks.webhook.test/teams/webhook-secret-path-2',
  COLLECTOR_URL: 'https://t.shop.test',
  WRITE_KEYS: 'test-write-key',
  DEBUGGER_TOKEN: 'test-debugger-token',
  KEY_MAIN: 'main-key',
  KEY_OTHER: 'other-key',
  KEY_SLOW: 'slow-key',
  KEY_BATCH: 'batch-key',
  KEY_TINY: 'tiny-key',
  MOENGAGE_CONNECTIONS: JSON.stringify([
    { id: 'main', workspaceId: 'ws-main', dataApiKeySecret: 'KEY_MAIN' },
    { id: 'other', workspaceId: 'ws-other', dataApiKeySecret: 'KEY_OTHER' },
    { id: 'slow', workspaceId: 'ws-slow', dataApiKeySecret: 'KEY_SLOW', eventsPerMinute: 600, customerUpdatesPerMinute: 200, mergesPerMinute: 200, packing: 'bulk' },
    { id: 'batch', workspaceId: 'ws-batch', dataApiKeySecret: 'KEY_BATCH', deliveryMode: 'batch', batchCadenceMinutes: 5, maxLogEvents: 10 },
    { id: 'tiny', workspaceId: 'ws-tiny', dataApiKeySecret: 'KEY_TINY', maxBacklogEvents: 20, maxEventAgeHours: 1, maxAttempts: 3, debuggerRetentionHours: 2 },
  ]),
};

/**
 * The collector's structured log lines (worker/logs/logLine.ts) are not printed: thousands of
 * deliveries would bury the test report. consoleGuard still checks every one for secrets, and
 * test/worker/logs.test.ts reads them.
 */
function quietLogLines(log: string): false | void {
  if (log.startsWith('{"level":')) return false;
}

export default defineConfig({
  test: {
    onConsoleLog: quietLogLines,
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            // TEST_TIGHT_RATE_LIMIT: a real (miniflare-simulated) Cloudflare rate limiting binding that
            // test/worker/abuse.test.ts hands the collector as INGEST_IP_RATE_LIMIT.
            // TEST_ABUSE_*: the same limits as test/worker/writeKeyBudget.test.ts sets for the Durable Object.
            // ANALYTICS: the optional Analytics Engine dataset, bound here so test/worker/logs.test.ts sees its data points
            // (miniflare's local dataset accepts and discards them; production has it off unless wrangler.toml binds it).
            miniflare: {
              bindings: TEST_BINDINGS,
              ratelimits: {
                TEST_TIGHT_RATE_LIMIT: { simple: { limit: 2, period: 60 } },
                TEST_ABUSE_IP_RATE_LIMIT: { simple: { limit: 20, period: 60 } },
                TEST_ABUSE_KEY_RATE_LIMIT: { simple: { limit: 100, period: 60 } },
                TEST_ABUSE_SHARE_RATE_LIMIT: { simple: { limit: 5, period: 60 } },
              },
              analyticsEngineDatasets: { ANALYTICS: { dataset: 'edgetag_test' } },
            },
          }),
        ],
        test: { name: 'worker', include: ['test/worker/**/*.test.ts'], setupFiles: ['test/worker/support/consoleGuard.ts'] },
      },
      {
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' }, miniflare: { bindings: DELIVERY_TEST_BINDINGS } })],
        test: { name: 'delivery', include: ['test/delivery/**/*.test.ts'], setupFiles: ['test/worker/support/consoleGuard.ts'] },
      },
      {
        // Who owns what: dependency directions over the import graph (test/architecture/).
        test: { name: 'architecture', include: ['test/architecture/**/*.test.ts'], environment: 'node' },
      },
      {
        test: {
          name: 'browser',
          // test/clients: real Segment client libraries against the same `wrangler dev` collector.
          // test/scripts: `npm start`'s own processes (hard kill, taken ports).
          include: ['test/browser/**/*.test.ts', 'test/clients/**/*.test.ts', 'test/scripts/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/browser/globalSetup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
