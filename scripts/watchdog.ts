/**
 * Stops a process group when its parent dies. `startCollector` runs `wrangler dev` (and its workerd)
 * in a group of their own and starts this watchdog with a pipe on its stdin: when the parent ends in
 * any way, SIGKILL included, the pipe closes and the watchdog stops the group (SIGTERM, then SIGKILL
 * after 5 s). It also ends by itself once the group is gone.
 *
 * Usage: node --import tsx scripts/watchdog.ts <process group id>
 */
const group = Number(process.argv[2]);
if (!Number.isInteger(group) || group <= 1) process.exit(2);

const alive = () => {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
};

async function stopGroup(): Promise<never> {
  for (const [signal, waitMs] of [['SIGTERM', 5_000], ['SIGKILL', 1_000]] as const) {
    try {
      process.kill(-group, signal);
    } catch {
      break; // gone
    }
    const deadline = Date.now() + waitMs;
    while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (!alive()) break;
  }
  process.exit(0);
}

process.stdin.on('data', () => undefined);
process.stdin.on('end', () => void stopGroup());
process.stdin.on('close', () => void stopGroup());
process.stdin.on('error', () => void stopGroup());
setInterval(() => {
  if (!alive()) process.exit(0);
}, 1_000);
