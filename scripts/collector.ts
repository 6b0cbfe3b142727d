/**
 * Runs the collector in `wrangler dev` (workerd) on 127.0.0.1, offline: settings go in as
 * `--var`, secrets through a private env file so they never show in the process list.
 * Used by `npm start` and by the browser tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './freePort';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface CollectorOptions {
  port?: number;
  vars?: Record<string, string | undefined>;
  secrets?: Record<string, string | undefined>;
  /** Durable Object storage directory (default: wrangler's .wrangler/state). */
  persistTo?: string;
  /** Another wrangler config (the benchmark's hello-world Worker); default: the collector's. */
  config?: string;
  /** Inherit wrangler's output (npm start) or keep it for error reports (tests). */
  stdio?: 'inherit' | 'pipe';
}

export interface RunningCollector {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Environment that keeps wrangler off the network: no telemetry, no request.cf lookup, no banner
 * (its update check asks the npm registry), and any other registry lookup aimed at a dead loopback port.
 */
export const OFFLINE_ENV = {
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  NO_UPDATE_NOTIFIER: '1',
  npm_config_registry: 'http://127.0.0.1:9/',
};

export async function startCollector(options: CollectorOptions = {}): Promise<RunningCollector> {
  const port = options.port || (await freePort());
  const inspectorPort = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'edgetag-'));
  const envFile = join(dir, 'secrets.env');
  const secrets = Object.entries(options.secrets ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
  await writeFile(envFile, secrets.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n') + '\n', { mode: 0o600 });
  await chmod(envFile, 0o600);

  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort), '--env-file', envFile, '--show-interactive-dev-session=false'];
  for (const [k, v] of Object.entries(options.vars ?? {})) if (v !== undefined) args.push('--var', `${k}:${v}`);
  if (options.persistTo) args.push('--persist-to', options.persistTo);
  if (options.config) args.push('--config', options.config);

  const child = spawn(join(ROOT, 'node_modules/.bin/wrangler'), args, {
    cwd: ROOT,
    env: { ...process.env, ...OFFLINE_ENV },
    stdio: options.stdio === 'inherit' ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));

  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      const exited = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
    await rm(dir, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`wrangler dev exited with ${child.exitCode}:\n${output}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
      if (res.status === 503) {
        const why = await res.text();
        await stop();
        throw new Error(`the collector is misconfigured: ${why}`);
      }
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('the collector')) throw error;
      /* not up yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not answer on ${url} within 90 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, port, process: child, stop };
}
