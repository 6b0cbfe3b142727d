/**
 * `npm run screenshot`: redraws docs/debugger.png, the README's picture of the event debugger, from a
 * real run — the sandbox and `wrangler dev` on free ports, the demo page's buttons pressed in
 * headless Chromium (one event refused by MoEngage, so a dead letter shows), then the debugger
 * with the delivered Order Completed open.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startSandboxServer } from '../dev/moengage-sandbox/server';
import { ROOT, startCollector } from './collector';

const TOKEN = 'screenshot-debugger-token';
const state = await mkdtemp(join(tmpdir(), 'edgetag-screenshot-'));
const sandbox = await startSandboxServer({ port: 0, credentials: { 'demo-workspace': 'demo-data-api-key' } });
const collector = await startCollector({
  persistTo: state,
  vars: { MOENGAGE_API_BASE: sandbox.url, MOENGAGE_WORKSPACE_ID: 'demo-workspace', WRITE_KEYS: 'demo-write-key', DEMO_PAGE: 'on', DEMO_SANDBOX_URL: sandbox.url, BOT_POLICY: 'allow', FLUSH_INTERVAL_MS: '300' },
  secrets: { MOENGAGE_DATA_API_KEY: 'demo-data-api-key', DEBUGGER_TOKEN: TOKEN },
});
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
try {
  const demo = await browser.newPage();
  await demo.goto(`${collector.url}/demo`);
  for (const button of ['#page', '#identify', '#order', '#unmapped']) {
    await demo.click(button);
    await pause(400);
  }
  await pause(1500);
  // MoEngage refuses the next event request: that order is dead-lettered with its error message.
  await fetch(`${sandbox.url}/_sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status: 400, count: 1, path: '/v1/event/', body: { status: 'fail', error: { type: 'Bad Request', message: 'Invalid attribute value' } } }),
  });
  await demo.click('#order');
  await pause(2500);

  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, deviceScaleFactor: 1 });
  await page.goto(`${collector.url}/debugger`);
  await page.fill('#token', TOKEN);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#rows tr[data-status="delivered"]');
  await page.click('#rows tr[data-status="delivered"] button.open');
  await page.waitForSelector('#journey .answer-status');
  await pause(500);
  await page.screenshot({ path: join(ROOT, 'docs/debugger.png') });
  console.log('wrote docs/debugger.png');
} finally {
  await browser.close();
  await collector.stop();
  await sandbox.close();
  await rm(state, { recursive: true, force: true });
}
