/**
 * A V8 CPU profile of the Worker's isolate under `wrangler dev`, through wrangler's inspector
 * (`--inspector-port`, Chrome DevTools protocol): run as its own process, because Node 20 has a
 * WebSocket client only behind a flag:
 *   node --experimental-websocket --import tsx test/bench/support/cpuProfile.ts <inspector ws url> <seconds> <out.cpuprofile>
 * Prints `{"phase":"profiling"}` once the profiler runs, then `{"phase":"done"}` after writing the
 * profile (open it in Chrome DevTools → Performance, or read it with support/profileShares.ts).
 */
import { writeFile } from 'node:fs/promises';

const [wsUrl = '', seconds = '10', out = 'ingest.cpuprofile'] = process.argv.slice(2);
// wrangler's inspector proxy wants an Origin on localhost (it refuses pages of other sites);
// Node's WebSocket (undici) takes headers as an extension of the browser API.
const NodeWebSocket = WebSocket as unknown as new (url: string, init: { headers: Record<string, string> }) => WebSocket;
const socket = new NodeWebSocket(wsUrl, { headers: { origin: 'http://localhost' } });
let nextId = 1;
const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
socket.addEventListener('message', (event) => {
  const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
  const w = message.id === undefined ? undefined : waiting.get(message.id);
  if (!w) return; // events (console, scripts) are not ours
  waiting.delete(message.id as number);
  if (message.error) w.reject(new Error(message.error.message));
  else w.resolve(message.result);
});
const send = (method: string, params: Record<string, unknown> = {}) =>
  new Promise<unknown>((resolve, reject) => {
    const id = nextId++;
    waiting.set(id, { resolve, reject });
    socket.send(JSON.stringify({ id, method, params }));
  });

await new Promise((resolve, reject) => {
  socket.addEventListener('open', resolve, { once: true });
  socket.addEventListener('error', () => reject(new Error(`cannot reach the inspector at ${wsUrl}`)), { once: true });
});
await send('Profiler.enable');
await send('Profiler.setSamplingInterval', { interval: 200 }); // µs
await send('Profiler.start');
console.log(JSON.stringify({ phase: 'profiling' }));
await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
const { profile } = (await send('Profiler.stop')) as { profile: unknown };
await writeFile(out, JSON.stringify(profile));
console.log(JSON.stringify({ phase: 'done' }));
// The inspector proxy does not answer a close frame, and an open WebSocket keeps Node alive.
process.exit(0);
