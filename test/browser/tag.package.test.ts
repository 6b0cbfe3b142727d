/**
 * The tag as an npm package, tested as an app developer meets it: `npm pack` makes the tarball, a
 * shop app (test/app/) installs it offline into a temporary folder — the tarball, not this source —
 * type-checks against its declarations, is bundled by vite (its JS API), and runs in Chromium against
 * the real collector (`wrangler dev`), which delivers its order to the MoEngage sandbox.
 */
import { execFile, spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import './support/provided';
import { eventually, launchChromium } from './chromium';
import type { SentMessage } from './support/site';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const collectorUrl = inject('collectorUrl');
const sandboxUrl = inject('sandboxUrl');
const run = promisify(execFile);
/** npm never reaches a registry here: everything it installs is the local tarball. */
const OFFLINE = { ...process.env, npm_config_registry: 'http://127.0.0.1:9/', npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

let dir: string;
let app: string;
let packed: { filename: string; files: { path: string }[] };
let appServer: Server;
let appUrl: string;
let browser: Browser;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edgetag-package-'));
  // What `npm pack` puts in the tarball; the build it packs is the one `npm test` has just made
  // (`prepack` would rebuild it, rewriting files the other test projects are reading).
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, env: OFFLINE });
  packed = (JSON.parse(stdout) as (typeof packed)[])[0] as typeof packed;

  app = join(dir, 'shop');
  await cp(join(ROOT, 'test/app'), app, { recursive: true });
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'shop', private: true, type: 'module', dependencies: { edgetag: `file:../${packed.filename}` } }, null, 2));
  await run('npm', ['install'], { cwd: app, env: OFFLINE });

  const common = { root: app, configFile: false as const, logLevel: 'silent' as const };
  await build({ ...common, define: { __EDGETAG_COLLECTOR__: JSON.stringify(collectorUrl) }, build: { outDir: join(app, 'dist') } });
  await build({ ...common, define: { __ANALYTICS__: 'false' }, build: { outDir: join(app, 'dist-off'), rolldownOptions: { input: join(app, 'src/unused.ts') } } });

  // The app's static host: files from dist/, every other path is the app (client-side routes).
  appServer = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://shop.test').pathname;
    const file = path.startsWith('/assets/') ? join(app, 'dist', path) : join(app, 'dist/index.html');
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': extname(file) === '.js' ? 'text/javascript' : 'text/html; charset=utf-8' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => appServer.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (appServer ? appServer.close(resolve) : resolve(undefined)));
  if (dir) await rm(dir, { recursive: true, force: true });
});

const assets = async (out: string) => {
  const names = await readdir(join(app, out, 'assets'));
  return (await Promise.all(names.filter((n) => n.endsWith('.js')).map((n) => readFile(join(app, out, 'assets', n), 'utf8')))).join('\n');
};

it('npm pack makes a tarball of the tag alone — its modules and declarations, no dependencies — and it installs offline', async () => {
  expect(packed.files.map((f) => f.path).sort()).toEqual([
    'README.md',
    'dist/tag/index.d.ts',
    'dist/tag/index.js',
    'dist/tag/segments.d.ts',
    'dist/tag/segments.js',
    'dist/tag/types.d.ts',
    'package.json',
  ]);
  const manifest = JSON.parse(await readFile(join(app, 'node_modules/edgetag/package.json'), 'utf8')) as Record<string, unknown>;
  expect(manifest.dependencies).toBeUndefined(); // the collector's libraries are build-time only: an app gets none of them
  expect(manifest.sideEffects).toBe(false);
  expect(Object.keys(manifest.exports as object)).toEqual(['./tag', './tag/segments', './package.json']);
  expect(await readdir(join(app, 'node_modules'))).toEqual(expect.arrayContaining(['edgetag']));
  expect((await readdir(join(app, 'node_modules'))).filter((n) => !n.startsWith('.'))).toEqual(['edgetag']);
  // The installed module is the one built from this source.
  expect(await readFile(join(app, 'node_modules/edgetag/dist/tag/index.js'), 'utf8')).toBe(await readFile(join(ROOT, 'dist/tag/index.js'), 'utf8'));
});

it('the app type-checks against the installed declarations, which reject wrong calls (strict TypeScript)', async () => {
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  const result = await run(process.execPath, [tsc, '-p', join(app, 'tsconfig.json')], { cwd: app }).then(
    () => 'ok',
    (error: { stdout: string }) => error.stdout,
  );
  expect(result).toBe('ok'); // includes the @ts-expect-error lines: a declaration that took anything would fail them
  // One source of truth: the package's types are tag/tag.d.ts without the snippet's global.
  const types = await readFile(join(app, 'node_modules/edgetag/dist/tag/types.d.ts'), 'utf8');
  expect(types).toContain('export interface EdgeTag');
  expect(types).not.toContain('declare global');
  expect((await readFile(join(ROOT, 'tag/tag.d.ts'), 'utf8')).startsWith(types.trimEnd())).toBe(true);
});

it('vite tree-shakes it: a build that never calls createTag has no byte of the tag; the app has the core (no segments code)', async () => {
  const off = await assets('dist-off');
  expect(off).toContain('no analytics in this build');
  expect(off.length).toBeLessThan(200); // without sideEffects: false, ~5.5 KB of the tag's module code stays
  for (const word of ['sendBeacon', 'et_aid', 'edgetag', 'pushState']) expect(off).not.toContain(word);
  const on = await assets('dist');
  for (const word of ['sendBeacon', 'et_aid', 'pushState']) expect(on).toContain(word);
  expect(on).not.toContain('/v1/segments');
});

it('on a server, importing edgetag/tag and calling createTag() does nothing and throws nothing; bad options throw a TypeError', async () => {
  const script = `
    let requests = 0;
    globalThis.fetch = () => { requests++; return Promise.resolve(new Response('{}')); };
    const { createTag } = await import('edgetag/tag');
    const tag = createTag({ writeKey: 'k', collector: 'https://t.example.com' });
    tag.page(); tag.identify('u_server', { email: 'x@example.com' }); tag.track('Rendered');
    let error;
    try { createTag({ collector: '/' }); } catch (e) { error = e.name + ': ' + e.message; }
    await new Promise((r) => setTimeout(r, 1500));
    console.log(JSON.stringify({ user: tag.user(), version: typeof tag.v, requests, error }));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app });
  expect(JSON.parse(stdout)).toEqual({
    user: { anonymousId: '', userId: null, traits: {} }, // nothing kept: the next request's render must not see this visitor
    version: 'string',
    requests: 0,
    error: 'TypeError: edgetag: createTag() needs `writeKey`: a write key the collector lists in WRITE_KEYS',
  });
});

it('in Chromium the bundled app delivers through wrangler dev: autoPage views, the stub’s call, and an order MoEngage receives', async () => {
  const user = `u_pkg_${Date.now()}`;
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const sent: SentMessage[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url() === `${collectorUrl}/i`) sent.push(...((JSON.parse(request.postData() ?? '{}') as { batch?: SentMessage[] }).batch ?? []));
  });
  await page.goto(`${appUrl}/shop/?user=${user}`);
  await page.waitForFunction(() => typeof (window as unknown as { tag?: { v?: string } }).tag?.v === 'string');
  expect(await page.evaluate(() => (window as unknown as { sameTag: boolean }).sameTag)).toBe(true);
  expect(await page.evaluate(() => (window as unknown as { otherOptions: string }).otherOptions)).toMatch(/called again with other options/);

  await eventually(async () => (sent.some((m) => m.type === 'page') ? true : undefined), 10_000, 'the landing view');
  await page.click('a[href="/shop/cart"]');
  // One view per navigation the visitor stays on: a second click inside autoPage's 100 ms grace
  // would (rightly) make the cart no view at all, so the checkout waits for the cart's view.
  await eventually(async () => (sent.filter((m) => m.type === 'page').length >= 2 ? true : undefined), 10_000, 'the view of the cart');
  await page.click('a[href="/shop/checkout"]');
  await eventually(async () => (sent.filter((m) => m.type === 'page').length >= 3 ? true : undefined), 10_000, 'the views of cart and checkout');
  await page.click('#buy');

  const delivered = await eventually(
    async () => {
      const requests = (await (await fetch(`${sandboxUrl}/_sandbox/requests`)).json()) as { path: string; body: { customer_id?: string; actions?: { action: string; attributes?: Record<string, unknown> }[] } }[];
      const mine = requests.filter((r) => r.body.customer_id === user).flatMap((r) => r.body.actions ?? []);
      return mine.some((a) => a.action === 'Order Completed') ? mine : undefined;
    },
    20_000,
    'the order at the MoEngage sandbox',
  );
  expect(delivered.find((a) => a.action === 'Order Completed')?.attributes).toMatchObject({ order_id: `ORD-${user}`, value: 42.5, currency: 'EUR' });
  // The anonymous views (held until identify, ANONYMOUS=hold) reach MoEngage as this customer.
  expect(delivered.filter((a) => a.action === 'Page Viewed')).toHaveLength(3);

  const views = sent.filter((m) => m.type === 'page').map((m) => [m.properties?.path, m.properties?.title, m.properties?.referrer]);
  expect(views).toEqual([
    ['/shop/', 'Shop', ''],
    ['/shop/cart', 'Cart', `${appUrl}/shop/?user=${user}`],
    ['/shop/checkout', 'Checkout', `${appUrl}/shop/cart`],
  ]);
  // The call the page's markup queued before the bundle ran, replayed with the time it was made.
  const inline = sent.find((m) => m.event === 'Inline Before Bundle');
  expect(inline?.properties).toEqual({ from: 'html' });
  expect(Date.parse(inline?.timestamp as string)).toBeLessThanOrEqual(Date.parse(sent.find((m) => m.type === 'page')?.timestamp as string));
  expect(errors).toEqual([]);
  await page.close();
});
