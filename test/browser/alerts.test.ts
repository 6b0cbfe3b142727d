/**
 * Alerts through real sockets: `wrangler dev` pauses on MoEngage's 401 and posts the alert to a
 * webhook double listening on loopback (as Slack would receive it); the debugger page in Chromium
 * shows it with its delivery, without the webhook's secret path, and its link filters the table to
 * the paused events. Resuming sends the recovery.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, launchChromium } from './chromium';
import { ALERT_DEBUGGER_TOKEN, type AlertWorld, moengageAnswers, operator, startAlertWorld, WEBHOOK_SECRET_PATH } from './support/alertWorld';

let world: AlertWorld;
let browser: Browser;

beforeAll(async () => {
  [world, browser] = await Promise.all([startAlertWorld(), launchChromium()]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await world?.stop();
});

describe('alerts end to end', () => {
  it('a 401 reaches the webhook as one Slack-ready alert, the debugger shows it and its link filters to the cause; a resume sends the recovery', async () => {
    expect((await world.send('warm-1')).status).toBe(200);
    await eventually(async () => (world.sandbox.sandbox.requests.some((r) => r.response.status === 200) ? true : undefined), 20_000, 'a first delivery');

    await moengageAnswers(world, { status: 401 });
    expect((await world.send('paused-1', 'u_paused')).status).toBe(200);
    const alert = await world.sink.sink.waitFor((a) => a.body.alert === 'paused' && a.body.state === 'firing', 20_000);
    expect(alert.flavour).toBe('slack');
    expect(alert.path).toBe(WEBHOOK_SECRET_PATH);
    expect(alert.body).toMatchObject({ source: 'edgetag', connection: 'default', severity: 'critical', link: `${world.collector.url}/debugger#connection=default&status=paused` });
    expect(alert.body.text).toMatch(new RegExp(`^🔴 edgetag · default: delivery paused: HTTP 401 .* ${world.collector.url.replace(/[.]/g, '\\.')}/debugger#connection=default&status=paused$`));

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${world.collector.url}/debugger`);
    await page.fill('#token', ALERT_DEBUGGER_TOKEN);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#app:not([hidden])');
    await page.waitForFunction(() => document.getElementById('alert-count')?.textContent === ' (1 firing)');
    await page.click('#alert-log summary');
    const panel = await page.innerText('#alert-log-body');
    expect(panel).toContain(`Sent to ${new URL(world.sink.url).host} (ALERT_WEBHOOK_URL)`);
    expect(panel).toMatch(/paused firing since/);
    expect(panel).toMatch(/firing\s+paused\s*: delivery paused: HTTP 401 .*; 1 event waiting/);
    expect(panel).toMatch(/127\.0\.0\.1:\d+ delivered .*\(1 attempt\)/);
    expect(await page.content()).not.toContain(WEBHOOK_SECRET_PATH);

    await page.click('#alert-log li.alert a');
    await page.waitForFunction(() => (document.getElementById('f-status') as HTMLSelectElement).value === 'paused');
    await eventually(async () => ((await page.$$eval('#rows tr', (trs) => trs.map((tr) => tr.getAttribute('data-id')))).includes('paused-1') ? true : undefined), 10_000, 'the paused event in the filtered table');
    expect(await page.$$eval('#rows tr', (trs) => trs.map((tr) => tr.getAttribute('data-status')))).toEqual(expect.arrayContaining(['paused']));

    await moengageAnswers(world, null);
    expect((await operator(world, '/debugger/api/connections/default/resume')).status).toBe(200);
    const resolved = await world.sink.sink.waitFor((a) => a.body.alert === 'paused' && a.body.state === 'resolved', 20_000);
    expect(resolved.body.text).toMatch(/^✅ edgetag · default: delivery resumed after \d+ s paused /);
    await page.waitForFunction(() => document.getElementById('alert-count')?.textContent === '', undefined, { timeout: 15_000 });
    expect(world.sink.sink.accepted().filter((a) => a.body.alert === 'paused')).toHaveLength(2);
    expect(errors).toEqual([]);
    await page.close();
  });
});
