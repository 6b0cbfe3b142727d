/**
 * One measured run: load.ts in its own process against a target under `wrangler dev`, and the CPU
 * time the target's processes spent in the measured window (read when load.ts opens the window and
 * when it reports), with the machine's load averages around it. An optional probe (the collector's
 * per-shard counters) is read at the same two moments.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../../scripts/collector';
import { type GroupCpu, groupCpu } from './processCpu';

export interface LoadResult {
  requests: number;
  events: number;
  errors: number;
  byStatus: Record<string, number>;
  seconds: number;
  latencyMs: { p50: number; p99: number };
  answers: { answered: number; accepted: number; duplicates: number; rejected: number; samples: string[] };
}

export interface LoadOptions {
  url: string;
  seconds: number;
  warmupSeconds: number;
  concurrency: number;
  batchSize: number;
  idPrefix: string;
  shape: 'tag' | 'segment';
  /** The wrangler dev process group and its dev port (support/processCpu.ts). */
  pgid: number;
  port: number;
}

/** Read when the measured window opens and when it closes (e.g. GET /healthz). */
export type Probe<P> = () => Promise<P>;

export interface Measured<P = undefined> {
  load: LoadResult;
  /** The probe's readings at the window's opening and closing (undefined without a probe). */
  probes: [P, P];
  /** CPU seconds spent in the measured window, by role. */
  cpu: Omit<GroupCpu, 'runtimePid'>;
  /** 1-minute load average when the window opened and closed. */
  loadavg: [number, number];
}

export function measureLoad<P = undefined>(o: LoadOptions, probe?: Probe<P>): Promise<Measured<P>> {
  const read = () => (probe ? probe() : Promise.resolve(undefined as P));
  return new Promise((resolve, reject) => {
    const args = ['--import', 'tsx', join(ROOT, 'test/bench/support/load.ts'), o.url, String(o.seconds), String(o.concurrency), String(o.batchSize), o.idPrefix, '--shape', o.shape, '--warmup', String(o.warmupSeconds)];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let before: GroupCpu | null = null;
    let opened = 0;
    let pending = '';
    let first: Promise<P> | null = null;
    let result: Promise<Measured<P>> | null = null;
    let failure: Error | null = null;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        try {
          const message = JSON.parse(line) as { phase?: string } & LoadResult;
          if (message.phase === 'measure') {
            before = groupCpu(o.pgid, o.port);
            opened = loadavg()[0] as number;
            first = read();
            first.catch(() => undefined); // awaited below; a load that never reports must not leave it unhandled
          } else if (before && first) {
            const after = groupCpu(o.pgid, o.port);
            const cpu = { runtime: after.runtime - before.runtime, proxy: after.proxy - before.proxy, node: after.node - before.node };
            const closed = loadavg()[0] as number;
            const opening = first;
            result = Promise.all([opening, read()]).then((probes) => ({ load: message, cpu, loadavg: [opened, closed], probes }));
          }
        } catch (error) {
          failure = error instanceof Error ? error : new Error(String(error));
        }
      }
    });
    child.on('exit', (code) => {
      if (failure) reject(failure);
      else if (code !== 0 || !result) reject(new Error(`load generator exited ${code} without a result`));
      else result.then(resolve, reject);
    });
  });
}
