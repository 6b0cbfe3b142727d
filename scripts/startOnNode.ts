/**
 * `npm run check:node -- 22`: proves the README's `npm ci && npm start` on another Node major, as a
 * fresh machine would run it, without a system install: Node comes from the npm registry's `node`
 * package (a platform binary package), the project's files are copied to a temporary folder, and
 * there `npm ci` and `npm start` run with that Node first on PATH. Then an event is sent to the
 * collector and the check waits until the MoEngage sandbox has it; every Node process `npm start`
 * started is checked to be that Node. Stops everything it started; exits non-zero on any failure.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { OFFLINE_ENV, ROOT } from './collector';
import { freePort } from './freePort';

const run = promisify(execFile);
const major = process.argv[2] ?? '22';
const started = Date.now();
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  // 1. Node <major> from the npm registry (cached by npx after the first run).
  let t = Date.now();
  const { stdout: nodePath } = await run('npx', ['-y', `node@${major}`, '-p', 'process.execPath'], { cwd: tmpdir(), env: { ...process.env, npm_config_update_notifier: 'false' } });
  const node = nodePath.trim();
  const { stdout: version } = await run(node, ['--version']);
  if (!version.startsWith(`v${major}.`)) throw new Error(`asked for Node ${major}, got ${version}`);
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}`, npm_config_update_notifier: 'false', npm_config_audit: 'false', npm_config_fund: 'false' };
  for (const name of Object.keys(env)) if (name.startsWith('npm_lifecycle') || name === 'npm_node_execpath' || name === 'NODE') delete env[name];
  console.log(`node ${version.trim()} from the npm registry (${seconds(t)})`);

  // 2. The project's files (tracked, plus new files not ignored), as a clone would have them.
  const dir = await mkdtemp(join(tmpdir(), `edgetag-node${major}-`));
  let app: ChildProcess | undefined;
  try {
    const { stdout: files } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, maxBuffer: 16 << 20 });
    const present = files.split('\0').filter(Boolean);
    await Promise.all(present.map((f) => cp(join(ROOT, f), join(dir, f), { recursive: true }).catch(() => undefined))); // a deleted file still listed: skip

    t = Date.now();
    await run('npm', ['ci'], { cwd: dir, env, maxBuffer: 64 << 20 });
    console.log(`npm ci (${seconds(t)})`);

    // 3. npm start on free ports; wait for its banner.
    t = Date.now();
    const [port, sandboxPort] = [await freePort(), await freePort()];
    app = spawn('npm', ['start'], { cwd: dir, env: { ...env, ...OFFLINE_ENV, PORT: String(port), SANDBOX_PORT: String(sandboxPort) }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    app.stdout?.on('data', (d) => (output += d));
    app.stderr?.on('data', (d) => (output += d));
    await until(() => output.includes('debugger') && output.includes('demo page'), 240_000, () => `npm start did not come up:\n${output}`, app);
    console.log(`npm start: collector and sandbox up (${seconds(t)})`);
    await checkNodeProcesses(app.pid as number, node);

    // 4. An event in, and out at MoEngage.
    t = Date.now();
    const collector = `http://127.0.0.1:${port}`;
    const sandbox = `http://127.0.0.1:${sandboxPort}`;
    const userId = `u_node${major}_${Date.now()}`;
    const now = new Date().toISOString();
    const res = await fetch(`${collector}/i`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ writeKey: 'demo-write-key', sentAt: now, batch: [{ type: 'track', event: 'Order Completed', userId, messageId: `${userId}-order`, timestamp: now, properties: { order_id: 'ORD-NODE', revenue: 1, currency: 'EUR' } }] }),
    });
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
    await until(
      async () => {
        const requests = (await (await fetch(`${sandbox}/_sandbox/requests`)).json()) as { body: { customer_id?: string; actions?: { action: string }[] }; response: { status: number } }[];
        return requests.some((r) => r.body.customer_id === userId && r.response.status === 200 && r.body.actions?.some((a) => a.action === 'Order Completed'));
      },
      30_000,
      () => `the event did not reach the sandbox:\n${output}`,
      app,
    );
    console.log(`event delivered to the MoEngage sandbox (${seconds(t)})`);
  } finally {
    if (app?.pid && app.exitCode === null) {
      const exited = new Promise((r) => app?.once('exit', r));
      process.kill(-app.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      try {
        process.kill(-app.pid, 'SIGKILL');
      } catch {
        /* all gone */
      }
    }
    await rm(dir, { recursive: true, force: true });
  }
  console.log(`npm ci && npm start deliver an event on Node ${version.trim()} (${seconds(started)} in all)`);
}

/** Every `node` process npm start started (its descendants, wrangler's included) runs the Node under test (Linux: /proc). */
async function checkNodeProcesses(root: number, node: string): Promise<void> {
  const parent = new Map<number, number>();
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (stat) parent.set(Number(pid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])); // field 4: ppid
  }
  const descends = (pid: number): boolean => {
    for (let p: number | undefined = pid; p; p = parent.get(p)) if (p === root) return true;
    return false;
  };
  const nodes: string[] = [];
  for (const pid of parent.keys()) {
    if (!descends(pid)) continue;
    const exe = await readlink(`/proc/${pid}/exe`).catch(() => '');
    if (exe.endsWith('/node')) nodes.push(exe);
  }
  if (!nodes.length) throw new Error('found no node process under npm start');
  const others = nodes.filter((exe) => exe !== node);
  if (others.length) throw new Error(`npm start ran other Node binaries: ${others.join(', ')}`);
  console.log(`npm start's ${nodes.length} node processes (npm, tsx, wrangler) all run ${node}`);
}

async function until(probe: () => boolean | Promise<boolean>, ms: number, why: () => string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await Promise.resolve().then(probe).catch(() => false))) {
    if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}): ${why()}`);
    if (Date.now() > deadline) throw new Error(why());
    await new Promise((r) => setTimeout(r, 250));
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
