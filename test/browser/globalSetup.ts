/**
 * One MoEngage sandbox (Node) and one collector (`wrangler dev`, workerd) for all browser tests,
 * on free loopback ports. Tests read their URLs with `inject()`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startCollector } from '../../scripts/collector';
import { startSandboxServer } from '../../dev/moengage-sandbox/server';

export const BROWSER_WRITE_KEY = 'browser-write-key';
export const BROWSER_DEBUGGER_TOKEN = 'browser-debugger-token';
export const BROWSER_SEGMENT_SYNC = { username: 'browser-moengage', password: 'browser-segment-sync-password' };
export const BROWSER_SEGMENTS_SECRET = 'browser-segments-identity-secret';

declare module 'vitest' {
  export interface ProvidedContext {
    collectorUrl: string;
    sandboxUrl: string;
    debuggerToken: string;
    segmentSync: { username: string; password: string };
    segmentsSecret: string;
  }
}

export default async function setup(project: TestProject) {
  const sandbox = await startSandboxServer({ port: 0, credentials: { 'browser-workspace': 'browser-data-api-key' } });
  const state = await mkdtemp(join(tmpdir(), 'edgetag-state-'));
  const collector = await startCollector({
    persistTo: state,
    vars: {
      MOENGAGE_API_BASE: sandbox.url,
      MOENGAGE_WORKSPACE_ID: 'browser-workspace',
      WRITE_KEYS: BROWSER_WRITE_KEY,
      FLUSH_INTERVAL_MS: '200',
      DEMO_PAGE: 'on',
      DEMO_SANDBOX_URL: sandbox.url,
      // Headless Chromium says "HeadlessChrome", which BOT_POLICY=drop (the default) would drop as a bot.
      BOT_POLICY: 'allow',
      // A sync shows on the next read (no edge or browser copy), as tag.segments.test.ts checks.
      SEGMENTS_CACHE_SECONDS: '0',
    },
    secrets: {
      MOENGAGE_DATA_API_KEY: 'browser-data-api-key',
      DEBUGGER_TOKEN: BROWSER_DEBUGGER_TOKEN,
      // Segment reading on: the collector serves the segments build of the tag to every browser test.
      SEGMENT_SYNC_USERNAME: BROWSER_SEGMENT_SYNC.username,
      SEGMENT_SYNC_PASSWORD: BROWSER_SEGMENT_SYNC.password,
      SEGMENTS_IDENTITY_SECRET: BROWSER_SEGMENTS_SECRET,
    },
  });
  project.provide('collectorUrl', collector.url);
  project.provide('sandboxUrl', sandbox.url);
  project.provide('debuggerToken', BROWSER_DEBUGGER_TOKEN);
  project.provide('segmentSync', BROWSER_SEGMENT_SYNC);
  project.provide('segmentsSecret', BROWSER_SEGMENTS_SECRET);
  return async () => {
    await collector.stop();
    await sandbox.close();
    await rm(state, { recursive: true, force: true });
  };
}
