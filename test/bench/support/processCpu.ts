/**
 * CPU time of a `wrangler dev` process group, by role, from /proc (Linux): utime + stime of each
 * process, so a delta over a measured window is what that process spent on it.
 * - runtime: the workerd that runs the Worker and its Durable Objects (what production bills);
 * - proxy: what production does not have: wrangler's own workerd in front of it (the one listening
 *   on the dev port: it forwards every request);
 * - node: wrangler's node processes (the dev server; each request costs it a log line, `[wrangler:info] POST /i 200`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

export interface GroupCpu {
  /** Seconds of CPU per role: the runtime, wrangler's proxy workerd, wrangler's node processes. */
  runtime: number;
  proxy: number;
  node: number;
  /** pid of the runtime's workerd (for the record and the profiler). */
  runtimePid: number;
}

interface Proc {
  pid: number;
  comm: string;
  pgrp: number;
  seconds: number;
}

function readProc(pid: number): Proc | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After ")": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
    return { pid, comm, pgrp: Number(fields[2]), seconds: (Number(fields[11]) + Number(fields[12])) / TICKS };
  } catch {
    return null; // gone
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** The group's processes by role; throws unless exactly one workerd runs the Worker. */
export function groupCpu(pgid: number, devPort: number): GroupCpu {
  const procs = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readProc(Number(d)))
    .filter((p): p is Proc => p !== null && p.pgrp === pgid);
  let runtime = 0;
  let proxy = 0;
  let node = 0;
  const front = new RegExp(`--socket-addr=entry=127\\.0\\.0\\.1:${devPort}(\\s|$)`);
  const runtimes: number[] = [];
  for (const p of procs) {
    if (p.comm === 'workerd') {
      if (front.test(cmdline(p.pid))) proxy += p.seconds;
      else {
        runtime += p.seconds;
        runtimes.push(p.pid);
      }
    } else if (p.comm.startsWith('node')) node += p.seconds;
    // esbuild (wrangler's bundler) idles while serving: neither role.
  }
  if (runtimes.length !== 1) throw new Error(`expected one workerd running the Worker in process group ${pgid}, found ${runtimes.length}: wrangler dev's process layout changed, fix test/bench/support/processCpu.ts`);
  return { runtime, proxy, node, runtimePid: runtimes[0] as number };
}
