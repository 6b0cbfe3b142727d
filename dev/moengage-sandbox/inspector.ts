import type { RecordedRequest, Stats } from './recorder';

/** A page for a human running `npm start`: what "MoEngage" received, newest first. */

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const pretty = (v: unknown) => escapeHtml(typeof v === 'string' ? v : JSON.stringify(v, null, 2));

function renderRequest(r: RecordedRequest): string {
  const ok = r.response.status < 300;
  return `<details${ok ? '' : ' open'}>
<summary><b class="${ok ? 'ok' : 'bad'}">${r.response.status}</b> #${r.id} ${escapeHtml(r.method)} ${escapeHtml(r.path + r.query)}
<small>${new Date(r.at).toISOString()} · ${r.bytes} B</small></summary>
<div class="cols"><section><h4>Request body</h4><pre>${pretty(r.body)}</pre>
<h4>Headers</h4><pre>${pretty(r.headers)}</pre></section>
<section><h4>Response</h4><pre>${pretty(r.response.body)}</pre></section></div>
</details>`;
}

export function renderInspector(requests: RecordedRequest[], stats: Stats, refreshSeconds?: number): string {
  const newestFirst = [...requests].reverse().slice(0, 100);
  const refresh = refreshSeconds && refreshSeconds > 0 ? `<meta http-equiv="refresh" content="${Math.floor(refreshSeconds)}">` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MoEngage sandbox</title>${refresh}
<style>
body{font:14px system-ui,sans-serif;margin:1.5rem;color:#222}
pre{background:#f6f8fa;padding:.6rem;overflow:auto;max-height:24rem;margin:.2rem 0}
details{border-bottom:1px solid #ddd;padding:.4rem 0}
summary{cursor:pointer}.ok{color:#1a7f37}.bad{color:#cf222e}small{color:#666}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:1rem}h4{margin:.5rem 0 0}
</style></head><body>
<h1>MoEngage sandbox</h1>
<p>${stats.total} request(s) · ${stats.eventsAccepted} event(s), ${stats.customersAccepted} customer update(s), ${stats.mergesAccepted} merge(s), ${stats.deletionsAccepted} deletion(s) accepted ·
<a href="/_sandbox/requests">JSON</a> · <a href="/_sandbox/stats">stats</a> · <a href="?refresh=2">auto-refresh</a> ·
a user's profile (standard vs custom attributes): <code>/_sandbox/profiles/{customer_id}</code></p>
${newestFirst.length ? newestFirst.map(renderRequest).join('\n') : '<p><i>No requests yet.</i></p>'}
</body></html>`;
}
