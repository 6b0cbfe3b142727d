/** Driving the tag in a page. */
import type { BrowserContext, Page } from 'playwright-core';
import type { EdgeTag } from '../../../tag/tag';
import { type PageOptions, pagePath, type Site } from './site';

export type Win = typeof globalThis & { tag: EdgeTag } & Record<string, unknown>;

/** Opens a test page of `site` and waits until the tag has loaded (replaced the stub). */
export async function openTagPage(context: BrowserContext, site: Site, options: PageOptions = {}, origin = site.url): Promise<Page> {
  const page = await context.newPage();
  await page.goto(origin + pagePath(options));
  await tagLoaded(page, options.global);
  return page;
}

export async function tagLoaded(page: Page, global = 'tag'): Promise<void> {
  await page.waitForFunction((g) => typeof (globalThis as unknown as Record<string, { v?: string }>)[g]?.v === 'string', global);
}

/** The tag's retry-queue entries in this origin's localStorage. */
export const queued = (page: Page): Promise<number> =>
  page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('et_q.')).length);
