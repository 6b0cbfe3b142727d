/**
 * `npm start` after a hard kill (real processes: node, wrangler, workerd). The secrets file lives in
 * the project's private state, a dead parent takes wrangler and workerd with it, and a second start
 * says clearly when a port is still taken.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/collector';
import { freePort } from '../../scripts/freePort';
import { PRIVATE_DIR, writePrivateFile } from '../../scripts/privateState';

const started: ChildProcess[] = [];
const groups: number[] = [];
afterEach(() => {
  // Whatever a failed test left behind (each run is in its own process group).
  for (const pgid of groups.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* gone, as it should be */
    }
  }
  started.splice(0);
});

/** Runs `scripts/start.ts` as `npm start` does (through tsx's CLI when `viaTsx`), in its own process group. */
function start(env: Record<string, string>, viaTsx = false): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const [cmd, args] = viaTsx
    ? [join(ROOT, 'node_modules/.bin/tsx'), ['scripts/start.ts']]
    : [process.execPath, ['--import', 'tsx', 'scripts/start.ts']];
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  started.push(child);
  if (child.pid) groups.push(child.pid);
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => output, exited };
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 90_000, output?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${output ? `; the start process printed:\n${output().slice(-3000)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const answers = async (url: string) => (await fetch(url)).ok;
const refuses = async (url: string) => {
  try {
    await fetch(url);
    return false;
  } catch {
    return true;
  }
};

/** The wrangler process serving `port` (its pid is its process group: startCollector runs it detached). */
async function wranglerOn(port: number): Promise<{ pid: number; cmdline: string[] } | undefined> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (cmdline.some((a) => a.includes('wrangler')) && cmdline.includes('dev') && cmdline[cmdline.indexOf('--port') + 1] === String(port)) {
      return { pid: Number(entry), cmdline };
    }
  }
  return undefined;
}

const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the secrets file', () => {
  it('is replaced at each write, readable by its owner only, in a private directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edgetag-private-test-'));
    try {
      const private_ = join(dir, 'state');
      const file = await writePrivateFile('x.env', 'A="1"\n', private_);
      await writeFile(file, 'OLD="leaked"\n', { mode: 0o644 });
      const again = await writePrivateFile('x.env', 'A="2"\n', private_);
      expect(again).toBe(file);
      expect(await readFile(file, 'utf8')).toBe('A="2"\n');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await stat(private_)).mode & 0o777).toBe(0o700);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('npm start after a hard kill', { timeout: 300_000 }, () => {
  it('SIGKILL of the start process: wrangler and workerd stop; the secrets were only in .edgetag/ (0600)', async () => {
    const [port, sandboxPort] = [await freePort(), await freePort()];
    const token = `hard-kill-token-${crypto.randomUUID()}`;
    const run = start({ PORT: String(port), SANDBOX_PORT: String(sandboxPort), DEBUGGER_TOKEN: token });
    await until('the collector', () => answers(`http://127.0.0.1:${port}/healthz`));
    const wrangler = await until('the wrangler process', () => wranglerOn(port));
    groups.push(wrangler.pid);

    // The env file wrangler reads is in the project's private state, not the system temp directory.
    const envFile = wrangler.cmdline[wrangler.cmdline.indexOf('--env-file') + 1] as string;
    expect(envFile.startsWith(PRIVATE_DIR)).toBe(true);
    expect((await stat(envFile)).mode & 0o777).toBe(0o600);
    expect((await stat(PRIVATE_DIR)).mode & 0o777).toBe(0o700);
    expect(await readFile(envFile, 'utf8')).toContain(token);
    expect(run.output()).not.toContain(token);

    run.child.kill('SIGKILL');
    await run.exited;
    await until('the collector to stop', () => refuses(`http://127.0.0.1:${port}/healthz`), 90_000, run.output);
    await until('wrangler and workerd to exit', async () => !groupAlive(wrangler.pid), 90_000, run.output);
    expect(await refuses(`http://127.0.0.1:${sandboxPort}/_sandbox/`)).toBe(true);
  });

  it('SIGKILL of tsx (what `npm start` runs): the orphaned start process stops everything it started', async () => {
    const [port, sandboxPort] = [await freePort(), await freePort()];
    const run = start({ PORT: String(port), SANDBOX_PORT: String(sandboxPort) }, true);
    await until('the collector', () => answers(`http://127.0.0.1:${port}/healthz`));
    const wrangler = await until('the wrangler process', () => wranglerOn(port));
    groups.push(wrangler.pid);

    run.child.kill('SIGKILL'); // tsx's CLI; its child (scripts/start.ts) is left without a parent
    await until('the sandbox to stop', () => refuses(`http://127.0.0.1:${sandboxPort}/_sandbox/`), 90_000, run.output);
    await until('the collector to stop', () => refuses(`http://127.0.0.1:${port}/healthz`), 90_000, run.output);
    await until('wrangler and workerd to exit', async () => !groupAlive(wrangler.pid), 90_000, run.output);
  });
});

describe('a second npm start', () => {
  const occupy = async (): Promise<{ port: number; server: Server }> => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { port: (server.address() as { port: number }).port, server };
  };

  it.each(['PORT', 'SANDBOX_PORT'])('says clearly that %s is still taken, and starts nothing', async (name) => {
    const { port, server } = await occupy();
    try {
      const env = { PORT: String(await freePort()), SANDBOX_PORT: String(await freePort()), [name]: String(port) };
      const run = start(env);
      expect(await run.exited).toBe(1);
      expect(run.output()).toContain(`port ${port} (${name}) is already taken`);
      expect(run.output()).toContain('Another `npm start` may still be running');
      expect(await wranglerOn(Number(env.PORT))).toBeUndefined();
    } finally {
      server.close();
    }
  });
});
