/**
 * Runs the collector in `wrangler dev` (workerd) on 127.0.0.1, offline: settings go in as
 * `--var`, secrets through a private env file (in `.edgetag/`, mode 0600) so they never show in the
 * process list. wrangler runs in a process group of its own, watched by scripts/watchdog.ts: if the
 * process that started it dies, even by SIGKILL, wrangler and workerd stop too.
 * Used by `npm start` and by the browser tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './freePort';
import { writePrivateFile } from './privateState';

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
  /** The private env file holding the secrets (removed by stop()). */
  secretsFile: string;
  /** What wrangler and workerd printed so far (with `stdio: 'pipe'`). */
  output(): string;
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
  const secrets = Object.entries(options.secrets ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
  // One file per port: replaced at each start on that port, never shared by two running collectors.
  const envFile = await writePrivateFile(`collector-${port}.env`, secrets.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n') + '\n');

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
  const watchdog = watch(child);

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
    watchdog?.stdin?.destroy(); // the group is gone: the watchdog exits
    await rm(envFile, { force: true });
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
  return { url, port, process: child, secretsFile: envFile, output: () => output, stop };
}

/** Starts scripts/watchdog.ts on wrangler's process group, tied to this process by a pipe. */
function watch(child: ChildProcess): ChildProcess | undefined {
  if (!child.pid) return undefined;
  const watchdog = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/watchdog.ts'), String(child.pid)], {
    cwd: ROOT,
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  // Neither the watchdog nor its pipe keeps this process alive.
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}
