/**
 * The fixture every tag test file shares: one Chromium and one test site (in front of the real
 * collector) per file, a fresh browser context and a clean site for every test.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, inject } from 'vitest';
import './provided';
import { launchChromium } from '../chromium';
import { type Site, startSite } from './site';

export interface TagSuite {
  browser: Browser;
  site: Site;
  context: BrowserContext;
}

/** Registers the hooks; the returned object's fields are set once they have run. */
export function useTagSite(chromiumArgs: string[] = []): TagSuite {
  const suite = {} as TagSuite;
  beforeAll(async () => {
    suite.browser = await launchChromium(chromiumArgs);
    suite.site = await startSite(inject('collectorUrl'));
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.site?.close();
  });
  beforeEach(async () => {
    suite.site.reset();
    suite.context = await suite.browser.newContext();
  });
  afterEach(async () => {
    await suite.context?.close();
    // A closing page beacons what it still held: let that land here, not in the next test's clean site.
    await suite.site.quiet(300);
  });
  return suite;
}
