/**
 * Pure: where a V8 CPU profile's time went, as shares of the time the isolate was not idle.
 * Inclusive shares (a sample counts for a stage when the stage's function is anywhere on its stack)
 * of the ingest path's stages, by the function names the bundle keeps; and the heaviest functions
 * by self time.
 * A stage whose function was renamed shows 0 %: update STAGES with the code.
 */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** A sample's stack: its leaf function, the leaf's caller, and every function on it. */
interface Stack {
  leaf: string;
  caller: string;
  has(fn: string): boolean;
}
const anyOf = (...fns: string[]) => (s: Stack) => fns.some((f) => s.has(f));

/** Stage → whether a sample's time is the stage's. */
export const STAGES: [string, (s: Stack) => boolean][] = [
  ['DeliveryQueue.enqueue (the Durable Object, all of it)', anyOf('enqueue')],
  ['  its insert transaction (outbox, event log, dedupe keys, holds)', anyOf('insert')],
  ['    SQLite statements (sql.exec) in it', (s) => s.leaf === 'exec' && s.has('insert')],
  ['    anonymous hold and identity links (holdAll, admitLinks)', anyOf('holdAll', 'admitLinks')],
  ['  fixed work per call (alarm, hold deadline, connection, pause)', anyOf('wakeBy', 'wakeForHolds', 'rememberConnection', 'currentPause', 'connection')],
  ['Worker: ingest() (read, parse, validate, map, build records)', anyOf('ingest')],
  ['  read the body', anyOf('readBody', 'readCapped')],
  ['  parse JSON (depth pre-scan + JSON.parse)', anyOf('parseJson', 'parseJsonExact')],
  ['  validate (shape caps + zod)', anyOf('validateBatch', 'validateSingle')],
  ['  map through the blueprint', anyOf('mapMessage')],
  ['  bots, enrich', anyOf('classifyTraffic', 'enrich')],
  ['runtime, no JS frame (RPC serialisation, I/O, V8 internals)', (s) => s.leaf === '(anon)' && s.caller === '(root)'],
  ['(program)', (s) => s.leaf === '(program)'],
  ['(garbage collector)', (s) => s.leaf === '(garbage collector)'],
];

export interface Shares {
  busyMs: number;
  idleMs: number;
  stages: { stage: string; share: number }[];
  topSelf: { frame: string; share: number }[];
}

export function profileShares(profile: CpuProfile, topN = 12): Shares {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (id: number | undefined) => (id === undefined ? '' : byId.get(id)?.callFrame.functionName || '(anon)');
  const stageTime = new Map<string, number>();
  const self = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  profile.samples.forEach((leaf, i) => {
    const dt = profile.timeDeltas[i + 1] ?? 0; // a sample's time is the gap to the next one
    if (name(leaf) === '(idle)') {
      idle += dt;
      return;
    }
    busy += dt;
    const up = name(parent.get(leaf));
    const frame = `${name(leaf)} ← ${up || '(root)'}`;
    self.set(frame, (self.get(frame) ?? 0) + dt);
    const onStack = new Set<string>();
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) onStack.add(name(id));
    const stack: Stack = { leaf: name(leaf), caller: up || '(root)', has: (fn) => onStack.has(fn) };
    for (const [stage, matches] of STAGES) if (matches(stack)) stageTime.set(stage, (stageTime.get(stage) ?? 0) + dt);
  });
  const share = (t: number) => (busy ? t / busy : 0);
  return {
    busyMs: busy / 1000,
    idleMs: idle / 1000,
    stages: STAGES.map(([stage]) => ({ stage, share: share(stageTime.get(stage) ?? 0) })),
    topSelf: [...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topN)
      .map(([frame, t]) => ({ frame, share: share(t) })),
  };
}
