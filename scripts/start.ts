/**
 * `npm start`: the whole flow on localhost with no account and no network — the MoEngage sandbox
 * (unless MOENGAGE_API_BASE points elsewhere) and the collector in `wrangler dev`, with demo
 * defaults for every setting. Ctrl-C stops everything it started; so does the death of this process
 * or of the one that started it (scripts/watchdog.ts, and the parent check below).
 */
import { startSandboxServer } from '../dev/moengage-sandbox/server';
import { startCollector } from './collector';
import { portTaken } from './freePort';

/** Delivery settings (worker/config/delivery.ts), passed on when set. */
const DELIVERY_SETTINGS = [
  'DELIVERY_MODE',
  'BATCH_CADENCE_MINUTES',
  'DELIVERY_PACKING',
  'MAX_ATTEMPTS',
  'MOENGAGE_CUSTOMER_UPDATES_PER_MINUTE',
  'MOENGAGE_MERGES_PER_MINUTE',
  'MOENGAGE_REQUESTS_PER_MINUTE',
  'MAX_BACKLOG_EVENTS',
  'MAX_EVENT_AGE_HOURS',
  'DEBUGGER_RETENTION_HOURS',
  'EVENT_LOG_RETENTION_DAYS',
  'MAX_LOG_EVENTS',
];

// Read before the first await: if npm or tsx is killed while the collector starts, this process is
// re-parented before the check below is set up, and a parent read then would already be the new one.
const parent = process.ppid;

const env = process.env;
const setting = (name: string, fallback?: string) => (env[name] !== undefined && env[name] !== '' ? env[name] : fallback);

const workspace = setting('MOENGAGE_WORKSPACE_ID', 'demo-workspace') as string;
const apiKey = setting('MOENGAGE_DATA_API_KEY', 'demo-data-api-key') as string;
const debuggerToken = setting('DEBUGGER_TOKEN', 'demo-debugger-token') as string;
const segmentSync = {
  SEGMENT_SYNC_USERNAME: setting('SEGMENT_SYNC_USERNAME', 'moengage') as string,
  SEGMENT_SYNC_PASSWORD: setting('SEGMENT_SYNC_PASSWORD', 'demo-segment-sync-password') as string,
  SEGMENTS_IDENTITY_SECRET: setting('SEGMENTS_IDENTITY_SECRET', 'demo-segments-identity-secret') as string,
};

const collectorPort = Number(setting('PORT', '8787'));
const sandboxPort = Number(setting('SANDBOX_PORT', '8788'));
await refuseTakenPort(collectorPort, 'PORT');
if (!env.MOENGAGE_API_BASE) await refuseTakenPort(sandboxPort, 'SANDBOX_PORT');

const sandbox = env.MOENGAGE_API_BASE
  ? undefined
  : await startSandboxServer({
      port: sandboxPort,
      credentials: { [workspace]: apiKey },
      eventsPerMinute: Number(setting('MOENGAGE_EVENTS_PER_MINUTE', '30000')),
    });
const apiBase = env.MOENGAGE_API_BASE || (sandbox?.url as string);

const collector = await startCollector({
  port: collectorPort,
  stdio: 'inherit',
  vars: {
    MOENGAGE_API_BASE: apiBase,
    MOENGAGE_WORKSPACE_ID: workspace,
    // No default: with MOENGAGE_API_BASE (always set here) the data center is not needed.
    MOENGAGE_DATA_CENTER: setting('MOENGAGE_DATA_CENTER'),
    MOENGAGE_PROJECT_CODE: setting('MOENGAGE_PROJECT_CODE'),
    WRITE_KEYS: setting('WRITE_KEYS', 'demo-write-key'),
    BLUEPRINT: setting('BLUEPRINT', 'retail'),
    MOENGAGE_EVENTS_PER_MINUTE: setting('MOENGAGE_EVENTS_PER_MINUTE', '30000'),
    FLUSH_INTERVAL_MS: setting('FLUSH_INTERVAL_MS', '1000'),
    DEMO_PAGE: 'on',
    DEMO_SANDBOX_URL: sandbox?.url,
    ...passThrough(DELIVERY_SETTINGS),
    ...passThrough(['BLUEPRINTS', 'ANONYMOUS', 'ANONYMOUS_HOLD_MINUTES', 'PHONE_VALIDATION', 'MOE_PREFIX', 'NESTED_ATTRIBUTES']),
    ...passThrough(['SEGMENT_SYNC_USER_KEY', 'SEGMENT_SYNC_ADD_KEY', 'SEGMENT_SYNC_REMOVE_KEY', 'SEGMENT_SYNC_RESYNC_MARKER', 'SEGMENTS_CACHE_SECONDS', 'SEGMENTS_VISIBLE']),
    ...passThrough(['MOENGAGE_CONNECTIONS', 'ALLOWED_ORIGINS', 'DEFAULT_PHONE_COUNTRY', 'TAG_PATH', 'INGEST_PATH', 'BOT_POLICY', 'INGEST_RATE_PER_IP', 'INGEST_RATE_PER_WRITE_KEY', 'INGEST_RATE_SHARE_PER_IP']),
    // Alerts (docs/operations.md): links in alerts point at this collector unless COLLECTOR_URL says otherwise.
    ...passThrough(['ALERT_DEAD_LETTERS', 'ALERT_BACKLOG_MINUTES']),
    COLLECTOR_URL: setting('COLLECTOR_URL', `http://127.0.0.1:${collectorPort}`),
  },
  secrets: { MOENGAGE_DATA_API_KEY: apiKey, DEBUGGER_TOKEN: debuggerToken, ...segmentSync, ALERT_WEBHOOK_URL: setting('ALERT_WEBHOOK_URL') },
});

console.log(`
  edgetag is running (Ctrl-C stops everything)

  demo page   ${collector.url}/demo
  debugger    ${collector.url}/debugger      token: ${debuggerToken === 'demo-debugger-token' ? debuggerToken : '(your DEBUGGER_TOKEN)'}
  MoEngage    ${sandbox ? `${sandbox.url}/_sandbox/   (local sandbox)` : apiBase}
  segments    ${collector.url}/v1/moengage/segment-sync   Basic ${segmentSync.SEGMENT_SYNC_PASSWORD === 'demo-segment-sync-password' ? `${segmentSync.SEGMENT_SYNC_USERNAME}:demo-segment-sync-password` : '(your SEGMENT_SYNC_* credentials)'}
`);

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  await collector.stop();
  await sandbox?.close();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGHUP', () => void shutdown(0));
collector.process.on('exit', (code) => void shutdown(code ?? 1));
// `npm start` runs this under npm and tsx: if they are killed hard, this process is re-parented.
setInterval(() => {
  if (process.ppid !== parent) void shutdown(1);
}, 1_000).unref();

/** A clear word, before anything starts, when an earlier run (or anything else) still holds a port. */
async function refuseTakenPort(port: number, name: string): Promise<void> {
  if (!(await portTaken(port))) return;
  console.error(
    `\n  edgetag cannot start: port ${port} (${name}) is already taken on 127.0.0.1.\n` +
      `  Another \`npm start\` may still be running: stop it (Ctrl-C in its terminal), or find what listens\n` +
      `  there (\`lsof -i :${port}\` or \`ss -ltnp\`), or start on another port: ${name}=<port> npm start\n`,
  );
  process.exit(1);
}

function passThrough(names: string[]): Record<string, string | undefined> {
  return Object.fromEntries(names.map((n) => [n, setting(n)]));
}
